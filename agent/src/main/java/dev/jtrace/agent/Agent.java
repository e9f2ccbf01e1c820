package dev.jtrace.agent;

import dev.jtrace.FlightRecorder;
import dev.jtrace.JTrace;
import dev.jtrace.agent.AgentOptions.Command;
import dev.jtrace.agent.AgentOptions.Family;
import dev.jtrace.agent.allocfree.AllocFreeTracker;
import dev.jtrace.agent.sched.SchedulerTracing;
import dev.jtrace.internal.OutputFiles;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code -javaagent:jtrace-agent.jar=file=out.jtrace,...}: records the JVM from its start to its exit,
 * without changes to the application. See docs/agent.md for the options. A bad option is reported on
 * stderr and the application runs untraced: the tracer never stops an application from starting.
 *
 * <p>Loaded into a running JVM ({@code jtrace attach}, {@code jtrace snapshot}), the agent runs one
 * command per load: {@code command=start|stop|snapshot|status}. Every load of the same jar runs this class
 * again in the same JVM, so the commands share the state below. The attacher cannot see the agent's
 * output or exceptions, so with {@code reply=TOKEN} the result goes into the system property
 * {@code jtrace.agent.reply.TOKEN} as {@code ok MESSAGE} or {@code error MESSAGE}, which the attacher reads
 * through the Attach API after {@code loadAgent} returns. One property per token, so that attachers working
 * at the same time do not read each other's replies; the agent keeps the last {@value #REPLIES_KEPT}. The
 * agent never throws out of its entry points.
 */
public final class Agent {
    /** Prefix of the system properties that hold the replies, followed by the command's token. */
    public static final String REPLY_PROPERTY = "jtrace.agent.reply.";
    /** Replies kept in the system properties; older ones are removed. */
    static final int REPLIES_KEPT = 16;
    private static final java.util.ArrayDeque<String> REPLIES = new java.util.ArrayDeque<>();

    /** The answer to {@code status} with {@code owner=TOKEN} when that start's recording does not run. */
    static final String OWNER_NONE = "owner: none";

    private static Instrumentation instrumentation;
    private static Recording current;

    /** One running recording and everything it started, stopped in reverse order. */
    private static final class Recording {
        final AgentOptions options;
        final String origin;
        /** The reply token of the start that began it (null under -javaagent): {@code owner=} names it. */
        final String owner;
        final Instant since = Instant.now();
        FlightRecorder flight;
        /** Whether this recording's flight recorder or file recording started (else it must not be stopped). */
        boolean recorderStarted;
        AllocFreeTracker allocFree;
        SchedulerTracing scheduler;
        RuntimeBridge bridge;
        Thread shutdownHook;

        Recording(AgentOptions options, String origin) {
            this.options = options;
            this.origin = origin;
            this.owner = options.reply;
        }

        String describe() {
            String what = flight != null
                    ? "a flight recorder (last " + human(options.flight) + ", at most " + options.maxBytes / 1024
                            + " KiB" + (options.file == null ? "" : ", written to " + options.file + " at exit") + ")"
                    : "a recording to " + options.file;
            return what + ", started by " + origin + " at " + since;
        }
    }

    private Agent() {}

    /** Entry point of {@code -javaagent}. */
    public static void premain(String args, Instrumentation inst) {
        run(args, inst, "-javaagent");
    }

    /** Entry point when loaded into a running JVM (Attach API). */
    public static void agentmain(String args, Instrumentation inst) {
        run(args, inst, "jtrace attach");
    }

    private static void run(String args, Instrumentation inst, String origin) {
        AgentOptions o = null;
        String reply = null;
        // the agent's own waits (for JFR's stream, for the writer at a stop) are the tracer's, not the
        // application's: the scheduler hooks must not record them
        dev.jtrace.internal.ThreadContext self = dev.jtrace.internal.ThreadContext.current();
        self.mute();
        try {
            o = AgentOptions.parse(args);
            reply = o.reply;
            String message = command(o, inst, origin);
            reply(reply, true, message);
        } catch (Exception | LinkageError e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (o == null || o.command == Command.START) {
                message = message.startsWith("jtrace agent: ") ? message.substring(14) : message;
                message = "not recording: " + message;
            }
            reply(reply == null ? replyToken(args) : reply, false, message);
        } finally {
            self.unmute();
        }
    }

    /** Runs one command; returns the message of its success, throws with the reason of its failure. */
    static synchronized String command(AgentOptions o, Instrumentation inst, String origin) throws Exception {
        if (inst != null) {
            instrumentation = inst;
            openJavaLang(inst);
        }
        return switch (o.command) {
            case START -> start(o, origin);
            case STOP -> {
                if (o.owner != null && (current == null || !o.owner.equals(current.owner))) {
                    yield "not stopped: the recording of " + o.owner + " is not running";
                }
                if (current == null) {
                    throw new IllegalStateException("no jtrace recording is running in this JVM");
                }
                yield stop(false);
            }
            case SNAPSHOT -> snapshot(o);
            case STATUS -> o.owner != null
                    ? (current != null && o.owner.equals(current.owner) ? "owner: recording: " + current.describe()
                            : OWNER_NONE)
                    : current == null ? "not recording" : "recording: " + current.describe();
        };
    }

    /**
     * Opens java.lang to the recorder, so that a stack is read from a Throwable's backtrace (frames resolved
     * once, cached) instead of walked and resolved frame by frame (docs/design.md, "Stacks"). Before the
     * recorder's first capture, which decides once.
     */
    private static void openJavaLang(Instrumentation inst) {
        Module base = Object.class.getModule();
        Module recorder = dev.jtrace.internal.ThreadContext.class.getModule();
        if (!base.isOpen("java.lang", recorder)) {
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(recorder)), Set.of(), Map.of());
        }
    }

    private static String start(AgentOptions o, String origin) throws Exception {
        if (current != null) {
            throw new IllegalStateException("jtrace is already recording in this JVM: " + current.describe()
                    + "; it was left as it is (stop it first with 'jtrace attach PID --stop')");
        }
        if (o.file != null) {
            // before anything starts: an attach (perhaps by root) must not write through a planted link or
            // over a file that is not a trace
            checkOutput(o.file.toAbsolutePath(), o.force);
        }
        Recording r = new Recording(o, origin);
        try {
            if (o.flight != null) {
                r.flight = new FlightRecorder(o.config, o.flight, o.maxBytes);
                r.flight.start();
            } else {
                JTrace.start(o.config); // refuses when the application itself records to a file
            }
            r.recorderStarted = true;
            current = r;
            if (!o.allocFreeClasses.isEmpty()) {
                if (instrumentation == null) {
                    throw new IllegalStateException("allocfree needs the agent's Instrumentation");
                }
                r.allocFree = AllocFreeTracker.start(instrumentation, o.allocFreeClasses, o.maxTracked,
                        o.config.reentrancy());
            }
            java.util.Set<AgentOptions.Family> hooked = startSchedulerHooks(r);
            r.bridge = new RuntimeBridge(o, hooked);
            r.bridge.nameRunningThreads();
            r.shutdownHook = new dev.jtrace.internal.TracerThread(Agent::stopAtExit, "jtrace-shutdown");
            Runtime.getRuntime().addShutdownHook(r.shutdownHook);
        } catch (Exception | LinkageError e) {
            current = r;
            try {
                stop(true);
            } catch (Exception | LinkageError ignored) {
                // the original failure is the one to report
            }
            throw e;
        }
        String message = "recording: " + r.describe();
        if (r.scheduler != null) {
            message += "; " + r.scheduler.describe();
        }
        if (r.allocFree != null) {
            message += "; " + r.allocFree.describe();
        }
        return message;
    }

    /**
     * Instruments the JDK's scheduler code for the families asked for and turns on the hooks of those whose
     * hook points this JDK has; returns them (the JFR bridge leaves their JFR events off). A missing hook
     * point is said in one line on stderr, and its family is recorded from JFR: never a failed start.
     */
    private static java.util.Set<Family> startSchedulerHooks(Recording r) throws Exception {
        AgentOptions o = r.options;
        java.util.Set<Family> hooked = java.util.EnumSet.noneOf(Family.class);
        boolean wanted = o.families.contains(Family.PARK) || o.families.contains(Family.WAIT)
                || o.families.contains(Family.SLEEP) || o.families.contains(Family.VTHREADS);
        if (!o.hooks || !wanted) {
            return hooked;
        }
        if (instrumentation == null) {
            System.err.println("jtrace agent: no Instrumentation: scheduler events come from JFR, above the threshold");
            return hooked;
        }
        SchedulerTracing t = SchedulerTracing.install(instrumentation, o.families.contains(Family.PARK),
                o.families.contains(Family.WAIT), o.families.contains(Family.SLEEP),
                o.families.contains(Family.VTHREADS), o.blockStack.toNanos());
        r.scheduler = t;
        if (o.families.contains(Family.PARK) && t.has("LockSupport.") && t.has("Thread.yield")) {
            hooked.add(Family.PARK);
        }
        if (o.families.contains(Family.WAIT) && t.has("Object.wait")) {
            hooked.add(Family.WAIT);
        }
        if (o.families.contains(Family.SLEEP) && t.has("Thread.beforeSleep") && t.has("Thread.afterSleep")) {
            hooked.add(Family.SLEEP);
        }
        if (o.families.contains(Family.VTHREADS) && t.has("VirtualThread.")) {
            hooked.add(Family.VTHREADS);
        }
        if (!t.missing().isEmpty()) {
            System.err.println("jtrace agent: JDK " + Runtime.version() + " lacks the hook points " + t.missing()
                    + "; their families come from JFR above the threshold (park, sleep) or are not recorded"
                    + " (wait, virtual-thread mounts): see docs/agent.md, \"Hook points\"");
        }
        t.activate(hooked.contains(Family.PARK), hooked.contains(Family.WAIT), hooked.contains(Family.SLEEP),
                hooked.contains(Family.VTHREADS));
        return hooked;
    }

    private static String snapshot(AgentOptions o) throws Exception {
        Recording r = current;
        if (r == null) {
            throw new IllegalStateException("the jtrace agent is not recording in this JVM, so it has no flight"
                    + " recorder window (start one with -javaagent:jtrace-agent.jar=flight=30s or"
                    + " 'jtrace attach PID --flight 30s')");
        }
        if (r.flight == null) {
            throw new IllegalStateException("the jtrace agent in this JVM is not in flight-recorder mode: it runs "
                    + r.describe() + " (a snapshot needs flight=DURATION)");
        }
        if (o.file == null) {
            throw new IllegalArgumentException("snapshot needs file=PATH");
        }
        Path file = o.file.toAbsolutePath();
        checkOutput(file, o.force);
        long n = r.flight.writeTo(file);
        return "wrote the flight recorder's window (" + n + " bytes, generations " + r.flight.windowGenerations()
                + ") to " + file;
    }

    /**
     * Refuses an output file that must not be written: {@link OutputFiles#checkReplaceable}; with
     * {@code force} an existing file that is not a trace may be replaced, but a symbolic link or a special
     * file never is (force names a file to overwrite, not a place to write through).
     */
    static void checkOutput(Path file, boolean force) throws java.io.IOException {
        if (!force) {
            OutputFiles.checkReplaceable(file);
            return;
        }
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!a.isRegularFile()) {
            OutputFiles.checkReplaceable(file); // its message: a link or a special file, even with force
        }
    }

    private static void stopAtExit() {
        synchronized (Agent.class) {
            if (current == null || current.shutdownHook != Thread.currentThread()) {
                return; // stopped by an attach before the JVM began to exit
            }
            try {
                String m = stop(true);
                if (current == null && m.startsWith("wrote")) {
                    System.err.println("jtrace agent: " + m);
                }
            } catch (Exception | LinkageError e) {
                System.err.println("jtrace agent: stopping failed: " + e);
            }
        }
    }

    /**
     * Stops in reverse order of starting: allocation hooks first (their frees must land before the end),
     * then the JFR bridge (it delivers the events JFR still holds), then the recorder.
     */
    private static String stop(boolean atExitOrFailure) throws Exception {
        Recording r = current;
        current = null;
        Exception failure = null;
        if (r.shutdownHook != null && !atExitOrFailure) {
            try {
                Runtime.getRuntime().removeShutdownHook(r.shutdownHook);
            } catch (IllegalStateException exiting) {
                // the JVM is exiting: the hook will find current == null
            }
        }
        if (r.allocFree != null) {
            r.allocFree.stop();
        }
        if (r.scheduler != null) {
            r.scheduler.stop();
        }
        if (r.bridge != null) {
            r.bridge.close();
        }
        String message;
        if (!r.recorderStarted) {
            message = "not started"; // e.g. the application's own recording was running: leave it be
        } else if (r.flight != null) {
            if (r.options.file != null) {
                try {
                    checkOutput(r.options.file.toAbsolutePath(), r.options.force);
                    long n = r.flight.writeTo(r.options.file);
                    message = "wrote the flight recorder's window (" + n + " bytes) to " + r.options.file;
                } catch (Exception e) {
                    failure = e;
                    message = null;
                }
            } else {
                message = "stopped the flight recorder (its window was discarded: it has no file)";
            }
            r.flight.stop();
        } else {
            JTrace.stop();
            message = "stopped; wrote " + java.nio.file.Files.size(r.options.file) + " bytes to "
                    + r.options.file.toAbsolutePath();
        }
        if (failure != null) {
            throw failure;
        }
        return message;
    }

    private static void reply(String token, boolean ok, String message) {
        if (token != null && !token.isEmpty()) {
            synchronized (REPLIES) {
                System.setProperty(REPLY_PROPERTY + token, (ok ? "ok " : "error ") + message);
                REPLIES.addLast(token);
                while (REPLIES.size() > REPLIES_KEPT) {
                    System.clearProperty(REPLY_PROPERTY + REPLIES.removeFirst());
                }
            }
        } else if (!ok) {
            System.err.println("jtrace agent: " + message);
        }
    }

    /** The reply token of an argument string that failed to parse, so that the attacher still hears why. */
    private static String replyToken(String args) {
        if (args == null) {
            return null;
        }
        for (String part : args.split(",")) {
            String p = part.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("reply=")) {
                return p.substring(6).trim();
            }
        }
        return null;
    }

    private static String human(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
