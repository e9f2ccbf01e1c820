package dev.jtrace.cli;

import dev.jtrace.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jtrace} command: its subcommands read, summarize and produce traces. */
@Command(name = "jtrace", mixinStandardHelpOptions = true, version = "jtrace 0.1.0 (format " + dev.jtrace.format.Format.VERSION_MAJOR + "." + dev.jtrace.format.Format.VERSION_MINOR + ")",
        description = "An execution tracer for the JVM: record, inspect and analyse jtrace files.",
        subcommands = {DemoCommand.class, StatsCommand.class, DumpCommand.class, AnalyzeCommand.class,
            ExportCommand.class, SqlCommand.class, ViewCommand.class, RecordCommand.class, AttachCommand.class, SnapshotCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (for tests and for commands that run other commands). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("jtrace " + line.getCommandName() + ": " + ex.getMessage());
            return 2;
        });
        return cl;
    }
}
