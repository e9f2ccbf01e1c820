package dev.jtrace.cli;

import dev.jtrace.analysis.ChromeExporter;
import dev.jtrace.reader.TraceFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace export}: a trace in another tool's format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {
            "Writes a trace in another tool's format. Formats:",
            "  chrome  the Chrome trace event format (JSON), for chrome://tracing and ui.perfetto.dev:",
            "          a track per thread, regions as slices, tasks as async spans with flow arrows across",
            "          threads, logs as instants, counters, runtime events and GC at their true times."
        })
public final class ExportCommand implements Callable<Integer> {
    /** The formats this version writes. */
    public enum Format { chrome }

    @Spec
    CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "File to write.")
    Path output;

    @Option(names = "--progress", description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Parameters(paramLabel = "FILE", description = "The trace file.")
    Path file;

    @Override
    public Integer call() {
        try (Progress p = new Progress("exporting " + file.getFileName(), AnalyzeCommand.size(file), progress)) {
            long n = ChromeExporter.export(file, output, p);
            spec.commandLine().getOut().printf("wrote %,d trace events to %s%n", n, output);
            return 0;
        } catch (TraceFormatException e) {
            spec.commandLine().getErr().println("jtrace export: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            spec.commandLine().getErr().println("jtrace export: " + e.getMessage());
            return 2;
        }
    }
}
