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

    /**
     * Reads the clocks: the event clock and the wall clock between two nanoTime reads, whose midpoint stands
     * for both; the tightest of a few tries, so that a preemption between the reads (milliseconds on a loaded
     * machine) cannot skew the generation's map to nanoseconds or to wall time.
     */
    static ClockStamp now() {
        long bestSpan = Long.MAX_VALUE;
        long ticks = 0;
        long nanos = 0;
        long wall = 0;
        for (int i = 0; i < TRIES; i++) {
            long a = System.nanoTime();
            long t = Clock.IS_TSC ? Clock.ticks() : 0;
            long w = wall();
            long b = System.nanoTime();
            if (b - a < bestSpan) {
                bestSpan = b - a;
                nanos = a + (b - a) / 2;
                // with the nanoTime clock, ticks are nanoseconds: the same reading, so the reader's map is exact
                ticks = Clock.IS_TSC ? t : nanos;
                wall = w;
            }
        }
        return new ClockStamp(ticks, nanos, wall);
    }

    /**
     * As {@link #now()} into {@code out} (ticks, nanos, wall): for the writer, which must go on when the heap
     * is exhausted. If reading the wall clock fails (it allocates an Instant) the millisecond clock stands in.
     */
    static void read(long[] out) {
        long bestSpan = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            long a = System.nanoTime();
            long t = Clock.IS_TSC ? Clock.ticks() : 0;
            long w;
            try {
                w = wall();
            } catch (Throwable e) {
                w = System.currentTimeMillis() * 1_000_000L;
            }
            long b = System.nanoTime();
            if (b - a < bestSpan) {
                bestSpan = b - a;
                long nanos = a + (b - a) / 2;
                out[0] = Clock.IS_TSC ? t : nanos;
                out[1] = nanos;
                out[2] = w;
            }
        }
    }

    private static long wall() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
