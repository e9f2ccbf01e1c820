package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtrace.JTrace;
import dev.jtrace.ReadBack;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's wake-ups: it sleeps until its generation's period ends (at most a second) unless it is
 * needed, so an idle or steady recording wakes it about once a generation (each wake-up costs it 100 to
 * 450 us of CPU), and generations still end on time; a growing queue and threads started by the dozen
 * wake it early.
 */
class WriterWakeUpTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        JTrace.stop();
    }

    @Test
    void theWriterSleepsUntilTheGenerationEndsAndAtMostASecond() {
        long ms = 1_000_000L;
        assertThat(GenerationWriter.waitNanos(0, 1000 * ms, 0)).isEqualTo(1000 * ms);
        assertThat(GenerationWriter.waitNanos(0, 200 * ms, 150 * ms)).isEqualTo(50 * ms);
        assertThat(GenerationWriter.waitNanos(7 * ms, 200 * ms, 7 * ms)).isEqualTo(200 * ms);
        assertThat(GenerationWriter.waitNanos(0, 10_000 * ms, 0)).as("at most a second").isEqualTo(1000 * ms);
        assertThat(GenerationWriter.waitNanos(0, 5 * ms, 4 * ms)).as("at least 2 ms").isEqualTo(2 * ms);
        assertThat(GenerationWriter.waitNanos(0, 200 * ms, 900 * ms)).as("overdue: not spun on").isEqualTo(2 * ms);
    }

    @Test
    void anIdleWriterWakesOncePerGenerationAndEndsThemOnTime() throws Exception {
        Path file = dir.resolve("idle.jtrace");
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(200)).build());
        Path writer = writerTask();
        assumeTrue(writer != null, "needs Linux's /proc/self/task/TID/schedstat");
        long before = wakeUps(writer);
        Thread.sleep(1_000);
        long wakeUps = wakeUps(writer) - before;
        long longest = Session.active().longestGenerationNanos();
        JTrace.stop();
        System.out.printf("idle, 200 ms generations: %d writer wake-ups in 1 s, longest generation %.1f ms%n",
                wakeUps, longest / 1e6);
        // about 5, one per advance (the former poll, a tenth of the period, made about 55)
        assertThat(wakeUps).as("writer wake-ups in 1 s of an idle recording").isLessThan(25);
        long generations = TraceEndTest.records(file).stream().filter(r -> r.kind() == Format.REC_GEN_END).count();
        // 1 s in 200 ms generations: about 5 ended by their period and one by the stop; at least 3, since
        // on a loaded machine the writer runs late
        assertThat(generations).as("generations of 200 ms in 1 s").isGreaterThanOrEqualTo(3);
        // a sleep to the next deadline, not to the one-second cap, ends each near its 200 ms
        assertThat(longest).as("longest generation").isLessThan(TimeUnit.MILLISECONDS.toNanos(700));
    }

    @Test
    void aLongPeriodWakesTheWriterOnceASecond() throws Exception {
        JTrace.start(TraceConfig.builder().file(dir.resolve("long.jtrace")).generationPeriod(Duration.ofSeconds(30))
                .build());
        Path writer = writerTask();
        assumeTrue(writer != null, "needs Linux's /proc/self/task/TID/schedstat");
        long before = wakeUps(writer);
        Thread.sleep(3_000);
        long wakeUps = wakeUps(writer) - before;
        System.out.printf("idle, 30 s generations: %d writer wake-ups in 3 s%n", wakeUps);
        // three (the former 50 ms poll made 60)
        assertThat(wakeUps).as("writer wake-ups in 3 s").isBetween(1L, 12L);
        assertThat(Session.active().generationsWritten()).isZero();
    }

    @Test
    void handOversWakeTheWriterOnlyWhenTheQueueGrows() throws Exception {
        Path file = dir.resolve("steady.jtrace");
        int buffer = 4096;
        // one generation for the whole test, so that only hand-overs can wake the writer before its cap
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofSeconds(30)).bufferSize(buffer)
                .generationMaxBytes(256L << 20).build());
        Session s = Session.active();
        Path writer = writerTask();
        assumeTrue(writer != null, "needs Linux's /proc/self/task/TID/schedstat");
        long before = wakeUps(writer);
        // about 8 MiB a second for 2 s (counters of ~10 bytes), paced so that the writer keeps up
        long events = 0;
        long maxQueued = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 8_000; i++) {
                JTrace.counter("n", events++);
            }
            maxQueued = Math.max(maxQueued, s.queuedBytes());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        long wakeUps = wakeUps(writer) - before;
        JTrace.stop();
        // one generation: the file is its batches, one per buffer, and a few tables
        long handed = Files.size(file) / buffer;
        System.out.printf("steady: %,d events, ~%d buffers handed over, %d writer wake-ups, queue at most %.2f MiB%n",
                events, handed, wakeUps, maxQueued / 1048576.0);
        assertThat(handed).as("buffers handed over").isGreaterThan(500);
        // one wake-up per MiB queued (256 buffers) and one a second, not one per buffer
        assertThat(wakeUps).as("wake-ups for %d buffers", handed).isLessThan(handed / 8);
        // the queue is drained when it reaches a MiB: without the wake-up it grew until the second's cap
        assertThat(maxQueued).as("largest queue").isLessThan(BufferPool.WAKE_QUEUED_BYTES * 4);
        ReadBack r = ReadBack.read(file, e -> false);
        assertThat(r.problems).isEmpty();
        assertThat(r.totalLoss()).isZero();
        assertThat(r.countByType.get("Counter")).isEqualTo(events);
    }

    @Test
    void threadsStartedByTheDozenHaveTheirLanesReturnedWithinTheGeneration() throws Exception {
        JTrace.start(TraceConfig.builder().file(dir.resolve("threads.jtrace")).generationPeriod(Duration.ofSeconds(30))
                .build());
        JTrace.log(null, "main", "first");
        int baseline = Session.registeredLanes();
        int most = 0;
        for (int wave = 0; wave < 40; wave++) {
            for (int i = 0; i < 50; i++) {
                Thread t = Thread.ofPlatform().start(() -> JTrace.counter("short-lived", 1));
                t.join();
            }
            most = Math.max(most, Session.registeredLanes() - baseline);
        }
        System.out.printf("2,000 threads one after another: at most %d lanes registered beside the baseline%n", most);
        // each 64th new lane wakes the writer, which returns the dead ones: without it, up to 50 ms of
        // threads (or a second's, at the writer's cap) waited
        assertThat(most).as("lanes registered beside the baseline").isLessThanOrEqualTo(
                2 * GenerationWriter.RECLAIM_REGISTRATIONS + 16);
        assertThat(Session.active().generationsWritten()).isZero();
    }

    /**
     * The writer's task in /proc, or null where there is none (not Linux). A thread that ends while the
     * tasks are listed (the previous test's writer, joined but not yet gone from /proc) is passed over; it
     * made this return null, and the tests skip, in about one run of two.
     */
    private static Path writerTask() throws Exception {
        Path dir = Path.of("/proc/self/task");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<Path> writers = new ArrayList<>();
            try (Stream<Path> tasks = Files.list(dir)) {
                for (Path t : tasks.toList()) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals("jtrace-writer")
                                && Files.exists(t.resolve("schedstat"))) {
                            writers.add(t);
                        }
                    } catch (NoSuchFileException ended) {
                        // ended between the listing and the read
                    }
                }
            }
            if (writers.size() == 1) {
                return writers.get(0);
            }
            assertThat(System.nanoTime()).as("one jtrace-writer task, found %s", writers).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The third field of schedstat: how many times the thread ran (each wake-up is one). */
    private static long wakeUps(Path task) throws Exception {
        return Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split(" ")[2]);
    }
}
