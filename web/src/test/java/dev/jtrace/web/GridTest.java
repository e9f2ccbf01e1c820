package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GridTest {
    @Test
    void totalsSurviveCoarseningAndTheBudgetHolds() {
        long origin = 1_000_000_000L;
        Grid g = new Grid(origin, 20_000);
        Random rnd = new Random(42);
        long[] busy = new long[50];
        long[] blocked = new long[50];
        long[] counts = new long[50];
        long t = origin;
        for (int i = 0; i < 200_000; i++) {
            long row = rnd.nextInt(50);
            t += rnd.nextInt(5_000);
            long d = rnd.nextInt(i % 1000 == 0 ? 50_000_000 : 20_000);
            if (rnd.nextBoolean()) {
                g.cover(row, t, t + d, false);
                busy[(int) row] += d;
            } else {
                g.cover(row, t, t + d, true);
                blocked[(int) row] += d;
            }
            g.count(row, t);
            counts[(int) row]++;
        }
        assertThat(g.cells()).isLessThanOrEqualTo(20_000);
        assertThat(g.width()).isGreaterThan(1024); // it had to coarsen
        long end = t + 100_000_000;
        for (long row = 0; row < 50; row++) {
            Grid.Slice s = g.slice(row, origin, end, 1);
            double b = 0;
            double bl = 0;
            long c = 0;
            for (int i = 0; i < s.count().length; i++) {
                b += s.busy()[i] * s.width();
                bl += s.blocked()[i] * s.width();
                c += s.count()[i];
            }
            assertThat(c).as("row %d", row).isEqualTo(counts[(int) row]);
            assertThat(b).isCloseTo(busy[(int) row], within(1.0));
            assertThat(bl).isCloseTo(blocked[(int) row], within(1.0));
            assertThat(g.estimate(row, origin, end)).isCloseTo(counts[(int) row], within(1e-6));
        }
    }

    @Test
    void bucketsSplitIntervalsAtTheirBoundsAndMergeByFactor() {
        Grid g = new Grid(0, 1_000_000);
        long w = g.width();
        g.cover(7L, w / 2, 3 * w, false); // half of bucket 0, all of 1 and 2
        g.count(7L, w + 1);
        Grid.Slice s = g.slice(7L, 0, 4 * w, 1);
        assertThat(s.start()).isZero();
        assertThat(s.busy()).containsExactly(0.5, 1.0, 1.0, 0.0);
        assertThat(s.count()).containsExactly(0, 1, 0, 0);
        Grid.Slice merged = g.slice(7L, 0, 4 * w, 2);
        assertThat(merged.width()).isEqualTo(2 * w);
        assertThat(merged.busy()).containsExactly(0.75, 0.5);
        assertThat(g.factorFor(0, 4000 * w, 1000)).isEqualTo(4);
        assertThat(g.slice(8L, 0, w, 1)).isNull();
        // a quarter of bucket 1 holds a quarter of its one event
        assertThat(g.estimate(7L, w, w + w / 4)).isCloseTo(0.25, within(1e-9));
    }

    @Test
    void timesFarAwayCoarsenInsteadOfGrowing() {
        Grid g = new Grid(0, 100_000);
        g.count(1L, 10);
        g.count(1L, 1L << 50);
        assertThat(g.rows.get(1L).length()).isLessThanOrEqualTo(Grid.MAX_BUCKETS);
        assertThat(g.slice(1L, 0, (1L << 50) + 1, 1).count()).satisfies(c -> {
            long sum = 0;
            for (long x : c) {
                sum += x;
            }
            assertThat(sum).isEqualTo(2);
        });
    }
}
