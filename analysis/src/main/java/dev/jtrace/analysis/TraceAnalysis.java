package dev.jtrace.analysis;

import dev.jtrace.format.ArgKind;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LongMap;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * The analyses of {@code go tool trace}, in one streaming pass over a trace: per-thread time split,
 * blocking profiles by stack, task and region latency distributions, GC pauses with the minimum mutator
 * utilization curve, and heap in use from the alloc/free experiment. Memory grows with threads, names,
 * open tasks and regions, distinct blocking stacks, GC pauses and live allocations; never with events.
 */
public final class TraceAnalysis {
    /** Instances kept per task or region name, slowest first. */
    public static final int SLOWEST = 5;
    /** Frames of a stack that make a blocking-profile key. */
    public static final int PROFILE_FRAMES = 8;

    /** Time split of one thread, in nanoseconds: a snapshot of the analysis' per-thread columns. */
    public static final class ThreadTime {
        public final long id;
        public final String name;
        public final boolean virtual;
        public final long first;
        public final long last;
        public final long parked;
        public final long blocked;
        public final long sleeping;
        public final long inGc;

        ThreadTime(long id, String name, boolean virtual, long first, long last, long parked, long blocked,
                long sleeping, long inGc) {
            this.id = id;
            this.name = name;
            this.virtual = virtual;
            this.first = first;
            this.last = last;
            this.parked = parked;
            this.blocked = blocked;
            this.sleeping = sleeping;
            this.inGc = inGc;
        }

        /** Between the thread's first and last event. */
        public long lifetime() {
            return last >= first ? last - first : 0;
        }

        /** Lifetime not parked, blocked, sleeping or stopped by GC (never negative). */
        public long running() {
            return Math.max(0, lifetime() - parked - blocked - sleeping - inGc);
        }
    }

    /** One finished task or region. */
    public record Instance(long task, long thread, long start, long nanos) {}

    /** The latency distribution of one task or region name. */
    public static final class Latency {
        public final String name;
        public final Histogram histogram = new Histogram(3);
        final PriorityQueue<Instance> slowest = new PriorityQueue<>(Comparator.comparingLong(Instance::nanos));

        Latency(String name) {
            this.name = name;
        }

        void add(Instance i) {
            histogram.recordValue(Math.max(0, i.nanos()));
            slowest.add(i);
            if (slowest.size() > SLOWEST) {
                slowest.poll();
            }
        }

        /** The slowest instances, slowest first. */
        public List<Instance> slowest() {
            List<Instance> l = new ArrayList<>(slowest);
            l.sort(Comparator.comparingLong(Instance::nanos).reversed());
            return l;
        }
    }

    /** Time spent blocked at one stack, for one kind of blocking. */
    public static final class Blocking {
        public final String kind;
        public final List<String> frames;
        public long count;
        public long nanos;

        Blocking(String kind, List<String> frames) {
            this.kind = kind;
            this.frames = frames;
        }
    }

    private record OpenRegion(long task, String name, long start) {}

    private record OpenTask(String name, long start, long thread) {}

    /**
     * Time split per thread, by id (iterated in id order). A read-only view of per-thread columns: about 84
     * bytes a thread, since a trace can hold millions of virtual threads.
     */
    public final Map<Long, ThreadTime> threads = new ThreadColumns();
    public final Map<String, Latency> tasks = new TreeMap<>();
    public final Map<String, Latency> regions = new TreeMap<>();
    public final Map<String, Blocking> blocking = new HashMap<>();
    /** GC pauses as {start, duration}, in time order. */
    public final List<long[]> gcPauses = new ArrayList<>();
    /** Heap in use from the alloc/free experiment, {ticks, bytes}, sampled at every generation end. */
    public final List<long[]> heap = new ArrayList<>();
    /** The recorder's own buffers, {ticks, bytes}, from the same experiment. */
    public final List<long[]> recorderBuffers = new ArrayList<>();
    public long freeWithoutAlloc;
    public long allocWithoutFree;
    public long regionEndWithoutBegin;
    public long regionBeginWithoutEnd;
    public long taskEndWithoutBegin;
    public long taskBeginWithoutEnd;
    public long generations;
    public long events;
    public long startTicks = Long.MAX_VALUE;
    public long endTicks = Long.MIN_VALUE;
    public ReadReport report;

    private final Map<Long, ArrayDeque<OpenRegion>> openRegions = new HashMap<>();
    private final Map<Long, OpenTask> openTasks = new HashMap<>();
    private final LongMap live = new LongMap();
    private final LongMap liveBuffers = new LongMap();
    private long liveBytes;
    private long liveBufferBytes;

    private TraceAnalysis() {}

    /** Analyses {@code file}; {@code progress} (may be null) receives the bytes read so far. */
    public static TraceAnalysis run(Path file, LongConsumer progress) throws IOException {
        TraceAnalysis a = incremental();
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                a.add(g);
                if (progress != null) {
                    progress.accept(r.position());
                }
            }
            a.complete(r.report());
        }
        return a;
    }

    /**
     * An empty analysis fed by a caller that reads the trace itself, so that a tool needing other results
     * from the same pass (the web viewer's index) reads the file once: {@link #add} each generation in
     * file order, then {@link #complete}.
     */
    public static TraceAnalysis incremental() {
        return new TraceAnalysis();
    }

    /** Adds the next generation of the trace. */
    public void add(Generation g) {
        generation(g);
    }

    /** Ends an {@link #incremental()} analysis: counts what stayed open; {@code report} is the reader's. */
    public TraceAnalysis complete(ReadReport report) {
        this.report = report;
        finish();
        return this;
    }

    private ThreadColumns columns() {
        return (ThreadColumns) threads;
    }

    /** The per-thread accumulators as parallel arrays, indexed through a primitive map. */
    private static final class ThreadColumns extends AbstractMap<Long, ThreadTime> {
        private final LongMap index = new LongMap();
        private int n;
        private long[] ids = new long[64];
        private String[] names = new String[64];
        private final BitSet virtual = new BitSet();
        private long[] first = new long[64];
        private long[] last = new long[64];
        private long[] parked = new long[64];
        private long[] blocked = new long[64];
        private long[] sleeping = new long[64];
        private long[] inGc = new long[64];

        int of(long id) {
            long i = index.get(id, -1);
            if (i >= 0) {
                return (int) i;
            }
            if (n == ids.length) {
                int c = n * 2;
                ids = Arrays.copyOf(ids, c);
                names = Arrays.copyOf(names, c);
                first = Arrays.copyOf(first, c);
                last = Arrays.copyOf(last, c);
                parked = Arrays.copyOf(parked, c);
                blocked = Arrays.copyOf(blocked, c);
                sleeping = Arrays.copyOf(sleeping, c);
                inGc = Arrays.copyOf(inGc, c);
            }
            ids[n] = id;
            first[n] = Long.MAX_VALUE;
            last[n] = Long.MIN_VALUE;
            index.put(id, n, -1);
            return n++;
        }

        void see(int i, long t) {
            first[i] = Math.min(first[i], t);
            last[i] = Math.max(last[i], t);
        }

        ThreadTime snapshot(int i) {
            return new ThreadTime(ids[i], names[i] == null ? "" : names[i], virtual.get(i), first[i], last[i],
                    parked[i], blocked[i], sleeping[i], inGc[i]);
        }

        @Override
        public ThreadTime get(Object key) {
            if (!(key instanceof Long id)) {
                return null;
            }
            long i = index.get(id, -1);
            return i < 0 ? null : snapshot((int) i);
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof Long id && index.containsKey(id);
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public Set<Entry<Long, ThreadTime>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<Long, ThreadTime>> iterator() {
                    long[] sorted = Arrays.copyOf(ids, n);
                    Arrays.sort(sorted);
                    return new Iterator<>() {
                        int k;

                        @Override
                        public boolean hasNext() {
                            return k < sorted.length;
                        }

                        @Override
                        public Entry<Long, ThreadTime> next() {
                            if (k >= sorted.length) {
                                throw new java.util.NoSuchElementException();
                            }
                            long id = sorted[k++];
                            return new SimpleImmutableEntry<>(id, snapshot((int) index.get(id, -1)));
                        }
                    };
                }

                @Override
                public int size() {
                    return n;
                }
            };
        }
    }

    private void generation(Generation g) {
        generations++;
        startTicks = Math.min(startTicks, g.startTicks());
        endTicks = Math.max(endTicks, g.endTicks());
        ThreadColumns tc = columns();
        for (ThreadInfo t : g.threads().values()) {
            int i = tc.of(t.id());
            if (!t.name().isEmpty()) {
                tc.names[i] = t.name();
            }
            if (t.virtual()) {
                tc.virtual.set(i);
            }
        }
        for (Event e : g.events()) {
            event(e);
        }
        heap.add(new long[] {g.endTicks(), liveBytes});
        recorderBuffers.add(new long[] {g.endTicks(), liveBufferBytes});
    }

    private void event(Event e) {
        events++;
        String type = e.type().name();
        long t = e.trueTicks();
        long thread = e.has("thread") && e.type().args().get(e.type().indexOf("thread")).kind() == ArgKind.THREAD
                ? e.arg("thread") : e.threadId();
        ThreadColumns tc = columns();
        if (!type.startsWith("GC") && !type.equals("HeapSummary")) {
            tc.see(tc.of(thread), t);
        }
        switch (type) {
            case "TaskBegin" -> openTasks.put(e.arg("task"), new OpenTask(e.string("name"), t, thread));
            case "TaskEnd" -> {
                OpenTask o = openTasks.remove(e.arg("task"));
                if (o == null) {
                    taskEndWithoutBegin++;
                } else {
                    latency(tasks, o.name()).add(new Instance(e.arg("task"), o.thread(), o.start(), t - o.start()));
                }
            }
            case "RegionBegin" -> openRegions.computeIfAbsent(thread, k -> new ArrayDeque<>(4))
                    .push(new OpenRegion(e.arg("task"), e.string("name"), t));
            case "RegionEnd" -> regionEnd(thread, e.arg("task"), e.string("name"), t);
            case "Park", "MonitorBlocked", "Sleep", "VirtualThreadPinned" -> {
                long d = e.arg("duration");
                int ti = tc.of(thread);
                tc.see(ti, t + d);
                switch (type) {
                    case "Park" -> tc.parked[ti] += d;
                    case "MonitorBlocked" -> tc.blocked[ti] += d;
                    case "Sleep" -> tc.sleeping[ti] += d;
                    default -> {
                    }
                }
                String kind = type.equals("Park") ? "park" : type.equals("MonitorBlocked") ? "monitor"
                        : type.equals("Sleep") ? "sleep" : "pinned";
                List<String> frames = frames(e.stack("stack"));
                Blocking b = blocking.computeIfAbsent(kind + "\n" + String.join("\n", frames),
                        k -> new Blocking(kind, frames));
                b.count++;
                b.nanos += d;
            }
            case "GCPause" -> gcPauses.add(new long[] {t, e.arg("duration")});
            case "Alloc" -> {
                boolean own = "jtrace.Buffer".equals(e.string("type"));
                long prev = (own ? liveBuffers : live).put(e.arg("id"), e.arg("size"), 0);
                if (own) {
                    liveBufferBytes += e.arg("size") - prev;
                } else {
                    liveBytes += e.arg("size") - prev;
                }
            }
            case "Free" -> {
                long id = e.arg("id");
                if (live.containsKey(id)) {
                    liveBytes -= live.remove(id, 0);
                } else if (liveBuffers.containsKey(id)) {
                    liveBufferBytes -= liveBuffers.remove(id, 0);
                } else {
                    freeWithoutAlloc++;
                }
            }
            default -> {
            }
        }
    }

    private static List<String> frames(StackTrace st) {
        if (st == null) {
            return List.of("(no stack)");
        }
        List<String> f = new ArrayList<>();
        for (StackTrace.Frame fr : st.frames()) {
            if (f.size() == PROFILE_FRAMES) {
                break;
            }
            f.add(fr.toString());
        }
        return List.copyOf(f);
    }

    private void regionEnd(long thread, long task, String name, long t) {
        ArrayDeque<OpenRegion> stack = openRegions.get(thread);
        if (stack != null) {
            for (Iterator<OpenRegion> it = stack.iterator(); it.hasNext();) {
                OpenRegion o = it.next();
                if (o.task() == task && o.name().equals(name)) {
                    // regions opened above the one that ends were never closed
                    while (stack.peek() != o) {
                        stack.pop();
                        regionBeginWithoutEnd++;
                    }
                    stack.pop();
                    if (stack.isEmpty()) {
                        openRegions.remove(thread); // millions of short virtual threads each open a few
                    }
                    latency(regions, name).add(new Instance(task, thread, o.start(), t - o.start()));
                    return;
                }
            }
        }
        regionEndWithoutBegin++;
    }

    private static Latency latency(Map<String, Latency> m, String name) {
        return m.computeIfAbsent(name == null ? "(unnamed)" : name, Latency::new);
    }

    private void finish() {
        for (ArrayDeque<OpenRegion> s : openRegions.values()) {
            regionBeginWithoutEnd += s.size();
        }
        taskBeginWithoutEnd = openTasks.size();
        allocWithoutFree = live.size();
        gcPauses.sort(Comparator.comparingLong(p -> p[0]));
        ThreadColumns tc = columns();
        for (int i = 0; i < tc.n; i++) {
            if (tc.last[i] > tc.first[i]) {
                tc.inGc[i] = gcTimeIn(tc.first[i], tc.last[i]);
            }
        }
        if (startTicks == Long.MAX_VALUE) {
            startTicks = 0;
            endTicks = 0;
        }
    }

    /** GC pause time inside [a, b]. Pauses do not overlap (they stop the world). */
    public long gcTimeIn(long a, long b) {
        long sum = 0;
        int i = firstPauseEndingAfter(a);
        for (; i < gcPauses.size(); i++) {
            long s = gcPauses.get(i)[0];
            long e = s + gcPauses.get(i)[1];
            if (s >= b) {
                break;
            }
            sum += Math.min(e, b) - Math.max(s, a);
        }
        return sum;
    }

    private int firstPauseEndingAfter(long a) {
        int lo = 0;
        int hi = gcPauses.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long[] p = gcPauses.get(mid);
            if (p[0] + p[1] <= a) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Minimum mutator utilization (Go's definition): for a window size {@code w}, the smallest fraction of
     * any window of that size inside the trace not spent in GC pauses. The worst window starts at a pause's
     * start or ends at a pause's end, so only those are tried.
     */
    public double mmu(long w) {
        long span = endTicks - startTicks;
        if (w <= 0 || span <= 0) {
            return 1.0;
        }
        w = Math.min(w, span);
        long worst = 0;
        for (long[] p : gcPauses) {
            long s = Math.max(startTicks, Math.min(p[0], endTicks - w));
            worst = Math.max(worst, gcTimeIn(s, s + w));
            long e = Math.min(endTicks, Math.max(p[0] + p[1], startTicks + w));
            worst = Math.max(worst, gcTimeIn(e - w, e));
        }
        return 1.0 - Math.min(1.0, worst / (double) w);
    }

    /** Window sizes for the MMU curve: 1 ms doubling up to the trace length. */
    public List<Long> mmuWindows() {
        List<Long> ws = new ArrayList<>();
        long span = endTicks - startTicks;
        for (long w = 1_000_000; w < span; w *= 2) {
            ws.add(w);
        }
        if (span > 0) {
            ws.add(span);
        }
        return ws;
    }

    /** Total GC pause time. */
    public long gcTotal() {
        return gcPauses.stream().mapToLong(p -> p[1]).sum();
    }

    /** The heaviest blocking stacks first. */
    public List<Blocking> blockingProfile() {
        List<Blocking> l = new ArrayList<>(blocking.values());
        l.sort(Comparator.comparingLong((Blocking b) -> b.nanos).reversed());
        return l;
    }

    /** Everything above as one JSON object (small traces; see {@link #writeJson}). */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        writeJson(sb);
        return sb.toString();
    }

    /** Everything above as one JSON object, streamed: a trace's thread list can run to millions of rows. */
    public void writeJson(Appendable out) {
        JsonWriter j = new JsonWriter(out);
        j.beginObject();
        j.field("generations", generations).field("events", events).field("durationNanos", endTicks - startTicks);
        j.name("threads").beginArray();
        for (ThreadTime t : threads.values()) {
            j.beginObject().field("id", t.id).field("name", t.name).name("virtual").value(t.virtual ? 1 : 0)
                    .field("lifetimeNanos", t.lifetime()).field("runningNanos", t.running())
                    .field("parkedNanos", t.parked).field("blockedNanos", t.blocked)
                    .field("sleepingNanos", t.sleeping).field("gcNanos", t.inGc).endObject();
        }
        j.endArray();
        latencyJson(j, "tasks", tasks);
        latencyJson(j, "regions", regions);
        j.name("blocking").beginArray();
        for (Blocking b : blockingProfile()) {
            j.beginObject().field("kind", b.kind).field("count", b.count).field("nanos", b.nanos).name("stack")
                    .beginArray();
            b.frames.forEach(j::value);
            j.endArray().endObject();
        }
        j.endArray();
        j.name("gc").beginObject().field("pauses", gcPauses.size()).field("totalNanos", gcTotal())
                .field("maxNanos", gcPauses.stream().mapToLong(p -> p[1]).max().orElse(0));
        j.name("mmu").beginArray();
        for (long w : mmuWindows()) {
            j.beginObject().field("windowNanos", w).field("utilization", mmu(w)).endObject();
        }
        j.endArray().endObject();
        j.name("heap").beginObject().field("allocWithoutFree", allocWithoutFree).field("freeWithoutAlloc", freeWithoutAlloc)
                .name("samples").beginArray();
        for (long[] s : heap) {
            j.beginArray().value(s[0] - startTicks).value(s[1]).endArray();
        }
        j.endArray().name("recorderBufferSamples").beginArray();
        for (long[] s : recorderBuffers) {
            j.beginArray().value(s[0] - startTicks).value(s[1]).endArray();
        }
        j.endArray().endObject();
        j.name("unmatched").beginObject().field("regionEndWithoutBegin", regionEndWithoutBegin)
                .field("regionBeginWithoutEnd", regionBeginWithoutEnd).field("taskEndWithoutBegin", taskEndWithoutBegin)
                .field("taskBeginWithoutEnd", taskBeginWithoutEnd).endObject();
        j.endObject();
    }

    private static void latencyJson(JsonWriter j, String key, Map<String, Latency> m) {
        j.name(key).beginArray();
        for (Latency l : m.values()) {
            Histogram h = l.histogram;
            j.beginObject().field("name", l.name).field("count", h.getTotalCount())
                    .field("p50Nanos", h.getValueAtPercentile(50)).field("p90Nanos", h.getValueAtPercentile(90))
                    .field("p99Nanos", h.getValueAtPercentile(99)).field("maxNanos", h.getMaxValue());
            j.name("slowest").beginArray();
            for (Instance i : l.slowest()) {
                j.beginObject().field("task", i.task()).field("thread", i.thread()).field("nanos", i.nanos()).endObject();
            }
            j.endArray().endObject();
        }
        j.endArray();
    }
}
