package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.internal.Session;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One million virtual threads, three events each: tracer memory stays bounded by the lanes, not the threads. */
class VirtualThreadMemoryTest {
    @TempDir
    Path dir;

    @Test
    void aMillionVirtualThreadsWithBoundedTracerMemory() throws Exception {
        int threads = 1_000_000;
        Path file = dir.resolve("vt.jtrace");
        int lanesBefore = Session.registeredLanes();
        JTrace.start(TraceConfig.builder().file(file).build());
        Session session = Session.active();
        AtomicLong peakQueued = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                peakQueued.accumulateAndGet(session.queuedBytes(), Math::max);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        });
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                long v = i;
                ex.submit(() -> {
                    Task t = JTrace.newTask(null, "vt");
                    JTrace.counter("i", v);
                    t.end();
                });
            }
        }
        long bound = session.memoryBoundBytes();
        int lanesDuring = Session.registeredLanes();
        JTrace.stop();
        sampling.set(false);
        sampler.join();

        long events = 0;
        long lost = 0;
        long vthreadIds = 0;
        try (TraceReader reader = TraceReader.open(file)) {
            Generation g;
            while ((g = reader.nextGeneration()) != null) {
                for (Event e : g.events()) {
                    if (e.type().name().equals("Counter")) {
                        events++;
                    }
                }
                for (LossRecord l : g.losses()) {
                    if (dev.jtrace.format.Format.lossCountsEvents(l.reason())) {
                        lost += l.count();
                    }
                }
                vthreadIds += g.threads().values().stream().filter(t -> t.virtual()).count();
            }
            assertThat(reader.report().problems()).isEmpty();
        }
        System.out.printf("1M virtual threads: tracer buffer bound %.1f MiB (lanes x 2 x buffer + budget + pool),"
                + " peak queued %.1f MiB, platform lanes %d -> %d%n", bound / 1048576.0, peakQueued.get() / 1048576.0,
                lanesBefore, lanesDuring);
        assertThat(events + lost).isEqualTo(threads);
        assertThat(lost).isZero();
        assertThat(vthreadIds).isGreaterThanOrEqualTo(threads);
        // virtual threads never get lanes of their own: the registry grows by the sampler and the carriers at most
        assertThat(lanesDuring - lanesBefore).isLessThan(16);
        assertThat(peakQueued.get()).isLessThanOrEqualTo(session.config().maxBufferedBytes());
        assertThat(bound).isLessThan(128L << 20);
    }
}
