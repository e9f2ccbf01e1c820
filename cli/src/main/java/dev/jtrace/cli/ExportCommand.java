package dev.jtrace.cli;

import dev.jtrace.analysis.ChromeExporter;
import dev.jtrace.analysis.PerfettoExporter;
import dev.jtrace.analysis.PprofExporter;
import dev.jtrace.reader.Problem;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.sql.ParquetExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jtrace export}: a trace in another tool's format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {
            "Writes a trace in another tool's format, one generation at a time.",
            "",
            "perfetto  Perfetto's protobuf trace (TrackEvent) for ui.perfetto.dev and",
            "          trace_processor: a track per thread (virtual threads marked",
            "          \"(virtual)\"), regions as slices, logs as instants, each task on a",
            "          track of its own with flow arrows to its regions and end on other",
            "          threads, park/monitor/sleep/pinned and GC as slices at their true",
            "          times, counter tracks (Counter, heap, alloc/free heap in use).",
            "          Timestamps: the trace's clock in ns; clock snapshots give wall time.",
            "chrome    Chrome trace event JSON for chrome://tracing and ui.perfetto.dev:",
            "          the same content as thread tracks, async spans and flows.",
            "pprof     a gzip-compressed pprof profile for `go tool pprof`; one profile",
            "          per file, chosen with --profile (like `go tool trace -pprof=TYPE`):",
            "          block  Park, MonitorBlocked, Sleep by stack: contentions/count and",
            "                 delay/nanoseconds (default); label kind=park|monitor|sleep",
            "          cpu    CPUSample: samples/count and cpu/nanoseconds (each sample",
            "                 times the period recorded in force, or --cpu-period)",
            "          alloc  AllocSample: samples/count and alloc_space/bytes (JFR's",
            "                 weights); label class=<the allocated class>",
            "          e.g.  jtrace export --format pprof --profile cpu a.jtrace -o cpu.pb.gz",
            "                go tool pprof -top cpu.pb.gz",
            "                go tool pprof -top -tagfocus=kind=monitor block.pb.gz",
            "parquet   the tables of `jtrace sql` as a Parquet dataset in the directory OUT,",
            "          one directory per table, Hive partitions inside:",
            "          OUT/<table>/host=<host>/trace_id=<id>/part-0.parquet; several FILEs,",
            "          or exports one by one into the same OUT, make one dataset (a trace",
            "          exported again replaces its partition). DuckDB, Spark and Trino read it:",
            "          read_parquet('OUT/slice/**/*.parquet', hive_partitioning = true).",
            "          Memory: DuckDB's, bounded by --memory, spilling to OUT/.jtrace-tmp.",
            "",
            "See docs/exports.md. Exit status 2 when the trace cannot be read or the output",
            "cannot be written."
        })
public final class ExportCommand implements Callable<Integer> {
    /** The formats this version writes. */
    public enum Format { perfetto, chrome, pprof, parquet }

    /** The pprof profiles. */
    public enum Profile { block, cpu, alloc }

    @Spec
    CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Option(names = "--profile", paramLabel = "KIND", defaultValue = "block",
            description = "With --format pprof: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Profile profile;

    @Option(names = "--cpu-period", paramLabel = "DURATION", defaultValue = "trace",
            description = "With --profile cpu: the CPU sampling period, e.g. 20ms, 10ms, 1s; default "
                    + "'trace': the period the agent recorded as in force at each sample (JFR's effective "
                    + "setting, which other recordings in the JVM can shorten), else 20ms.")
    String cpuPeriod;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "File to write (with --format parquet: the dataset's directory).")
    Path output;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = ParquetExport.DEFAULT_MEMORY_LIMIT,
            description = "With --format parquet: DuckDB's memory limit, e.g. 256MB, 2GB (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--progress", description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "The trace file (with --format parquet: one or more).")
    List<Path> files;

    /** The one trace of the single-file formats. */
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.parquet) {
            return parquet(out);
        }
        if (files.size() != 1) {
            throw new ParameterException(spec.commandLine(), "--format " + format + " exports one FILE ("
                    + files.size() + " given); only --format parquet takes several");
        }
        file = files.get(0);
        long period = cpuPeriod.equals("trace") ? 0 : parseDuration(cpuPeriod);
        if (sameFile(file, output)) {
            spec.commandLine().getErr().println("jtrace export: the output " + output + " is the trace itself");
            return 2;
        }
        ReadReport report;
        try (Progress p = new Progress("exporting " + file.getFileName(), AnalyzeCommand.size(file), progress)) {
            switch (format) {
                case chrome -> {
                    long n = ChromeExporter.export(file, output, p);
                    out.printf("wrote %,d trace events to %s%n", n, output);
                    report = null;
                }
                case perfetto -> {
                    PerfettoExporter.Result r = PerfettoExporter.export(file, output, p);
                    out.printf("wrote %,d packets to %s: %,d tracks, %,d region slices, %,d task slices, "
                            + "%,d runtime slices, %,d instants, %,d counter values, %,d flow steps%n",
                            r.packets(), output, r.tracks(), r.regionSlices(), r.taskSlices(), r.runtimeSlices(),
                            r.instants(), r.counterValues(), r.flowSteps());
                    if (r.regionEndsWithoutBegin() + r.taskEndsWithoutBegin() > 0) {
                        out.printf("left out %,d region ends and %,d task ends whose begin is not in the trace%n",
                                r.regionEndsWithoutBegin(), r.taskEndsWithoutBegin());
                    }
                    report = r.report();
                }
                case pprof -> {
                    PprofExporter.Kind kind = PprofExporter.Kind.valueOf(profile.name().toUpperCase());
                    PprofExporter.Result r = PprofExporter.export(file, output, kind, period, p);
                    out.printf("wrote the %s profile of %,d events to %s: %,d samples, %,d locations, "
                            + "%,d functions; totals %s %,d, %s %,d%n", profile, r.events(), output, r.samples(),
                            r.locations(), r.functions(), kind.sampleTypes().get(0), r.totalCount(),
                            kind.sampleTypes().get(1), r.totalValue());
                    if (r.events() == 0) {
                        out.printf("the trace has no events for this profile (were they recorded? see "
                                + "`jtrace record` and the agent's events option)%n");
                    }
                    report = r.report();
                }
                default -> throw new IllegalStateException(format.name());
            }
        } catch (TraceFormatException e) {
            spec.commandLine().getErr().println("jtrace export: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            spec.commandLine().getErr().println("jtrace export: " + e.getMessage());
            return 2;
        }
        if (report != null) {
            warn(report);
        }
        return 0;
    }

    private int parquet(PrintWriter out) {
        PrintWriter err = spec.commandLine().getErr();
        if (Files.exists(output) && !Files.isDirectory(output)) {
            err.println("jtrace export: the output " + output + " is a file; --format parquet writes a directory");
            return 2;
        }
        long total = 0;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                err.println("jtrace export: " + f + ": " + (Files.exists(f) ? "not a regular file" : "no such file"));
                return 2;
            }
            total += AnalyzeCommand.size(f);
        }
        String what = files.size() == 1 ? "exporting " + files.get(0).getFileName() : "exporting " + files.size()
                + " traces";
        try (Progress p = new Progress(what, total, progress)) {
            long done = 0;
            for (Path f : files) {
                long base = done;
                ParquetExport.Result r;
                try {
                    r = ParquetExport.export(List.of(f), output, memory, b -> p.accept(base + b)).get(0);
                } catch (TraceFormatException e) {
                    err.println("jtrace export: " + f + ": " + e.getMessage());
                    return 2;
                } catch (IOException e) {
                    err.println("jtrace export: " + f + ": " + e.getMessage());
                    return 2;
                } catch (SQLException e) {
                    err.println("jtrace export: " + f + ": " + e.getMessage());
                    return 2;
                }
                done += AnalyzeCommand.size(f);
                out.printf("wrote %s as trace_id=%s: %,d rows in %d tables (%,d slices) under %s; load %.1f s,"
                        + " write %.1f s%n", f, r.traceId(), r.totalRows(), r.rows().size(), r.rows().get("slice"),
                        output, r.loadNanos() / 1e9, r.writeNanos() / 1e9);
            }
        }
        return 0;
    }

    private void warn(ReadReport r) {
        PrintWriter err = spec.commandLine().getErr();
        int shown = 0;
        for (Problem p : r.problems()) {
            if (shown++ == 5) {
                err.printf("jtrace export: warning: %s: %,d more problems (jtrace stats lists them)%n", file,
                        r.problems().size() - 5 + r.problemsDropped());
                break;
            }
            err.println("jtrace export: warning: " + file + ": " + p);
        }
        if (r.lostTailReason() != null) {
            err.printf("jtrace export: warning: %s: the last %,d bytes were not exported (%s)%n", file,
                    r.lostTailBytes(), r.lostTailReason());
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // the export itself reports what is wrong with either file
        }
    }

    private long parseDuration(String s) {
        String t = s.trim().toLowerCase();
        try {
            long n;
            if (t.endsWith("ms")) {
                n = Long.parseLong(t.substring(0, t.length() - 2)) * 1_000_000L;
            } else if (t.endsWith("us")) {
                n = Long.parseLong(t.substring(0, t.length() - 2)) * 1_000L;
            } else if (t.endsWith("ns")) {
                n = Long.parseLong(t.substring(0, t.length() - 2));
            } else if (t.endsWith("s")) {
                n = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))).toNanos();
            } else {
                n = -1;
            }
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(),
                "--cpu-period: '" + s + "' is not a positive duration such as 20ms, 500us or 1s");
    }
}
