package dev.jtrace.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.model.HostileCorpus;
import dev.jtrace.model.TraceStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus (missing halves, null and empty names, late events, losses) and a trace with a
 * corrupt batch load, and what the model concluded about them is in the tables: the corpus's worked-out
 * counts, its threads' labels, and every loss in the {@code loss} table.
 */
class HostileLoadTest {
    @TempDir
    Path dir;

    static long one(TraceDatabase db, String sql) throws Exception {
        Object v = db.query(sql).rows().get(0).get(0);
        return v == null ? 0 : ((Number) v).longValue();
    }

    @Test
    void theHostileCorpusLoadsAsTheModelSeesIt() throws Exception {
        Path f = HostileCorpus.write(dir.resolve("hostile.jtrace"));
        try (TraceDatabase db = TraceDatabase.open(null)) {
            TraceDatabase.Loaded l = db.load(f, null);
            assertThat(l.traceId()).matches("t[0-9a-f]{11}");
            assertThat(one(db, "SELECT count(*) FROM slice WHERE category = 'region'")).isEqualTo(HostileCorpus.REGIONS);
            assertThat(one(db, "SELECT count(*) FROM slice WHERE category = 'task'")).isEqualTo(HostileCorpus.TASKS);
            assertThat(one(db, "SELECT count(*) FROM slice WHERE category = 'region' AND begin_missing"))
                    .isEqualTo(HostileCorpus.REGIONS_WITHOUT_BEGIN);
            assertThat(one(db, "SELECT count(*) FROM slice WHERE category = 'region' AND end_missing"))
                    .isEqualTo(HostileCorpus.REGIONS_WITHOUT_END);
            assertThat(one(db, "SELECT count(*) FROM slice WHERE category = 'task' AND begin_missing"))
                    .isEqualTo(HostileCorpus.TASKS_WITHOUT_BEGIN);
            assertThat(one(db, "SELECT count(*) FROM slice WHERE category = 'task' AND end_missing"))
                    .isEqualTo(HostileCorpus.TASKS_WITHOUT_END);
            // a null and an empty name show as the model names them: the region named null, the task named "",
            // and task 99 whose begin (and so its name) is not in the trace
            assertThat(one(db, "SELECT count(*) FROM slice WHERE name = '(unnamed)'")).isEqualTo(3);
            assertThat(one(db, "SELECT count(*) FROM slice WHERE name IS NULL")).isZero();
            assertThat(one(db, "SELECT count(DISTINCT id) FROM slice")).isEqualTo(HostileCorpus.REGIONS + HostileCorpus.TASKS);
            // the region ended by its enclosing region's end is that region's child
            assertThat(db.query("SELECT p.name FROM slice c JOIN slice p ON p.trace_id = c.trace_id AND p.id = c.parent_id"
                    + " WHERE c.name = 'inner-unclosed'").rows()).containsExactly(List.of("outer"));

            Map<Long, String> labels = new HashMap<>();
            for (List<Object> r : db.query("SELECT tid, name FROM thread").rows()) {
                labels.put((Long) r.get(0), (String) r.get(1));
            }
            assertThat(labels).isEqualTo(HostileCorpus.THREAD_LABELS);
            assertThat(one(db, "SELECT count(*) FROM thread WHERE is_virtual")).isEqualTo(HostileCorpus.VIRTUAL_THREADS);
            // every thread's states tile its lifetime, as the model's do
            assertThat(db.query("SELECT t.tid FROM thread t JOIN (SELECT utid, sum(dur) d FROM thread_state GROUP BY utid) s"
                    + " ON s.utid = t.utid WHERE s.d <> t.lifetime").rows()).isEmpty();

            TraceStats stats = TraceStats.of(f, null);
            assertThat(one(db, "SELECT count FROM loss WHERE reason = 'generationFull'")).isEqualTo(HostileCorpus.LOST_EVENTS);
            assertThat(one(db, "SELECT sum(count) FROM loss WHERE source = 'recorder' AND unit = 'events'"
                    + " AND reason <> 'skippedReentrant'")).isEqualTo(stats.lostEvents);
            assertThat(one(db, "SELECT count FROM loss WHERE reason = 'regionBeginMissing'"))
                    .isEqualTo(HostileCorpus.REGIONS_WITHOUT_BEGIN);
            assertThat(db.query("SELECT count, unit FROM loss WHERE reason = 'stringsDropped'").rows())
                    .containsExactly(List.of(1L, "arguments"));
            assertThat(one(db, "SELECT lost_events FROM trace")).isEqualTo(HostileCorpus.LOST_EVENTS);
            assertThat(one(db, "SELECT dur FROM trace")).isEqualTo(HostileCorpus.DURATION);
            assertThat(one(db, "SELECT count(*) FROM blocking")).isEqualTo(analysisBlockings(f));
            // the park in ReentrantLock is the worker's parked state, with its blocker
            assertThat(db.query("SELECT DISTINCT blocker FROM thread_state WHERE utid = " + HostileCorpus.WORKER
                    + " AND state = 'parked'").rows()).containsExactly(List.of("java.util.concurrent.locks.ReentrantLock"));
        }
    }

    @Test
    void threadStatesCarryTheModelsBlockerAndWaker() throws Exception {
        Path f = dev.jtrace.model.SchedulerCorpus.platform(dir.resolve("s.jtrace"));
        try (TraceDatabase db = TraceDatabase.open(null)) {
            db.load(f, null);
            // thread 1: parked, woken by 2's unpark; a permit park (no runnable wait); a wait ended by notifyAll
            assertThat(db.query("SELECT state, ts, dur, blocking_kind, waker_utid, wake_kind FROM thread_state"
                    + " WHERE utid = 1 ORDER BY ts").rows()).containsExactly(
                    java.util.Arrays.asList("parked", 100L, 200L, "park", null, null),
                    java.util.Arrays.asList("runnable", 300L, 50L, null, 2L, "unpark"),
                    java.util.Arrays.asList("running", 350L, 850L, null, null, null),
                    java.util.Arrays.asList("parked", 1200L, 1L, "park", null, null),
                    java.util.Arrays.asList("running", 1201L, 799L, null, null, null),
                    java.util.Arrays.asList("waiting", 2000L, 1000L, "wait", null, null),
                    java.util.Arrays.asList("runnable", 3000L, 100L, null, 2L, "notifyAll"));
        }
    }

    private static long analysisBlockings(Path f) throws Exception {
        return dev.jtrace.analysis.TraceAnalysis.run(f, null).blocking.values().stream().mapToLong(b -> b.count).sum();
    }

    @Test
    void aCorruptBatchLoadsAndItsLossIsInTheLossTable() throws Exception {
        Path f = HostileCorpus.write(dir.resolve("h.jtrace"));
        byte[] b = Files.readAllBytes(f);
        int flipped = dev.jtrace.model.TraceBuilder.flipBitInFirstBatch(b);
        assertThat(flipped).isPositive();
        Path bad = Files.write(dir.resolve("bad.jtrace"), b);
        try (TraceDatabase db = TraceDatabase.open(null)) {
            db.load(bad, null);
            TraceStats stats = TraceStats.of(bad, null);
            assertThat(one(db, "SELECT count(*) FROM loss WHERE source = 'reader'")).isPositive();
            assertThat(one(db, "SELECT sum(bytes) FROM loss WHERE source = 'reader'")).isEqualTo(stats.report.lostBytes());
            assertThat(one(db, "SELECT count(*) FROM slice")).isEqualTo(stats.regions + stats.tasks);
            assertThat(one(db, "SELECT count(*) FROM trace")).isEqualTo(1);
        }
    }
}
