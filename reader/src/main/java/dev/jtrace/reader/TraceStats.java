package dev.jtrace.reader;

import dev.jtrace.format.Format;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The summary of a whole trace, computed in one streaming pass: counts, and semantic checks that are
 * counted, never fatal (region end without begin, task end without begin, free without alloc, alloc
 * without free, ...). Memory grows with threads (about 32 bytes each), open regions, live tasks and live
 * allocations, never with events.
 */
public final class TraceStats {
    public long generations;
    public long events;
    public final Map<String, Long> eventsByType = new TreeMap<>();
    /** Threads with at least one event: id -> 1 platform, 2 virtual (virtual once any generation says so). */
    private final LongMap threadKinds = new LongMap();
    private long virtualThreadCount;
    public long tasks;
    public long regions;
    public long skippedReentrant;
    public long lostEvents;
    public final Map<String, Long> lossByReason = new TreeMap<>();
    public long regionEndWithoutBegin;
    public long regionBeginWithoutEnd;
    public long taskEndWithoutBegin;
    public long taskBeginWithoutEnd;
    public long freeWithoutAlloc;
    public long allocWithoutFree;
    public long firstTicks = Long.MAX_VALUE;
    public long lastTicks = Long.MIN_VALUE;
    /**
     * The recorder's event clock in ticks per second, from the longest generation (1e9: nanoTime; else the
     * CPU's time-stamp counter); NaN when no generation was long enough to tell.
     */
    public double rawTicksPerSecond = Double.NaN;
    private long longestGeneration = -1;
    public ReadReport report;

    /** An open region; names are kept resolved since string ids are per generation. */
    private record Open(long task, String name) {}

    private final Map<Long, ArrayDeque<Open>> openRegions = new HashMap<>();
    private final LongMap liveTasks = new LongMap();
    private final LongMap liveAllocs = new LongMap();

    /** Reads {@code file} completely; {@code progress} (may be null) receives the bytes read so far. */
    public static TraceStats of(Path file, LongConsumer progress) throws IOException {
        TraceStats s = new TraceStats();
        LongMap threadsWithEvents = new LongMap();
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                s.generations++;
                long length = g.endTicks() - g.startTicks();
                if (length > s.longestGeneration && !Double.isNaN(g.rawTicksPerSecond())) {
                    s.longestGeneration = length;
                    s.rawTicksPerSecond = g.rawTicksPerSecond();
                }
                for (Event e : g.events()) {
                    s.add(e);
                    threadsWithEvents.put(e.threadId(), 0, 0);
                }
                Generation gen = g;
                threadsWithEvents.forEach((id, unused) -> {
                    ThreadInfo t = gen.threads().get(id);
                    boolean virtual = t != null && t.virtual();
                    long before = s.threadKinds.get(id, 0);
                    if (virtual && before != 2) {
                        s.threadKinds.put(id, 2, 0);
                        s.virtualThreadCount++;
                    } else if (before == 0) {
                        s.threadKinds.put(id, 1, 0);
                    }
                });
                threadsWithEvents = new LongMap();
                for (LossRecord l : g.losses()) {
                    s.lossByReason.merge(l.reasonName(), l.count(), Long::sum);
                    if (l.reason() == Format.LOSS_SKIPPED_REENTRANT) {
                        s.skippedReentrant += l.count();
                    } else {
                        s.lostEvents += l.count();
                    }
                }
                if (progress != null) {
                    progress.accept(r.position());
                }
            }
            s.report = r.report();
        }
        s.finish();
        return s;
    }

    /** The event clock in words: "nanoTime", "CPU time-stamp counter, 2.583 GHz", or "unknown". */
    public String clockDescription() {
        if (Double.isNaN(rawTicksPerSecond)) {
            return "unknown";
        }
        if (Math.abs(rawTicksPerSecond - 1e9) < 1) {
            return "nanoTime";
        }
        return String.format(java.util.Locale.ROOT, "CPU time-stamp counter, %.3f GHz", rawTicksPerSecond / 1e9);
    }

    private void add(Event e) {
        events++;
        eventsByType.merge(e.type().name(), 1L, Long::sum);
        firstTicks = Math.min(firstTicks, e.ticks());
        lastTicks = Math.max(lastTicks, e.ticks());
        switch (e.type().name()) {
            case "TaskBegin" -> {
                tasks++;
                liveTasks.put(e.arg("task"), 1, 0);
            }
            case "TaskEnd" -> {
                if (liveTasks.remove(e.arg("task"), 0) == 0) {
                    taskEndWithoutBegin++;
                }
            }
            case "RegionBegin" -> {
                regions++;
                openRegions.computeIfAbsent(e.threadId(), k -> new ArrayDeque<>())
                        .push(new Open(e.arg("task"), e.string("name")));
            }
            case "RegionEnd" -> {
                ArrayDeque<Open> stack = openRegions.get(e.threadId());
                if (stack != null && stack.contains(new Open(e.arg("task"), e.string("name")))) {
                    // LIFO: regions above the matching one never ended
                    Open want = new Open(e.arg("task"), e.string("name"));
                    while (!stack.peek().equals(want)) {
                        stack.pop();
                        regionBeginWithoutEnd++;
                    }
                    stack.pop();
                    if (stack.isEmpty()) {
                        openRegions.remove(e.threadId()); // millions of virtual threads each open a few regions
                    }
                } else {
                    regionEndWithoutBegin++;
                }
            }
            case "Alloc" -> liveAllocs.put(e.arg("id"), 1, 0);
            case "Free" -> {
                if (liveAllocs.remove(e.arg("id"), 0) == 0) {
                    freeWithoutAlloc++;
                }
            }
            default -> {
            }
        }
    }

    private void finish() {
        for (ArrayDeque<Open> s : openRegions.values()) {
            regionBeginWithoutEnd += s.size();
        }
        taskBeginWithoutEnd = liveTasks.size();
        allocWithoutFree = liveAllocs.size();
    }

    /** Total platform and virtual threads with at least one event. */
    public long threads() {
        return threadKinds.size();
    }

    /** Platform threads with at least one event. */
    public long platformThreads() {
        return threadKinds.size() - virtualThreadCount;
    }

    /** Virtual threads with at least one event. */
    public long virtualThreads() {
        return virtualThreadCount;
    }

    /** The semantic findings as warning lines (counted, never fatal). */
    public List<String> semanticWarnings() {
        List<String> w = new ArrayList<>();
        add(w, regionEndWithoutBegin, "region end without begin");
        add(w, regionBeginWithoutEnd, "region begin without end");
        add(w, taskEndWithoutBegin, "task end without begin");
        add(w, taskBeginWithoutEnd, "task begin without end (still running when the trace ended)");
        add(w, freeWithoutAlloc, "free without alloc");
        add(w, allocWithoutFree, "alloc without free");
        return w;
    }

    private static void add(List<String> w, long n, String what) {
        if (n > 0) {
            w.add(n + " x " + what);
        }
    }
}
