package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.internal.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever the event clock (nanoTime, or the time-stamp counter when the tests run with native access:
 * the recorder's tests run once with each, see recorder/pom.xml), the reader's times are
 * {@code System.nanoTime()} nanoseconds: each event lies between the nanoTime read just before and just
 * after it, on the fast path and on the full path, in short and long generations.
 */
class ClockTest {
    /** Pairing jitter of the clock stamps is tens of nanoseconds; this leaves room for a preemption. */
    private static final long TOLERANCE_NANOS = 200_000;

    @TempDir
    Path dir;

    @Test
    void eventTimesAreNanoTimeWhateverTheEventClock() throws Exception {
        String expected = System.getProperty("jtrace.test.expectClock");
        if (expected != null && Clock.whyNotTsc() == null) {
            assertThat(Clock.kind()).isEqualTo(expected);
        }
        Path file = dir.resolve("clock.jtrace");
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(30)).build());
        List<long[]> brackets = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofMillis(200).toNanos();
        for (int i = 0; System.nanoTime() < end; i++) {
            long before = System.nanoTime();
            if (i % 3 == 0) {
                JTrace.log(null, "clock", new StringBuilder("full path " + i)); // toString: the full path
            } else {
                JTrace.counter("clock", i); // the fast path
            }
            long after = System.nanoTime();
            brackets.add(new long[] {before, after});
            if (i % 50 == 0) {
                LockSupport.parkNanos(1_000_000);
            }
            if (i % 400 == 0) {
                JTrace.advanceGeneration(); // some very short generations too
            }
        }
        JTrace.stop();

        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        List<ReadBack.Ev> events = r.events.stream()
                .filter(e -> e.type().equals("Counter") || e.type().equals("Log") && "clock".equals(e.str("category")))
                .toList();
        assertThat(events).hasSize(brackets.size());
        assertThat(r.generations.size()).isGreaterThan(3);
        for (int i = 0; i < events.size(); i++) {
            long t = events.get(i).ticks();
            long[] b = brackets.get(i);
            assertThat(t).as("event %d of %d at %d ns, read between %d and %d (clock %s)", i, events.size(), t, b[0],
                    b[1], Clock.kind()).isBetween(b[0] - TOLERANCE_NANOS, b[1] + TOLERANCE_NANOS);
        }
    }
}
