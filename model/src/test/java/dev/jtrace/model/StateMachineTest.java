package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.ALLOC_SAMPLE;
import static dev.jtrace.format.EventTypes.CPU_SAMPLE;
import static dev.jtrace.format.EventTypes.GC_PAUSE;
import static dev.jtrace.format.EventTypes.GC_PHASE;
import static dev.jtrace.format.EventTypes.LOG;
import static dev.jtrace.format.EventTypes.MONITOR_BLOCKED;
import static dev.jtrace.format.EventTypes.PARK;
import static dev.jtrace.format.EventTypes.REGION_BEGIN;
import static dev.jtrace.format.EventTypes.REGION_END;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateMachineTest {
    @TempDir
    Path dir;

    /** Records every state interval, to check they tile each thread's lifetime. */
    static final class Recorder implements ModelListener {
        final List<long[]> intervals = new ArrayList<>();

        @Override
        public void threadState(long thread, ThreadState s, long start, long end) {
            intervals.add(new long[] {thread, s.ordinal(), start, end});
        }
    }

    private static void assertTiles(TraceModel m, Recorder r) {
        assertTiles(m, r.intervals);
    }

    /** Every thread's states add up to its lifetime, and its intervals ({thread, state, start, end}) tile it. */
    static void assertTiles(TraceModel m, List<long[]> intervals) {
        for (ModelThread t : m.threads()) {
            long sum = 0;
            for (long n : t.stateNanos()) {
                sum += n;
            }
            assertThat(sum).as("states of %s add up to its lifetime", t.displayName()).isEqualTo(t.lifetime());
            long at = t.first();
            for (long[] iv : intervals) {
                if (iv[0] == t.id()) {
                    assertThat(iv[2]).as("intervals of %s follow each other", t.id()).isEqualTo(at);
                    at = iv[3];
                }
            }
            if (t.lifetime() > 0) {
                assertThat(at).isEqualTo(t.last());
            }
        }
    }

    @Test
    void gcPauseOverParkAndRegionSplitsByPriority() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000).thread(1, "worker", false).thread(99, "jtrace-jfr-bridge", false);
        g.event(1, 1, 100, REGION_BEGIN, 0L, "work", 0L).event(1, 1, 900, REGION_END, 0L, "work");
        // reported late, by the bridge: park [300, 600), GC pause [500, 700)
        g.event(2, 99, 950, PARK, 1L, 300L, 300L, "java.util.concurrent.locks.ReentrantLock$NonfairSync", 0L);
        g.event(2, 99, 960, GC_PAUSE, 1L, 500L, 200L, "G1New", "G1 Evacuation Pause");
        g.end();
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("t.jtrace")), r, null);
        ModelThread w = m.threads().get(1);
        assertThat(w.name()).isEqualTo("worker");
        assertThat(w.first()).isEqualTo(100);
        assertThat(w.last()).isEqualTo(900);
        assertThat(w.nanos(ThreadState.RUNNING)).isEqualTo(200 + 200);
        assertThat(w.nanos(ThreadState.PARKED)).isEqualTo(200);
        assertThat(w.nanos(ThreadState.GC_PAUSE)).isEqualTo(200);
        assertThat(w.nanos(ThreadState.UNKNOWN)).isZero();
        // the bridge wrote events about thread 1 only: it is not a thread of the trace
        assertThat(m.threads().contains(99)).isFalse();
        assertThat(m.summary().threads()).isEqualTo(1);
        assertTiles(m, r);
    }

    @Test
    void threadSeenOnlyThroughSamplesIsUnknownNotRunning() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 20_000_000_000L).thread(99, "bridge", false);
        for (long t : new long[] {1_000, 5_000_000_000L, 19_700_000_000L}) {
            g.event(2, 99, t + 10, ALLOC_SAMPLE, 7L, t, "byte[]", 4096L, 0L);
        }
        g.event(2, 99, 19_800_000_000L, CPU_SAMPLE, 7L, 19_800_000_000L, 0L);
        g.end();
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("s.jtrace")), r, null);
        ModelThread c = m.threads().get(7);
        assertThat(c.lifetime()).isEqualTo(19_800_000_000L - 1_000);
        assertThat(c.nanos(ThreadState.RUNNING)).isZero();
        assertThat(c.nanos(ThreadState.UNKNOWN)).isEqualTo(c.lifetime());
        assertThat(c.allocSamples()).isEqualTo(3);
        assertThat(c.cpuSamples()).isEqualTo(1);
        assertTiles(m, r);
    }

    @Test
    void monitorBeatsParkAndUnknownOutsideRegions() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000).thread(1, "t", false);
        g.event(1, 1, 100, LOG, 0L, "c", "m", 0L); // seen at 100, outside any region
        g.event(1, 1, 400, REGION_BEGIN, 0L, null, 0L).event(1, 1, 800, REGION_END, 0L, "");
        g.event(2, 99, 990, PARK, 1L, 200L, 400L, null, 0L); // [200, 600)
        g.event(2, 99, 991, MONITOR_BLOCKED, 1L, 500L, 200L, "app.Cache", 0L); // [500, 700)
        g.end();
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("m.jtrace")), r, null);
        ModelThread t = m.threads().get(1);
        assertThat(t.nanos(ThreadState.UNKNOWN)).isEqualTo(100); // [100, 200)
        assertThat(t.nanos(ThreadState.PARKED)).isEqualTo(300); // [200, 500)
        assertThat(t.nanos(ThreadState.BLOCKED)).isEqualTo(200); // [500, 700)
        assertThat(t.nanos(ThreadState.RUNNING)).isEqualTo(100); // [700, 800): the unnamed region matched ""
        assertThat(m.summary().regionBeginMissing()).isZero();
        assertTiles(m, r);
    }

    @Test
    void parkInObjectWaitIsWaitingAndInSocketCodeIsIo() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000);
        g.event(2, 99, 900, PARK, 1L, 0L, 100L, null,
                g.stack("java.lang.Object.wait0", "java.lang.Object.wait", "app.Main.run"));
        g.event(2, 99, 901, PARK, 1L, 100L, 100L, null,
                g.stack("jdk.internal.misc.Unsafe.park", "sun.nio.ch.NioSocketImpl.park", "app.Client.read"));
        g.end();
        TraceModel m = TraceModel.read(b.write(dir.resolve("w.jtrace")), null, null);
        ModelThread t = m.threads().get(1);
        assertThat(t.nanos(ThreadState.WAITING)).isEqualTo(100);
        assertThat(t.nanos(ThreadState.IO)).isEqualTo(100);
    }

    @Test
    void concurrentCycleIsNotAPauseItsPhasesAre() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000_000).thread(1, "t", false);
        g.event(1, 1, 0, REGION_BEGIN, 0L, "all", 0L).event(1, 1, 1_000_000, REGION_END, 0L, "all");
        g.event(2, 99, 300_000, GC_PHASE, 5L, 100_000L, 10_000L, "Pause Remark");
        g.event(2, 99, 300_001, GC_PHASE, 5L, 239_000L, 5_000L, "Pause Cleanup");
        g.event(2, 99, 300_002, GC_PAUSE, 5L, 50_000L, 15_000L, "G1Old", "G1 Periodic Collection");
        g.end();
        TraceModel m = TraceModel.read(b.write(dir.resolve("g.jtrace")), null, null);
        assertThat(m.gc().pauses()).extracting(GcPause::start).containsExactly(100_000L, 239_000L);
        assertThat(m.gc().cycles()).singleElement().satisfies(c -> {
            assertThat(c.start()).isEqualTo(50_000);
            assertThat(c.end()).isEqualTo(244_000);
            assertThat(c.pauses()).isEqualTo(2);
            assertThat(c.pauseNanos()).isEqualTo(15_000);
            assertThat(c.name()).isEqualTo("G1Old");
        });
        assertThat(m.gc().totalPauseNanos()).isEqualTo(15_000);
        assertThat(m.threads().get(1).nanos(ThreadState.GC_PAUSE)).isEqualTo(15_000);
    }

    @Test
    void runtimeEventsWithinTheLagCountLaterOnesAreClippedAndCounted() throws Exception {
        long sec = 1_000_000_000L;
        long ms = 1_000_000L;
        TraceBuilder b = new TraceBuilder();
        b.generation(0, sec).thread(1, "t", false)
                .event(1, 1, 100 * ms, REGION_BEGIN, 0L, "a", 0L).event(1, 1, 900 * ms, REGION_END, 0L, "a").end();
        b.generation(sec, 2 * sec).thread(1, "t", false)
                .event(1, 1, 1_100 * ms, REGION_BEGIN, 0L, "b", 0L).event(1, 1, 1_900 * ms, REGION_END, 0L, "b")
                // 650 ms late: within the lag (at least 1 s), counts; the lag becomes 1.3 s
                .event(2, 99, 1_500 * ms, PARK, 1L, 800 * ms, 50 * ms, null, 0L)
                .end();
        for (long g = 2; g <= 3; g++) {
            b.generation(g * sec, (g + 1) * sec).thread(1, "t", false)
                    .event(1, 1, g * sec + 100 * ms, LOG, 0L, "c", "m", 0L).end();
        }
        // after generation 4 the thread is swept to 3 s - 1.3 s: a park at 200 ms reported now is too late
        b.generation(4 * sec, 5 * sec).thread(1, "t", false)
                .event(1, 1, 4_100 * ms, LOG, 0L, "c", "m", 0L)
                .event(2, 99, 4_500 * ms, PARK, 1L, 200 * ms, 100 * ms, null, 0L)
                .end();
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("l.jtrace")), r, null);
        ModelThread t = m.threads().get(1);
        assertThat(t.nanos(ThreadState.PARKED)).isEqualTo(50 * ms);
        assertThat(m.summary().lateStateNanos()).isEqualTo(100 * ms);
        assertThat(t.nanos(ThreadState.RUNNING)).isEqualTo(800 * ms - 50 * ms + 800 * ms);
        assertTiles(m, r);
    }

    @Test
    void transitionsAreValidatedAndTakeEffect() throws Exception {
        TraceBuilder b = new TraceBuilder();
        b.generation(0, 1_000).thread(1, "t", false)
                .event(1, 1, 100, LOG, 0L, "c", "m", 0L).event(1, 1, 900, LOG, 0L, "c", "m", 0L).end();
        TraceModel m = new TraceModel(null);
        try (var reader = dev.jtrace.reader.TraceReader.open(b.write(dir.resolve("x.jtrace")))) {
            m.add(reader.nextGeneration());
            m.states().transition(1, 950, ThreadState.RUNNABLE);
            m.states().transition(1, 980, ThreadState.RUNNING);
            m.states().transition(1, 990, ThreadState.RUNNING); // already running: invalid, counted
            m.states().transition(1, 995, ThreadState.GC_PAUSE); // pauses come from GC events: invalid
            m.complete(reader.report());
        }
        ModelThread t = m.threads().get(1);
        assertThat(t.nanos(ThreadState.RUNNABLE)).isEqualTo(30);
        assertThat(t.nanos(ThreadState.RUNNING)).isEqualTo(15);
        assertThat(t.nanos(ThreadState.UNKNOWN)).isEqualTo(850);
        assertThat(m.summary().invalidTransitions()).isEqualTo(2);
        assertThat(StateMachine.allowed(ThreadState.PARKED, ThreadState.BLOCKED)).isFalse();
        assertThat(StateMachine.allowed(ThreadState.PARKED, ThreadState.RUNNABLE)).isTrue();
    }

    @Test
    void manyThreadsWithBlockingEachKeepTheirOwnTimes() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000_000);
        for (long t = 1; t <= 300; t++) {
            g.event(2, 99, 900_000 + t, PARK, t, t * 10, t, null, 0L);
            g.event(2, 99, 900_500 + t, CPU_SAMPLE, t, t * 10 + t, 0L);
        }
        g.end();
        TraceModel m = TraceModel.read(b.write(dir.resolve("many.jtrace")), null, null);
        assertThat(m.threads().size()).isEqualTo(300);
        for (long t = 1; t <= 300; t++) {
            ModelThread th = m.threads().get(t);
            assertThat(th.nanos(ThreadState.PARKED)).as("thread %d", t).isEqualTo(t);
            assertThat(th.cpuSamples()).isEqualTo(1);
        }
    }

    @Test
    void aLateIntervalBeforeAThreadsFirstEventMovesItsStartWhileNoSweepPassedIt() throws Exception {
        long sec = 1_000_000_000L;
        TraceBuilder b = new TraceBuilder();
        b.generation(0, sec).thread(1, "t", false).event(1, 1, 500_000, REGION_BEGIN, 0L, "r", 0L)
                .event(1, 1, 600_000, REGION_END, 0L, "r").end();
        // the park before the thread's first event comes a generation later (waiting in a queue, then work)
        b.generation(sec, 2 * sec).event(2, 99, sec + 10, PARK, 1L, 100_000L, 350_000L, null, 0L).end();
        TraceModel m = TraceModel.read(b.write(dir.resolve("first.jtrace")), null, null);
        ModelThread t = m.threads().get(1);
        assertThat(t.first()).isEqualTo(100_000);
        assertThat(t.nanos(ThreadState.PARKED)).isEqualTo(350_000);
        assertThat(m.summary().lateStateNanos()).isZero();
    }
}
