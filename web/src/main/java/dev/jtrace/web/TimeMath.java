package dev.jtrace.web;

/**
 * Saturating arithmetic on times and durations (ns). A trace's times may lie anywhere in a long and it may be
 * longer than 2^62 ns, so sums and products of times in window computations stop at the ends of a long instead
 * of wrapping around to the other end (which turned a valid window into one that ends before it begins).
 */
final class TimeMath {
    private TimeMath() {}

    /** {@code a + b}, or the end of a long it would pass. */
    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** {@code a - b}, or the end of a long it would pass. */
    static long sub(long a, long b) {
        long r = a - b;
        if (((a ^ b) & (a ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** {@code a * b}, or the end of a long it would pass. */
    static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if (hi == 0 && lo >= 0 || hi == -1 && lo < 0) {
            return lo;
        }
        return (a ^ b) < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
}
