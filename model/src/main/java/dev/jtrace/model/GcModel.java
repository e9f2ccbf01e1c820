package dev.jtrace.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GC cycles and their pauses. The agent records JFR's jdk.GarbageCollection as GCPause (the cycle: its
 * start, the sum of its pauses as duration, the collector and cause) and jdk.GCPhasePause as GCPhase (one
 * pause at its own time). The pauses of a gc id are its GCPhase events; a cycle that reported none is one
 * pause of its GCPause's start and duration. A cycle spans its pauses (and its GCPause's start). Which of
 * the two a cycle is gets decided at the end of the generation its GCPause arrived in.
 *
 * <p>The pause time line (pauses merged where they overlap) answers "GC time within [a, b]" for the
 * thread states and the MMU. Memory: every pause (two longs in the time line, one record in
 * {@link #pauses()}) and the cycles still open.
 */
public final class GcModel {
    private final ModelListener out;
    private long[] starts = new long[64];
    private long[] ends = new long[64];
    private int n;
    private final List<GcPause> pauses = new ArrayList<>();
    private final List<GcCycle> cycles = new ArrayList<>();
    private boolean sorted = true;

    private static final class Open {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        int phases;
        long pauseNanos;
        long lastGeneration;
        boolean summarized;
        long summaryStart;
        long sumOfPauses;
        String name;
        String cause;
    }

    private final Map<Long, Open> open = new HashMap<>();

    GcModel(ModelListener out) {
        this.out = out;
    }

    void phase(long gcId, long start, long duration, String name, long generation) {
        Open o = open.computeIfAbsent(gcId, k -> new Open());
        o.start = Math.min(o.start, start);
        o.end = Math.max(o.end, start + duration);
        o.phases++;
        o.pauseNanos += duration;
        o.lastGeneration = generation;
        pause(new GcPause(gcId, start, duration, name == null ? "GC pause" : name, null));
    }

    /**
     * The cycle's own event (its start, the sum of its pauses). Whether the cycle has phases is decided at
     * the end of the generation, since the agent may deliver the cycle's event before its phases.
     */
    void cycle(long gcId, long start, long sumOfPauses, String name, String cause, long generation) {
        Open o = open.computeIfAbsent(gcId, k -> new Open());
        o.summarized = true;
        o.summaryStart = start;
        o.sumOfPauses = sumOfPauses;
        o.name = name == null ? "GC" : name;
        o.cause = cause;
        o.lastGeneration = generation;
    }

    /**
     * At a generation's end: a cycle whose own event was seen is complete (without phases, that event is its
     * one pause); one that reported phases only is complete once a whole generation passed without its
     * events; at the trace's end ({@code last}) every cycle is.
     */
    void generationEnd(long generation, boolean last) {
        if (open.isEmpty()) {
            return;
        }
        List<Long> done = new ArrayList<>();
        open.forEach((id, o) -> {
            if (last || o.summarized || o.lastGeneration < generation) {
                done.add(id);
            }
        });
        done.sort(null);
        for (long id : done) {
            Open o = open.remove(id);
            if (!o.summarized) {
                cycle(new GcCycle(id, o.start, o.end, "GC", null, o.phases, o.pauseNanos));
            } else if (o.phases == 0) {
                pause(new GcPause(id, o.summaryStart, o.sumOfPauses, o.name, o.name));
                cycle(new GcCycle(id, o.summaryStart, o.summaryStart + o.sumOfPauses, o.name, o.cause, 1,
                        o.sumOfPauses));
            } else {
                long s = Math.min(o.start, o.summaryStart);
                cycle(new GcCycle(id, s, Math.max(o.end, s), o.name, o.cause, o.phases, o.pauseNanos));
            }
        }
    }

    private void cycle(GcCycle c) {
        cycles.add(c);
        out.gcCycle(c);
    }

    private void pause(GcPause p) {
        if (p.duration() < 0) {
            return;
        }
        if (!pauses.isEmpty() && pauses.get(pauses.size() - 1).start() > p.start()) {
            sorted = false;
        }
        pauses.add(p);
        out.gcPause(p);
        insert(p.start(), p.end());
    }

    /** Adds [s, e) to the time line, merging overlaps. */
    private void insert(long s, long e) {
        if (e <= s) {
            return;
        }
        // first interval ending at or after s
        int i = firstEndingAtOrAfter(s);
        int j = i;
        while (j < n && starts[j] <= e) {
            s = Math.min(s, starts[j]);
            e = Math.max(e, ends[j]);
            j++;
        }
        int removed = j - i;
        if (removed == 0) {
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
            }
            System.arraycopy(starts, i, starts, i + 1, n - i);
            System.arraycopy(ends, i, ends, i + 1, n - i);
            n++;
        } else if (removed > 1) {
            System.arraycopy(starts, j, starts, i + 1, n - j);
            System.arraycopy(ends, j, ends, i + 1, n - j);
            n -= removed - 1;
        }
        starts[i] = s;
        ends[i] = e;
    }

    private int firstEndingAtOrAfter(long t) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of the first merged pause ending after {@code t} (for sweeps). */
    int firstEndingAfter(long t) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    int mergedCount() {
        return n;
    }

    long mergedStart(int i) {
        return starts[i];
    }

    long mergedEnd(int i) {
        return ends[i];
    }

    /** Stop-the-world time within [a, b]. */
    public long pauseTimeIn(long a, long b) {
        long sum = 0;
        for (int i = firstEndingAfter(a); i < n && starts[i] < b; i++) {
            sum += Math.min(ends[i], b) - Math.max(starts[i], a);
        }
        return sum;
    }

    /** Every pause, in start order. */
    public List<GcPause> pauses() {
        if (!sorted) {
            pauses.sort((x, y) -> Long.compare(x.start(), y.start()));
            sorted = true;
        }
        return pauses;
    }

    /** Every completed cycle, in completion order. */
    public List<GcCycle> cycles() {
        return cycles;
    }

    /** The sum of all pauses (overlaps counted once). */
    public long totalPauseNanos() {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ends[i] - starts[i];
        }
        return sum;
    }

    /** The longest pause. */
    public long maxPauseNanos() {
        long m = 0;
        for (GcPause p : pauses) {
            m = Math.max(m, p.duration());
        }
        return m;
    }

    /**
     * Minimum mutator utilization (Go's definition) over [start, end] for window {@code w}: the smallest
     * fraction of any window of that size not spent in pauses. The worst window starts at a pause's start or
     * ends at a pause's end, so only those are tried.
     */
    public double mmu(long start, long end, long w) {
        long span = end - start;
        if (w <= 0 || span <= 0) {
            return 1.0;
        }
        w = Math.min(w, span);
        long worst = 0;
        for (int i = 0; i < n; i++) {
            long s = Math.max(start, Math.min(starts[i], end - w));
            worst = Math.max(worst, pauseTimeIn(s, s + w));
            long e = Math.min(end, Math.max(ends[i], start + w));
            worst = Math.max(worst, pauseTimeIn(e - w, e));
        }
        return 1.0 - Math.min(1.0, worst / (double) w);
    }
}
