package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.GcCycle;
import dev.jtrace.model.GcPause;
import dev.jtrace.model.Span;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.LongMap;
import dev.jtrace.reader.StackTrace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers {@code /api/window}: what the timeline shows of rows {@code threads} (plus the task rows and the
 * virtual-thread group when asked) between two times. When at most {@code limit} items fall in the window it
 * returns them, re-reading only the generations that overlap it; when more would, or when the generations to
 * read are too many or too large, it returns per-row summaries: from the index (no reading at all) or, when
 * the generations were read anyway, summaries computed from their items at the window's resolution.
 *
 * <p>Times in requests and responses are ns since {@link TraceIndex#origin()}.
 */
final class WindowQuery {
    /**
     * Items one response holds at most (regions, tasks, logs, blocking events, GC pauses, wake-ups and carrier
     * runs together).
     */
    static final int MAX_ITEMS = 10_000;
    /** Thread rows one request may ask for. */
    static final int MAX_THREADS = 500;
    /** Buckets per row in a summary at most (the screen's width in pixels). */
    static final int MAX_PX = 4000;
    /** Generations one request may read. */
    static final int MAX_GENERATIONS = 16;
    /** Bytes of not yet cached generations one request may decode. */
    static final long MAX_DECODE_BYTES = 96L << 20;
    /** A request waits at most this long for the decoder before it is answered 503. */
    static final long DECODE_WAIT_MILLIS = 20_000;
    /** Characters of a log message sent; the rest is cut (the details panel says so). */
    static final int MAX_MESSAGE = 500;
    /** Frames of a stack sent. */
    static final int MAX_FRAMES = 32;

    /**
     * Events a window may hold for its generations to be read when the page asks for level of detail
     * ({@code lod}): their items are then merged below a pixel to fit in {@code limit}.
     */
    static final int LOD_EVENTS = 500_000;

    /**
     * A validated request; {@code lod}: when more than {@code limit} items fall in the window, merge those
     * narrower than a pixel (and read windows of up to {@link #LOD_EVENTS} events) before falling back to
     * summaries.
     */
    record Params(long from, long to, long[] threads, boolean tasks, boolean vt, int px, int limit, boolean async,
            boolean lod) {
        Params(long from, long to, long[] threads, boolean tasks, boolean vt, int px, int limit, boolean async) {
            this(from, to, threads, tasks, vt, px, limit, async, false);
        }
    }

    private final TraceIndex idx;
    private final GenerationStore store;

    WindowQuery(TraceIndex idx, GenerationStore store) {
        this.idx = idx;
        this.store = store;
    }

    private static final class Collected {
        final List<Items.Region> regions = new ArrayList<>();
        final List<Items.Task> tasks = new ArrayList<>();
        final List<Items.Log> logs = new ArrayList<>();
        final List<Blocking> blocks = new ArrayList<>();
        final List<GcPause> gc = new ArrayList<>();
        final List<GcCycle> cycles = new ArrayList<>();
        final List<Wakeup> wakeups = new ArrayList<>();
        final List<CarrierRun> runs = new ArrayList<>();
        final List<Items.Sample> samples = new ArrayList<>();
        final List<Items.AllocSample> allocs = new ArrayList<>();

        int size() {
            return regions.size() + tasks.size() + logs.size() + blocks.size() + gc.size() + cycles.size()
                    + wakeups.size() + runs.size() + samples.size() + allocs.size();
        }
    }

    String run(Params p) throws IOException, InterruptedException, GenerationStore.Busy {
        long a = idx.origin() + p.from();
        long b = idx.origin() + p.to();
        // the threads asked for, as a set of longs: a window tests every item's thread against it, and a
        // HashSet<Long>'s Long.equals was the hottest method of a window
        LongMap sel = new LongMap();
        double estimate = 0;
        for (long t : p.threads()) {
            if (sel.put(t, 1, 0) == 0) { // a thread listed twice counts once
                estimate += idx.grid.estimate(t, a, b);
            }
        }
        List<TraceIndex.Gen> gens = idx.overlapping(a, b);
        if (p.tasks()) {
            for (String n : idx.taskNames.keySet()) {
                estimate += idx.grid.estimate(TraceIndex.taskKey(n), a, b);
            }
        }
        String why = null;
        long decodeBytes = 0;
        for (TraceIndex.Gen g : gens) {
            if (!store.ready(g)) {
                decodeBytes += g.bytes();
            }
            if (g.bytes() > GenerationStore.MAX_GENERATION_BYTES) {
                why = "a generation in the window is larger than " + (GenerationStore.MAX_GENERATION_BYTES >> 20) + " MiB";
            } else if (!store.ready(g) && GenerationStore.decodeBytes(g) > store.heapForDecoding()) {
                why = String.format(Locale.ROOT, "generation %d needs about %,d MiB of heap to decode, the viewer has"
                        + " %,d MiB (give it more with -Xmx)", g.number(), GenerationStore.decodeBytes(g) >> 20,
                        store.heapForDecoding() >> 20);
            }
        }
        if (why != null) {
            // a generation cannot be read: keep that reason
        } else if (estimate > (p.lod() ? LOD_EVENTS : 4.0 * p.limit())) {
            why = String.format(Locale.ROOT, "about %,d events in the window", Math.round(estimate));
        } else if (gens.size() > MAX_GENERATIONS) {
            why = gens.size() + " generations in the window (at most " + MAX_GENERATIONS + " are read)";
        } else if (decodeBytes > MAX_DECODE_BYTES) {
            why = String.format(Locale.ROOT, "%,d MiB to read (at most %d)", decodeBytes >> 20, MAX_DECODE_BYTES >> 20);
        }
        if (why != null) {
            return indexSummary(p, a, b, sel, why, 0);
        }
        if (p.async() && decodeBytes > 0) {
            // answer now from the index; the page asks again once the generations are decoded
            int loading = 0;
            for (TraceIndex.Gen g : gens) {
                if (!store.ready(g)) {
                    store.prefetch(g);
                    loading++;
                }
            }
            return indexSummary(p, a, b, sel, "reading " + loading + " generation" + (loading == 1 ? "" : "s")
                    + " of the trace", loading);
        }
        Collected c = new Collected();
        for (TraceIndex.Gen g : gens) {
            GenerationStore.Source src = store.source(g, DECODE_WAIT_MILLIS);
            if (src.spill() != null) {
                collect(src.spill(), a, b, sel, p.tasks(), c);
            } else {
                collect(src.items(), a, b, sel, p.tasks(), c);
            }
        }
        if (p.async() && !gens.isEmpty()) {
            // the page is looking here: decode the generations either side before a pan reaches them (when
            // decode-ahead has not, or the cache let them go)
            prefetchNeighbour(gens.get(0).index() - 1);
            prefetchNeighbour(gens.get(gens.size() - 1).index() + 1);
        }
        for (Items.Region r : idx.crossingRegions) {
            if (r.start() <= b && r.end() >= a && sel.containsKey(r.thread())) {
                c.regions.add(r);
            }
        }
        for (Items.Task t : idx.crossingTasks) {
            if (t.start() <= b && t.end() >= a && wanted(t, sel, p.tasks())) {
                c.tasks.add(t);
            }
        }
        for (Wakeup w : overlappingList(idx.crossingWakeups, TraceIndex::wakeStart, TraceIndex::wakeEnd,
                idx.maxCrossingWakeup, a, b)) {
            if (wanted(w, sel)) {
                c.wakeups.add(w);
            }
        }
        for (Blocking x : overlappingList(idx.crossingBlocks, Blocking::start, y -> TimeMath.add(y.start(), y.duration()),
                idx.maxCrossingBlock, a, b)) {
            if (sel.containsKey(x.thread())) {
                c.blocks.add(x);
            }
        }
        for (CarrierRun r : overlappingList(idx.crossingRuns, CarrierRun::start, CarrierRun::end, idx.maxCrossingRun, a, b)) {
            if (sel.containsKey(r.carrier())) {
                c.runs.add(r);
            }
        }
        gcIn(a, b, c.gc, Integer.MAX_VALUE);
        cyclesIn(a, b, c.cycles, Integer.MAX_VALUE);
        if (c.size() > p.limit() && p.lod()) {
            Lod m = lod(c, Math.max(1, (b - a) / Math.max(1, p.px())), p.limit());
            if (m != null) {
                return items(p, c, m, gens.size());
            }
        }
        if (c.size() > p.limit()) {
            return windowSummary(p, a, b, sel, c, gens.size());
        }
        return items(p, c, null, gens.size());
    }

    private void prefetchNeighbour(int k) {
        if (k >= 0 && k < idx.gens.size()) {
            store.prefetch(idx.gens.get(k)); // (it skips a generation already cached or too large to decode)
        }
    }

    /**
     * {@code /api/active}: the threads with a row that did something in [from, to] (ns since the origin): an
     * event there (the index's grid) or time running (the model's states). The page hides the others when
     * asked to hide idle threads.
     */
    String active(long from, long to) {
        long a = idx.origin() + from;
        long b = idx.origin() + to;
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().field("from", from).field("to", to).name("active").beginArray();
        for (TraceIndex.ThreadRow t : idx.threads.values()) {
            var m = idx.model().threads().get(t.id);
            if (m == null || m.last() < a || m.first() > b) {
                continue;
            }
            if (idx.grid.estimate(t.id, a, b) > 0 || idx.states.ranIn(t.id, a, b)) {
                j.value(t.id);
            }
        }
        j.endArray().endObject();
        return sb.toString();
    }

    /** One search hit: a region, a task or a log, at its start. */
    private record Hit(String kind, long start, long duration, long thread, String name, long task, String row) {}

    private static boolean matches(String text, String q) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(q);
    }

    /** The better of two hits for a search in direction {@code dir} from {@code after}. */
    private static Hit better(Hit best, Hit h, long after, int dir) {
        if (dir > 0 ? h.start() <= after : h.start() >= after) {
            return best;
        }
        if (best == null || (dir > 0 ? h.start() < best.start() : h.start() > best.start())) {
            return h;
        }
        return best;
    }

    private Hit region(Items.Region r) {
        return new Hit("region", r.start(), r.end() - r.start(), r.thread(), r.name(), r.task(), null);
    }

    private Hit task(Items.Task t) {
        return new Hit("task", t.start(), t.end() - t.start(), t.beginThread(), t.name(), t.id(), idx.taskRow(t.name()));
    }

    /**
     * {@code /api/search}: the first region, task or log whose name (a log's category or message) contains
     * {@code q} (case-insensitive) strictly after {@code after} (ns since the origin; before it when {@code dir}
     * is -1). Generations are read only when their names (kept by the index) can match; at most
     * {@link #MAX_GENERATIONS} not yet decoded ones per request: then {@code complete} is false and the page asks
     * again from {@code searchedTo}.
     */
    String search(String q, long after, int dir) throws IOException, InterruptedException, GenerationStore.Busy {
        String needle = q.toLowerCase(Locale.ROOT);
        long o = idx.origin();
        long at = o + after;
        Hit best = null;
        for (Items.Region r : idx.crossingRegions) {
            if (matches(r.name() == null ? "" : r.name(), needle)) {
                best = better(best, region(r), at, dir);
            }
        }
        for (Items.Task t : idx.crossingTasks) {
            if (matches(t.name() == null ? "" : t.name(), needle)) {
                best = better(best, task(t), at, dir);
            }
        }
        List<TraceIndex.Gen> gens = new ArrayList<>(idx.gens);
        gens.sort(java.util.Comparator.comparingLong(TraceIndex.Gen::minTicks));
        if (dir < 0) {
            java.util.Collections.reverse(gens);
        }
        int decodes = 0;
        boolean complete = true;
        long searchedTo = dir > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        for (TraceIndex.Gen g : gens) {
            if (dir > 0 ? g.maxTicks() <= at : g.minTicks() >= at) {
                continue;
            }
            if (best != null && (dir > 0 ? g.minTicks() > best.start() : g.maxTicks() < best.start())) {
                continue; // nothing here comes before the hit found
            }
            String[] names = idx.generationNames.get(g.index());
            if (names != null && java.util.Arrays.stream(names).noneMatch(n -> n.contains(needle))) {
                continue;
            }
            if (!store.ready(g) && ++decodes > MAX_GENERATIONS) {
                complete = false;
                searchedTo = dir > 0 ? g.minTicks() : g.maxTicks();
                break;
            }
            GenerationStore.GenItems gi = store.items(g, DECODE_WAIT_MILLIS);
            for (Items.Region r : gi.regions()) {
                if (matches(r.name() == null ? "" : r.name(), needle)) {
                    best = better(best, region(r), at, dir);
                }
            }
            for (Items.Task t : gi.tasks()) {
                if (matches(t.name() == null ? "" : t.name(), needle)) {
                    best = better(best, task(t), at, dir);
                }
            }
            for (Items.Log l : gi.logs()) {
                if (matches(l.message(), needle) || matches(l.category(), needle)) {
                    best = better(best, new Hit("log", l.time(), 0, l.thread(), l.message(), l.task(), null), at, dir);
                }
            }
        }
        if (!complete && best != null && (dir > 0 ? best.start() < searchedTo : best.start() > searchedTo)) {
            complete = true; // the hit lies before any generation left unread
        }
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().field("q", q).field("after", after).field("dir", dir).name("complete").value(complete ? 1 : 0);
        if (!complete) {
            j.field("searchedTo", searchedTo - o);
        }
        if (best != null && complete) {
            j.name("hit").beginObject().field("kind", best.kind()).field("start", best.start() - o)
                    .field("duration", best.duration()).field("thread", best.thread())
                    .field("name", best.name() == null ? "" : best.name()).field("task", best.task());
            if (best.row() != null) {
                j.field("row", best.row());
            }
            j.endObject();
        }
        j.endObject();
        return sb.toString();
    }

    /** A wake-up is sent when either of its rows is asked for: the page draws its arrow to the row it shows. */
    private static boolean wanted(Wakeup w, LongMap sel) {
        return sel.containsKey(w.wakee()) || sel.containsKey(w.waker());
    }

    private static <T> List<T> overlappingList(List<T> all, java.util.function.ToLongFunction<T> start,
            java.util.function.ToLongFunction<T> end, long longest, long a, long b) {
        List<T> out = new ArrayList<>();
        overlapping(all, start, end, longest, a, b, out, Integer.MAX_VALUE);
        return out;
    }

    private static boolean wanted(Items.Task t, LongMap sel, boolean allTasks) {
        return allTasks || sel.containsKey(t.beginThread()) || sel.containsKey(t.endThread());
    }

    /** First index of a start-sorted array whose start may still overlap a window beginning at {@code a}. */
    private static <T> int lowerBound(T[] arr, long from, java.util.function.ToLongFunction<T> start) {
        int lo = 0;
        int hi = arr.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start.applyAsLong(arr[mid]) < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void collect(GenerationStore.GenItems gi, long a, long b, LongMap sel, boolean allTasks,
            Collected c) {
        Items.Region[] rs = gi.regions();
        for (int i = lowerBound(rs, TimeMath.sub(a, gi.maxRegion()), Items.Region::start); i < rs.length && rs[i].start() <= b; i++) {
            Items.Region r = rs[i];
            if (r.end() >= a && sel.containsKey(r.thread())) {
                c.regions.add(r);
            }
        }
        Items.Task[] ts = gi.tasks();
        for (int i = lowerBound(ts, TimeMath.sub(a, gi.maxTask()), Items.Task::start); i < ts.length && ts[i].start() <= b; i++) {
            Items.Task t = ts[i];
            if (t.end() >= a && wanted(t, sel, allTasks)) {
                c.tasks.add(t);
            }
        }
        Items.Log[] ls = gi.logs();
        for (int i = lowerBound(ls, a, Items.Log::time); i < ls.length && ls[i].time() <= b; i++) {
            if (sel.containsKey(ls[i].thread())) {
                c.logs.add(ls[i]);
            }
        }
        Blocking[] bs = gi.blocks();
        for (int i = lowerBound(bs, TimeMath.sub(a, gi.maxBlock()), Blocking::start); i < bs.length && bs[i].start() <= b; i++) {
            Blocking x = bs[i];
            if (TimeMath.add(x.start(), x.duration()) >= a && sel.containsKey(x.thread())) {
                c.blocks.add(x);
            }
        }
        Wakeup[] ws = gi.wakeups();
        for (int i = lowerBound(ws, TimeMath.sub(a, gi.maxWakeup()), TraceIndex::wakeStart); i < ws.length
                && TraceIndex.wakeStart(ws[i]) <= b; i++) {
            if (TraceIndex.wakeEnd(ws[i]) >= a && wanted(ws[i], sel)) {
                c.wakeups.add(ws[i]);
            }
        }
        Items.Sample[] ss = gi.samples();
        for (int i = lowerBound(ss, a, Items.Sample::time); i < ss.length && ss[i].time() <= b; i++) {
            if (sel.containsKey(ss[i].thread())) {
                c.samples.add(ss[i]);
            }
        }
        Items.AllocSample[] as = gi.allocs();
        for (int i = lowerBound(as, a, Items.AllocSample::time); i < as.length && as[i].time() <= b; i++) {
            if (sel.containsKey(as[i].thread())) {
                c.allocs.add(as[i]);
            }
        }
        CarrierRun[] runs = gi.runs();
        for (int i = lowerBound(runs, TimeMath.sub(a, gi.maxRun()), CarrierRun::start); i < runs.length && runs[i].start() <= b; i++) {
            if (runs[i].end() >= a && sel.containsKey(runs[i].carrier())) {
                c.runs.add(runs[i]);
            }
        }
    }

    /**
     * {@link #collect(GenerationStore.GenItems, long, long, LongMap, boolean, Collected)} from spilled columns:
     * the same items in the same order, objects built only for those in the window.
     */
    private static void collect(SpilledGen s, long a, long b, LongMap sel, boolean allTasks, Collected c) {
        SpilledGen.Tables t = s.tables();
        for (int i = SpilledGen.lowerBound(s.regions, TimeMath.sub(a, s.maxRegion), s::regionStart); i < s.regions
                && s.regionStart(i) <= b; i++) {
            if (s.regionEnd(i) >= a && sel.containsKey(s.regionThread(i))) {
                c.regions.add(s.region(i, t));
            }
        }
        for (int i = SpilledGen.lowerBound(s.tasks, TimeMath.sub(a, s.maxTask), s::taskStart); i < s.tasks
                && s.taskStart(i) <= b; i++) {
            if (s.taskEnd(i) >= a && (allTasks || sel.containsKey(s.taskBeginThread(i))
                    || sel.containsKey(s.taskEndThread(i)))) {
                c.tasks.add(s.task(i, t));
            }
        }
        for (int i = SpilledGen.lowerBound(s.logs, a, s::logTime); i < s.logs && s.logTime(i) <= b; i++) {
            if (sel.containsKey(s.logThread(i))) {
                c.logs.add(s.log(i, t));
            }
        }
        for (int i = SpilledGen.lowerBound(s.blocks, TimeMath.sub(a, s.maxBlock), s::blockStart); i < s.blocks
                && s.blockStart(i) <= b; i++) {
            if (TimeMath.add(s.blockStart(i), s.blockDuration(i)) >= a && sel.containsKey(s.blockThread(i))) {
                c.blocks.add(s.block(i, t));
            }
        }
        for (int i = SpilledGen.lowerBound(s.wakeups, TimeMath.sub(a, s.maxWakeup), s::wakeStart); i < s.wakeups
                && s.wakeStart(i) <= b; i++) {
            if (s.wakeEnd(i) >= a && (sel.containsKey(s.wakee(i)) || sel.containsKey(s.waker(i)))) {
                c.wakeups.add(s.wakeup(i));
            }
        }
        for (int i = SpilledGen.lowerBound(s.samples, a, s::sampleTime); i < s.samples && s.sampleTime(i) <= b; i++) {
            if (sel.containsKey(s.sampleThread(i))) {
                c.samples.add(s.sample(i, t));
            }
        }
        for (int i = SpilledGen.lowerBound(s.allocs, a, s::allocTime); i < s.allocs && s.allocTime(i) <= b; i++) {
            if (sel.containsKey(s.allocThread(i))) {
                c.allocs.add(s.alloc(i, t));
            }
        }
        for (int i = SpilledGen.lowerBound(s.runs, TimeMath.sub(a, s.maxRun), s::runStart); i < s.runs
                && s.runStart(i) <= b; i++) {
            if (s.runEnd(i) >= a && sel.containsKey(s.runCarrier(i))) {
                c.runs.add(s.run(i));
            }
        }
    }

    /** GC pauses overlapping [a, b] into {@code out}; returns how many there are (adds at most {@code max}). */
    private int gcIn(long a, long b, List<GcPause> out, int max) {
        return overlapping(idx.gcPauses, GcPause::start, GcPause::end, idx.maxGcPause, a, b, out, max);
    }

    /** GC cycles overlapping [a, b], like {@link #gcIn}. */
    private int cyclesIn(long a, long b, List<GcCycle> out, int max) {
        return overlapping(idx.gcCycles, GcCycle::start, GcCycle::end, idx.maxGcCycle, a, b, out, max);
    }

    private static <T> int overlapping(List<T> all, java.util.function.ToLongFunction<T> start,
            java.util.function.ToLongFunction<T> end, long longest, long a, long b, List<T> out, int max) {
        int lo = 0;
        int hi = all.size();
        long from = TimeMath.sub(a, longest);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start.applyAsLong(all.get(mid)) < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int n = 0;
        for (int i = lo; i < all.size() && start.applyAsLong(all.get(i)) <= b; i++) {
            T g = all.get(i);
            if (end.applyAsLong(g) >= a) {
                if (n < max) {
                    out.add(g);
                }
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------ level of detail

    /**
     * Items merged below a pixel: {@code first} stands for the group (its row, name, thread), {@code longest}
     * names it (the first of the longest members; its own times are {@code longestStart} and
     * {@code longestDuration}, so that the page can open it); [start, end] covers the group; {@code count} items
     * are in it (1: an item as it is); {@code weight} is the sum of its members' weights, where the merge was
     * given a weight (allocation samples), 0 otherwise.
     */
    record Merged<T>(T first, T longest, long start, long end, int count, long longestStart, long longestDuration,
            long weight) {
        Merged(T one, long start, long end, long weight) {
            this(one, one, start, end, 1, start, end - start, weight);
        }
    }

    /**
     * Merges consecutive items of one row narrower than {@code w} (a pixel) whose gaps are narrower too, into
     * groups of about a pixel: Perfetto's rule, so that a dense window shows real slices where they are a pixel
     * wide or more and counted groups elsewhere. {@code sorted} is in start order. {@code weight} (null: none)
     * is summed over each group in the same pass.
     */
    static <T> void lod(List<T> sorted, java.util.function.ToLongFunction<T> start, java.util.function.ToLongFunction<T> end,
            java.util.function.ToLongFunction<T> weight, long w, List<Merged<T>> out, int max) {
        T first = null;
        long gw = 0;
        T longest = null;
        long ls = 0; // the longest member's start and length, kept as the group grows (no second look at it)
        long ld = -1;
        long gs = 0;
        long ge = 0;
        int n = 0;
        for (T t : sorted) {
            long s = start.applyAsLong(t);
            long e = Math.max(s, end.applyAsLong(t));
            long tw = weight == null ? 0 : weight.applyAsLong(t);
            if (e - s >= w) {
                if (n > 0) {
                    out.add(new Merged<>(first, longest, gs, ge, n, ls, ld, gw));
                    n = 0;
                }
                out.add(new Merged<>(t, s, e, tw));
                continue;
            }
            if (n > 0 && s - ge >= w) {
                out.add(new Merged<>(first, longest, gs, ge, n, ls, ld, gw));
                n = 0;
            }
            if (n == 0) {
                first = t;
                gw = 0;
                longest = t;
                ls = s;
                ld = e - s;
                gs = s;
                ge = e;
            } else {
                if (e - s > ld) {
                    longest = t;
                    ls = s;
                    ld = e - s;
                }
                ge = Math.max(ge, e);
            }
            gw += tw;
            n++;
            if (ge - gs >= w) {
                out.add(new Merged<>(first, longest, gs, ge, n, ls, ld, gw));
                n = 0;
            }
            if (out.size() > max) {
                return; // more than the answer may hold: the caller gives up on this level of detail
            }
        }
        if (n > 0) {
            out.add(new Merged<>(first, longest, gs, ge, n, ls, ld, gw));
        }
    }

    /**
     * Groups {@code items} by {@code key}, each group in start order, and merges each below {@code w}; null as
     * soon as the groups are more than {@code max} (the window is then a summary: merging the rest is wasted).
     */
    static <T, K> List<Merged<T>> lodBy(List<T> items, java.util.function.Function<T, K> key,
            java.util.function.ToLongFunction<T> start, java.util.function.ToLongFunction<T> end, long w, int max) {
        return lodBy(items, key, start, end, null, w, max);
    }

    /** As {@link #lodBy(List, java.util.function.Function, java.util.function.ToLongFunction,
     * java.util.function.ToLongFunction, long, int)}, each group summing {@code weight} (null: none). */
    static <T, K> List<Merged<T>> lodBy(List<T> items, java.util.function.Function<T, K> key,
            java.util.function.ToLongFunction<T> start, java.util.function.ToLongFunction<T> end,
            java.util.function.ToLongFunction<T> weight, long w, int max) {
        if (max < 0) {
            return null;
        }
        Map<K, List<T>> rows = new LinkedHashMap<>();
        K lastKey = null;
        List<T> last = null;
        for (T t : items) {
            K k = key.apply(t);
            // neighbours often share a row (a generation's items of one thread): no map look-up for them
            if (last == null || !k.equals(lastKey)) {
                last = rows.computeIfAbsent(k, x -> new ArrayList<>());
                lastKey = k;
            }
            last.add(t);
        }
        List<Merged<T>> out = new ArrayList<>();
        for (List<T> row : rows.values()) {
            // a row is almost always in start order already (generations' items are, and come in time order):
            // checking costs one start a item, sorting two per comparison through a comparator
            if (!inOrder(row, start)) {
                row.sort(java.util.Comparator.comparingLong(start));
            }
            lod(row, start, end, weight, w, out, max);
            if (out.size() > max) {
                return null;
            }
        }
        return out;
    }

    private static <T> boolean inOrder(List<T> row, java.util.function.ToLongFunction<T> start) {
        long prev = Long.MIN_VALUE;
        for (T t : row) {
            long s = start.applyAsLong(t);
            if (s < prev) {
                return false;
            }
            prev = s;
        }
        return true;
    }

    /** A window's items merged below a pixel. */
    private record Lod(List<Merged<Items.Region>> regions, List<Merged<Items.Task>> tasks, List<Merged<Items.Log>> logs,
            List<Merged<Blocking>> blocks, List<Merged<Items.Sample>> samples, List<Merged<Items.AllocSample>> allocs,
            List<Merged<CarrierRun>> runs) {}

    /** A region's row in a level-of-detail merge: its thread and depth (a record: no string built per region). */
    private record RegionRow(long thread, int depth) {}

    /** A task's row in a level-of-detail merge: its task row and lane. */
    private record TaskLane(String row, int lane) {}

    /**
     * The window's items merged below {@code w}, or null when they would still be more than {@code limit}
     * (with the GC pauses, cycles and wake-ups, which are not merged): it stops merging as soon as they are.
     */
    private Lod lod(Collected c, long w, int limit) {
        int budget = limit - c.gc.size() - c.cycles.size() - c.wakeups.size();
        var regions = lodBy(c.regions, r -> new RegionRow(r.thread(), r.depth()), Items.Region::start, Items.Region::end,
                w, budget);
        if (regions == null) {
            return null;
        }
        budget -= regions.size();
        var tasks = lodBy(c.tasks, t -> new TaskLane(idx.taskRow(t.name()), t.lane()), Items.Task::start, Items.Task::end,
                w, budget);
        if (tasks == null) {
            return null;
        }
        budget -= tasks.size();
        var logs = lodBy(c.logs, Items.Log::thread, Items.Log::time, Items.Log::time, w, budget);
        if (logs == null) {
            return null;
        }
        budget -= logs.size();
        var blocks = lodBy(c.blocks, Blocking::thread, Blocking::start, x -> x.start() + x.duration(), w, budget);
        if (blocks == null) {
            return null;
        }
        budget -= blocks.size();
        var samples = lodBy(c.samples, Items.Sample::thread, Items.Sample::time, Items.Sample::time, w, budget);
        if (samples == null) {
            return null;
        }
        budget -= samples.size();
        var allocs = lodBy(c.allocs, Items.AllocSample::thread, Items.AllocSample::time, Items.AllocSample::time,
                Items.AllocSample::weight, w, budget);
        if (allocs == null) {
            return null;
        }
        budget -= allocs.size();
        var runs = lodBy(c.runs, CarrierRun::carrier, CarrierRun::start, CarrierRun::end, w, budget);
        return runs == null ? null : new Lod(regions, tasks, logs, blocks, samples, allocs, runs);
    }

    // ------------------------------------------------------------------------------------------ items

    /** Strings and stacks of one response, sent once each and referred to by index. */
    private static final class Tables {
        final Map<String, Integer> strings = new LinkedHashMap<>();
        final Map<StackTrace, Integer> stacks = new IdentityHashMap<>();
        final List<StackTrace> stackList = new ArrayList<>();

        int string(String s) {
            if (s == null) {
                return -1;
            }
            if (s.length() > MAX_MESSAGE) {
                s = s.substring(0, MAX_MESSAGE) + "\u2026";
            }
            return strings.computeIfAbsent(s, k -> strings.size());
        }

        int stack(StackTrace st) {
            if (st == null) {
                return -1;
            }
            return stacks.computeIfAbsent(st, k -> {
                stackList.add(k);
                return stackList.size() - 1;
            });
        }

        void write(JsonWriter j) {
            j.name("strings").beginArray();
            strings.keySet().forEach(j::value);
            j.endArray();
            j.name("stacks").beginArray();
            for (StackTrace st : stackList) {
                j.beginArray();
                int n = 0;
                for (StackTrace.Frame f : st.frames()) {
                    if (n++ == MAX_FRAMES) {
                        j.value("\u2026 " + (st.frames().size() - MAX_FRAMES) + " more frames");
                        break;
                    }
                    j.value(f.toString());
                }
                j.endArray();
            }
            j.endArray();
        }
    }

    private void head(JsonWriter j, Params p, String mode, int generationsRead) {
        j.beginObject().field("mode", mode).field("from", p.from()).field("to", p.to())
                .field("generationsRead", generationsRead);
    }

    private static <T> List<Merged<T>> single(List<T> items, java.util.function.ToLongFunction<T> start,
            java.util.function.ToLongFunction<T> end) {
        List<Merged<T>> out = new ArrayList<>(items.size());
        for (T t : items) {
            out.add(new Merged<>(t, start.applyAsLong(t), end.applyAsLong(t), 0));
        }
        return out;
    }

    /**
     * The items answer; with {@code m} (level of detail), each region, task, log, blocking interval, sample and
     * carrier run may stand for a group merged below a pixel: its times are the group's, its name the longest
     * member's, and an element after the row's own counts the members (1 for an item as it is). A merged region,
     * task, blocking interval or carrier run then ends with its longest member's start and duration: with the
     * row (thread and depth, task lane, thread, carrier) they find that member, which the page opens.
     */
    private String items(Params p, Collected c, Lod m, int generationsRead) {
        long o = idx.origin();
        Tables tab = new Tables();
        StringBuilder sb = new StringBuilder(256 + c.size() * 48);
        JsonWriter j = new JsonWriter(sb);
        head(j, p, "items", generationsRead);
        if (m != null) {
            j.field("mergedBelowNs", Math.max(1, (p.to() - p.from()) / Math.max(1, p.px())));
        }
        // [thread, depth, start, duration, name, task, flags, stack, count(, longestStart, longestDuration)]
        j.name("regions").beginArray();
        for (Merged<Items.Region> g : m != null ? m.regions() : single(c.regions, Items.Region::start, Items.Region::end)) {
            Items.Region r = g.longest();
            boolean one = g.count() == 1;
            j.beginArray().value(r.thread()).value(r.depth()).value(g.start() - o).value(g.end() - g.start())
                    .value(tab.string(r.name())).value(r.task()).value(one ? r.flags() : 0)
                    .value(one ? tab.stack(r.stack()) : -1).value(g.count());
            longest(j, g, o);
            j.endArray();
        }
        j.endArray();
        // [id, parent, name, row, lane, start, duration, beginThread, endThread, flags, stack, count(, longestStart,
        // longestDuration)]
        j.name("tasks").beginArray();
        for (Merged<Items.Task> g : m != null ? m.tasks() : single(c.tasks, Items.Task::start, Items.Task::end)) {
            Items.Task t = g.longest();
            boolean one = g.count() == 1;
            j.beginArray().value(t.id()).value(t.parent()).value(tab.string(t.name()))
                    .value(tab.string(idx.taskRow(t.name()))).value(t.lane()).value(g.start() - o)
                    .value(g.end() - g.start()).value(t.beginThread()).value(t.endThread()).value(one ? t.flags() : 0)
                    .value(one ? tab.stack(t.stack()) : -1).value(g.count());
            longest(j, g, o);
            j.endArray();
        }
        j.endArray();
        // [thread, time, task, category, message, stack, count]
        j.name("logs").beginArray();
        for (Merged<Items.Log> g : m != null ? m.logs() : single(c.logs, Items.Log::time, Items.Log::time)) {
            Items.Log l = g.first();
            j.beginArray().value(l.thread()).value(l.time() - o).value(l.task()).value(tab.string(l.category()))
                    .value(tab.string(l.message())).value(tab.stack(l.stack())).value(g.count()).endArray();
        }
        j.endArray();
        // [thread, kind, start, duration, detail, stack, state, count(, longestStart, longestDuration)]
        j.name("blocks").beginArray();
        for (Merged<Blocking> g : m != null ? m.blocks() : single(c.blocks, Blocking::start, x -> x.start() + x.duration())) {
            Blocking x = g.longest();
            boolean one = g.count() == 1;
            j.beginArray().value(x.thread()).value(tab.string(x.kindName())).value(g.start() - o).value(g.end() - g.start())
                    .value(tab.string(x.detail())).value(one ? tab.stack(x.stack()) : -1).value(tab.string(x.state().label))
                    .value(g.count());
            longest(j, g, o);
            j.endArray();
        }
        j.endArray();
        // [waker, wakeTime, wakee, resumeTime, kind, latency, permit, blockStart (null: not in the trace)]
        j.name("wakeups").beginArray();
        for (Wakeup w : c.wakeups) {
            j.beginArray().value(w.waker()).value(w.wakeTime() - o).value(w.wakee()).value(w.resumeTime() - o)
                    .value(tab.string(w.kind().label)).value(w.latency()).value(w.permit() ? 1 : 0);
            if (w.blockStart() == Long.MIN_VALUE) {
                j.value((String) null);
            } else {
                j.value(w.blockStart() - o);
            }
            j.endArray();
        }
        j.endArray();
        // [carrier, virtual thread, start, duration, endMissing, count(, longestStart, longestDuration)]
        j.name("carrierRuns").beginArray();
        for (Merged<CarrierRun> g : m != null ? m.runs() : single(c.runs, CarrierRun::start, CarrierRun::end)) {
            CarrierRun r = g.longest();
            j.beginArray().value(r.carrier()).value(r.thread()).value(g.start() - o).value(g.end() - g.start())
                    .value(g.count() == 1 && r.endMissing() ? 1 : 0).value(g.count());
            longest(j, g, o);
            j.endArray();
        }
        j.endArray();
        // [thread, time, stack, count]
        j.name("samples").beginArray();
        for (Merged<Items.Sample> g : m != null ? m.samples() : single(c.samples, Items.Sample::time, Items.Sample::time)) {
            Items.Sample x = g.first();
            j.beginArray().value(x.thread()).value(x.time() - o).value(tab.stack(x.stack())).value(g.count()).endArray();
        }
        j.endArray();
        // [thread, time, class, weight, stack, count, weight of the group]: a merged group's time, class, weight and
        // stack are its first member's
        j.name("allocSamples").beginArray();
        // (unmerged, each group is its one sample: its weight is the group's)
        for (Merged<Items.AllocSample> g : m != null ? m.allocs()
                : single(c.allocs, Items.AllocSample::time, Items.AllocSample::time)) {
            Items.AllocSample x = g.first();
            j.beginArray().value(x.thread()).value(x.time() - o).value(tab.string(x.type())).value(x.weight())
                    .value(tab.stack(x.stack())).value(g.count()).value(m != null ? g.weight() : x.weight()).endArray();
        }
        j.endArray();
        gcItems(j, c.gc, c.cycles, tab);
        tab.write(j);
        groups(j, p, idx.origin() + p.from(), idx.origin() + p.to());
        counters(j, idx.origin() + p.from(), idx.origin() + p.to());
        states(j, p, idx.origin() + p.from(), idx.origin() + p.to());
        j.endObject();
        return sb.toString();
    }

    /** A merged group's longest member: its start (ns since the origin) and duration; nothing for one item. */
    private static void longest(JsonWriter j, Merged<?> g, long origin) {
        if (g.count() > 1) {
            j.value(g.longestStart() - origin).value(g.longestDuration());
        }
    }

    /**
     * The counter tracks, from the index in every mode: per counter name (and the JVM heap from HeapSummary, as
     * {@code "JVM heap used"} and {@code "JVM heap committed"}), its samples in [a, b] and the last one before
     * ({@code [time, value]}, flat), so that the line starts at the window's left edge.
     */
    private void counters(JsonWriter j, long a, long b) {
        long o = idx.origin();
        j.name("counters").beginArray();
        for (TraceIndex.Series s : idx.counterSeries()) {
            j.beginObject().field("name", s.name()).field("heap", s.heap() ? 1 : 0).field("downsampled", s.stride())
                    .name("v").beginArray();
            List<long[]> pts = s.points();
            int lo = 0;
            int hi = pts.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (pts.get(mid)[0] < a) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (int i = Math.max(0, lo - 1); i < pts.size() && pts.get(i)[0] <= b; i++) {
                j.value(pts.get(i)[0] - o).value(pts.get(i)[1]);
            }
            j.endArray().endObject();
        }
        j.endArray();
    }

    /**
     * The state track of each thread asked for, from the index whatever the mode: intervals narrower than a
     * pixel merged (each with the count of the model's intervals it stands for); when the rows together would
     * hold more than {@link StateTrack#MAX_WINDOW_INTERVALS}, merged at twice the width, and so on.
     * {@code iv} is flat: start, duration, state (index into {@code names}, -1 a gap), count, ...
     */
    private void states(JsonWriter j, Params p, long a, long b) {
        long w = Math.max(1, (b - a) / Math.max(1, p.px()));
        while (true) {
            long n = 0;
            for (long t : p.threads()) {
                n += idx.states.count(t, a, b, w);
            }
            if (n <= StateTrack.MAX_WINDOW_INTERVALS || w > b - a) {
                break;
            }
            w *= 2;
        }
        long o = idx.origin();
        j.name("states").beginObject().field("bucketNs", w).field("indexResolution", idx.states.resolution());
        j.name("names").beginArray();
        for (dev.jtrace.model.ThreadState s : dev.jtrace.model.ThreadState.values()) {
            j.value(s.label);
        }
        j.endArray();
        j.name("rows").beginArray();
        for (long t : p.threads()) {
            j.beginObject().field("thread", t).name("iv").beginArray();
            idx.states.window(t, a, b, w, (s, e, st, k) -> j.value(s - o).value(e - s).value(st).value(k));
            j.endArray().endObject();
        }
        j.endArray().endObject();
    }

    // gc: [gc, start, duration, name, cause, cycle name]; gcCycles: [gc, start, duration, name, cause, pauses,
    // pause nanos]. A pause's cause is its cycle's.
    private void gcItems(JsonWriter j, List<GcPause> gc, List<GcCycle> cycles, Tables tab) {
        long o = idx.origin();
        j.name("gc").beginArray();
        for (GcPause g : gc) {
            GcCycle c = idx.cycleById.get(g.gcId());
            String cycleName = g.cycleName() != null ? g.cycleName() : c == null ? null : c.name();
            j.beginArray().value(g.gcId()).value(g.start() - o).value(g.duration()).value(tab.string(g.name()))
                    .value(tab.string(c == null ? null : c.cause())).value(tab.string(cycleName)).endArray();
        }
        j.endArray();
        j.name("gcCycles").beginArray();
        for (GcCycle c : cycles) {
            j.beginArray().value(c.gcId()).value(c.start() - o).value(c.duration()).value(tab.string(c.name()))
                    .value(tab.string(c.cause())).value(c.pauses()).value(c.pauseNanos()).endArray();
        }
        j.endArray();
    }

    // ------------------------------------------------------------------------------------------ summaries

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private void row(JsonWriter j, String keyName, Object keyValue, long start, long width, double[] busy,
            double[] blocked, long[] count) {
        j.beginObject();
        if (keyValue instanceof Long l) {
            j.field(keyName, l);
        } else {
            j.field(keyName, keyValue.toString());
        }
        j.field("start", start - idx.origin()).field("width", width);
        j.name("busy").beginArray();
        for (double v : busy) {
            j.value(round(v));
        }
        j.endArray().name("blocked").beginArray();
        for (double v : blocked) {
            j.value(round(v));
        }
        j.endArray().name("count").beginArray();
        for (long v : count) {
            j.value(v);
        }
        j.endArray().endObject();
    }

    private void gridRow(JsonWriter j, String keyName, Object keyValue, Object gridKey, long a, long b, int factor) {
        Grid.Slice s = idx.grid.slice(gridKey, a, b, factor);
        if (s != null) {
            row(j, keyName, keyValue, s.start(), s.width(), s.busy(), s.blocked(), s.count());
        }
    }

    private String indexSummary(Params p, long a, long b, LongMap sel, String why, int loading) {
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        head(j, p, "summary", 0);
        j.field("source", "index").field("reason", why).field("loading", loading);
        int factor = idx.grid.factorFor(a, b, p.px());
        j.field("bucketNs", TimeMath.mul(idx.grid.width(), factor));
        j.name("rows").beginArray();
        for (long t : p.threads()) {
            gridRow(j, "thread", t, t, a, b, factor);
        }
        if (p.tasks()) {
            for (String n : idx.taskNames.keySet()) {
                gridRow(j, "task", n, TraceIndex.taskKey(n), a, b, factor);
            }
        }
        j.endArray();
        groupAndGc(j, p, a, b);
        j.endObject();
        return sb.toString();
    }

    /** The virtual-thread group row, always a summary from the index. */
    private void groups(JsonWriter j, Params p, long a, long b) {
        if (p.vt()) {
            j.name("groups").beginArray();
            gridRow(j, "group", TraceIndex.VIRTUAL_GROUP, TraceIndex.VIRTUAL_GROUP, a, b,
                    idx.grid.factorFor(a, b, p.px()));
            j.endArray();
        }
    }

    /** The virtual-thread group row and the GC band: pauses, or the fraction of each bucket in GC. */
    private void groupAndGc(JsonWriter j, Params p, long a, long b) {
        groups(j, p, a, b);
        states(j, p, a, b);
        counters(j, a, b);
        List<GcPause> gc = new ArrayList<>();
        List<GcCycle> cycles = new ArrayList<>();
        int n = gcIn(a, b, gc, p.limit());
        int nc = cyclesIn(a, b, cycles, p.limit());
        if (n + nc <= p.limit()) {
            Tables tab = new Tables();
            gcItems(j, gc, cycles, tab);
            tab.write(j);
        } else {
            // b - a is a long (ViewerServer clamps the window so): ceilDiv, not b - a + px - 1, cannot wrap
            long w = Math.max(1, Math.ceilDiv(b - a, p.px()));
            int buckets = (int) Math.ceilDiv(b - a, w);
            double[] frac = new double[buckets];
            gc.clear();
            gcIn(a, b, gc, Integer.MAX_VALUE);
            for (GcPause g : gc) {
                cover(frac, a, w, g.start(), g.end());
            }
            j.name("gcSummary").beginObject().field("start", a - idx.origin()).field("width", w).name("fraction")
                    .beginArray();
            for (double v : frac) {
                j.value(round(v));
            }
            j.endArray().field("pauses", n).endObject();
        }
    }

    /** Adds the fraction of each bucket that [s, e) covers. */
    private static void cover(double[] frac, long a, long w, long s, long e) {
        long lo = Math.max(s, a);
        if (e <= lo) {
            return;
        }
        int first = (int) Math.min(frac.length - 1, TimeMath.sub(lo, a) / w);
        int last = (int) Math.min(frac.length - 1, TimeMath.sub(e - 1, a) / w);
        for (int i = first; i <= last; i++) {
            long bs = a + i * w; // i * w < b - a: inside the window
            long overlap = Math.min(e, TimeMath.add(bs, w)) - Math.max(lo, bs);
            if (overlap > 0) {
                frac[i] += overlap / (double) w;
            }
        }
    }

    private static int bucketOf(long t, long a, long w, int n) {
        return (int) Math.max(0, Math.min(n - 1, (t - a) / w));
    }

    /** One row's buckets in a summary computed from a window's items. */
    private record Acc(double[] busy, double[] blocked, long[] count) {}

    /**
     * A window summary's rows in the order they were first touched: threads by id in a {@link LongMap}, task
     * rows by name (a map of boxed or string keys, looked up per item, was most of a summary's time).
     */
    private static final class SummaryRows {
        final long a;
        final long b;
        final long w;
        final int n;
        final List<Object> keys = new ArrayList<>(); // a Long thread or a String task row
        final List<Acc> accs = new ArrayList<>();
        final LongMap threadIndex = new LongMap();
        final Map<String, Integer> taskIndex = new java.util.HashMap<>();

        SummaryRows(long a, long b, long w, int n) {
            this.a = a;
            this.b = b;
            this.w = w;
            this.n = n;
        }

        private Acc add(Object key) {
            Acc x = new Acc(new double[n], new double[n], new long[n]);
            keys.add(key);
            accs.add(x);
            return x;
        }

        Acc thread(long t) {
            long i = threadIndex.get(t, -1);
            if (i >= 0) {
                return accs.get((int) i);
            }
            threadIndex.put(t, accs.size(), -1);
            return add(t);
        }

        Acc task(String row) {
            Integer i = taskIndex.get(row);
            if (i != null) {
                return accs.get(i);
            }
            taskIndex.put(row, accs.size());
            return add(new TaskRowKey(row));
        }

        /** Counts an event of thread {@code thread} at {@code t}, when inside the window (its row made then). */
        void count(long thread, long t) {
            if (t >= a && t <= b) {
                thread(thread).count()[bucketOf(t, a, w, n)]++;
            }
        }

        void count(Acc x, long t) {
            if (t >= a && t <= b) {
                x.count()[bucketOf(t, a, w, n)]++;
            }
        }
    }

    /** A task row's key among a summary's rows (a thread's is its Long id). */
    private record TaskRowKey(String row) {}

    private String windowSummary(Params p, long a, long b, LongMap sel, Collected c, int generationsRead) {
        long w = Math.max(1, Math.ceilDiv(b - a, p.px()));
        int n = (int) Math.max(1, Math.ceilDiv(b - a, w));
        SummaryRows rows = new SummaryRows(a, b, w, n);
        // counts are of events, as in the index: a region has a begin and (unless it lacks one) an end event
        for (Items.Region r : c.regions) {
            Acc x = rows.thread(r.thread());
            if (r.depth() == 0) {
                cover(x.busy(), a, w, r.start(), r.end());
            }
            if ((r.flags() & Span.BEGIN_MISSING) == 0) {
                rows.count(x, r.start());
            }
            if ((r.flags() & Span.END_MISSING) == 0) {
                rows.count(x, r.end());
            }
        }
        for (Items.Log l : c.logs) {
            rows.count(l.thread(), l.time());
        }
        for (Items.Sample x : c.samples) {
            rows.count(x.thread(), x.time());
        }
        for (Items.AllocSample x : c.allocs) {
            rows.count(x.thread(), x.time());
        }
        for (Blocking x : c.blocks) {
            Acc acc = rows.thread(x.thread());
            cover(acc.blocked(), a, w, x.start(), TimeMath.add(x.start(), x.duration()));
            rows.count(acc, x.start());
        }
        for (Items.Task t : c.tasks) {
            if (sel.containsKey(t.beginThread()) && (t.flags() & Span.BEGIN_MISSING) == 0) {
                rows.count(t.beginThread(), t.start());
            }
            if (sel.containsKey(t.endThread()) && (t.flags() & Span.END_MISSING) == 0) {
                rows.count(t.endThread(), t.end());
            }
            if (p.tasks()) {
                Acc x = rows.task(idx.taskRow(t.name()));
                cover(x.busy(), a, w, t.start(), t.end());
                rows.count(x, t.start());
            }
        }
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        head(j, p, "summary", generationsRead);
        j.field("source", "window").field("reason", String.format(Locale.ROOT, "%,d items in the window (at most %,d are sent)",
                c.size(), p.limit())).field("bucketNs", w);
        j.name("rows").beginArray();
        for (int i = 0; i < rows.keys.size(); i++) {
            Acc x = rows.accs.get(i);
            if (rows.keys.get(i) instanceof Long t) {
                row(j, "thread", t, a, w, x.busy(), x.blocked(), x.count());
            } else {
                row(j, "task", String.valueOf(((TaskRowKey) rows.keys.get(i)).row()), a, w, x.busy(), x.blocked(), x.count());
            }
        }
        j.endArray();
        groupAndGc(j, p, a, b);
        j.endObject();
        return sb.toString();
    }
}
