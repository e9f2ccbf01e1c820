package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.GcPause;
import dev.jtrace.reader.StackTrace;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Answers {@code /api/range?t0=&t1=}: what happened between two times, aggregated. It re-reads only the
 * generations overlapping the range (through the {@link GenerationStore}, so the items are the model's:
 * the same spans, blocking intervals and samples the timeline draws) and adds the index's spans and blocks
 * that cross generation boundaries and its GC pauses. It returns:
 *
 * <ul>
 *   <li>{@code cpu}: a flame graph of the CPU samples in the range, outermost frame at the root, a frame
 *       being {@code Class.method}; a node's value is its samples;</li>
 *   <li>{@code regions}: a flame graph of the regions, a region's children being the regions nested in it on
 *       its thread, weighted by their time inside the range;</li>
 *   <li>{@code slices}: regions and tasks by name: how many overlap the range, their time inside it, and p50,
 *       p99 and max of their whole durations;</li>
 *   <li>{@code blocking}: blocking intervals overlapping the range by kind, idleness and call site (the first
 *       frame outside the JDK, the model's), with time inside the range and the longest instance;</li>
 *   <li>{@code gc}: the GC pauses overlapping the range.</li>
 * </ul>
 *
 * Both flame graphs can be restricted to a set of threads ({@code thread=}): the CPU samples and the regions of
 * those threads only (the tables stay over all threads). Whatever the restriction, {@code rangeThreads} lists the
 * threads with samples or regions in the range, with their samples and their time in outermost regions (what each
 * would weigh in the flame graphs), for the page's thread picker.
 *
 * A flame graph node narrower than {@link #MIN_FRACTION} of its root is folded into its parent's self value
 * (it would be under a pixel wide). At most {@link #MAX_GENERATIONS} generations and {@link #MAX_DECODE_BYTES}
 * of not yet cached ones are read: a wider range is refused ({@link TooLarge}) with what to do instead.
 * Times in requests and responses are ns since {@link TraceIndex#origin()}.
 */
final class RangeQuery {
    /** Generations one range may read. */
    static final int MAX_GENERATIONS = 32;
    /** Bytes of not yet cached generations one range may decode. */
    static final long MAX_DECODE_BYTES = 256L << 20;
    /** Flame graph nodes below this share of their root's value are folded into their parent. */
    static final double MIN_FRACTION = 1.0 / 4000;
    /** Rows of the slice and blocking tables sent, heaviest first. */
    static final int MAX_ROWS = 500;
    /** GC pauses listed. */
    static final int MAX_PAUSES = 500;
    /** Threads listed in {@code rangeThreads}, heaviest first (the selected ones always). */
    static final int MAX_THREAD_ROWS = 500;
    /** The name of the flame graph node of samples without a stack. */
    static final String NO_STACK = "(no stack)";

    /** The range cannot be answered within the bounds. */
    static final class TooLarge extends Exception {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    /** A flame graph node: its frame or region name, its total value and its children by name. */
    static final class Node {
        final String name;
        long value;
        final Map<String, Node> children = new LinkedHashMap<>();

        Node(String name) {
            this.name = name;
        }

        Node child(String n) {
            return children.computeIfAbsent(n, Node::new);
        }

        /** The value not in any child. */
        long self() {
            long s = value;
            for (Node c : children.values()) {
                s -= c.value;
            }
            return s;
        }
    }

    /** One name's slices. */
    static final class Slices {
        final String kind;
        final String name;
        long inRange;
        final List<Long> durations = new ArrayList<>();

        Slices(String kind, String name) {
            this.kind = kind;
            this.name = name;
        }
    }

    /** One call site's blocking. */
    static final class Site {
        final String kind;
        final boolean idle;
        final String callSite;
        long count;
        long inRange;
        Blocking longest;

        Site(String kind, boolean idle, String callSite) {
            this.kind = kind;
            this.idle = idle;
            this.callSite = callSite;
        }
    }

    /** One thread's share of the range: its CPU samples and its time in outermost regions inside the range. */
    static final class ThreadShare {
        final long thread;
        long samples;
        long regionNanos;

        ThreadShare(long thread) {
            this.thread = thread;
        }
    }

    /** The aggregation of one range, in ticks of the trace clock. */
    static final class Result {
        final long a;
        final long b;
        /** The threads the flame graphs hold; null: all. */
        final java.util.Set<Long> only;
        int generations;
        /** CPU samples in the flame graph (of the selected threads). */
        long samples;
        /** Every thread with samples or regions in the range (whatever the selection). */
        final Map<Long, ThreadShare> threads = new HashMap<>();
        final Node cpu = new Node("all");
        final Node regions = new Node("all");
        long regionCount;
        final Map<String, Slices> slices = new HashMap<>();
        final Map<String, Site> blocking = new HashMap<>();
        final List<GcPause> pauses = new ArrayList<>();

        Result(long a, long b, java.util.Set<Long> only) {
            this.a = a;
            this.b = b;
            this.only = only;
        }

        boolean shown(long thread) {
            return only == null || only.contains(thread);
        }

        ThreadShare share(long thread) {
            return threads.computeIfAbsent(thread, ThreadShare::new);
        }

        long clip(long start, long end) {
            return Math.max(0, Math.min(end, b) - Math.max(start, a));
        }
    }

    /** The node of a region of a thread not selected: never written, never sent. */
    private static final Node HIDDEN = new Node("(not selected)");

    private final TraceIndex idx;
    private final GenerationStore store;

    RangeQuery(TraceIndex idx, GenerationStore store) {
        this.idx = idx;
        this.store = store;
    }

    /**
     * The JSON answer for [t0, t1] (ns since the origin), its flame graphs of the threads {@code only} (null or
     * empty: all).
     */
    String run(long t0, long t1, long[] only) throws IOException, InterruptedException, GenerationStore.Busy, TooLarge {
        return json(aggregate(idx.origin() + t0, idx.origin() + t1, only));
    }

    /** Aggregates [a, b] (ticks) over all threads. */
    Result aggregate(long a, long b) throws IOException, InterruptedException, GenerationStore.Busy, TooLarge {
        return aggregate(a, b, null);
    }

    /** Aggregates [a, b] (ticks), the flame graphs of the threads {@code only} (null or empty: all). */
    Result aggregate(long a, long b, long[] only) throws IOException, InterruptedException, GenerationStore.Busy,
            TooLarge {
        List<TraceIndex.Gen> gens = idx.overlapping(a, b);
        if (gens.size() > MAX_GENERATIONS) {
            throw new TooLarge(String.format(Locale.ROOT, "the range overlaps %d generations; at most %d are read"
                    + " for a range: select a shorter one", gens.size(), MAX_GENERATIONS));
        }
        long decode = 0;
        for (TraceIndex.Gen g : gens) {
            if (g.bytes() > GenerationStore.MAX_GENERATION_BYTES) {
                throw new TooLarge("generation " + g.number() + " in the range is larger than "
                        + (GenerationStore.MAX_GENERATION_BYTES >> 20) + " MiB");
            }
            if (!store.ready(g)) {
                decode += g.bytes();
            }
        }
        if (decode > MAX_DECODE_BYTES) {
            throw new TooLarge(String.format(Locale.ROOT, "the range needs %,d MiB of the trace read (at most %d):"
                    + " select a shorter one", decode >> 20, MAX_DECODE_BYTES >> 20));
        }
        java.util.Set<Long> sel = null;
        if (only != null && only.length > 0) {
            sel = new java.util.HashSet<>();
            for (long t : only) {
                sel.add(t);
            }
        }
        Result r = new Result(a, b, sel);
        r.generations = gens.size();
        List<Items.Region> regions = new ArrayList<>();
        for (TraceIndex.Gen g : gens) {
            GenerationStore.GenItems gi = store.items(g, WindowQuery.DECODE_WAIT_MILLIS);
            for (Items.Sample s : gi.samples()) {
                if (s.time() >= a && s.time() <= b) {
                    sample(r, s);
                }
            }
            for (Items.Region x : gi.regions()) {
                if (x.start() <= b && x.end() >= a) {
                    regions.add(x);
                }
            }
            for (Items.Task t : gi.tasks()) {
                if (t.start() <= b && t.end() >= a) {
                    slice(r, "task", t.name(), t.start(), t.end());
                }
            }
            for (Blocking x : gi.blocks()) {
                block(r, x);
            }
        }
        for (Items.Region x : idx.crossingRegions) {
            if (x.start() <= b && x.end() >= a) {
                regions.add(x);
            }
        }
        for (Items.Task t : idx.crossingTasks) {
            if (t.start() <= b && t.end() >= a) {
                slice(r, "task", t.name(), t.start(), t.end());
            }
        }
        for (Blocking x : idx.crossingBlocks) {
            block(r, x);
        }
        regionTree(r, regions);
        for (GcPause p : idx.gcPauses) {
            if (p.start() <= b && p.end() >= a) {
                r.pauses.add(p);
            }
        }
        return r;
    }

    private static void sample(Result r, Items.Sample s) {
        r.share(s.thread()).samples++;
        if (!r.shown(s.thread())) {
            return;
        }
        r.samples++;
        r.cpu.value++;
        Node n = r.cpu;
        List<StackTrace.Frame> fs = s.stack() == null ? List.of() : s.stack().frames();
        if (fs.isEmpty()) {
            n.child(NO_STACK).value++;
            return;
        }
        for (int i = fs.size() - 1; i >= 0; i--) { // innermost first in the trace: the root is the outermost
            StackTrace.Frame f = fs.get(i);
            n = n.child(f.className() + "." + f.methodName());
            n.value++;
        }
    }

    private static void slice(Result r, String kind, String name, long start, long end) {
        Slices s = r.slices.computeIfAbsent(kind + "\n" + name, k -> new Slices(kind, name));
        s.inRange += r.clip(start, end);
        s.durations.add(end - start);
    }

    private static void block(Result r, Blocking x) {
        long end = x.start() + x.duration();
        if (x.start() > r.b || end < r.a) {
            return;
        }
        String site = x.callSiteName();
        String key = x.kindName() + (x.idle() ? "\nidle\n" : "\n") + site;
        Site s = r.blocking.computeIfAbsent(key, k -> new Site(x.kindName(), x.idle(), site));
        s.count++;
        s.inRange += r.clip(x.start(), end);
        if (s.longest == null || x.duration() > s.longest.duration()) {
            s.longest = x;
        }
    }

    /**
     * The regions' flame graph: per thread, each region under the innermost region that contains it (by
     * time and depth; the model's depths), weighted by its time inside the range. Every region counts in the
     * slices table; only those of the selected threads are in the graph.
     */
    private static void regionTree(Result r, List<Items.Region> regions) {
        regions.sort(Comparator.comparingLong(Items.Region::thread).thenComparingLong(Items.Region::start)
                .thenComparingInt(Items.Region::depth).thenComparing(Comparator.comparingLong(Items.Region::end).reversed()));
        Deque<Items.Region> open = new ArrayDeque<>();
        Deque<Node> nodes = new ArrayDeque<>();
        long thread = Long.MIN_VALUE;
        for (Items.Region x : regions) {
            r.regionCount++;
            slice(r, "region", x.name(), x.start(), x.end()); // the slices table's regions, counted here once
            boolean shown = r.shown(x.thread());
            if (x.thread() != thread) {
                open.clear();
                nodes.clear();
                thread = x.thread();
            }
            while (!open.isEmpty() && !(open.peek().depth() < x.depth() && open.peek().start() <= x.start()
                    && x.end() <= open.peek().end())) {
                open.pop();
                nodes.pop();
            }
            long w = r.clip(x.start(), x.end());
            if (nodes.isEmpty()) {
                r.share(x.thread()).regionNanos += w;
            }
            // a thread not selected is nested all the same (for its share) but adds nothing to the graph
            Node n = HIDDEN;
            if (shown) {
                n = (nodes.isEmpty() ? r.regions : nodes.peek()).child(x.name());
                n.value += w;
                if (nodes.isEmpty()) {
                    r.regions.value += w;
                }
            }
            open.push(x);
            nodes.push(n);
        }
    }

    // ------------------------------------------------------------------------------------------ JSON

    private String json(Result r) {
        long o = idx.origin();
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().field("t0", r.a - o).field("t1", r.b - o).field("generations", r.generations)
                .field("samples", r.samples).field("regionCount", r.regionCount);
        j.name("threadFilter").beginArray();
        if (r.only != null) {
            for (long t : new TreeSet<>(r.only)) {
                j.value(t);
            }
        }
        j.endArray();
        rangeThreads(j, r);
        j.name("cpu");
        tree(j, r.cpu, Math.max(1, (long) Math.ceil(r.cpu.value * MIN_FRACTION)));
        j.name("regions");
        tree(j, r.regions, Math.max(1, (long) Math.ceil(r.regions.value * MIN_FRACTION)));
        List<Slices> slices = new ArrayList<>(r.slices.values());
        slices.sort(Comparator.comparingLong((Slices s) -> s.inRange).reversed().thenComparing(s -> s.name));
        j.field("sliceNames", slices.size()).name("slices").beginArray();
        for (Slices s : slices.subList(0, Math.min(MAX_ROWS, slices.size()))) {
            long[] d = s.durations.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(d);
            j.beginObject().field("kind", s.kind).field("name", s.name).field("count", d.length)
                    .field("inRangeNanos", s.inRange).field("p50Nanos", percentile(d, 50))
                    .field("p99Nanos", percentile(d, 99)).field("maxNanos", d[d.length - 1]).endObject();
        }
        j.endArray();
        List<Site> sites = new ArrayList<>(r.blocking.values());
        sites.sort(Comparator.comparingLong((Site s) -> s.inRange).reversed().thenComparing(s -> s.callSite));
        j.field("blockingSites", sites.size()).name("blocking").beginArray();
        TreeSet<Long> threads = new TreeSet<>();
        for (Site s : sites.subList(0, Math.min(MAX_ROWS, sites.size()))) {
            Blocking l = s.longest;
            threads.add(l.thread());
            j.beginObject().field("kind", s.kind).name("idle").value(s.idle ? 1 : 0).field("callSite", s.callSite)
                    .field("count", s.count).field("inRangeNanos", s.inRange).name("longest").beginObject()
                    .field("thread", l.thread()).field("startNanos", l.start() - o).field("nanos", l.duration())
                    .endObject().endObject();
        }
        j.endArray();
        long pauseNanos = r.pauses.stream().mapToLong(p -> r.clip(p.start(), p.end())).sum();
        j.name("gc").beginObject().field("pauses", r.pauses.size()).field("inRangeNanos", pauseNanos)
                .name("list").beginArray();
        for (GcPause p : r.pauses.subList(0, Math.min(MAX_PAUSES, r.pauses.size()))) {
            j.beginArray().value(p.start() - o).value(p.duration()).value(p.gcId()).value(p.name()).endArray();
        }
        j.endArray().endObject();
        // the model's label (ModelThread.label) of every thread named above, for threads the page's meta lacks
        j.name("threads").beginObject();
        for (long t : threads) {
            j.field(Long.toString(t), idx.model.threads().label(t));
        }
        j.endObject();
        j.name("notShown").beginObject().field("crossingSpans", idx.crossingNotShown)
                .field("scheduler", idx.schedulerNotShown).endObject();
        j.endObject();
        return sb.toString();
    }

    /**
     * {@code rangeThreads}: [{id, label, samples, regionNanos}], most samples first, then most time in regions; at
     * most {@link #MAX_THREAD_ROWS} of them plus the selected ones; {@code rangeThreadCount}: how many there are.
     */
    private void rangeThreads(JsonWriter j, Result r) {
        List<ThreadShare> l = new ArrayList<>(r.threads.values());
        l.sort(Comparator.comparingLong((ThreadShare t) -> t.samples).reversed()
                .thenComparing(Comparator.comparingLong((ThreadShare t) -> t.regionNanos).reversed())
                .thenComparingLong(t -> t.thread));
        j.field("rangeThreadCount", l.size()).name("rangeThreads").beginArray();
        int n = 0;
        for (ThreadShare t : l) {
            if (n++ >= MAX_THREAD_ROWS && (r.only == null || !r.only.contains(t.thread))) {
                continue;
            }
            j.beginObject().field("id", t.thread).field("label", idx.model.threads().label(t.thread))
                    .field("samples", t.samples).field("regionNanos", t.regionNanos).endObject();
        }
        j.endArray();
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** {"n": name, "v": value, "c": [children, heaviest first]}; children below {@code min} are folded away. */
    private static void tree(JsonWriter j, Node n, long min) {
        j.beginObject().field("n", n.name).field("v", n.value);
        List<Node> kids = new ArrayList<>();
        for (Node c : n.children.values()) {
            if (c.value >= min) {
                kids.add(c);
            }
        }
        if (!kids.isEmpty()) {
            kids.sort(Comparator.comparingLong((Node c) -> c.value).reversed().thenComparing(c -> c.name));
            j.name("c").beginArray();
            for (Node c : kids) {
                tree(j, c, min);
            }
            j.endArray();
        }
        j.endObject();
    }
}
