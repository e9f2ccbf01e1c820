package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.BLOCK_END;
import static dev.jtrace.format.EventTypes.NOTIFY;
import static dev.jtrace.format.EventTypes.PARK_BEGIN;
import static dev.jtrace.format.EventTypes.SLEEP_BEGIN;
import static dev.jtrace.format.EventTypes.SOCKET_READ;
import static dev.jtrace.format.EventTypes.UNPARK;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_MOUNT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_SUBMIT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_UNMOUNT;
import static dev.jtrace.format.EventTypes.WAIT_BEGIN;
import static dev.jtrace.format.EventTypes.YIELD;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scheduler events in any order a broken or hostile writer could produce (ends without begins, unmounts
 * without mounts, wake-ups of threads that never appear, ids 0 and 2^63-1, monitors shared by hash, events
 * lost in between, I/O spans from before the trace): the model reads every such trace without an exception,
 * and what it delivers stays consistent: every thread's states tile its lifetime, wake-ups resume no earlier
 * than they were sent, carrier runs do not end before they begin.
 */
class SchedulerFuzzTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void anyOrderOfSchedulerEventsIsReadConsistently(long seed) throws Exception {
        Random rnd = new Random(seed);
        long[] ids = {1, 2, 3, 4, 5, 0, Long.MAX_VALUE, 77};
        TraceBuilder b = new TraceBuilder();
        long t = 1_000;
        for (int gen = 0; gen < 3; gen++) {
            long start = t;
            var g = b.generation(start, start + 100_000);
            for (int i = 1; i <= 5; i++) {
                g.thread(i, "t" + i, i >= 4);
            }
            for (int k = 0; k < 400; k++) {
                t += 1 + rnd.nextInt(200);
                long writer = 1 + rnd.nextInt(5);
                long other = ids[rnd.nextInt(ids.length)];
                switch (rnd.nextInt(11)) {
                    case 0 -> g.event(writer, writer, t, PARK_BEGIN, rnd.nextBoolean() ? "app.Lock" : null,
                            (long) rnd.nextInt(1000));
                    case 1 -> g.event(writer, writer, t, WAIT_BEGIN, "app.Mon", (long) rnd.nextInt(3), 0L);
                    case 2 -> g.event(writer, writer, t, SLEEP_BEGIN, 500L);
                    case 3, 4 -> g.event(writer, writer, t, BLOCK_END, rnd.nextBoolean() ? g.stack("app.A.run") : 0L);
                    case 5 -> g.event(writer, writer, t, UNPARK, other);
                    case 6 -> g.event(writer, writer, t, NOTIFY, (long) rnd.nextInt(3), (long) rnd.nextInt(2));
                    case 7 -> g.event(writer, writer, t, VIRTUAL_THREAD_MOUNT, other);
                    case 8 -> g.event(writer, writer, t, VIRTUAL_THREAD_UNMOUNT, other);
                    case 9 -> g.event(writer, writer, t, VIRTUAL_THREAD_SUBMIT, other);
                    default -> {
                        if (rnd.nextBoolean()) {
                            g.event(writer, writer, t, YIELD);
                        } else { // late I/O, possibly about a time before the trace
                            g.event(writer, writer, t, SOCKET_READ, writer, t - rnd.nextInt(5_000), (long) rnd.nextInt(3_000),
                                    "h:1", 10L, 0L);
                        }
                    }
                }
            }
            t = Math.max(t, start + 100_000) + 10;
            g.end();
        }
        List<Wakeup> wakeups = new ArrayList<>();
        List<CarrierRun> runs = new ArrayList<>();
        TraceModel m = TraceModel.read(b.write(dir.resolve("fuzz-" + seed + ".jtrace")), new ModelListener() {
            @Override
            public void wakeup(Wakeup w) {
                wakeups.add(w);
            }

            @Override
            public void carrierRun(CarrierRun r) {
                runs.add(r);
            }
        }, null);
        assertThat(wakeups).allSatisfy(w -> assertThat(w.resumeTime()).isGreaterThanOrEqualTo(w.wakeTime()))
                .allSatisfy(w -> assertThat(w.latency()).isNotNegative());
        assertThat(runs).allSatisfy(r -> assertThat(r.end()).isGreaterThanOrEqualTo(r.start()));
        for (int i = 1; i <= 5; i++) {
            ModelThread th = m.threads().get(i);
            long sum = 0;
            for (ThreadState s : ThreadState.values()) {
                assertThat(th.nanos(s)).as("thread %d %s", i, s).isNotNegative();
                sum += th.nanos(s);
            }
            assertThat(sum).as("thread %d: its states tile its lifetime", i).isEqualTo(th.lifetime());
        }
        assertThat(m.summary().events()).isEqualTo(3 * 400);
    }
}
