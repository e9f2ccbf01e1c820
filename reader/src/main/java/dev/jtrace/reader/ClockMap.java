package dev.jtrace.reader;

/**
 * A generation's map from event-clock ticks to monotonic nanoseconds, exact to the nanosecond as
 * docs/format.md "Clock" defines it: with {@code d = t - startTicks}, {@code T = endTicks - startTicks}
 * and {@code N = endNanos - startNanos},
 *
 * <pre>ns(t) = startNanos + floor((2·d·N + T) / (2·T))</pre>
 *
 * that is the exact rational value {@code d·N/T} rounded half up, and {@code startNanos + d} when
 * {@code T = 0}. The products need up to 128 bits (a 4 s generation at 3 GHz already overflows 64): the
 * quotient is estimated in floating point and corrected with exact 128-bit comparisons.
 */
final class ClockMap {
    private final long startTicks;
    private final long startNanos;
    private final long ticks;
    private final long nanos;
    private final boolean identity;

    /** Stamps that go backwards are refused before ({@link Generation#prepareClock()}). */
    ClockMap(long startTicks, long endTicks, long startNanos, long endNanos) {
        this.startTicks = startTicks;
        this.startNanos = startNanos;
        this.ticks = endTicks - startTicks;
        this.nanos = endNanos - startNanos;
        this.identity = ticks == nanos || ticks == 0;
    }

    /** Whether ticks are nanoseconds offset by a constant (the nanoTime clock maps by identity). */
    boolean identity() {
        return identity;
    }

    /**
     * {@code t} in nanoseconds; an {@link ArithmeticException} if the result does not fit in 64 bits (only
     * a hostile time far outside the generation does that).
     */
    long toNanos(long t) {
        long d = Math.subtractExact(t, startTicks);
        if (identity) {
            return Math.addExact(startNanos, d);
        }
        // d = q·T + r with 0 <= r < T; then floor((2dN + T) / 2T) = q·N + floor((2rN + T) / 2T)
        long q = Math.floorDiv(d, ticks);
        long r = Math.floorMod(d, ticks);
        return Math.addExact(startNanos, Math.addExact(Math.multiplyExact(q, nanos), roundedFraction(r)));
    }

    /** floor((2·r·N + T) / (2·T)) for 0 <= r < T, which is at most N. */
    private long roundedFraction(long r) {
        if (r == 0) {
            return 0;
        }
        // X = 2·r·N + T as an unsigned 128-bit number (hi, lo); r, N, T < 2^63 so it fits
        long pHi = Math.multiplyHigh(r, nanos);
        long pLo = r * nanos;
        long xHi = (pHi << 1) | (pLo >>> 63);
        long xLo = pLo << 1;
        long sumLo = xLo + ticks;
        if (Long.compareUnsigned(sumLo, xLo) < 0) {
            xHi++;
        }
        xLo = sumLo;
        // divisor D = 2·T as (dHi, dLo): T < 2^63 so 2T < 2^64
        long dLo = ticks << 1;
        long dHi = ticks >>> 63;
        double estimate = ((double) r * (double) nanos + ticks / 2.0) / (double) ticks;
        long q = (long) Math.floor(estimate);
        if (q < 0) {
            q = 0;
        }
        // correct the estimate: want q·D <= X < (q+1)·D
        while (q > 0 && greater(mulHi(q, dLo, dHi), mulLo(q, dLo), xHi, xLo)) {
            q--;
        }
        while (!greater(mulHi(q + 1, dLo, dHi), mulLo(q + 1, dLo), xHi, xLo)) {
            q++;
        }
        return q;
    }

    /** High 64 bits of q·D, for 0 <= q < 2^63 and D = dHi·2^64 + dLo with dHi in {0, 1}. */
    private static long mulHi(long q, long dLo, long dHi) {
        return Math.unsignedMultiplyHigh(q, dLo) + (dHi != 0 ? q : 0);
    }

    private static long mulLo(long q, long dLo) {
        return q * dLo;
    }

    /** Whether (aHi, aLo) > (bHi, bLo), both unsigned 128-bit. */
    private static boolean greater(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c > 0 || c == 0 && Long.compareUnsigned(aLo, bLo) > 0;
    }
}
