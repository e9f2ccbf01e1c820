package dev.jtrace.cli;

import dev.jtrace.TraceConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace attach}: starts and stops recording in a running JVM through the Attach API. */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {
            "Loads the jtrace agent into the running JVM with process id PID (Attach API; same user),",
            "records for --duration, stops, and prints the trace's summary. Examples:",
            "  jtrace attach 4242 --duration 10s -o app.jtrace",
            "  jtrace attach 4242 --duration 5s -o app.jtrace -O events=threads,park,gc",
            "  jtrace attach 4242 -O allocfree=com.example.Foo -o foo.jtrace",
            "  jtrace attach 4242 --flight 30s          keep the last 30 s; then 'jtrace snapshot 4242 -o F'",
            "  jtrace attach 4242 --stop                stop what the agent records in 4242",
            "  jtrace attach 4242 --status              what the agent records in 4242",
            "A recording already running in the JVM is left as it is: attach says so and exits with 1.",
            "Agent options (docs/agent.md) go after -O, one KEY=VALUE each. Ctrl-C during --duration stops",
            "the recording. A start that fails never leaves a recording running in the target.",
            "Exit status: 0 done, 1 the agent refused (the message says why), 2 cannot attach or bad usage."
        })
public final class AttachCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "Process id of the JVM.")
    long pid;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Trace file, written by the target JVM (with --flight: written when it exits).")
    Path output;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to record, e.g. 500ms, 10s, 2m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--flight", paramLabel = "DURATION",
            description = "Start a flight recorder keeping this much history and return; see 'jtrace snapshot'.")
    String flight;

    @Option(names = "--stop", description = "Stop the agent's recording (a flight recorder with a file writes it).")
    boolean stop;

    @Option(names = "--status", description = "Print what the agent records in the JVM.")
    boolean status;

    @Option(names = "--force", description = "Replace the output file even if it exists and is not a jtrace"
            + " trace (never a symbolic link).")
    boolean force;

    @Option(names = {"-O", "--agent-option"}, paramLabel = "KEY=VALUE", description = "An agent option (repeatable).")
    List<String> agentOptions = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if ((stop ? 1 : 0) + (status ? 1 : 0) + (flight != null ? 1 : 0) > 1) {
                throw new AgentConnection.Failure(2, "--flight, --stop and --status exclude each other");
            }
            if (stop || status) {
                try (AgentConnection c = AgentConnection.open(pid, RecordCommand.agentJar())) {
                    out.println(c.send(stop ? "stop" : "status", List.of()));
                }
                return 0;
            }
            List<String> options = new ArrayList<>(AgentConnection.userOptions(agentOptions, "file", "command",
                    "reply", "owner", "flight", "force"));
            if (force) {
                options.add("force=true");
            }
            if (flight != null) {
                TraceConfig.parseDuration(flight);
                options.add("flight=" + flight);
                options.add("file=" + (output == null ? "" : checkedOutput()));
                try (AgentConnection c = AgentConnection.open(pid, RecordCommand.agentJar())) {
                    out.println(start(c, err, options));
                }
                out.println("write the window with 'jtrace snapshot " + pid + " -o FILE'; stop with 'jtrace attach "
                        + pid + " --stop'");
                return 0;
            }
            if (output == null) {
                throw new AgentConnection.Failure(2, "-o FILE is needed (or --flight, --stop, --status)");
            }
            Duration d = TraceConfig.parseDuration(duration);
            options.add("file=" + checkedOutput());
            return record(out, err, options, d);
        } catch (AgentConnection.Failure f) {
            err.println("jtrace attach: " + f.getMessage());
            return f.exitCode;
        } catch (IllegalArgumentException e) {
            err.println("jtrace attach: " + e.getMessage());
            return 2;
        }
    }

    private Path checkedOutput() throws AgentConnection.Failure {
        String why = AgentConnection.unwritable(output, force);
        if (why != null) {
            throw new AgentConnection.Failure(2, why);
        }
        return output.toAbsolutePath();
    }

    /**
     * Starts; when the start fails or its answer is lost, stops the recording it may have begun (only that
     * one: the stop names the start's token) and says what it found.
     */
    private String start(AgentConnection c, PrintWriter err, List<String> options) throws AgentConnection.Failure {
        String token = AgentConnection.newToken();
        try {
            return c.send("start", token, options);
        } catch (AgentConnection.Failure f) {
            err.println("jtrace attach: the start failed; cleaning up: " + c.stopOwned(token));
            throw f;
        }
    }

    private int record(PrintWriter out, PrintWriter err, List<String> options, Duration d)
            throws AgentConnection.Failure {
        try (AgentConnection c = AgentConnection.open(pid, RecordCommand.agentJar())) {
            String started = start(c, err, options);
            err.println("jtrace attach: PID " + pid + ": " + started);
            err.println("jtrace attach: recording for " + duration + " (Ctrl-C stops now)");
            AtomicBoolean stopped = new AtomicBoolean();
            // Ctrl-C: stop the recording in the target rather than leave it running there.
            Thread onInterrupt = new Thread(() -> {
                if (stopped.compareAndSet(false, true)) {
                    try {
                        System.err.println("jtrace attach: interrupted; " + c.send("stop", List.of()));
                    } catch (AgentConnection.Failure f) {
                        System.err.println("jtrace attach: " + f.getMessage());
                    }
                }
            }, "jtrace-attach-interrupt");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            boolean exited = false;
            try {
                long end = System.nanoTime() + d.toNanos();
                long lastShown = -1;
                for (long left; (left = end - System.nanoTime()) > 0;) {
                    if (!c.alive()) {
                        exited = true;
                        break;
                    }
                    long s = left / 1_000_000_000L;
                    if (System.console() != null && s != lastShown) {
                        System.err.printf("\rjtrace attach: %ds left ", s + 1);
                        lastShown = s;
                    }
                    Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (System.console() != null) {
                    System.err.print("\r" + " ".repeat(40) + "\r");
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException exiting) {
                    // the hook is running or will run: it stops the recording
                }
            }
            if (!stopped.compareAndSet(false, true)) {
                return 1;
            }
            if (exited) {
                err.println("jtrace attach: PID " + pid + " exited during the recording; the agent completed "
                        + output.toAbsolutePath() + " at exit");
            } else {
                err.println("jtrace attach: PID " + pid + ": " + c.send("stop", List.of()));
            }
        }
        if (Files.exists(output)) {
            Main.commandLine().setOut(out).setErr(err).execute("stats", output.toString());
        }
        return 0;
    }
}
