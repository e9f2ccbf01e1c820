package dev.jtrace.cli;

import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.model.ThreadState;
import dev.jtrace.reader.TraceFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace analyze}: the analyses of a trace. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {
            "Analyses a trace in one streaming pass:",
            "  - per-thread time split by state: running, runnable, parked, blocked on a monitor,",
            "    waiting, sleeping, in I/O, stopped by GC, unknown (what no event establishes);",
            "  - blocking profiles (park, wait, monitor, sleep) by call site, idle pool waits apart,",
            "    with count, total, p50, p99 and max (exact from the scheduler events when recorded);",
            "  - scheduler latency: wake-up to running (platform threads), submit to mount (virtual",
            "    threads), with the worst instances and links into the viewer;",
            "  - virtual threads by name group: running, waiting for a carrier, blocked by reason;",
            "    carriers and the virtual threads they ran;",
            "  - task and region latency per name: count, p50, p90, p99, max and the slowest instances;",
            "  - GC pauses and the minimum mutator utilization (MMU) curve;",
            "  - heap in use from the alloc/free experiment, with unmatched allocs and frees counted.",
            "Runtime events (park, monitor, sleep, GC) come from the agent; without them a thread's time",
            "outside its regions is unknown. Exit status 2 when the file cannot be read as a trace."
        })
public final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of tables.")
    boolean json;

    @Option(names = "--progress", description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Parameters(paramLabel = "FILE", description = "The trace file.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TraceAnalysis a;
        try (Progress p = new Progress("analyzing " + file.getFileName(), size(file), progress)) {
            a = TraceAnalysis.run(file, p);
        } catch (TraceFormatException e) {
            spec.commandLine().getErr().println("jtrace analyze: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            spec.commandLine().getErr().println("jtrace analyze: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        if (json) {
            a.writeJson(out);
            out.println();
        } else {
            text(out, a);
        }
        out.flush();
        return 0;
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String ms(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }

    private static void text(PrintWriter out, TraceAnalysis a) {
        var s = a.summary;
        out.printf("%s generations, %,d events, %s ms (first GEN_BEGIN to last GEN_END)%n", a.generations, a.events,
                ms(a.endTicks - a.startTicks));
        out.printf("threads: %d (%d platform, %d virtual)   tasks: %,d   regions: %,d%n%n", s.threads(),
                s.platformThreads(), s.virtualThreads(), s.tasks(), s.regions());
        out.println("threads (ms)                        lifetime   running  runnable    parked   blocked   waiting"
                + "  sleeping        io     in GC   unknown");
        int shown = 0;
        for (TraceAnalysis.ThreadTime t : a.threads.values()) {
            if (shown++ == 20) {
                long rest = a.threads.size() - 20;
                out.printf("  ... %d more threads (%d virtual in all); --json lists them all%n", rest,
                        s.virtualThreads());
                break;
            }
            String name = (t.virtual ? "[v] " : "") + (t.name.isEmpty() ? t.displayName() : t.name + " #" + t.id);
            out.printf("  %-32.32s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s%n", name, ms(t.lifetime()), ms(t.running()),
                    ms(t.runnable), ms(t.parked), ms(t.blocked), ms(t.waiting), ms(t.sleeping), ms(t.io), ms(t.inGc),
                    ms(t.unknown));
        }
        out.println("  (running: inside the thread's own regions and not blocked; unknown: no event says; docs/model.md)");
        latency(out, "tasks", a.tasks);
        latency(out, "regions", a.regions);
        List<TraceAnalysis.Blocking> prof = a.blockingProfile();
        out.printf("%nblocking profile (%d call sites: first frame outside the JDK)%n", prof.size());
        out.println("  kind       total ms      count     p50 ms     p99 ms     max ms  call site");
        for (TraceAnalysis.Blocking b : prof.subList(0, Math.min(10, prof.size()))) {
            var h = b.histogram;
            out.printf("  %-8s %10s %10d %10s %10s %10s  %s%s%n", b.kind, ms(b.nanos), b.count,
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()),
                    b.idle ? "[idle pool wait] " : "", b.callSite);
        }
        scheduler(out, a);
        out.printf("%nGC: %d pauses, %s ms in all, in %d cycles%n", a.gcPauses.size(), ms(a.gcTotal()),
                a.gcCycles().size());
        out.println("MMU (window -> utilization):");
        for (long w : a.mmuWindows()) {
            out.printf("  %12s ms  %.3f%n", ms(w), a.mmu(w));
        }
        long[] last = a.heap.isEmpty() ? new long[2] : a.heap.get(a.heap.size() - 1);
        out.printf("%nheap (alloc/free experiment): %,d bytes in use at the end; %d alloc without free, %d free"
                + " without alloc%n", last[1], a.allocWithoutFree, a.freeWithoutAlloc);
        out.printf("unmatched: %d region end without begin, %d region begin without end, %d task end without"
                + " begin, %d task begin without end%n", a.regionEndWithoutBegin, a.regionBeginWithoutEnd,
                a.taskEndWithoutBegin, a.taskBeginWithoutEnd);
    }

    private static String us(long nanos) {
        return String.format("%.3f", nanos / 1e3);
    }

    private static void scheduler(PrintWriter out, TraceAnalysis a) {
        if (a.wakeupsByKind.isEmpty() && a.carriers.isEmpty()) {
            return;
        }
        out.printf("%nscheduler latency (wake-ups %s)%n", a.wakeupsByKind);
        out.println("  (us)                                            count        p50        p90        p99        max");
        for (TraceAnalysis.SchedLatency l : List.of(a.platformLatency, a.virtualLatency)) {
            var h = l.histogram;
            out.printf("  %-40.40s %12d %10s %10s %10s %10s%n", l.name, h.getTotalCount(),
                    us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                    us(h.getMaxValue()));
        }
        for (TraceAnalysis.SchedLatency l : List.of(a.platformLatency, a.virtualLatency)) {
            if (l.histogram.getTotalCount() == 0) {
                continue;
            }
            out.printf("  worst, %s:%n", l.name);
            for (TraceAnalysis.WakeInstance i : l.worst()) {
                var w = i.wakeup();
                out.printf("    %10s us  %-9s %s -> %s at %s ms  %s%n", us(i.latency()), w.kind().label,
                        a.model().threads().displayName(w.waker()), a.model().threads().displayName(w.wakee()),
                        ms(w.wakeTime() - a.startTicks), a.link(w.wakee(), w.resumeTime() - i.latency(), i.latency()));
            }
        }
        if (!a.virtualGroups.isEmpty()) {
            out.printf("%nvirtual threads by name group (ms)     threads   mounts   running  runnable    parked"
                    + "   waiting  sleeping   blocked     other%n");
            for (TraceAnalysis.VirtualGroup g : a.virtualGroups.values()) {
                long other = g.lifetimeNanos - g.nanos(ThreadState.RUNNING) - g.nanos(ThreadState.RUNNABLE)
                        - g.nanos(ThreadState.PARKED) - g.nanos(ThreadState.WAITING) - g.nanos(ThreadState.SLEEPING)
                        - g.nanos(ThreadState.BLOCKED);
                out.printf("  %-34.34s %9d %8d %9s %9s %9s %9s %9s %9s %9s%n", g.name, g.threads, g.mounts,
                        ms(g.nanos(ThreadState.RUNNING)), ms(g.nanos(ThreadState.RUNNABLE)),
                        ms(g.nanos(ThreadState.PARKED)), ms(g.nanos(ThreadState.WAITING)),
                        ms(g.nanos(ThreadState.SLEEPING)), ms(g.nanos(ThreadState.BLOCKED)), ms(other));
            }
            out.println("  (runnable: waiting for a carrier; other: io, gc, unknown)");
        }
        if (!a.carriers.isEmpty()) {
            out.printf("%ncarriers                               mounts  mounted ms%n");
            for (TraceAnalysis.Carrier c : a.carriers.values()) {
                out.printf("  %-34.34s %9d %11s%n", a.model().threads().displayName(c.id), c.mounts,
                        ms(c.mountedNanos));
            }
        }
    }

    private static void latency(PrintWriter out, String what, Map<String, TraceAnalysis.Latency> m) {
        out.printf("%n%s (ms)                          count        p50        p90        p99        max  slowest (task id)%n", what);
        for (TraceAnalysis.Latency l : m.values()) {
            var h = l.histogram;
            StringBuilder slow = new StringBuilder();
            for (TraceAnalysis.Instance i : l.slowest()) {
                slow.append(' ').append(i.task());
            }
            out.printf("  %-30.30s %10d %10s %10s %10s %10s %s%n", l.name, h.getTotalCount(),
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                    ms(h.getMaxValue()), slow);
        }
    }
}
