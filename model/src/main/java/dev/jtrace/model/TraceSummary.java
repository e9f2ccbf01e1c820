package dev.jtrace.model;

import dev.jtrace.reader.ReadReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trace-level summary every tool prints the same way (Go's summary.go). The trace's duration is one
 * definition everywhere: from the first generation's GEN_BEGIN to the last one's GEN_END, in nanoseconds
 * of the trace clock ({@link #startNanos()} to {@link #endNanos()}).
 *
 * @param eventsByType events per type, by the type's name in the file's table
 * @param threads threads with at least one event about them (see {@link Threads})
 * @param regions region spans: RegionBegin events plus RegionEnd events without begin
 * @param tasks task spans: TaskBegin events plus TaskEnd events without begin
 * @param regionBeginMissing regions ended without begin ("region end without begin")
 * @param regionEndMissing regions never ended, or ended by their enclosing region's end
 * @param lostEvents events lost, over every loss reason that counts events (see Format.lossCountsEvents),
 *     except the reentrant events skipped, counted in {@code skippedReentrant}
 * @param degradedArguments strings and stacks replaced because their budget was spent (not events)
 * @param lateStateNanos blocking time reported after its stretch of the thread was already swept
 * @param malformedEvents events of a known type id whose table entry lacks an argument the model needs
 * @param wakeups wake-up edges of the scheduler events ({@link Wakeup}), {@code wakeupsByKind} by kind label
 * @param carrierRuns stretches a virtual thread ran on a carrier ({@link CarrierRun})
 * @param blockEndsWithoutBegin BlockEnd events with no open block (its begin lost, or before the trace)
 * @param blocksWithoutEnd scheduler blocks a later begin of their thread ended (their BlockEnd lost)
 * @param unmatchedUnmounts VirtualThreadUnmount events of a virtual thread not mounted on that carrier
 * @param supersededBlocking JFR Park and Sleep events of threads that have scheduler blocks (not counted again)
 * @param runtimeBeforeStart runtime events (true-time, from JFR) about a time before the first generation,
 *     left out so that the trace starts cleanly there; spans that reach into the trace are cut instead
 */
public record TraceSummary(long generations, long events, Map<String, Long> eventsByType, long startNanos,
        long endNanos, long threads, long platformThreads, long virtualThreads, long regions, long tasks,
        long regionBeginMissing, long regionEndMissing, long taskBeginMissing, long taskEndMissing,
        long allocWithoutFree, long freeWithoutAlloc, long skippedReentrant, long lostEvents,
        Map<String, Long> lossByReason, long degradedArguments, long lateStateNanos, long invalidTransitions,
        long malformedEvents, long gcPauses, long gcCycles, long wakeups, Map<String, Long> wakeupsByKind,
        long carrierRuns, long blockEndsWithoutBegin, long blocksWithoutEnd, long unmatchedUnmounts,
        long supersededBlocking, long runtimeBeforeStart, double rawTicksPerSecond,
        ReadReport report) {

    /** {@code endNanos - startNanos}; 0 for a trace without generations. */
    public long durationNanos() {
        return endNanos > startNanos ? endNanos - startNanos : 0;
    }

    /** The event clock in words: "nanoTime", "CPU time-stamp counter, 2.583 GHz", or "unknown". */
    public String clockDescription() {
        if (Double.isNaN(rawTicksPerSecond)) {
            return "unknown";
        }
        if (Math.abs(rawTicksPerSecond - 1e9) < 1) {
            return "nanoTime";
        }
        return String.format(Locale.ROOT, "CPU time-stamp counter, %.3f GHz", rawTicksPerSecond / 1e9);
    }

    /** The semantic findings as warning lines (counted, never fatal). */
    public List<String> semanticWarnings() {
        List<String> w = new ArrayList<>();
        add(w, regionBeginMissing, "region end without begin");
        add(w, regionEndMissing, "region begin without end");
        add(w, taskBeginMissing, "task end without begin");
        add(w, taskEndMissing, "task begin without end (still running when the trace ended)");
        add(w, freeWithoutAlloc, "free without alloc");
        add(w, allocWithoutFree, "alloc without free");
        add(w, malformedEvents, "event whose type lacks an argument its id requires");
        add(w, invalidTransitions, "invalid thread state transition");
        add(w, blockEndsWithoutBegin, "block end without begin");
        add(w, blocksWithoutEnd, "block begin without end (the thread blocked again)");
        add(w, unmatchedUnmounts, "virtual thread unmount without its mount");
        add(w, runtimeBeforeStart, "runtime event about the time before the first generation, left out (the trace"
                + " starts at its first generation; a flight window's oldest generation holds only some of them)");
        if (lateStateNanos > 0) {
            w.add(String.format(Locale.ROOT, "%.3f ms of blocking reported more than a generation late (not in"
                    + " the thread states)", lateStateNanos / 1e6));
        }
        return w;
    }

    private static void add(List<String> w, long n, String what) {
        if (n > 0) {
            w.add(n + " x " + what);
        }
    }
}
