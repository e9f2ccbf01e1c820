package dev.jtrace.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.model.HostileCorpus;
import dev.jtrace.model.TraceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet dataset: one directory per table, Hive partitions host=/trace_id=, traces exported one by
 * one add to it, a trace exported again replaces its partition, and DuckDB reads it back with its
 * partition columns equal to what the database holds.
 */
class ParquetExportTest {
    @TempDir
    Path dir;

    /** A second small trace, distinct from the corpus (another start, so another id). */
    private Path other(Path f) throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(5_000_000, 9_000_000).thread(7, "solo", false);
        g.event(1, 7, 5_100_000, dev.jtrace.format.EventTypes.REGION_BEGIN, 0L, "step", 0L)
                .event(1, 7, 5_600_000, dev.jtrace.format.EventTypes.REGION_END, 0L, "step");
        g.end();
        return b.write(f);
    }

    private static long count(TraceDatabase db, String sql) throws Exception {
        return ((Number) db.query(sql).rows().get(0).get(0)).longValue();
    }

    @Test
    void tracesAddToOneDatasetAndReExportReplaces() throws Exception {
        Path a = HostileCorpus.write(dir.resolve("a.jtrace"));
        Path b = other(dir.resolve("b.jtrace"));
        Path out = dir.resolve("ds");
        List<ParquetExport.Result> ra = ParquetExport.export(List.of(a), out, null);
        List<ParquetExport.Result> rb = ParquetExport.export(List.of(b), out, null);
        String ida = ra.get(0).traceId();
        String idb = rb.get(0).traceId();
        assertThat(ida).isNotEqualTo(idb);
        for (String t : TraceDatabase.tables()) {
            assertThat(out.resolve(t).resolve("host=unknown").resolve("trace_id=" + ida).resolve("part-0.parquet"))
                    .isRegularFile();
            assertThat(out.resolve(t).resolve("host=unknown").resolve("trace_id=" + idb).resolve("part-0.parquet"))
                    .isRegularFile();
        }
        // exported again: the same id, its partition replaced, not doubled
        List<ParquetExport.Result> again = ParquetExport.export(List.of(a), out, null);
        assertThat(again.get(0).traceId()).isEqualTo(ida);
        try (Stream<Path> s = Files.walk(out)) {
            assertThat(s.filter(Files::isRegularFile).count()).isEqualTo(2L * TraceDatabase.tables().size());
        }
        assertThat(out.resolve(".jtrace-tmp")).doesNotExist();

        try (TraceDatabase db = TraceDatabase.open(null)) {
            db.load(List.of(a, b), null);
            String slices = "read_parquet('" + out.resolve("slice") + "/**/*.parquet', hive_partitioning = true)";
            assertThat(count(db, "SELECT count(*) FROM " + slices)).isEqualTo(count(db, "SELECT count(*) FROM slice"));
            assertThat(db.query("SELECT trace_id, host, count(*) FROM " + slices + " GROUP BY ALL ORDER BY 1").rows())
                    .containsExactlyInAnyOrder(
                            List.of(ida, "unknown", HostileCorpus.REGIONS + HostileCorpus.TASKS), List.of(idb, "unknown", 1L));
            // the same rows, column for column (the partition columns come back as the table's)
            assertThat(count(db, "SELECT count(*) FROM (SELECT trace_id, id, ts, dur, name, category, depth, parent_id,"
                    + " utid, task_id, begin_missing, end_missing FROM " + slices + " EXCEPT SELECT trace_id, id, ts, dur,"
                    + " name, category, depth, parent_id, utid, task_id, begin_missing, end_missing FROM slice)")).isZero();
            String traces = "read_parquet('" + out.resolve("trace") + "/**/*.parquet', hive_partitioning = true)";
            assertThat(db.query("SELECT trace_id, dur FROM " + traces + " ORDER BY trace_id").rows())
                    .isEqualTo(db.query("SELECT trace_id, dur FROM trace ORDER BY trace_id").rows());
        }
    }

    @Test
    void theHostPartitionIsTheRecordingsHostEscapedWhenItCouldLeaveItsTable() throws Exception {
        // format 2.3: GEN_BEGIN names the process; a plain host name is the partition as it is, a hostile one
        // (from a file anyone can write) is escaped and stays inside its table's directory
        Path plain = new TraceBuilder().process(4242, "db-7.example.com", "Test VM 25").generation(1_000, 2_000)
                .thread(7, "solo", false).end().write(dir.resolve("plain.jtrace"));
        Path hostile = new TraceBuilder().process(1, "../../escaped", "x").generation(3_000, 4_000)
                .thread(7, "solo", false).end().write(dir.resolve("hostile.jtrace"));
        Path out = dir.resolve("ds");
        String idPlain = ParquetExport.export(List.of(plain), out, null).get(0).traceId();
        ParquetExport.Result h = ParquetExport.export(List.of(hostile), out, null).get(0);
        assertThat(out.resolve("slice").resolve("host=db-7.example.com").resolve("trace_id=" + idPlain)).isDirectory();
        assertThat(h.host()).isEqualTo("%2E.%2F..%2Fescaped");
        try (Stream<Path> s = Files.walk(out)) {
            // every file sits at DIR/<table>/host=<host>/trace_id=<id>/part-0.parquet, the hostile trace's too
            assertThat(s.filter(Files::isRegularFile).toList()).hasSize(2 * TraceDatabase.tables().size())
                    .allMatch(p -> p.getParent().getParent().getParent().getParent().equals(out));
        }
        assertThat(out.resolve("escaped")).doesNotExist();
        assertThat(dir.resolve("escaped")).doesNotExist();
        try (TraceDatabase db = TraceDatabase.open(null)) {
            db.load(List.of(plain), null);
            assertThat(db.query("SELECT host, pid, jvm FROM trace").rows())
                    .containsExactly(List.of("db-7.example.com", 4242L, "Test VM 25"));
        }
    }
}
