package dev.jtrace.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.sql.ParquetExport;
import dev.jtrace.sql.TraceDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of three traces, exported one by one into one Parquet directory as a user's jobs would, read
 * by Spark in local mode exactly as a user's cluster would read it ({@code spark.read.parquet(DIR/slice)},
 * Hive partitions discovered by Spark itself), answers the fleet query "p99 region latency per trace and
 * name" with the answer jtrace's own DuckDB database gives over the original traces.
 */
class FleetOnSparkTest {
    /** The fleet query, written once in SQL both engines run: nearest-rank p99 (the same rule as analyze's). */
    static final String P99_BY_TRACE_AND_NAME = """
            WITH r AS (
              SELECT trace_id, name, dur,
                     row_number() OVER (PARTITION BY trace_id, name ORDER BY dur) AS rn,
                     count(*) OVER (PARTITION BY trace_id, name) AS n
              FROM slice WHERE category = 'region')
            SELECT trace_id, name, CAST(min(dur) AS BIGINT) AS p99, CAST(max(n) AS BIGINT) AS n
            FROM r WHERE rn >= ceil(0.99 * n) GROUP BY trace_id, name ORDER BY trace_id, name""";

    @TempDir
    static Path dir;
    static List<Path> traces = new ArrayList<>();
    static Path dataset;
    static SparkSession spark;

    @BeforeAll
    static void recordExportAndStartSpark() throws Exception {
        // three "JVMs" of one service: the same region names with different latencies and counts
        for (int t = 0; t < 3; t++) {
            Path f = dir.resolve("jvm-" + t + ".jtrace");
            JTrace.start(TraceConfig.builder().file(f).build());
            for (int i = 0; i < 200 + 50 * t; i++) {
                Task request = JTrace.newTask(null, "request");
                try (Region r = JTrace.region(request, "handle")) {
                    busy(10_000L * (1 + i % 7) * (t + 1));
                    try (Region q = JTrace.region(request, "query")) {
                        busy(5_000L * (1 + i % 13));
                    }
                }
                request.end();
            }
            JTrace.stop();
            traces.add(f);
            Thread.sleep(5); // distinct start times: distinct trace ids even within one process
        }
        dataset = dir.resolve("fleet");
        for (Path f : traces) {
            // one export per trace into the same directory: how a fleet's traces accumulate
            ParquetExport.export(List.of(f), dataset, null);
        }
        spark = SparkSession.builder().master("local[2]").appName("jtrace-fleet-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void sparkReadsTheDatasetAsIsWithItsPartitions() throws Exception {
        try (Stream<Path> s = Files.list(dataset.resolve("slice"))) {
            assertThat(s.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith("host="));
        }
        var slices = spark.read().parquet(dataset.resolve("slice").toString());
        assertThat(slices.columns()).contains("trace_id", "host", "ts", "dur", "name", "category", "depth");
        List<Row> perTrace = slices.groupBy("trace_id").count().orderBy("trace_id").collectAsList();
        assertThat(perTrace).hasSize(3);
        // 200, 250 and 300 requests: a task and two regions each
        assertThat(perTrace.stream().map(r -> r.getLong(1)).sorted().toList()).containsExactly(600L, 750L, 900L);
        // the host partition is the recording's host (format 2.3), as the kernel names it
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        if (Files.isReadable(kernel)) {
            assertThat(slices.select("host").distinct().collectAsList()).extracting(r -> r.getString(0))
                    .containsExactly(Files.readString(kernel).trim());
        }
        var threads = spark.read().parquet(dataset.resolve("thread").toString());
        assertThat(threads.select("trace_id").distinct().count()).isEqualTo(3);
    }

    @Test
    void fleetP99PerTraceAndNameEqualsDuckDbs() throws Exception {
        spark.read().parquet(dataset.resolve("slice").toString()).createOrReplaceTempView("slice");
        Map<String, List<Long>> fromSpark = new TreeMap<>();
        for (Row r : spark.sql(P99_BY_TRACE_AND_NAME).collectAsList()) {
            fromSpark.put(r.getString(0) + "/" + r.getString(1), List.of(r.getLong(2), r.getLong(3)));
        }
        Map<String, List<Long>> fromDuckDb = new TreeMap<>();
        try (TraceDatabase db = TraceDatabase.open(null)) {
            db.load(traces, null);
            try (Statement st = db.connection().createStatement();
                    ResultSet r = st.executeQuery(P99_BY_TRACE_AND_NAME)) {
                while (r.next()) {
                    fromDuckDb.put(r.getString(1) + "/" + r.getString(2), List.of(r.getLong(3), r.getLong(4)));
                }
            }
        }
        assertThat(fromSpark).hasSize(6); // 3 traces x {handle, query}
        assertThat(fromSpark.values()).allMatch(v -> v.get(0) > 0);
        assertThat(fromSpark).isEqualTo(fromDuckDb);
    }

    private static long sink;

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            sink++;
        }
    }

    @Test
    void theDocsFleetQueryGivesTheSameAnswerInSparkAndInDuckDb() throws Exception {
        // docs/sql.md's fleet query, as written there for each engine: percentile_disc and quantile_disc
        spark.read().parquet(dataset.resolve("slice").toString()).createOrReplaceTempView("slice");
        Map<String, List<Long>> fromSpark = new TreeMap<>();
        for (Row r : spark.sql("""
                SELECT trace_id, name, count(*) AS n,
                       percentile_disc(0.99) WITHIN GROUP (ORDER BY dur) AS p99
                FROM slice WHERE category = 'region' AND NOT begin_missing AND NOT end_missing
                GROUP BY trace_id, name""").collectAsList()) {
            fromSpark.put(r.getString(0) + "/" + r.getString(1), List.of(r.getLong(2), ((Number) r.get(3)).longValue()));
        }
        Map<String, List<Long>> fromDuckDb = new TreeMap<>();
        try (TraceDatabase db = TraceDatabase.open(null);
                Statement st = db.connection().createStatement();
                ResultSet r = st.executeQuery("SELECT trace_id, name, count(*) AS n, quantile_disc(dur, 0.99) AS p99"
                        + " FROM read_parquet('" + dataset.resolve("slice") + "/**/*.parquet', hive_partitioning = true)"
                        + " WHERE category = 'region' AND NOT begin_missing AND NOT end_missing GROUP BY trace_id, name")) {
            while (r.next()) {
                fromDuckDb.put(r.getString(1) + "/" + r.getString(2), List.of(r.getLong(3), r.getLong(4)));
            }
        }
        assertThat(fromSpark).hasSize(6).isEqualTo(fromDuckDb);
    }
}
