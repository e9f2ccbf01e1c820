package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.model.GcCycle;
import dev.jtrace.model.GcPause;
import dev.jtrace.reader.Problem;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The analysis pages' data. {@code /api/analysis} is {@code jtrace analyze --json} itself, written by
 * {@link TraceAnalysis#writeJson(Appendable, int)} (one analysis JSON: the same keys and values), with its
 * thread list cut to what a page can show. {@code /api/plots} adds what only the pages draw: histogram
 * buckets per task and region name, the GC pauses and cycles over time, the JVM's heap samples and the
 * reader's problems. Times are ns since the trace's start in both (the viewer's origin).
 */
final class AnalysisJson {
    static final int MAX_THREADS = 300;
    static final int MAX_GC_LISTED = 5000;
    static final int MAX_SAMPLES = 2000;
    static final int MAX_PROBLEMS = 50;
    static final int HISTOGRAM_BUCKETS = 24;

    private AnalysisJson() {}

    /** {@code jtrace analyze --json}, at most {@link #MAX_THREADS} threads listed. */
    static String analysis(TraceIndex idx) {
        StringBuilder sb = new StringBuilder();
        idx.analysis.writeJson(sb, MAX_THREADS);
        return sb.toString();
    }

    /** What the pages plot besides the analysis. */
    static String plots(TraceIndex idx) {
        TraceAnalysis a = idx.analysis;
        long o = idx.origin();
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().name("histograms").beginObject();
        histograms(j, "tasks", a.tasks);
        histograms(j, "regions", a.regions);
        j.endObject();
        List<GcPause> pauses = idx.gcPauses;
        List<GcCycle> cycles = idx.gcCycles;
        // [start, duration, gc id, name]
        j.name("gc").beginObject().field("pauses", pauses.size()).field("cycles", cycles.size())
                .field("listed", Math.min(MAX_GC_LISTED, pauses.size())).name("pauseList").beginArray();
        for (GcPause p : pauses.subList(0, Math.min(MAX_GC_LISTED, pauses.size()))) {
            j.beginArray().value(p.start() - o).value(p.duration()).value(p.gcId()).value(p.name()).endArray();
        }
        // [start, duration, gc id, name, cause, pauses, pause nanos]
        j.endArray().field("cyclesListed", Math.min(MAX_GC_LISTED, cycles.size())).name("cycleList").beginArray();
        for (GcCycle c : cycles.subList(0, Math.min(MAX_GC_LISTED, cycles.size()))) {
            j.beginArray().value(c.start() - o).value(c.duration()).value(c.gcId()).value(c.name()).value(c.cause())
                    .value(c.pauses()).value(c.pauseNanos()).endArray();
        }
        j.endArray().endObject();
        List<long[]> s = idx.heapSamples;
        int stride = Math.max(1, (s.size() + MAX_SAMPLES - 1) / MAX_SAMPLES);
        j.name("jvmHeapUsed").beginArray();
        for (int i = 0; i < s.size(); i += stride) {
            j.beginArray().value(s.get(i)[0] - o).value(s.get(i)[1]).endArray();
        }
        j.endArray();
        j.name("problems").beginArray();
        int n = 0;
        for (Problem p : idx.report.problems()) {
            if (n++ == MAX_PROBLEMS) {
                break;
            }
            j.value(p.toString());
        }
        j.endArray().field("problemCount", idx.report.problems().size());
        j.name("warnings").beginArray();
        idx.summary.semanticWarnings().forEach(j::value);
        j.endArray().endObject();
        return sb.toString();
    }

    private static void histograms(JsonWriter j, String key, Map<String, TraceAnalysis.Latency> m) {
        j.name(key).beginObject();
        for (TraceAnalysis.Latency l : m.values()) {
            j.name(l.name);
            histogram(j, l.histogram);
        }
        j.endObject();
    }

    /** Log-spaced buckets between the smallest and largest value: [[low, high, count], ...]. */
    private static void histogram(JsonWriter j, Histogram h) {
        j.beginArray();
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
