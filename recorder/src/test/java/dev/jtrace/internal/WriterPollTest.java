package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's poll: an idle recording wakes the writer a few dozen times a second, not every 2 ms (each
 * wake-up costs tens of microseconds of CPU), and generations still end on time.
 */
class WriterPollTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        JTrace.stop();
    }

    @Test
    void pollIsATenthOfThePeriodBetween2And50Ms() {
        assertThat(GenerationWriter.pollNanos(Duration.ofSeconds(1).toNanos())).isEqualTo(50_000_000L);
        assertThat(GenerationWriter.pollNanos(Duration.ofMillis(200).toNanos())).isEqualTo(20_000_000L);
        assertThat(GenerationWriter.pollNanos(Duration.ofMillis(5).toNanos())).isEqualTo(2_000_000L);
    }

    @Test
    void anIdleWriterWakesRarelyAndStillEndsGenerationsOnTime() throws Exception {
        Path file = dir.resolve("idle.jtrace");
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(200)).build());
        Path writer = writerTask();
        assumeTrue(writer != null, "needs Linux's /proc/self/task/TID/schedstat");
        long before = wakeUps(writer);
        Thread.sleep(1_000);
        long wakeUps = wakeUps(writer) - before;
        JTrace.stop();
        // 20 ms polls and 5 advances: about 55 (the 2 ms poll made 500); a loaded machine only delays them
        assertThat(wakeUps).as("writer wake-ups in 1 s of an idle recording").isLessThan(150);
        long generations = TraceEndTest.records(file).stream().filter(r -> r.kind() == Format.REC_GEN_END).count();
        // 1 s in 200 ms generations: about 5 ended by their period and one by the stop; without the poll's
        // check only the stop would end one. At least 3: on a loaded machine the writer runs late
        assertThat(generations).as("generations of 200 ms in 1 s").isGreaterThanOrEqualTo(3);
    }

    private static Path writerTask() throws Exception {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                if (Files.readString(t.resolve("comm")).strip().equals("jtrace-writer")
                        && Files.exists(t.resolve("schedstat"))) {
                    return t;
                }
            }
        } catch (java.io.IOException noProc) {
            return null;
        }
        return null;
    }

    /** The third field of schedstat: how many times the thread ran (each wake-up is one). */
    private static long wakeUps(Path task) throws Exception {
        return Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split(" ")[2]);
    }
}
