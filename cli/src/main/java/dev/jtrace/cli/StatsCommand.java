package dev.jtrace.cli;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.model.TraceStats;
import dev.jtrace.reader.Problem;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.TraceFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace stats}: the summary of a trace. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {
            "Prints the summary of a trace: generations, events by type, threads, tasks, regions,",
            "events skipped by reentrancy and otherwise lost, and every problem the reader found.",
            "",
            "Exit status: 0 for a readable trace (even with warnings, errors in some generations, or a",
            "truncated tail, which are listed); 2 when the file cannot be read as a trace at all."
        })
public final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Parameters(paramLabel = "FILE", description = "The trace file.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TraceStats s;
        try {
            s = TraceStats.of(file, null);
        } catch (TraceFormatException e) {
            spec.commandLine().getErr().println("jtrace stats: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            spec.commandLine().getErr().println("jtrace stats: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        List<String> warnings = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Problem p : s.report.problems()) {
            (p.severity() == Problem.Severity.ERROR ? errors : warnings).add(p.toString());
        }
        warnings.addAll(s.semanticWarnings());
        if (json) {
            out.println(toJson(s, warnings, errors));
        } else {
            printText(out, s, warnings, errors);
        }
        out.flush();
        return 0;
    }

    private void printText(PrintWriter out, TraceStats s, List<String> warnings, List<String> errors) {
        ReadReport r = s.report;
        long bytes = sizeOf(file);
        out.printf("%s: %,d bytes, %d generations, %,d events%n", file, bytes, s.generations, s.events);
        if (s.generations > 0) {
            out.printf("duration: %.3f ms (first GEN_BEGIN to last GEN_END; event clock: %s)%n",
                    s.durationNanos() / 1e6, s.clockDescription());
        }
        if (s.events > 0) {
            out.printf("bytes per event: %.2f%n", bytes / (double) s.events);
        }
        out.printf("threads: %d (%d platform, %d virtual)%n", s.threads(), s.platformThreads(),
                s.virtualThreads());
        out.printf("tasks: %,d   regions: %,d%n", s.tasks, s.regions);
        out.printf("skipped (reentrant): %,d   lost: %,d%n", s.skippedReentrant, s.lostEvents);
        if (s.summary.wakeups() > 0 || s.summary.carrierRuns() > 0) {
            out.printf("wake-ups: %,d %s   virtual thread mounts: %,d%n", s.summary.wakeups(),
                    s.summary.wakeupsByKind(), s.summary.carrierRuns());
        }
        for (Map.Entry<String, Long> e : s.lossByReason.entrySet()) {
            out.printf("  lost %-22s %,d%n", e.getKey(), e.getValue());
        }
        if (r.lostBytes() > 0 || r.lostEvents() > 0) {
            out.printf("lost in the file: %,d generations, %,d bytes, %,d events (see errors and warnings)%n",
                    r.lostGenerations(), r.lostBytes(), r.lostEvents());
        }
        if (r.lostTailBytes() > 0) {
            out.printf("incomplete tail: %,d bytes lost (%s)%n", r.lostTailBytes(), r.lostTailReason());
        }
        out.println("events by type:");
        for (Map.Entry<String, Long> e : s.eventsByType.entrySet()) {
            out.printf("  %-20s %,12d%n", e.getKey(), e.getValue());
        }
        out.printf("warnings: %d%n", warnings.size());
        warnings.forEach(w -> out.println("  " + w));
        out.printf("errors: %d%n", errors.size());
        errors.forEach(w -> out.println("  " + w));
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    static String toJson(TraceStats s, List<String> warnings, List<String> errors) {
        JsonWriter j = new JsonWriter(new StringBuilder());
        j.beginObject();
        j.field("generations", s.generations);
        j.field("events", s.events);
        j.name("eventsByType").beginObject();
        s.eventsByType.forEach(j::field);
        j.endObject();
        j.field("threads", s.threads());
        j.field("platformThreads", s.platformThreads());
        j.field("virtualThreads", s.virtualThreads());
        j.field("tasks", s.tasks);
        j.field("regions", s.regions);
        j.field("skippedReentrant", s.skippedReentrant);
        j.field("lostEvents", s.lostEvents);
        j.field("wakeups", s.summary.wakeups());
        j.name("wakeupsByKind").beginObject();
        s.summary.wakeupsByKind().forEach(j::field);
        j.endObject();
        j.field("carrierRuns", s.summary.carrierRuns());
        j.name("lostByReason").beginObject();
        s.lossByReason.forEach(j::field);
        j.endObject();
        j.field("lostTailBytes", s.report.lostTailBytes());
        j.field("lostFileGenerations", s.report.lostGenerations());
        j.field("lostFileBytes", s.report.lostBytes());
        j.field("lostFileEvents", s.report.lostEvents());
        j.field("durationNanos", s.durationNanos());
        j.field("clock", s.clockDescription());
        j.name("warnings").beginArray();
        warnings.forEach(j::value);
        j.endArray();
        j.name("errors").beginArray();
        errors.forEach(j::value);
        j.endArray();
        j.endObject();
        return j.toString();
    }
}
