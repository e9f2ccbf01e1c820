package dev.jtrace.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace snapshot}: writes the flight recorder's window of a running JVM. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {
            "Writes the window of the flight recorder that the jtrace agent keeps in the running JVM PID",
            "to FILE (the target writes it), and prints its summary. The agent must run in flight mode:",
            "  java -javaagent:jtrace-agent.jar=flight=30s,maxbytes=64m ...   or   jtrace attach PID --flight 30s",
            "Example:",
            "  jtrace snapshot 4242 -o slow-request.jtrace",
            "Exit status: 0 written, 1 the agent refused (not in flight mode, cannot write FILE), 2 cannot attach."
        })
public final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "Process id of the JVM.")
    long pid;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Trace file to write.")
    Path output;

    @Option(names = "--force", description = "Replace FILE even if it exists and is not a jtrace trace"
            + " (never a symbolic link).")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            String why = AgentConnection.unwritable(output, force);
            if (why != null) {
                throw new AgentConnection.Failure(2, why);
            }
            try (AgentConnection c = AgentConnection.open(pid, RecordCommand.agentJar())) {
                err.println("jtrace snapshot: PID " + pid + ": "
                        + c.send("snapshot", force ? List.of("file=" + output.toAbsolutePath(), "force=true")
                                : List.of("file=" + output.toAbsolutePath())));
            }
        } catch (AgentConnection.Failure f) {
            err.println("jtrace snapshot: " + f.getMessage());
            return f.exitCode;
        }
        return Main.commandLine().setOut(out).setErr(err).execute("stats", output.toString());
    }
}
