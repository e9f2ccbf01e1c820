package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.ReadBack;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When back-off stops waiting for the writer (docs/design.md, "Back-pressure"): soon when the writer is
 * blocked on something that may be the waiting thread itself, never within a second when it is only busy.
 * Giving up on a busy writer (the old rule: no progress for a second) released every waiter at once to take
 * the processor from it, and under a full test run a generation of 4.1 s against a 0.5 s period was seen.
 */
class BackOffGiveUpTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        Faults.disarm();
        JTrace.stop();
    }

    private static TraceConfig pressured(Path file) {
        // generations fill after a few buffers: the floods below are under pressure all the time
        return TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(100))
                .generationMaxBytes(64 * 1024).bufferSize(4096).build();
    }

    /** Floods of log events on {@code n} threads until stopped; counts the calls that returned. */
    private static Thread[] floods(int n, AtomicBoolean running, AtomicLong emitted) {
        Thread[] t = new Thread[n];
        for (int i = 0; i < n; i++) {
            t[i] = Thread.ofPlatform().name("flood-" + i).start(() -> {
                long k = 0;
                while (running.get()) {
                    JTrace.log(null, "flood", "x");
                    k++;
                }
                emitted.addAndGet(k);
            });
        }
        return t;
    }

    @Test
    void aBusyWriterIsWaitedForAndNothingIsDropped() throws Exception {
        Path file = dir.resolve("busy.jtrace");
        JTrace.start(pressured(file));
        Session s = Session.ACTIVE;
        AtomicBoolean busyDone = new AtomicBoolean();
        // the writer stays on the processor for 2.5 s before a generation's tables, beating nothing: busy,
        // not blocked (no sink call, no lane held by a blocked thread)
        Faults.armAction(s.writerThread(), Faults.Step.TABLES, () -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            busyDone.set(true);
        });
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong emitted = new AtomicLong();
        Thread[] t = floods(3, running, emitted);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!busyDone.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(busyDone).as("the writer reached its tables and was busy for 2.5 s").isTrue();
        Thread.sleep(200);
        running.set(false);
        for (Thread x : t) {
            x.join();
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.lossByReason).as("events dropped while the writer was only busy")
                .doesNotContainKeys(Format.LOSS_GENERATION_FULL, Format.LOSS_BACKPRESSURE);
        assertThat(r.lossByReason).as("the floods waited for it").containsKey(Format.LOSS_BACKPRESSURE_WAIT);
        assertThat((long) r.ofType("Log").size()).isEqualTo(emitted.get());
    }

    @Test
    void aWriterWaitingForABlockedHolderIsGivenUpOnWithinSeconds() throws Exception {
        Path file = dir.resolve("blocked.jtrace");
        JTrace.start(pressured(file));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean timedOut = new AtomicBoolean();
        // The holder's toString() runs inside its event, holding its lane, and waits for the flood below to
        // make progress; the flood backs off until the advance, which waits for the holder's lane. Only
        // giving up on that advance lets both go on.
        Object waitsForTheFlood = new Object() {
            @Override
            public String toString() {
                inside.countDown();
                try {
                    timedOut.set(!release.await(60, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "released";
            }
        };
        Thread holder = Thread.ofPlatform().name("holder").start(() -> JTrace.log(null, "held", waitsForTheFlood));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        Thread flood = Thread.ofPlatform().name("flood").start(() -> {
            for (int i = 0; i < 200_000; i++) {
                JTrace.log(null, "flood", "x");
            }
            release.countDown();
        });
        assertThat(release.await(30, TimeUnit.SECONDS)).as("the flood went on past the blocked advance").isTrue();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        flood.join();
        holder.join();
        assertThat(timedOut).isFalse();
        // a second of waiting per generation it gives up on, not the ten a busy writer is given
        assertThat(tookMs).as("time until the flood gave up waiting").isLessThan(8_000);
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Log").stream().filter(e -> "released".equals(e.str("message"))).count()).isEqualTo(1);
        long flooded = r.ofType("Log").stream().filter(e -> "flood".equals(e.str("category"))).count();
        long dropped = r.loss(Format.LOSS_GENERATION_FULL) + r.loss(Format.LOSS_BACKPRESSURE);
        assertThat(dropped).as("events dropped once the wait was given up").isPositive();
        assertThat(flooded + dropped).isEqualTo(200_000);
    }
}
