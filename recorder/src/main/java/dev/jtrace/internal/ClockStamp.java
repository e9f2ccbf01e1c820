package dev.jtrace.internal;

import java.time.Instant;

/**
 * The three clocks read together at a generation boundary: the event clock's ticks ({@link Clock}), the
 * monotonic nanoseconds of {@code System.nanoTime()} and the wall clock. GEN_BEGIN and GEN_END carry a
 * stamp each, so a reader maps the generation's ticks to nanoseconds linearly between them: the error is
 * the jitter of the pairing (tens of nanoseconds), however short or long the generation.
 *
 * @param ticks the event clock
 * @param nanos {@code System.nanoTime()} at {@code ticks}
 * @param wallNanos the wall clock, nanoseconds since 1970-01-01T00:00Z
 */
record ClockStamp(long ticks, long nanos, long wallNanos) {
    private static final int TRIES = 5;

    /** Reads the clocks. With the nanoTime clock ticks and nanos are one reading. */
    static ClockStamp now() {
        if (!Clock.IS_TSC) {
            long n = System.nanoTime();
            return new ClockStamp(n, n, wall());
        }
        // The tick read between two nanoTime reads, whose midpoint stands for it; the tightest of a few tries
        // keeps a preemption between the reads from skewing the pairing.
        long bestSpan = Long.MAX_VALUE;
        long ticks = 0;
        long nanos = 0;
        for (int i = 0; i < TRIES; i++) {
            long a = System.nanoTime();
            long t = Clock.ticks();
            long b = System.nanoTime();
            if (b - a < bestSpan) {
                bestSpan = b - a;
                ticks = t;
                nanos = a + (b - a) / 2;
            }
        }
        return new ClockStamp(ticks, nanos, wall());
    }

    private static long wall() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
