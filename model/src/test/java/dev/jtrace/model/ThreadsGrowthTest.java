package dev.jtrace.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.EventTypes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-thread state times survive the growth of the threads' extra columns (more than 16 threads with any). */
class ThreadsGrowthTest {
    @TempDir
    Path dir;

    @Test
    void manyThreadsWithParksAndSamples() throws Exception {
        int n = 200;
        TraceBuilder b = new TraceBuilder();
        TraceBuilder.Gen g = b.generation(0, 1_000_000);
        for (int i = 1; i <= n; i++) {
            g.event(i, i, 10 * i, EventTypes.REGION_BEGIN, 0L, "r", 0L)
                    .event(i, i, 10 * i + 5, EventTypes.REGION_END, 0L, "r")
                    .event(1000, 1000, 500_000 + i, EventTypes.PARK, (long) i, 100_000L + i, 1_000L, "x", 0L)
                    .event(1000, 1000, 600_000 + i, EventTypes.CPU_SAMPLE, (long) i, 300_000L, 0L);
        }
        g.end();
        b.generation(1_000_000, 2_000_000).end();
        TraceModel m = TraceModel.read(b.write(dir.resolve("many.jtrace")), null, null);
        for (int i = 1; i <= n; i++) {
            ModelThread t = m.threads().get(i);
            assertThat(t.nanos(ThreadState.PARKED)).as("thread %d", i).isEqualTo(1_000);
            assertThat(t.cpuSamples()).isEqualTo(1);
        }
    }
}
