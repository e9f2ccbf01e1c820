package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightRecorderTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        JTrace.stop();
    }

    private static TraceConfig fast() {
        return TraceConfig.builder().generationPeriod(Duration.ofMillis(2)).build();
    }

    @Test
    void windowStaysWithinMaxBytesAndTheSnapshotReadsBack() throws Exception {
        long maxBytes = 256 * 1024;
        FlightRecorder fr = new FlightRecorder(fast(), Duration.ofSeconds(60), maxBytes);
        fr.start();
        try {
            assertThat(JTrace.isEnabled()).isTrue();
            for (int i = 0; i < 200_000; i++) {
                JTrace.counter("n", i);
                if (i % 10_000 == 0) {
                    assertThat(fr.windowBytes() - fr.newestGenerationBytes()).isLessThanOrEqualTo(maxBytes);
                    LockSupport.parkNanos(3_000_000);
                }
            }
            // its own small generation, so that maxBytes (which wins over recency for all but the newest
            // generation) cannot push it out when the snapshot cuts the next one
            JTrace.advanceGeneration();
            JTrace.log(null, "marker", "last");
            Path out = dir.resolve("fr.jtrace");
            long written = fr.writeTo(out);
            // (the window itself may have moved on since: generations complete every 2 ms)
            assertThat(written).isEqualTo(java.nio.file.Files.size(out));
            assertThat(fr.windowBytes() - fr.newestGenerationBytes()).isLessThanOrEqualTo(maxBytes);
            // maxBytes bounds every generation of the snapshot but its newest (measured on the file: the window's
            // own newest generation may already be a later one, which made a bound read from it flaky)
            long[] sizes;
            try (dev.jtrace.reader.TraceReader tr = dev.jtrace.reader.TraceReader.open(out)) {
                java.util.List<Long> l = new java.util.ArrayList<>();
                for (dev.jtrace.reader.Generation g; (g = tr.nextGeneration()) != null; ) {
                    l.add(g.byteSize());
                }
                sizes = l.stream().mapToLong(Long::longValue).toArray();
            }
            assertThat(sizes).isNotEmpty();
            assertThat(java.util.Arrays.stream(sizes).sum() - sizes[sizes.length - 1]).isLessThanOrEqualTo(maxBytes);
            ReadBack r = ReadBack.read(out);
            assertThat(r.problems).isEmpty();
            assertThat(r.generations).isNotEmpty();
            for (int i = 1; i < r.generations.size(); i++) {
                assertThat(r.generations.get(i)).isEqualTo(r.generations.get(i - 1) + 1);
            }
            // the newest event is in the window, the oldest fell out
            assertThat(r.ofType("Log")).extracting(e -> e.str("message")).containsExactly("last");
            assertThat(r.ofType("Counter")).noneSatisfy(e -> assertThat(e.num("value")).isZero());
            assertThat(r.ofType("Counter").get(r.ofType("Counter").size() - 1).num("value")).isEqualTo(199_999);
        } finally {
            fr.stop();
        }
        assertThat(JTrace.isEnabled()).isFalse();
    }

    @Test
    void windowCoversMinAgeAndDropsWhatIsOlder() throws Exception {
        FlightRecorder fr = new FlightRecorder(fast(), Duration.ofMillis(50), 64L << 20);
        fr.start();
        try {
            long until = System.nanoTime() + Duration.ofMillis(400).toNanos();
            int i = 0;
            while (System.nanoTime() < until) {
                JTrace.counter("n", i++);
                LockSupport.parkNanos(100_000);
            }
            Path out = dir.resolve("age.jtrace");
            fr.writeTo(out);
            List<long[]> spans = new ArrayList<>();
            try (TraceReader reader = TraceReader.open(out)) {
                Generation g;
                while ((g = reader.nextGeneration()) != null) {
                    spans.add(new long[] {g.startTicks(), g.endTicks()});
                }
            }
            long covered = spans.get(spans.size() - 1)[1] - spans.get(0)[0];
            assertThat(covered).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            assertThat(covered).isLessThan(Duration.ofMillis(300).toNanos());
        } finally {
            fr.stop();
        }
    }

    @Test
    void runsNextToAFileRecording() throws Exception {
        FlightRecorder fr = new FlightRecorder(fast(), Duration.ofSeconds(10), 8L << 20);
        fr.start();
        try {
            JTrace.log(null, "phase", "flight only");
            Path file = dir.resolve("both.jtrace");
            JTrace.start(TraceConfig.builder().file(file).build());
            JTrace.log(null, "phase", "both");
            JTrace.stop();
            assertThat(JTrace.isEnabled()).isTrue(); // the flight recorder keeps the session
            JTrace.log(null, "phase", "flight again");
            Path snap = dir.resolve("snap.jtrace");
            fr.writeTo(snap);

            ReadBack f = ReadBack.read(file);
            assertThat(f.problems).isEmpty();
            assertThat(f.ofType("Log")).extracting(e -> e.str("message")).containsExactly("both");
            ReadBack s = ReadBack.read(snap);
            assertThat(s.problems).isEmpty();
            assertThat(s.ofType("Log")).extracting(e -> e.str("message"))
                    .containsExactly("flight only", "both", "flight again");
        } finally {
            fr.stop();
        }
        assertThat(JTrace.isEnabled()).isFalse();
    }
}
