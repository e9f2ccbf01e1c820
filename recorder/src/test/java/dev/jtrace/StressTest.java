package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Platform and virtual threads emit numbered events while generations advance every millisecond, tracing
 * is started and stopped over and over, and short-lived threads come and go. Every thread's numbers in a
 * recording must form one contiguous run (nothing lost or duplicated while tracing was on), and no number
 * may appear in two recordings.
 */
class StressTest {
    @TempDir
    Path dir;

    @Test
    void everyEventEmittedWhileTracingIsReadBackExactlyOnce() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong emitted = new AtomicLong();
        List<Thread> emitters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            emitters.add(Thread.ofPlatform().name("stress-p" + i).start(() -> emit(done, emitted)));
            emitters.add(Thread.ofVirtual().name("stress-v" + i).start(() -> emit(done, emitted)));
        }
        List<Path> files = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int round = 0;
        while (System.nanoTime() < end) {
            Path f = dir.resolve("stress-" + round++ + ".jtrace");
            files.add(f);
            JTrace.start(TraceConfig.builder().file(f).generationPeriod(Duration.ofMillis(1))
                    .bufferSize(rnd.nextBoolean() ? TraceConfig.MIN_BUFFER_SIZE : 4096).sharedLanes(4).build());
            // short-lived threads that die while their lane may still hold data
            for (int k = 0; k < 3; k++) {
                Thread.ofPlatform().start(() -> emitBurst(emitted));
            }
            LockSupport.parkNanos(Duration.ofMillis(5 + rnd.nextInt(40)).toNanos());
            if (rnd.nextBoolean()) {
                JTrace.advanceGeneration();
            }
            JTrace.stop();
            LockSupport.parkNanos(Duration.ofMillis(rnd.nextInt(5)).toNanos());
        }
        done.set(true);
        for (Thread t : emitters) {
            t.join();
        }

        Map<Long, TreeSet<Long>> seenEver = new HashMap<>();
        long read = 0;
        Map<Path, ReadBack> all = new HashMap<>();
        for (Path f : files) {
            all.put(f, ReadBack.read(f));
        }
        for (Path f : files) {
            ReadBack r = all.get(f);
            assertThat(r.problems).as("problems in " + f).isEmpty();
            assertThat(r.totalLoss()).as("losses in " + f + ": " + r.lossByReason).isZero();
            Map<Long, List<Long>> perThread = new HashMap<>();
            for (ReadBack.Ev e : r.ofType("Counter")) {
                if (e.str("name").startsWith("seq-")) {
                    assertThat(e.str("name")).as("attributed to the thread that emitted it")
                            .isEqualTo("seq-" + r.threadNames.get(e.thread()));
                }
                perThread.computeIfAbsent(e.thread(), k -> new ArrayList<>()).add(e.num("value"));
            }
            for (var entry : perThread.entrySet()) {
                List<Long> values = entry.getValue().stream().sorted().toList();
                for (int i = 1; i < values.size(); i++) {
                    if (values.get(i) != values.get(i - 1) + 1) {
                        long missing = values.get(i - 1) + 1;
                        long th = entry.getKey();
                        StringBuilder where = new StringBuilder();
                        String name = "seq-" + r.threadNames.get(th);
                        all.forEach((file, rb) -> rb.ofType("Counter").stream()
                                .filter(e -> e.num("value") == missing && (e.thread() == th || name.equals(e.str("name"))))
                                .forEach(e -> where.append(file.getFileName()).append(" gen ").append(e.gen())
                                        .append(" thread ").append(e.thread()).append(" name ").append(e.str("name"))
                                        .append(' ')));
                        keepEvidence(files);
                        throw new AssertionError("thread " + th + " (" + r.threadNames.get(th) + ") in " + f
                                + ": " + values.get(i - 1) + " then " + values.get(i) + "; missing value found in ["
                                + where + "]; events of the thread around it: " + r.events.stream()
                                        .filter(e -> e.thread() == th && e.type().equals("Counter")
                                                && Math.abs(e.num("value") - missing) < 3)
                                        .map(e -> e.gen() + ":" + e.num("value") + "@" + e.ticks()).toList());
                    }
                }
                TreeSet<Long> ever = seenEver.computeIfAbsent(entry.getKey(), k -> new TreeSet<>());
                for (long v : values) {
                    assertThat(ever.add(v)).as("value read twice").isTrue();
                }
                read += values.size();
            }
        }
        assertThat(files.size()).isGreaterThan(20);
        assertThat(read).isGreaterThan(10_000);
        assertThat(read).isLessThanOrEqualTo(emitted.get());
        // virtual threads were attributed by name as well as id
        assertThat(seenEver.size()).isGreaterThanOrEqualTo(16);
    }

    /** Copies the recordings of a failed run to target/stress-failure for `jtrace dump`. */
    private static void keepEvidence(List<Path> files) {
        try {
            Path keep = Path.of("target", "stress-failure-" + System.currentTimeMillis());
            java.nio.file.Files.createDirectories(keep);
            for (Path f : files) {
                java.nio.file.Files.copy(f, keep.resolve(f.getFileName()));
            }
            System.err.println("StressTest: recordings kept in " + keep.toAbsolutePath());
        } catch (java.io.IOException e) {
            System.err.println("StressTest: could not keep the recordings: " + e);
        }
    }

    private static void emit(AtomicBoolean done, AtomicLong emitted) {
        long n = 0;
        String seq = "seq-" + Thread.currentThread().getName(); // who emitted it, whatever the trace says
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (!done.get()) {
            for (int i = 0; i < 20; i++) {
                if (i == 10) {
                    try (Region r = JTrace.region(null, "burst")) {
                        JTrace.counter(seq, n++);
                    }
                } else {
                    JTrace.counter(seq, n++);
                }
            }
            emitted.addAndGet(20);
            LockSupport.parkNanos(50_000 + rnd.nextInt(200_000));
        }
    }

    private static void emitBurst(AtomicLong emitted) {
        for (long n = 0; n < 200; n++) {
            JTrace.counter("seq", n);
        }
        emitted.addAndGet(200);
    }
}
