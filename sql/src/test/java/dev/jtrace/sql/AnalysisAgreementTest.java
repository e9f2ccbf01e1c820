package dev.jtrace.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import dev.jtrace.model.TraceStats;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL's answers equal the analyses' on the same recorded traces: counts of regions, tasks and threads
 * (stats), p50 and p99 per region name (analyze), total GC pause time. analyze's percentiles come from an
 * HdrHistogram (3 significant digits: a value stands for its bucket); SQL's are exact nearest-rank values,
 * so they are compared through the histogram's equivalence: the bucket's highest equivalent value of SQL's
 * exact value is analyze's answer.
 */
class AnalysisAgreementTest {
    @TempDir
    static Path dir;
    static Path first;
    static Path second;

    private static final long MS = 1_000_000;
    private static long sink;

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            sink++;
        }
    }

    /** Regions of three names with spread durations, nested regions, tasks (one crossing threads), GC pauses. */
    static Path record(Path f, int scale) throws Exception {
        JTrace.start(TraceConfig.builder().file(f).build());
        ThreadContext c = ThreadContext.current();
        long t0 = System.nanoTime();
        c.runtimeEvent(EventTypes.GC_PAUSE, 1L, t0 + 2 * MS, 2 * MS, "Young", "Allocation");
        c.runtimeEvent(EventTypes.GC_PAUSE, 2L, t0 + 8 * MS, 3 * MS, "Young", "Allocation");
        for (int i = 1; i <= 60 * scale; i++) {
            Task t = JTrace.newTask(null, "request");
            try (Region r = JTrace.region(t, "handle")) {
                busy((i % 17) * 7_000L);
                if (i % 3 == 0) {
                    try (Region q = JTrace.region(t, "query")) {
                        busy((i % 5) * 11_000L);
                    }
                }
            }
            t.end();
        }
        Thread worker = Thread.ofPlatform().name("worker").start(() -> {
            for (int i = 0; i < 25; i++) {
                try (Region r = JTrace.region(null, "background")) {
                    busy(i * 3_000L);
                }
            }
        });
        worker.join();
        Task cross = JTrace.newTask(null, "handoff");
        Thread ender = Thread.ofPlatform().name("ender").start(cross::end);
        ender.join();
        while (System.nanoTime() < t0 + 15 * MS) {
            busy(100_000);
        }
        JTrace.stop();
        return f;
    }

    @BeforeAll
    static void recordTwo() throws Exception {
        first = record(dir.resolve("one.jtrace"), 1);
        second = record(dir.resolve("two.jtrace"), 2);
    }

    private static long one(TraceDatabase db, String sql) throws Exception {
        Object v = db.query(sql).rows().get(0).get(0);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** The exact nearest-rank percentile in SQL: the value at rank ceil(p/100 * n), as HdrHistogram ranks. */
    static String percentiles(String traceId) {
        return "WITH r AS (SELECT name, dur, row_number() OVER (PARTITION BY name ORDER BY dur) AS rn,"
                + " count(*) OVER (PARTITION BY name) AS n FROM slice WHERE trace_id = '" + traceId + "'"
                + " AND category = 'region' AND NOT begin_missing AND NOT end_missing)"
                + " SELECT name, any_value(n) AS n, max(dur) FILTER (WHERE rn = (n * 50 + 99) // 100) AS p50,"
                + " max(dur) FILTER (WHERE rn = (n * 99 + 99) // 100) AS p99,"
                + " quantile_disc(dur, 0.5) AS q50, quantile_disc(dur, 0.99) AS q99 FROM r GROUP BY name ORDER BY name";
    }

    @Test
    void countsPercentilesAndGcEqualTheAnalyses() throws Exception {
        try (TraceDatabase db = TraceDatabase.open(null)) {
            List<TraceDatabase.Loaded> loaded = db.load(List.of(first, second), null);
            assertThat(loaded).extracting(TraceDatabase.Loaded::traceId).doesNotHaveDuplicates();
            assertThat(one(db, "SELECT count(DISTINCT trace_id) FROM slice")).isEqualTo(2);
            for (TraceDatabase.Loaded l : loaded) {
                String id = l.traceId();
                String where = " WHERE trace_id = '" + id + "'";
                TraceStats stats = TraceStats.of(l.file(), null);
                TraceAnalysis a = TraceAnalysis.run(l.file(), null);
                assertThat(one(db, "SELECT count(*) FROM slice" + where + " AND category = 'region'")).isEqualTo(stats.regions);
                assertThat(one(db, "SELECT count(*) FROM slice" + where + " AND category = 'task'")).isEqualTo(stats.tasks);
                assertThat(one(db, "SELECT count(*) FROM thread" + where)).isEqualTo(stats.threads());
                assertThat(one(db, "SELECT regions FROM trace" + where)).isEqualTo(stats.regions);

                Map<String, List<Object>> sql = new HashMap<>();
                for (List<Object> r : db.query(percentiles(id)).rows()) {
                    sql.put((String) r.get(0), r);
                }
                assertThat(sql.keySet()).isEqualTo(a.regions.keySet()).contains("handle", "query", "background");
                for (TraceAnalysis.Latency lat : a.regions.values()) {
                    Histogram h = lat.histogram;
                    List<Object> r = sql.get(lat.name);
                    assertThat((Long) r.get(1)).as(lat.name).isEqualTo(h.getTotalCount());
                    assertThat(h.highestEquivalentValue((Long) r.get(2))).as(lat.name + " p50")
                            .isEqualTo(h.getValueAtPercentile(50));
                    assertThat(h.highestEquivalentValue((Long) r.get(3))).as(lat.name + " p99")
                            .isEqualTo(h.getValueAtPercentile(99));
                    // DuckDB's quantile_disc is the same nearest rank: docs/sql.md's queries use it
                    assertThat(r.subList(4, 6)).as(lat.name).isEqualTo(r.subList(2, 4));
                }
                assertThat(one(db, "SELECT sum(dur) FROM gc" + where + " AND kind = 'pause'")).isEqualTo(a.gcTotal())
                        .isEqualTo(5 * MS);
                assertThat(one(db, "SELECT gc_pause_ns FROM trace" + where)).isEqualTo(a.gcTotal());
                // the task that ended on another thread is a flow, and crossed threads in the slice table too
                assertThat(db.query("SELECT s.name, t.name FROM flow f JOIN slice s ON s.trace_id = f.trace_id"
                        + " AND s.id = f.slice_out JOIN thread t ON t.trace_id = f.trace_id AND t.utid = f.utid_in"
                        + " WHERE f.kind = 'task_end' AND f.trace_id = '" + id + "'").rows())
                        .containsExactly(List.of("handoff", "ender"));
                assertThat(one(db, "SELECT count(*) FROM slice" + where + " AND category = 'task' AND utid <> end_utid"))
                        .isEqualTo(1);
                // every "query" region is the child of a "handle" region on the same thread, one level down
                assertThat(one(db, "SELECT count(*) FROM slice c JOIN slice p ON p.trace_id = c.trace_id AND p.id = c.parent_id"
                        + " WHERE c.trace_id = '" + id + "' AND c.name = 'query' AND p.name = 'handle' AND c.depth = p.depth + 1"
                        + " AND c.utid = p.utid")).isEqualTo(a.regions.get("query").histogram.getTotalCount());
            }
        }
    }

    @Test
    void loadingATraceAgainReplacesItsRows() throws Exception {
        try (TraceDatabase db = TraceDatabase.open(dir.resolve("db.duckdb"))) {
            db.load(first, null);
            long slices = one(db, "SELECT count(*) FROM slice");
            db.load(first, null);
            assertThat(one(db, "SELECT count(*) FROM slice")).isEqualTo(slices);
            assertThat(one(db, "SELECT count(*) FROM trace")).isEqualTo(1);
        }
        // the database file keeps the tables
        try (TraceDatabase db = TraceDatabase.open(dir.resolve("db.duckdb"))) {
            assertThat(one(db, "SELECT count(*) FROM trace")).isEqualTo(1);
        }
    }
}
