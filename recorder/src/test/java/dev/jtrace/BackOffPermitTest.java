package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's back-off parks on the application's thread; it must not eat the park permit the
 * application was sent. A thread that unparks itself, records events (which back off: floods keep the small
 * generations under pressure) and then parks must never block: a watchdog counts every park that stays
 * blocked for a second (a lost wake-up) and releases it. Before the permit was given back, such parks were
 * lost within the first few hundred rounds.
 */
class BackOffPermitTest {
    @TempDir
    Path dir;

    @Test
    void anUnparkSentDuringBackPressureIsNeverLost() throws Exception {
        TraceConfig config = TraceConfig.builder().file(dir.resolve("permit.jtrace"))
                .generationPeriod(Duration.ofMillis(100)).generationMaxBytes(64 * 1024).bufferSize(4096).build();
        JTrace.start(config);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> floods = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread f = new Thread(() -> {
                while (running.get()) {
                    JTrace.log(null, "flood", "x");
                }
            }, "flood-" + i);
            f.start();
            floods.add(f);
        }
        AtomicInteger rounds = new AtomicInteger();
        Thread worker = new Thread(() -> {
            Thread me = Thread.currentThread();
            for (int i = 0; i < 1500; i++) {
                LockSupport.unpark(me); // the permit this thread's own park below must find
                for (int k = 0; k < 40; k++) {
                    JTrace.log(null, "worker", "y");
                }
                LockSupport.park(this);
                rounds.incrementAndGet();
            }
        }, "permit-worker");
        worker.start();
        int lost = 0;
        long last = -1;
        long since = System.nanoTime();
        while (worker.isAlive()) {
            worker.join(100);
            int r = rounds.get();
            if (r != last) {
                last = r;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 1_000_000_000L && LockSupport.getBlocker(worker) == this) {
                lost++; // blocked in its own park for a second: the permit was taken by someone else
                LockSupport.unpark(worker);
                since = System.nanoTime();
            }
        }
        running.set(false);
        for (Thread f : floods) {
            f.join();
        }
        JTrace.stop();
        assertThat(rounds.get()).isEqualTo(1500);
        assertThat(lost).as("parks that missed the permit their thread was sent").isZero();
    }
}
