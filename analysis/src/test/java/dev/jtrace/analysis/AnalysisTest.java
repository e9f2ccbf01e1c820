package dev.jtrace.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalysisTest {
    @TempDir
    Path dir;

    private static final long MS = 1_000_000;

    /** A recorded trace with known tasks, regions, runtime events and GC pauses. */
    private Path record() throws Exception {
        Path f = dir.resolve("a.jtrace");
        JTrace.start(TraceConfig.builder().file(f).allocFree(true).build());
        ThreadContext c = ThreadContext.current();
        long me = Thread.currentThread().threadId();
        StackTraceElement[] lockStack = {new StackTraceElement("app.Cache", "lock", "Cache.java", 10)};
        StackTraceElement[] queueStack = {new StackTraceElement("app.Queue", "take", "Queue.java", 20)};
        long t0 = System.nanoTime();
        c.runtimeEvent(EventTypes.PARK, me, t0, 3 * MS, "lock", lockStack);
        c.runtimeEvent(EventTypes.PARK, me, t0 + 4 * MS, 1 * MS, "lock", lockStack);
        c.runtimeEvent(EventTypes.PARK, me, t0 + 6 * MS, 2 * MS, "queue", queueStack);
        c.runtimeEvent(EventTypes.SLEEP, me, t0 + 9 * MS, 5 * MS, null);
        c.runtimeEvent(EventTypes.MONITOR_BLOCKED, me, t0 + 15 * MS, 1 * MS, "app.Cache", lockStack);
        c.runtimeEvent(EventTypes.GC_PAUSE, 1L, t0 + 20 * MS, 2 * MS, "Young", "Allocation");
        c.runtimeEvent(EventTypes.GC_PAUSE, 2L, t0 + 30 * MS, 4 * MS, "Young", "Allocation");
        for (int i = 1; i <= 100; i++) {
            Task t = JTrace.newTask(null, "request");
            try (Region r = JTrace.region(t, "work")) {
                busy(i * 10_000L);
            }
            t.end();
        }
        JTrace.alloc(1, "app.Obj", 100);
        JTrace.alloc(2, "app.Obj", 50);
        JTrace.free(1);
        JTrace.free(99); // never allocated
        Task cross = JTrace.newTask(null, "cross");
        Thread other = Thread.ofPlatform().name("ender").start(cross::end);
        other.join();
        while (System.nanoTime() < t0 + 40 * MS) {
            busy(100_000);
        }
        JTrace.stop();
        return f;
    }

    /** The recorded durations of the "work" regions cannot be read back from a histogram: bound by the trace. */
    private static long sumOfWork(TraceAnalysis a) {
        return a.endTicks - a.startTicks;
    }

    private static long sink;

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            sink++;
        }
    }

    @Test
    void analysesAgreeWithWhatWasRecorded() throws Exception {
        Path f = record();
        TraceAnalysis a = TraceAnalysis.run(f, null);
        assertThat(a.report.problems()).isEmpty();
        TraceAnalysis.ThreadTime me = a.threads.get(Thread.currentThread().threadId());
        assertThat(me.parked).isEqualTo(6 * MS);
        assertThat(me.sleeping).isEqualTo(5 * MS);
        assertThat(me.blocked).isEqualTo(1 * MS);
        assertThat(me.inGc).isEqualTo(6 * MS);
        // running is known only inside the thread's regions, where no blocking interval lies; the states
        // tile the lifetime exactly
        long regionTime = a.regions.get("work").histogram.getTotalCount() > 0 ? sumOfWork(a) : 0;
        assertThat(me.running()).isPositive().isLessThanOrEqualTo(regionTime);
        assertThat(me.running() + me.parked + me.sleeping + me.blocked + me.inGc + me.waiting + me.io + me.runnable
                + me.unknown).isEqualTo(me.lifetime());
        assertThat(me.name).isEqualTo(Thread.currentThread().getName());

        TraceAnalysis.Latency req = a.tasks.get("request");
        assertThat(req.histogram.getTotalCount()).isEqualTo(100);
        assertThat(req.slowest()).hasSize(TraceAnalysis.SLOWEST);
        assertThat(req.slowest().get(0).nanos()).isGreaterThanOrEqualTo(1 * MS);
        TraceAnalysis.Latency work = a.regions.get("work");
        assertThat(work.histogram.getTotalCount()).isEqualTo(100);
        // region i busy-waits i * 10 us: the median is near 0.5 ms, the max at least 1 ms
        assertThat(work.histogram.getValueAtPercentile(50) / 1e6).isCloseTo(0.5, within(0.2));
        assertThat(work.histogram.getMaxValue()).isGreaterThanOrEqualTo(MS);
        assertThat(a.tasks.get("cross").histogram.getTotalCount()).isEqualTo(1);

        assertThat(a.blockingProfile()).extracting(b -> b.kind + " " + b.nanos / MS)
                .containsExactly("sleep 5", "park 4", "park 2", "monitor 1");
        assertThat(a.blockingProfile().get(1)).satisfies(b -> {
            assertThat(b.kind).isEqualTo("park");
            assertThat(b.nanos).isEqualTo(4 * MS);
            assertThat(b.count).isEqualTo(2);
            assertThat(b.frames.get(0)).isEqualTo("app.Cache.lock(Cache.java:10)");
            assertThat(b.callSite).isEqualTo("app.Cache.lock(Cache.java:10)");
            assertThat(b.idle).isFalse();
        });
        assertThat(a.blocking).hasSize(4);

        assertThat(a.gcPauses).hasSize(2);
        assertThat(a.gcTotal()).isEqualTo(6 * MS);
        // a 4 ms window can fall entirely inside the 4 ms pause; a 10 ms window holds at most 4 ms of pause
        assertThat(a.mmu(4 * MS)).isEqualTo(0.0);
        assertThat(a.mmu(10 * MS)).isCloseTo(0.6, within(1e-9));
        assertThat(a.mmu(1 * MS)).isEqualTo(0.0);

        assertThat(a.allocWithoutFree).isEqualTo(1);
        assertThat(a.freeWithoutAlloc).isEqualTo(1);
        assertThat(a.heap.get(a.heap.size() - 1)[1]).isEqualTo(50);
        assertThat(a.taskEndWithoutBegin).isZero();
        assertThat(a.regionEndWithoutBegin).isZero();

        JsonNode json = new ObjectMapper().readTree(a.toJson());
        assertThat(json.get("tasks")).anySatisfy(t -> {
            assertThat(t.get("name").asText()).isEqualTo("request");
            assertThat(t.get("count").asLong()).isEqualTo(100);
        });
        assertThat(json.get("gc").get("pauses").asInt()).isEqualTo(2);
        assertThat(json.get("gc").get("mmu").size()).isEqualTo(a.mmuWindows().size());
    }

    @Test
    void chromeExportParsesAndNestsAndLinksCrossThreadTasks() throws Exception {
        Path f = record();
        Path out = dir.resolve("a.json");
        long written = ChromeExporter.export(f, out, null);
        JsonNode root = new ObjectMapper().readTree(out.toFile());
        JsonNode events = root.get("traceEvents");
        assertThat(events.size()).isEqualTo((int) written);
        Map<String, Integer> byPhase = new HashMap<>();
        Map<Long, Integer> depth = new HashMap<>();
        for (JsonNode e : events) {
            String ph = e.get("ph").asText();
            byPhase.merge(ph, 1, Integer::sum);
            if (ph.equals("X")) {
                byPhase.merge("X " + e.get("cat").asText(), 1, Integer::sum);
            }
            long tid = e.get("tid").asLong();
            if (ph.equals("B")) {
                depth.merge(tid, 1, Integer::sum);
            } else if (ph.equals("E")) {
                int d = depth.merge(tid, -1, Integer::sum);
                assertThat(d).as("E without B on thread " + tid).isGreaterThanOrEqualTo(0);
            }
            if (!ph.equals("M")) {
                assertThat(e.get("ts").asDouble()).isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(depth.values()).allSatisfy(d -> assertThat(d).isZero());
        assertThat(byPhase.get("B")).isEqualTo(100);
        assertThat(byPhase.get("b")).isEqualTo(101 + 2); // tasks and the 2 GC cycles
        assertThat(byPhase.get("e")).isEqualTo(101 + 2);
        assertThat(byPhase.get("f")).as("one flow arrow: the task ended on another thread").isEqualTo(1);
        assertThat(byPhase.get("X runtime")).isEqualTo(5);
        assertThat(byPhase.get("X gc")).isEqualTo(2);
        assertThat(byPhase.get("X task")).as("the flow's two anchors").isEqualTo(2);
        assertThat(byPhase.get("X state")).isPositive();
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("ph").asText()).isEqualTo("M");
            assertThat(e.get("args").get("name").asText()).isEqualTo("ender");
        });
    }
}
