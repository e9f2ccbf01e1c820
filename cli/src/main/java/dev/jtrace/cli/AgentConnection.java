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
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String version = vm.getSystemProperties().getProperty("java.specification.version", "");
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
            throw new Failure(2, "cannot attach to PID " + pid + ": " + e.getMessage());
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
        String token = newToken();
        StringBuilder args = new StringBuilder("command=").append(command).append(",reply=").append(token);
        for (String o : options) {
            args.append(',').append(o);
        }
        try {
            vm.loadAgent(agentJar.toAbsolutePath().toString(), args.toString());
        } catch (AgentLoadException e) {
            throw new Failure(2, "the jtrace agent could not be loaded into PID " + pid + ": " + e.getMessage()
                    + " (it needs Java 21 or newer)");
        } catch (AgentInitializationException e) {
            throw new Failure(2, "the jtrace agent failed in PID " + pid + " (see that JVM's stderr): "
                    + e.getMessage());
        } catch (IOException e) {
            throw new Failure(2, "lost the connection to PID " + pid + " (did it exit?): " + e.getMessage());
        }
        String reply;
        try {
            reply = vm.getSystemProperties().getProperty(REPLY_PROPERTY + token);
        } catch (IOException e) {
            throw new Failure(2, "lost the connection to PID " + pid + " (did it exit?): " + e.getMessage());
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

    /** The feature release of a java.specification.version ("1.8" is 8, "21" is 21; unknown is 0). */
    static int feature(String specVersion) {
        String v = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String newToken() {
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
     * again when it opens the file, as the target's user).
     */
    static String unwritable(Path file) {
        Path abs = file.toAbsolutePath();
        if (abs.toString().indexOf(',') >= 0) {
            return "the file name must not contain ',' (it separates the agent's options): " + abs;
        }
        if (Files.isDirectory(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return abs + " is a directory";
        }
        String refused = dev.jtrace.internal.OutputFiles.whyNotReplaceable(abs);
        if (refused != null) {
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

    /** Agent options from {@code -O}, refusing the keys this command sets itself. */
    static List<String> userOptions(List<String> options, String... reserved) throws Failure {
        for (String o : options) {
            String key = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            for (String r : reserved) {
                if (key.trim().toLowerCase(Locale.ROOT).equals(r)) {
                    throw new Failure(2, "-O " + o + ": '" + r + "' is set by this command (use its own option)");
                }
            }
        }
        return options;
    }
}
