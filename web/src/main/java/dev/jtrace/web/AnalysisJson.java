package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.reader.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The analysis pages' data ({@code /api/analysis}): {@link TraceAnalysis}'s results with times relative to
 * the viewer's origin, thread names, histogram buckets for the plots and the start of each slowest instance
 * (so that a click can open it in the timeline). Lists are cut to what a page can show; the cut is reported.
 */
final class AnalysisJson {
    static final int MAX_THREADS = 300;
    static final int MAX_BLOCKING = 200;
    static final int MAX_GC_LISTED = 5000;
    static final int MAX_SAMPLES = 2000;
    static final int HISTOGRAM_BUCKETS = 24;

    private AnalysisJson() {}

    static String of(TraceIndex idx) {
        TraceAnalysis a = idx.analysis;
        long o = idx.origin();
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().field("generations", a.generations).field("events", a.events)
                .field("durationNanos", a.endTicks - a.startTicks);
        threads(j, idx, a);
        latency(j, "tasks", a.tasks, idx);
        latency(j, "regions", a.regions, idx);
        List<TraceAnalysis.Blocking> prof = a.blockingProfile();
        j.name("blocking").beginObject().field("stacks", prof.size()).field("totalNanos",
                prof.stream().mapToLong(x -> x.nanos).sum()).name("top").beginArray();
        for (TraceAnalysis.Blocking b : prof.subList(0, Math.min(MAX_BLOCKING, prof.size()))) {
            j.beginObject().field("kind", b.kind).field("count", b.count).field("nanos", b.nanos).name("frames")
                    .beginArray();
            b.frames.forEach(j::value);
            j.endArray().endObject();
        }
        j.endArray().endObject();
        j.name("gc").beginObject().field("pauses", a.gcPauses.size()).field("totalNanos", a.gcTotal())
                .field("maxNanos", a.gcPauses.stream().mapToLong(p -> p[1]).max().orElse(0))
                .field("listed", Math.min(MAX_GC_LISTED, a.gcPauses.size()));
        j.name("list").beginArray();
        for (long[] p : a.gcPauses.subList(0, Math.min(MAX_GC_LISTED, a.gcPauses.size()))) {
            j.beginArray().value(p[0] - o).value(p[1]).endArray();
        }
        j.endArray().name("mmu").beginArray();
        for (long w : a.mmuWindows()) {
            j.beginArray().value(w).value(a.mmu(w)).endArray();
        }
        j.endArray().endObject();
        j.name("heap").beginObject().field("allocWithoutFree", a.allocWithoutFree)
                .field("freeWithoutAlloc", a.freeWithoutAlloc)
                .field("finalBytes", a.heap.isEmpty() ? 0 : a.heap.get(a.heap.size() - 1)[1])
                .field("maxBytes", a.heap.stream().mapToLong(s -> s[1]).max().orElse(0));
        samples(j, "samples", a.heap, o);
        samples(j, "recorderBuffers", a.recorderBuffers, o);
        samples(j, "jvmHeapUsed", idx.heapSamples, o);
        j.endObject();
        j.name("unmatched").beginObject().field("regionEndWithoutBegin", a.regionEndWithoutBegin)
                .field("regionBeginWithoutEnd", a.regionBeginWithoutEnd).field("taskEndWithoutBegin", a.taskEndWithoutBegin)
                .field("taskBeginWithoutEnd", a.taskBeginWithoutEnd).endObject();
        j.name("problems").beginArray();
        int n = 0;
        for (Problem p : a.report.problems()) {
            if (n++ == 50) {
                break;
            }
            j.value(p.toString());
        }
        j.endArray().endObject();
        return sb.toString();
    }

    private static void samples(JsonWriter j, String key, List<long[]> s, long o) {
        int stride = Math.max(1, (s.size() + MAX_SAMPLES - 1) / MAX_SAMPLES);
        j.name(key).beginArray();
        for (int i = 0; i < s.size(); i += stride) {
            j.beginArray().value(s.get(i)[0] - o).value(s.get(i)[1]).endArray();
        }
        j.endArray();
    }

    private static void threads(JsonWriter j, TraceIndex idx, TraceAnalysis a) {
        // platform threads by id, then virtual threads, longest-lived first; only the first MAX_THREADS are
        // kept (a bounded heap: a trace can have millions of virtual threads), the rest summed
        Comparator<TraceAnalysis.ThreadTime> order = Comparator.comparing((TraceAnalysis.ThreadTime t) -> t.virtual)
                .thenComparing(t -> t.virtual ? -t.lifetime() : t.id);
        PriorityQueue<TraceAnalysis.ThreadTime> kept = new PriorityQueue<>(order.reversed());
        long[] all = new long[7];
        for (TraceAnalysis.ThreadTime t : a.threads.values()) {
            add(all, t, 1);
            kept.add(t);
            if (kept.size() > MAX_THREADS) {
                kept.poll();
            }
        }
        List<TraceAnalysis.ThreadTime> shown = new ArrayList<>(kept);
        shown.sort(order);
        j.name("threads").beginObject().field("total", a.threads.size()).name("shown").beginArray();
        long[] rest = all;
        for (TraceAnalysis.ThreadTime t : shown) {
            j.beginObject().field("id", t.id).field("name", t.name).name("virtual").value(t.virtual ? 1 : 0)
                    .field("lifetime", t.lifetime()).field("running", t.running()).field("parked", t.parked)
                    .field("blocked", t.blocked).field("sleeping", t.sleeping).field("gc", t.inGc).endObject();
            add(rest, t, -1);
        }
        j.endArray().name("rest").beginObject().field("count", rest[0]).field("lifetime", rest[1])
                .field("running", rest[2]).field("parked", rest[3]).field("blocked", rest[4])
                .field("sleeping", rest[5]).field("gc", rest[6]).endObject().endObject();
    }

    private static void add(long[] sums, TraceAnalysis.ThreadTime t, int sign) {
        sums[0] += sign;
        sums[1] += sign * t.lifetime();
        sums[2] += sign * t.running();
        sums[3] += sign * t.parked;
        sums[4] += sign * t.blocked;
        sums[5] += sign * t.sleeping;
        sums[6] += sign * t.inGc;
    }

    private static void latency(JsonWriter j, String key, Map<String, TraceAnalysis.Latency> m, TraceIndex idx) {
        j.name(key).beginArray();
        for (TraceAnalysis.Latency l : m.values()) {
            Histogram h = l.histogram;
            j.beginObject().field("name", l.name).field("count", h.getTotalCount()).field("min", h.getMinValue())
                    .field("p50", h.getValueAtPercentile(50)).field("p90", h.getValueAtPercentile(90))
                    .field("p99", h.getValueAtPercentile(99)).field("max", h.getMaxValue());
            histogram(j, h);
            j.name("slowest").beginArray();
            for (TraceAnalysis.Instance i : l.slowest()) {
                TraceIndex.ThreadRow t = idx.threads.get(i.thread());
                j.beginObject().field("task", i.task()).field("thread", i.thread())
                        .field("threadName", t == null ? "" : t.name).field("start", i.start() - idx.origin())
                        .field("nanos", i.nanos()).endObject();
            }
            j.endArray().endObject();
        }
        j.endArray();
    }

    /** Log-spaced buckets between the smallest and largest value: [[low, high, count], ...]. */
    private static void histogram(JsonWriter j, Histogram h) {
        j.name("histogram").beginArray();
        if (h.getTotalCount() > 0) {
            double lo = Math.max(1, h.getMinValue());
            double hi = Math.max(lo + 1, h.getMaxValue() + 1);
            if (hi / lo < 4) { // a narrow distribution: widen the axis around it rather than stretch one value
                double mid = Math.sqrt(lo * hi);
                lo = Math.max(1, mid / 2);
                hi = mid * 2;
            }
            double step = Math.pow(hi / lo, 1.0 / HISTOGRAM_BUCKETS);
            long[] counts = new long[HISTOGRAM_BUCKETS];
            for (HistogramIterationValue v : h.recordedValues()) {
                double x = Math.max(lo, v.getValueIteratedTo());
                int b = (int) Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log(x / lo) / Math.log(step)));
                counts[Math.max(0, b)] += v.getCountAtValueIteratedTo();
            }
            for (int b = 0; b < HISTOGRAM_BUCKETS; b++) {
                j.beginArray().value(Math.round(lo * Math.pow(step, b))).value(Math.round(lo * Math.pow(step, b + 1)))
                        .value(counts[b]).endArray();
            }
        }
        j.endArray();
    }
}
