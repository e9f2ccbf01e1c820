package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.BLOCK_END;
import static dev.jtrace.format.EventTypes.PARK_BEGIN;
import static dev.jtrace.format.EventTypes.UNPARK;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_MOUNT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_SUBMIT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_UNMOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTest {
    @TempDir
    Path dir;

    /** Records what the model concludes from scheduler events. */
    static final class Recorder implements ModelListener {
        final List<Wakeup> wakeups = new ArrayList<>();
        final List<CarrierRun> runs = new ArrayList<>();
        final List<Blocking> blocks = new ArrayList<>();
        final List<long[]> states = new ArrayList<>();
        /** Every state with what the model says explains it, as "thread state [start,end) blocking wakeup". */
        final List<String> causes = new ArrayList<>();

        @Override
        public void wakeup(Wakeup w) {
            wakeups.add(w);
        }

        @Override
        public void carrierRun(CarrierRun r) {
            runs.add(r);
        }

        @Override
        public void blocking(Blocking b) {
            blocks.add(b);
        }

        @Override
        public void threadState(long thread, ThreadState s, long start, long end) {
            states.add(new long[] {thread, s.ordinal(), start, end});
        }

        @Override
        public void threadState(long thread, ThreadState s, long start, long end, Blocking b, Wakeup w) {
            threadState(thread, s, start, end);
            causes.add(thread + " " + s.label + " [" + start + "," + end + ")"
                    + (b == null ? "" : " " + b.kindName() + "@" + b.start() + "+" + b.duration())
                    + (w == null ? "" : " " + w.kind().label + " by " + w.waker() + "@" + w.wakeTime()));
        }
    }

    @Test
    void everyStateCarriesTheBlockingAndWakeUpThatExplainIt() throws Exception {
        Recorder r = new Recorder();
        TraceModel.read(SchedulerCorpus.platform(dir.resolve("p.jtrace")), r, null);
        // a block's wake-up explains both its blocked part and the runnable wait after it; a permit explains
        // the park it ended and no runnable wait; a timed-out wait (thread 4) and a sleep have no waker
        assertThat(r.causes).containsExactlyInAnyOrder(
                "1 parked [100,300) park@100+250 unpark by 2@300",
                "1 runnable [300,350) unpark by 2@300",
                "1 running [350,1200)",
                "1 parked [1200,1201) park@1200+1 unpark by 2@1000",
                "1 running [1201,2000)",
                "1 waiting [2000,3000) wait@2000+1100 notifyAll by 2@3000",
                "1 runnable [3000,3100) notifyAll by 2@3000",
                "2 unknown [300,3000)",
                "3 waiting [2100,2500) wait@2100+500 notify by 2@2500",
                "3 runnable [2500,2600) notify by 2@2500",
                "3 running [2600,5000)",
                "3 sleeping [5000,5500) sleep@5000+500",
                "4 waiting [2050,4000) wait@2050+1950",
                "5 parked [6000,8000) park@6000+2000");
    }

    @Test
    void platformBlocksWakeUpsAndStates() throws Exception {
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(SchedulerCorpus.platform(dir.resolve("p.jtrace")), r, null);

        assertThat(r.wakeups).containsExactly(
                new Wakeup(2, 300, 1, 350, Wakeup.Kind.UNPARK, 100, false),
                new Wakeup(2, 1000, 1, 1201, Wakeup.Kind.UNPARK, 1200, true),
                new Wakeup(2, 2500, 3, 2600, Wakeup.Kind.NOTIFY, 2100, false),
                new Wakeup(2, 3000, 1, 3100, Wakeup.Kind.NOTIFY_ALL, 2000, false));
        assertThat(r.wakeups).extracting(Wakeup::latency).containsExactly(50L, 1L, 100L, 100L);

        ModelThread w = m.threads().get(1);
        assertThat(w.first()).isEqualTo(100);
        assertThat(w.last()).isEqualTo(3100);
        assertThat(w.nanos(ThreadState.PARKED)).isEqualTo(200 + 1);
        assertThat(w.nanos(ThreadState.RUNNABLE)).isEqualTo(50 + 100);
        assertThat(w.nanos(ThreadState.RUNNING)).isEqualTo(850 + 799);
        assertThat(w.nanos(ThreadState.WAITING)).isEqualTo(1000);
        assertThat(w.nanos(ThreadState.UNKNOWN)).isZero();

        ModelThread t3 = m.threads().get(3);
        assertThat(t3.nanos(ThreadState.WAITING)).isEqualTo(400);
        assertThat(t3.nanos(ThreadState.RUNNABLE)).isEqualTo(100);
        assertThat(t3.nanos(ThreadState.RUNNING)).isEqualTo(2400);
        assertThat(t3.nanos(ThreadState.SLEEPING)).isEqualTo(500);
        // the waiter of the other class matched neither the notify (taken) nor the notifyAll (app.Queue's)
        ModelThread t4 = m.threads().get(4);
        assertThat(t4.nanos(ThreadState.WAITING)).isEqualTo(1950);
        assertThat(t4.nanos(ThreadState.RUNNABLE)).isZero();
        // the waker did nothing the trace can name
        assertThat(m.threads().get(2).nanos(ThreadState.UNKNOWN)).isEqualTo(2700);
        assertThat(m.threads().contains(99)).isFalse();

        assertThat(r.blocks).extracting(Blocking::kindName)
                .containsExactly("park", "park", "wait", "wait", "wait", "sleep", "park");
        assertThat(r.blocks).extracting(Blocking::callSiteName).containsExactly("app.Service.call(F.java:13)",
                "(short, no stack) app.Lock", "app.Queue.take(F.java:12)", "app.Queue.take(F.java:12)",
                "app.Other.poll(F.java:12)", "app.Main.pause(F.java:11)", "jdk.internal.misc.Unsafe.park(F.java:10)");
        assertThat(r.blocks).extracting(Blocking::duration).containsExactly(250L, 1L, 500L, 1100L, 1950L, 500L, 2000L);
        assertThat(r.blocks).extracting(Blocking::idle).containsExactly(false, false, false, false, false, false, true);
        assertThat(m.threads().get(5).nanos(ThreadState.PARKED)).isEqualTo(2000);
        assertThat(r.blocks.get(2).thread()).isEqualTo(3);
        assertThat(r.blocks.get(0).detail()).isEqualTo("app.Lock");

        TraceSummary s = m.summary();
        assertThat(s.wakeups()).isEqualTo(4);
        assertThat(s.wakeupsByKind()).containsEntry("unpark", 2L).containsEntry("notify", 1L)
                .containsEntry("notifyAll", 1L).doesNotContainKey("submit");
        assertThat(s.supersededBlocking()).isEqualTo(2);
        assertThat(s.invalidTransitions()).isZero();
        assertThat(s.blockEndsWithoutBegin()).isZero();
        StateMachineTest.assertTiles(m, r.states);
        assertThat(m.schedulerOpenThreads()).as("nothing left open").isZero();
    }

    @Test
    void virtualThreadSubmitMountUnmount() throws Exception {
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(SchedulerCorpus.virtual(dir.resolve("v.jtrace")), r, null);

        assertThat(r.wakeups).containsExactly(
                new Wakeup(1, 100, 100, 200, Wakeup.Kind.SUBMIT, Long.MIN_VALUE, false),
                new Wakeup(1, 300, 101, 350, Wakeup.Kind.SUBMIT, Long.MIN_VALUE, false),
                new Wakeup(1, 400, 102, 460, Wakeup.Kind.SUBMIT, Long.MIN_VALUE, false),
                new Wakeup(1, 510, 100, 600, Wakeup.Kind.SUBMIT, 310, false),
                new Wakeup(1, 500, 100, 610, Wakeup.Kind.UNPARK, 300, false),
                new Wakeup(11, 720, 100, 800, Wakeup.Kind.SUBMIT, 710, false));
        assertThat(r.runs).containsExactly(new CarrierRun(10, 100, 200, 310, false),
                new CarrierRun(11, 101, 350, 450, false), new CarrierRun(11, 102, 460, 560, false),
                new CarrierRun(11, 100, 600, 710, false), new CarrierRun(10, 100, 800, 900, false));

        ModelThread vt = m.threads().get(100);
        assertThat(vt.virtual()).isTrue();
        assertThat(vt.carrier()).isEqualTo(10);
        assertThat(vt.first()).isEqualTo(100);
        assertThat(vt.last()).isEqualTo(900);
        assertThat(vt.nanos(ThreadState.RUNNABLE)).isEqualTo(100 + 90 + 90);
        assertThat(vt.nanos(ThreadState.RUNNING)).isEqualTo(100 + 110 + 100);
        assertThat(vt.nanos(ThreadState.PARKED)).isEqualTo(210);
        assertThat(vt.nanos(ThreadState.UNKNOWN)).isZero();
        assertThat(m.threads().get(10).nanos(ThreadState.RUNNING)).isEqualTo(700);
        assertThat(m.threads().get(11).nanos(ThreadState.RUNNING)).isEqualTo(720 - 350);
        assertThat(m.threads().get(101).nanos(ThreadState.RUNNABLE)).isEqualTo(50);
        assertThat(m.threads().get(101).nanos(ThreadState.RUNNING)).isEqualTo(100);
        assertThat(m.threads().get(102).nanos(ThreadState.RUNNABLE)).isEqualTo(60);
        assertThat(m.threads().get(102).displayName()).isEqualTo("virtual thread #102");
        // a virtual thread's wait for a carrier is explained by its submit, not by the unpark that preceded it
        assertThat(r.causes).filteredOn(c -> c.startsWith("100 ")).containsExactly(
                "100 runnable [100,200) submit by 1@100",
                "100 running [200,300)",
                "100 parked [300,510) park@300+310 unpark by 1@500",
                "100 runnable [510,600) submit by 1@510",
                "100 running [600,710)",
                "100 runnable [710,800) submit by 11@720",
                "100 running [800,900)");
        assertThat(r.blocks).singleElement().satisfies(bl -> {
            assertThat(bl.thread()).isEqualTo(100);
            assertThat(bl.start()).isEqualTo(300);
            assertThat(bl.duration()).isEqualTo(310);
            assertThat(bl.callSiteName()).isEqualTo("app.Handler.await(F.java:11)");
        });
        TraceSummary s = m.summary();
        assertThat(s.carrierRuns()).isEqualTo(5);
        assertThat(s.wakeupsByKind()).containsEntry("submit", 5L).containsEntry("unpark", 1L);
        assertThat(s.invalidTransitions()).isZero();
        StateMachineTest.assertTiles(m, r.states);
        assertThat(m.schedulerOpenThreads()).isZero();
    }

    @Test
    void aMountStillOpenAtTheEndEndsThereFlagged() throws Exception {
        TraceBuilder b = new TraceBuilder();
        b.generation(0, 1_000).thread(100, "", true)
                .event(1, 1, 100, VIRTUAL_THREAD_SUBMIT, 100L)
                .event(10, 10, 200, VIRTUAL_THREAD_MOUNT, 100L).end();
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("o.jtrace")), r, null);
        assertThat(r.runs).containsExactly(new CarrierRun(10, 100, 200, 1_000, true));
        assertThat(m.summary().wakeups()).isEqualTo(1);
    }

    @Test
    void manyParksAcrossGenerationsLeaveNothingOpenAndKeepTheirStates() throws Exception {
        long sec = 1_000_000_000L;
        TraceBuilder b = new TraceBuilder();
        int threads = 200;
        for (int gen = 0; gen < 4; gen++) {
            var g = b.generation(gen * sec, (gen + 1) * sec);
            for (long t = 1; t <= threads; t++) {
                long base = gen * sec + t * 1_000;
                g.event(t, t, base, PARK_BEGIN, null, 0L);
                g.event(1_000, 1_000, base + 400, UNPARK, t);
                g.event(t, t, base + 500, BLOCK_END, 0L);
            }
            g.end();
        }
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("many.jtrace")), r, null);
        assertThat(r.wakeups).hasSize(4 * threads);
        assertThat(r.wakeups).allSatisfy(w -> assertThat(w.latency()).isEqualTo(100));
        for (long t = 1; t <= threads; t++) {
            ModelThread th = m.threads().get(t);
            assertThat(th.nanos(ThreadState.PARKED)).as("thread %d", t).isEqualTo(4 * 400);
            assertThat(th.nanos(ThreadState.RUNNABLE)).isEqualTo(4 * 100);
            // running between its parks, whatever generations they are in
            assertThat(th.nanos(ThreadState.RUNNING)).isEqualTo(3 * (sec - 500));
        }
        assertThat(m.schedulerOpenThreads()).isZero();
        assertThat(m.summary().invalidTransitions()).isZero();
    }

    @Test
    void brokenSequencesAreCountedAndStillTileEveryThread() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 10_000).thread(1, "t", false).thread(100, "vt", true);
        g.event(1, 1, 100, BLOCK_END, 0L); // its begin was lost
        g.event(1, 1, 200, PARK_BEGIN, null, 0L);
        g.event(1, 1, 300, PARK_BEGIN, null, 0L); // the first park's end was lost
        g.event(2, 2, 350, UNPARK, 1L);
        g.event(2, 2, 360, UNPARK, 1L); // a second unpark of a thread already woken: no second edge
        g.event(1, 1, 400, BLOCK_END, 0L);
        g.event(1, 1, 500, PARK_BEGIN, null, 0L); // no permit left by the second unpark
        g.event(1, 1, 600, BLOCK_END, 0L);
        g.event(10, 10, 1_000, VIRTUAL_THREAD_MOUNT, 100L);
        g.event(11, 11, 1_100, VIRTUAL_THREAD_MOUNT, 100L); // mounted again without unmount
        g.event(10, 10, 1_200, VIRTUAL_THREAD_UNMOUNT, 100L); // the carrier no longer runs it
        g.event(11, 11, 1_300, VIRTUAL_THREAD_UNMOUNT, 100L);
        g.event(12, 12, 1_400, VIRTUAL_THREAD_UNMOUNT, 100L); // not mounted
        g.end();
        Recorder r = new Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("broken.jtrace")), r, null);
        TraceSummary s = m.summary();
        assertThat(s.blockEndsWithoutBegin()).isEqualTo(1);
        assertThat(s.blocksWithoutEnd()).isEqualTo(1);
        assertThat(s.unmatchedUnmounts()).isEqualTo(2);
        assertThat(s.semanticWarnings()).contains("1 x block end without begin",
                "2 x virtual thread unmount without its mount");
        assertThat(r.wakeups).containsExactly(new Wakeup(2, 350, 1, 400, Wakeup.Kind.UNPARK, 300, false));
        assertThat(r.blocks).extracting(Blocking::start).containsExactly(300L, 500L);
        assertThat(r.runs).containsExactly(new CarrierRun(10, 100, 1_000, 1_100, false),
                new CarrierRun(11, 100, 1_100, 1_300, false));
        ModelThread t = m.threads().get(1);
        assertThat(t.nanos(ThreadState.PARKED)).isEqualTo(150 + 100);
        assertThat(t.nanos(ThreadState.RUNNABLE)).isEqualTo(50);
        StateMachineTest.assertTiles(m, r.states);
        assertThat(m.schedulerOpenThreads()).isZero();
    }
}
