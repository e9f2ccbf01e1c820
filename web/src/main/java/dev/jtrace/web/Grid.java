package dev.jtrace.web;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Level-of-detail summaries: per row (a thread, a task name, the virtual threads together) and per time
 * bucket, the time covered by outermost regions ("busy"), by runtime blocking events ("blocked") and the
 * number of events. Built while the index streams the trace, whose length is unknown until the end: buckets
 * start narrow and double in width (neighbours merged) whenever the trace outgrows {@link #MAX_BUCKETS} or the
 * cells outgrow the memory budget, so memory stays bounded whatever the trace's length or thread count.
 */
final class Grid {
    /** Buckets across the whole trace at most: enough for a zoomed-out view on any screen. */
    static final int MAX_BUCKETS = 8192;
    private static final long FIRST_WIDTH = 1024; // ns

    /** One row's buckets, dense between the first and last bucket it touched. */
    static final class Row {
        long base = -1;
        long[] busy = new long[0];
        long[] blocked = new long[0];
        int[] count = new int[0];

        int length() {
            return count.length;
        }
    }

    private final long origin;
    private final long budgetCells;
    private long width = FIRST_WIDTH;
    private long cells;
    final Map<Object, Row> rows = new HashMap<>();

    Grid(long origin, long budgetCells) {
        this.origin = origin;
        this.budgetCells = budgetCells;
    }

    /** Width of a bucket in ns. */
    long width() {
        return width;
    }

    /** Time of bucket 0 (ticks). */
    long origin() {
        return origin;
    }

    long cells() {
        return cells;
    }

    private long bucket(long t) {
        return t <= origin ? 0 : (t - origin) / width;
    }

    private Row row(Object key) {
        return rows.computeIfAbsent(key, k -> new Row());
    }

    /** Makes the grid wide enough to hold time {@code t}. */
    private void reach(long t) {
        while (bucket(t) >= MAX_BUCKETS) {
            coarsen();
        }
    }

    /** Makes {@code r} hold bucket {@code b}, growing it geometrically. */
    private void ensure(Row r, long b) {
        if (r.base < 0) {
            r.base = b;
            grow(r, b, (int) Math.min(4, MAX_BUCKETS - b));
            return;
        }
        long end = r.base + r.length();
        if (b >= r.base && b < end) {
            return;
        }
        // every row ends at or before MAX_BUCKETS, and reach() keeps b below it: so does hi
        long lo = Math.min(r.base, b);
        long hi = Math.max(end, b + 1);
        long want = Math.max(hi - lo, 2L * r.length());
        long newBase = b < r.base ? Math.max(0, hi - want) : lo;
        long newEnd = Math.min(MAX_BUCKETS, newBase + want);
        grow(r, newBase, (int) (newEnd - newBase));
    }

    private void grow(Row r, long newBase, int newLength) {
        int shift = (int) (r.base - newBase);
        long[] busy = new long[newLength];
        long[] blocked = new long[newLength];
        int[] count = new int[newLength];
        int n = r.length();
        if (n > 0) {
            System.arraycopy(r.busy, 0, busy, shift, n);
            System.arraycopy(r.blocked, 0, blocked, shift, n);
            System.arraycopy(r.count, 0, count, shift, n);
        }
        cells += newLength - n;
        r.base = newBase;
        r.busy = busy;
        r.blocked = blocked;
        r.count = count;
        while (cells > budgetCells && width < Long.MAX_VALUE / 4 && anyRowLongerThanOne()) {
            coarsen();
        }
    }

    private boolean anyRowLongerThanOne() {
        for (Row r : rows.values()) {
            if (r.length() > 1) {
                return true;
            }
        }
        return false;
    }

    /** Doubles the bucket width, merging neighbours. */
    private void coarsen() {
        width *= 2;
        cells = 0;
        for (Row r : rows.values()) {
            if (r.base < 0) {
                continue;
            }
            long newBase = r.base / 2;
            long newEnd = (r.base + r.length() - 1) / 2 + 1;
            int n = (int) (newEnd - newBase);
            long[] busy = new long[n];
            long[] blocked = new long[n];
            int[] count = new int[n];
            for (int i = 0; i < r.length(); i++) {
                int j = (int) ((r.base + i) / 2 - newBase);
                busy[j] += r.busy[i];
                blocked[j] += r.blocked[i];
                count[j] += r.count[i];
            }
            r.base = newBase;
            r.busy = busy;
            r.blocked = blocked;
            r.count = count;
            cells += n;
        }
    }

    /** Counts one event of {@code key} at {@code t}. */
    void count(Object key, long t) {
        reach(t);
        Row r = row(key);
        long b = bucket(t);
        ensure(r, b);
        r.count[(int) (bucket(t) - r.base)]++;
    }

    /** Adds the interval [a, b) to the busy ({@code blocked == false}) or blocked time of {@code key}. */
    void cover(Object key, long a, long b, boolean blocked) {
        a = Math.max(a, origin);
        if (b <= a) {
            return;
        }
        reach(b);
        Row r = row(key);
        ensure(r, bucket(a));
        ensure(r, bucket(b - 1));
        long first = bucket(a);
        long last = bucket(b - 1);
        for (long i = first; i <= last; i++) {
            long bs = origin + i * width;
            long overlap = Math.min(b, TimeMath.add(bs, width)) - Math.max(a, bs);
            int j = (int) (i - r.base);
            if (blocked) {
                r.blocked[j] += overlap;
            } else {
                r.busy[j] += overlap;
            }
        }
    }

    /** A row's buckets over a time range, merged so that there are at most {@code maxBuckets}. */
    record Slice(long start, long width, double[] busy, double[] blocked, long[] count) {}

    /**
     * The buckets of row {@code key} overlapping [from, to), merged {@code factor} at a time; null when the row
     * has nothing there. Fractions are of the merged bucket's width.
     */
    Slice slice(Object key, long from, long to, int factor) {
        Row r = rows.get(key);
        if (r == null || r.base < 0) {
            return null;
        }
        long first = Math.max(bucket(from), r.base);
        long last = Math.min(bucket(Math.max(from, to - 1)), r.base + r.length() - 1);
        if (last < first) {
            return null;
        }
        first -= first % factor;
        int n = (int) ((last - first) / factor + 1);
        double[] busy = new double[n];
        double[] blocked = new double[n];
        long[] count = new long[n];
        long w = TimeMath.mul(width, factor);
        for (long i = Math.max(first, r.base); i <= last; i++) {
            int j = (int) ((i - first) / factor);
            int k = (int) (i - r.base);
            busy[j] += r.busy[k] / (double) w;
            blocked[j] += r.blocked[k] / (double) w;
            count[j] += r.count[k];
        }
        return new Slice(origin + first * width, w, busy, blocked, count);
    }

    /**
     * Events of row {@code key} expected in [from, to): whole buckets inside count fully, the two edge buckets
     * in proportion to their overlap (events are assumed spread evenly inside a bucket).
     */
    double estimate(Object key, long from, long to) {
        Row r = rows.get(key);
        if (r == null || r.base < 0 || to <= from) {
            return 0;
        }
        long first = Math.max(bucket(from), r.base);
        long last = Math.min(bucket(to - 1), r.base + r.length() - 1);
        double sum = 0;
        for (long i = first; i <= last; i++) {
            long bs = origin + i * width;
            long overlap = Math.min(to, TimeMath.add(bs, width)) - Math.max(from, bs);
            if (overlap > 0) {
                sum += r.count[(int) (i - r.base)] * (overlap / (double) width);
            }
        }
        return sum;
    }

    /** Merge factor so that [from, to) spans at most {@code maxBuckets} buckets. */
    int factorFor(long from, long to, int maxBuckets) {
        long n = bucket(Math.max(from, to - 1)) - bucket(from) + 1;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (n + maxBuckets - 1) / maxBuckets));
    }

    /** Estimated bytes held. */
    long bytes() {
        return cells * 20 + rows.size() * 96L;
    }

    @Override
    public String toString() {
        return "Grid[width=" + width + "ns, rows=" + rows.size() + ", cells=" + cells + ", rowsLen="
                + Arrays.toString(rows.values().stream().mapToInt(Row::length).limit(8).toArray()) + "]";
    }
}
