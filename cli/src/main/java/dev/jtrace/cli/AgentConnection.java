package dev.jtrace.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A running JVM reached through the Attach API, and the protocol of the agent's commands: each
 * {@link #send} loads the agent jar into the target again with {@code command=...,reply=TOKEN,...}; the
 * agent's {@code agentmain} runs the command in the target and leaves its result in the target's system
 * property {@code jtrace.agent.reply.TOKEN} as {@code ok MESSAGE} or {@code error MESSAGE}, which is read
 * back here once {@code loadAgent} has returned (see docs/agent.md). The token is random per command, so
 * that two attachers at the same time never read each other's reply.
 */
final class AgentConnection implements AutoCloseable {
    static final String REPLY_PROPERTY = "jtrace.agent.reply.";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A failure to show the user as it is (the message names the PID and what went wrong). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final long pid;
    private final Path agentJar;
    private final VirtualMachine vm;
    /** The last command's step that was given up on and may still be running, or null. */
    private volatile Thread inFlight;

    private AgentConnection(long pid, Path agentJar, VirtualMachine vm) {
        this.pid = pid;
        this.agentJar = agentJar;
        this.vm = vm;
    }

    /** Attaches to {@code pid}; every reason it cannot is a {@link Failure} with a message for the user. */
    static AgentConnection open(long pid, Path agentJar) throws Failure {
        if (agentJar == null || !Files.isRegularFile(agentJar)) {
            throw new Failure(2, "the agent jar was not found (looked for " + agentJar
                    + "); build it with 'mvn install' or set -Djtrace.agent.jar=PATH");
        }
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new Failure(2, "no process with PID " + pid);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new Failure(2, "PID " + pid + " is this jtrace command itself");
        }
        String notJvm = notAJvm(pid);
        if (notJvm != null) {
            throw new Failure(2, notJvm);
        }
        try {
            VirtualMachine vm = bounded(pid, "attaching", () -> VirtualMachine.attach(Long.toString(pid)));
            String version = bounded(pid, "reading its Java version",
                    () -> vm.getSystemProperties().getProperty("java.specification.version", ""));
            int feature = feature(version);
            if (feature != 0 && feature < 21) { // unknown: let the agent try
                vm.detach();
                throw new Failure(2, "PID " + pid + " runs Java " + version + "; the jtrace agent needs Java 21 or newer");
            }
            return new AgentConnection(pid, agentJar, vm);
        } catch (AttachNotSupportedException e) {
            throw new Failure(2, "cannot attach to PID " + pid + ": " + e.getMessage() + " (is it a JVM of the"
                    + " same user, without -XX:+DisableAttachMechanism?)");
        } catch (IOException e) {
            throw new Failure(2, "cannot attach to PID " + pid + ": " + e.getMessage()
                    + (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? "" : " (it has exited)"));
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            throw new Failure(2, "cannot attach to PID " + pid + ": " + e);
        } catch (LinkageError e) {
            throw new Failure(2, "the Attach API (module jdk.attach) is missing from this Java runtime ("
                    + System.getProperty("java.home") + "): run jtrace with a JDK");
        }
    }

    /**
     * Runs one agent command in the target and returns its success message.
     *
     * @param options further agent options, {@code key=value} each
     * @throws Failure with the agent's reason (exit code 1), or why the agent could not run (exit code 2)
     */
    String send(String command, List<String> options) throws Failure {
        return send(command, newToken(), options);
    }

    /**
     * As {@link #send(String, List)}, with the reply token chosen by the caller: a start's token names the
     * recording it starts ({@code owner=TOKEN} stops exactly that one, see {@link #stopOwned}). Every step
     * is bounded in time ({@link #TIMEOUT_PROPERTY}) and ends early when the target exits.
     */
    String send(String command, String token, List<String> options) throws Failure {
        // the control keys first: the agent reads the reply token from the first reply= (it refuses a second)
        StringBuilder args = new StringBuilder("command=").append(command).append(",reply=").append(token);
        for (String o : options) {
            args.append(',').append(o);
        }
        String reply;
        try {
            bounded(pid, "running '" + command + "'", () -> {
                vm.loadAgent(agentJar.toAbsolutePath().toString(), args.toString());
                return null;
            }, command.equals("start") && startTimeoutNanos >= 0 ? startTimeoutNanos : timeoutNanos(),
                    t -> inFlight = t);
            reply = bounded(pid, "reading the reply to '" + command + "'",
                    () -> vm.getSystemProperties().getProperty(REPLY_PROPERTY + token));
        } catch (AgentLoadException e) {
            throw new Failure(2, "the jtrace agent could not be loaded into PID " + pid + ": " + e.getMessage()
                    + " (it needs Java 21 or newer)");
        } catch (AgentInitializationException e) {
            throw new Failure(2, "the jtrace agent failed in PID " + pid + " (see that JVM's stderr): "
                    + e.getMessage());
        } catch (IOException e) {
            throw new Failure(2, "lost the connection to PID " + pid + (alive() ? "" : " (it has exited)") + ": "
                    + e.getMessage());
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            throw new Failure(2, "the jtrace agent in PID " + pid + " failed: " + e);
        }
        if (reply == null) {
            throw new Failure(2, "the jtrace agent in PID " + pid + " did not reply to '" + command + "'"
                    + " (an older agent jar?); see that JVM's stderr");
        }
        if (reply.startsWith("ok ")) {
            return reply.substring(3);
        }
        throw new Failure(1, "PID " + pid + ": " + (reply.startsWith("error ") ? reply.substring(6) : reply));
    }

    /**
     * After a start that failed or whose answer was lost: stops the recording that start began, if it runs,
     * and checks that it no longer does. Never stops a recording that another start began. Returns what it
     * found, for the user.
     */
    String stopOwned(String token) {
        // a start given up on may still arrive: the stop must come after it (the agent runs one at a time)
        Thread late = inFlight;
        long begin = System.nanoTime();
        try {
            while (late != null && late.isAlive() && alive() && System.nanoTime() - begin < timeoutNanos()) {
                late.join(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!alive()) {
            return "PID " + pid + " has exited";
        }
        if (late != null && late.isAlive()) {
            return "the start is still running in PID " + pid + "; check with 'jtrace attach " + pid
                    + " --status' and stop it with 'jtrace attach " + pid + " --stop'";
        }
        try {
            String stopped = send("stop", List.of("owner=" + token));
            String status = send("status", List.of("owner=" + token));
            if (status.startsWith(OWNER_NONE)) {
                return stopped;
            }
            return "the recording could not be stopped (" + status + "); stop it with 'jtrace attach " + pid
                    + " --stop'";
        } catch (Failure f) {
            return "could not check that nothing records there: " + f.getMessage() + "; check with 'jtrace attach "
                    + pid + " --status'";
        }
    }

    /** The agent's answer to {@code status} with {@code owner=TOKEN} when that start's recording is not running. */
    static final String OWNER_NONE = "owner: none";

    /** System property: seconds that each Attach API step may take (default 60). */
    static final String TIMEOUT_PROPERTY = "jtrace.attach.timeout";

    /**
     * Runs one Attach API step on a daemon thread and waits for it at most {@link #TIMEOUT_PROPERTY}
     * seconds, and no longer than the target lives: the API's own calls can wait for a target that exited or
     * hangs. The step's own exception is rethrown as it is.
     */
    static <T> T bounded(long pid, String what, Callable<T> step) throws Exception {
        return bounded(pid, what, step, timeoutNanos(), t -> { });
    }

    /** The limit of one step, from {@link #TIMEOUT_PROPERTY}. */
    private static long timeoutNanos() {
        return Long.getLong(TIMEOUT_PROPERTY, 60L) * 1_000_000_000L;
    }

    /** When not negative, the limit of the start step instead (AttachTest: a start whose answer is late). */
    static volatile long startTimeoutNanos = -1;

    /**
     * As {@link #bounded(long, String, Callable)} with the limit {@code timeout}; a step given up on is
     * handed to {@code abandoned}: it may still reach the target (the Attach API's socket I/O is not
     * interruptible), so a clean-up must wait for it first.
     */
    private static <T> T bounded(long pid, String what, Callable<T> step, long timeout,
            java.util.function.Consumer<Thread> abandoned) throws Exception {
        FutureTask<T> task = new FutureTask<>(step);
        Thread t = new Thread(task, "jtrace-attach-step");
        t.setDaemon(true);
        t.start();
        long begin = System.nanoTime();
        long goneSince = 0;
        while (!task.isDone()) {
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                // the step usually fails by itself once the target's socket closes; give it a moment
                if (goneSince == 0) {
                    goneSince = System.nanoTime();
                } else if (System.nanoTime() - goneSince > 2_000_000_000L) {
                    abandoned.accept(t);
                    throw new Failure(2, "PID " + pid + " exited while jtrace was " + what);
                }
            }
            if (System.nanoTime() - begin > timeout) {
                abandoned.accept(t);
                throw new Failure(2, "PID " + pid + " did not answer within " + timeout / 1_000_000 + " ms while jtrace was " + what + " (-D" + TIMEOUT_PROPERTY + "=SECONDS sets the limit)");
            }
            try {
                task.get(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // poll again
            }
        }
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            if (e.getCause() instanceof Error x) {
                throw x;
            }
            throw e;
        }
    }

    /**
     * Why {@code pid} is not a JVM that the agent can run in, as far as /proc tells without touching the
     * process, or null (also when there is no /proc: the Attach API decides then). The Attach API's way in
     * is a SIGQUIT, which kills a process that is not a JVM, or is caught by it (a shell relays it to its
     * child): so nothing may be sent to a process unless it is a JVM. A JVM maps libjvm.so; the release
     * file next to it names its version.
     */
    static String notAJvm(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return null;
        }
        String libjvm = null;
        try (var lines = Files.lines(proc.resolve("maps"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            libjvm = lines.map(AgentConnection::mappedFile).filter(f -> f != null && f.endsWith("/libjvm.so"))
                    .findFirst().orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            if (!Files.isDirectory(proc)) {
                return "no process with PID " + pid;
            }
            return "cannot attach to PID " + pid + ": cannot read " + proc.resolve("maps") + " (" + e.getMessage()
                    + "); is it a JVM of the same user?";
        }
        if (libjvm == null) {
            String exe;
            try {
                exe = Files.readSymbolicLink(proc.resolve("exe")).toString();
            } catch (IOException | UnsupportedOperationException e) {
                exe = "unknown";
            }
            return "cannot attach to PID " + pid + ": it is not a Java virtual machine (its program is " + exe
                    + ", and it has not loaded libjvm.so); nothing was sent to it";
        }
        // <home>/lib/server/libjvm.so (<home>/jre/lib/amd64/server/libjvm.so before Java 9)
        Path lib = Path.of(libjvm).getParent();
        for (int up = 0; up < 4 && lib != null; up++, lib = lib.getParent()) {
            Path release = lib.resolve("release");
            Path inTarget = proc.resolve("root").resolve(release.toString().substring(1));
            for (Path r : new Path[] {inTarget, release}) {
                try {
                    for (String line : Files.readAllLines(r, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                        if (line.startsWith("JAVA_VERSION=")) {
                            String v = line.substring(13).replace("\"", "").trim();
                            int feature = feature(v.contains(".") && !v.startsWith("1.") ? v.substring(0, v.indexOf('.')) : v);
                            if (feature != 0 && feature < 21) {
                                return "PID " + pid + " runs Java " + v + " (" + lib
                                        + "); the jtrace agent needs Java 21 or newer; nothing was sent to it";
                            }
                            return null;
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // not there or not readable: the version is checked after attaching
                }
            }
        }
        return null;
    }

    /** The file of a /proc/PID/maps line, or null. */
    private static String mappedFile(String line) {
        int slash = line.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String f = line.substring(slash);
        return f.endsWith(" (deleted)") ? f.substring(0, f.length() - 10) : f;
    }

    /** The feature release of a java.specification.version ("1.8" is 8, "21" is 21; unknown is 0). */
    static int feature(String specVersion) {
        String v = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String newToken() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Whether the target still runs. */
    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException e) {
            // the target may have exited; nothing is held on our side
        }
    }

    /**
     * Why the target could not or must not write {@code file}, as far as this side can tell, or null: a
     * symbolic link at that name or an existing file that is not a trace is refused (the agent refuses them
     * again when it opens the file, as the target's user); with {@code force} an existing regular file that
     * is not a trace may be replaced (a link or special file still may not).
     */
    static String unwritable(Path file, boolean force) {
        Path abs = file.toAbsolutePath();
        if (abs.toString().indexOf(',') >= 0) {
            return "the file name must not contain ',' (it separates the agent's options): " + abs;
        }
        if (Files.isDirectory(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return abs + " is a directory";
        }
        String refused = dev.jtrace.internal.OutputFiles.whyNotReplaceable(abs);
        if (refused != null && force && Files.isRegularFile(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            refused = null;
        }
        if (refused != null) {
            if (refused.contains("not a jtrace trace")) {
                refused += "; --force replaces it";
            }
            return refused;
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "cannot write " + abs + ": the directory " + dir + " does not exist";
        }
        if (Files.exists(abs) ? !Files.isWritable(abs) : !Files.isWritable(dir)) {
            return "cannot write " + abs + ": permission denied";
        }
        return null;
    }

    /** The agent's options whose value is a list that runs on over the following comma-separated parts. */
    private static final List<String> LIST_KEYS = List.of("events", "allocfree");

    /**
     * Agent options from {@code -O}: exactly one {@code key=value} each, refusing the keys this command sets
     * itself. The agent separates its options with ',', so a value must not contain one, except in the list
     * options ({@code events=threads,park}), whose further items must not contain '=': anything else could
     * smuggle a second option (e.g. {@code period=1s,reply=x}) past the check of the reserved keys.
     */
    static List<String> userOptions(List<String> options, String... reserved) throws Failure {
        for (String o : options) {
            int eq = o.indexOf('=');
            String key = (eq < 0 ? o : o.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            if (eq <= 0 || key.isEmpty() || key.indexOf(',') >= 0) {
                throw new Failure(2, "-O " + o + ": an agent option is KEY=VALUE, one per -O");
            }
            for (String r : reserved) {
                if (key.equals(r)) {
                    throw new Failure(2, "-O " + o + ": '" + r + "' is set by this command (use its own option)");
                }
            }
            String value = o.substring(eq + 1);
            if (value.indexOf(',') >= 0) {
                if (!LIST_KEYS.contains(key)) {
                    throw new Failure(2, "-O " + o + ": the value of '" + key + "' must not contain ',' (it separates"
                            + " the agent's options; one option per -O)");
                }
                for (String item : value.split(",", -1)) {
                    if (item.indexOf('=') >= 0) {
                        throw new Failure(2, "-O " + o + ": an item of the list '" + key + "' must not contain '='"
                                + " (one option per -O)");
                    }
                }
            }
        }
        return options;
    }
}
