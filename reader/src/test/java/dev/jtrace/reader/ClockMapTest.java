package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tick-to-nanosecond rule of docs/format.md "Clock", against exact BigInteger arithmetic. */
class ClockMapTest {
    private static final BigInteger TWO = BigInteger.TWO;

    /** The rule as the document states it: startNanos + floor((2·d·N + T) / (2·T)). */
    static long reference(long startTicks, long endTicks, long startNanos, long endNanos, long t) {
        BigInteger d = BigInteger.valueOf(t).subtract(BigInteger.valueOf(startTicks));
        BigInteger bigT = BigInteger.valueOf(endTicks).subtract(BigInteger.valueOf(startTicks));
        BigInteger n = BigInteger.valueOf(endNanos).subtract(BigInteger.valueOf(startNanos));
        if (bigT.signum() == 0) {
            return BigInteger.valueOf(startNanos).add(d).longValueExact();
        }
        BigInteger num = TWO.multiply(d).multiply(n).add(bigT);
        BigInteger den = TWO.multiply(bigT);
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger q = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0]; // floor
        return BigInteger.valueOf(startNanos).add(q).longValueExact();
    }

    @Test
    void matchesExactArithmeticOnRandomStampsIncludingLongGenerationsAtHighFrequencies() {
        SplittableRandom rnd = new SplittableRandom(42);
        long checked = 0;
        for (int gen = 0; gen < 1_000; gen++) {
            double ghz = 0.5 + rnd.nextDouble() * 4.5; // 0.5 to 5 GHz
            // generations from 1 µs to 60 s: > 4 s at 3 GHz overflows a 64-bit product
            long nanos = gen % 4 == 0 ? 4_000_000_000L + rnd.nextLong(56_000_000_000L)
                    : 1_000 + rnd.nextLong(10_000_000_000L);
            long ticks = Math.max(1, (long) (nanos * ghz) + rnd.nextLong(-1000, 1000));
            long startTicks = rnd.nextLong(1L << 62);
            long startNanos = rnd.nextLong(1L << 62);
            ClockMap map = new ClockMap(startTicks, startTicks + ticks, startNanos, startNanos + nanos);
            for (int i = 0; i < 200; i++) {
                // mostly inside the generation, some before and after it
                long t = startTicks + rnd.nextLong(-ticks / 10 - 1, ticks + ticks / 10 + 1);
                assertThat(map.toNanos(t)).as("gen %d tick %d", gen, t)
                        .isEqualTo(reference(startTicks, startTicks + ticks, startNanos, startNanos + nanos, t));
                checked++;
            }
            // the stamps themselves map exactly
            assertThat(map.toNanos(startTicks)).isEqualTo(startNanos);
            assertThat(map.toNanos(startTicks + ticks)).isEqualTo(startNanos + nanos);
        }
        assertThat(checked).isEqualTo(200_000);
    }

    @Test
    void halvesRoundUpAndTheNanoTimeClockIsTheIdentity() {
        // 2 ticks per ns: tick 1 is exactly 0.5 ns -> 1; tick 3 is 1.5 -> 2; tick -1 is -0.5 -> 0
        ClockMap half = new ClockMap(0, 2_000, 0, 1_000);
        assertThat(half.toNanos(1)).isEqualTo(1);
        assertThat(half.toNanos(3)).isEqualTo(2);
        assertThat(half.toNanos(-1)).isEqualTo(0);
        assertThat(half.toNanos(-3)).isEqualTo(-1);
        ClockMap id = new ClockMap(500, 900, 500, 900);
        assertThat(id.identity()).isTrue();
        assertThat(id.toNanos(123_456)).isEqualTo(123_456);
        ClockMap flat = new ClockMap(500, 500, 7_000, 7_000);
        assertThat(flat.toNanos(510)).isEqualTo(7_010);
    }

    @Test
    void aFiveSecondGenerationAtThreeGigahertzNeedsMoreThan64Bits() {
        long ticks = 15_000_000_000L;
        long nanos = 5_000_000_123L;
        ClockMap map = new ClockMap(0, ticks, 0, nanos);
        long t = ticks - 7;
        // the literal product overflows...
        assertThat(Math.multiplyHigh(t, nanos)).isNotZero();
        // ...the rule does not
        assertThat(map.toNanos(t)).isEqualTo(reference(0, ticks, 0, nanos, t));
    }
}
