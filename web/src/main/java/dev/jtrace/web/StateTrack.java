package dev.jtrace.web;

import dev.jtrace.model.ThreadState;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The model's thread states ({@link dev.jtrace.model.ModelListener#threadState}) of every thread with a row,
 * kept from the index pass: a generation decoded alone starts its state machine with nothing known (a thread
 * parked since an earlier generation would look unknown), so only the whole pass has them right.
 *
 * <p>Per thread, the intervals as columns (start, state, how many of the model's intervals it stands for), the
 * end of each being the next one's start; a thread's intervals follow each other without gap (the model's
 * rule), and a gap, should one come, is kept as an interval of no state. Memory is bounded: beyond
 * {@link #MAX_INTERVALS} the track is coarsened, merging intervals narrower than a doubling resolution into
 * groups (the state that covers most of a group stands for it, with the count of intervals in it), as a window
 * merges what is narrower than a pixel ({@link #window}).
 */
final class StateTrack {
    /** Intervals kept at most (13 bytes each, plus up to as much again of spare capacity). */
    static final long MAX_INTERVALS = 3_000_000;
    /** Intervals one window answer holds at most (over all its threads): beyond, they are merged coarser. */
    static final int MAX_WINDOW_INTERVALS = 100_000;
    /** The state byte of a gap between intervals (not drawn). */
    static final byte NONE = -1;
    private static final ThreadState[] STATES = ThreadState.values();

    /** The finest resolution of the coarser copies a window reads from ({@link #levels}), in ns. */
    static final long LEVEL_BASE = 4096;
    /** Each coarser copy merges at this many times the resolution of the one before. */
    static final int LEVEL_STEP = 8;

    /** One thread's intervals. */
    private static final class Col {
        long[] start = new long[8];
        byte[] state = new byte[8];
        int[] count = new int[8];
        int n;
        long end = Long.MIN_VALUE;
        /** Of a coarser copy: the resolution it was merged at. */
        long resolution;
        /**
         * Coarser copies of this thread's intervals, finest first, built when first asked for: a window
         * reads the coarsest copy merged below its pixel, so its work is about its pixels, not the thread's
         * intervals in it (a whole-trace window of a thread with a million intervals reads a few thousand).
         */
        volatile Col[] levels;

        void append(long start, byte state, int count) {
            if (n == this.start.length) {
                int m = n * 2;
                this.start = Arrays.copyOf(this.start, m);
                this.state = Arrays.copyOf(this.state, m);
                this.count = Arrays.copyOf(this.count, m);
            }
            this.start[n] = start;
            this.state[n] = state;
            this.count[n] = count;
            n++;
        }

        /** The end of interval {@code i}: the next one's start, or the track's end for the last. */
        long endOf(int i) {
            return i + 1 < n ? start[i + 1] : end;
        }
    }

    private final Map<Long, Col> threads = new HashMap<>();
    private long total;

    /** Causes kept at most (32 bytes each); beyond, a state's details say the index kept none. */
    static final int MAX_CAUSES = 2_000_000;

    /**
     * What the model said explains a thread's states ({@link dev.jtrace.model.ModelListener#threadState} with
     * its blocking and wake-up), per thread in time order, for the intervals that have one: the start of the
     * interval as the track holds it, the blocking's start and the wake-up's wake and resume times
     * ({@link Long#MIN_VALUE}: none). The page picks that blocking and wake-up out of a window's items by
     * these keys, so it never matches blocks to states itself.
     */
    private static final class Causes {
        long[] start = new long[4];
        long[] blockStart = new long[4];
        long[] wake = new long[4];
        long[] resume = new long[4];
        int n;
    }

    private final Map<Long, Causes> causes = new HashMap<>();
    private int causeCount;
    private boolean causesFull;

    /** The blocking and wake-up keys of the state of {@code thread} that the track holds as starting at {@code start}. */
    record Cause(long blockStart, long wake, long resume) {}

    /**
     * The cause the model gave the interval of {@code thread} that the track holds as starting at
     * {@code start}; null when it gave none (or the interval is unknown, or merged).
     */
    Cause cause(long thread, long start) {
        Causes c = causes.get(thread);
        if (c == null) {
            return null;
        }
        int i = Arrays.binarySearch(c.start, 0, c.n, start);
        return i < 0 ? null : new Cause(c.blockStart[i], c.wake[i], c.resume[i]);
    }

    /** Whether causes stopped being kept ({@link #MAX_CAUSES}). */
    boolean causesFull() {
        return causesFull;
    }

    /**
     * As {@link #add(long, ThreadState, long, long)}, with what explains the state: the blocking's start and
     * the wake-up's times ({@link Long#MIN_VALUE} where the model gave none).
     */
    void add(long thread, ThreadState s, long start, long end, long blockStart, long wake, long resume) {
        add(thread, s, start, end);
        Col col = threads.get(thread);
        if (col == null || col.n == 0 || col.end != end || (blockStart == Long.MIN_VALUE && wake == Long.MIN_VALUE)) {
            return;
        }
        if (col.count[col.n - 1] != 1) {
            return; // merged into a group (the budget): a group has no one cause
        }
        long key = col.start[col.n - 1]; // a state continued across a sweep is one interval: keyed by its start
        Causes c = causes.computeIfAbsent(thread, k -> new Causes());
        if (c.n > 0 && c.start[c.n - 1] == key) {
            // the continuation of a state that began without its cause (a block's BlockEnd came later)
            c.blockStart[c.n - 1] = blockStart;
            c.wake[c.n - 1] = wake;
            c.resume[c.n - 1] = resume;
            return;
        }
        if (causeCount >= MAX_CAUSES) {
            causesFull = true;
            return;
        }
        if (c.n == c.start.length) {
            int m = c.n * 2;
            c.start = Arrays.copyOf(c.start, m);
            c.blockStart = Arrays.copyOf(c.blockStart, m);
            c.wake = Arrays.copyOf(c.wake, m);
            c.resume = Arrays.copyOf(c.resume, m);
        }
        c.start[c.n] = key;
        c.blockStart[c.n] = blockStart;
        c.wake[c.n] = wake;
        c.resume[c.n] = resume;
        c.n++;
        causeCount++;
    }

    /** Intervals narrower than this (ns) were merged to keep the budget; 0 while none was. */
    private long resolution;

    /** Thread {@code thread} was in {@code s} in [start, end) (intervals of a thread come in time order). */
    void add(long thread, ThreadState s, long start, long end) {
        if (end <= start) {
            return;
        }
        Col c = threads.computeIfAbsent(thread, k -> new Col());
        c.levels = null;
        bytes = -1;
        byte b = (byte) s.ordinal();
        if (c.n > 0 && start < c.end) {
            start = c.end; // an overlap the model should never make: keep the track ordered
            if (end <= start) {
                return;
            }
        }
        if (c.n > 0 && start > c.end) {
            append(c, c.end, NONE, 0);
        }
        if (c.n > 0 && start == c.end && c.state[c.n - 1] == b && c.count[c.n - 1] == 1) {
            c.end = end; // the same state continuing (a sweep boundary): one interval
            return;
        }
        append(c, start, b, 1);
        c.end = end;
        if (total > MAX_INTERVALS) {
            coarsen();
        }
    }

    private void append(Col c, long start, byte state, int count) {
        c.append(start, state, count);
        total++;
    }

    /** Merges what is narrower than a doubled resolution until the track holds half its budget. */
    private void coarsen() {
        while (total > MAX_INTERVALS / 2) {
            resolution = resolution == 0 ? 1024 : resolution * 2;
            total = 0;
            for (Col c : threads.values()) {
                c.levels = null;
                int[] w = {0};
                Merger m = new Merger(resolution, (s, e, st, n) -> {
                    c.start[w[0]] = s;
                    c.state[w[0]] = st;
                    c.count[w[0]] = n;
                    w[0]++;
                });
                // the merger writes behind where it reads: it emits at most one interval per one read
                for (int i = 0; i < c.n; i++) {
                    m.add(c.start[i], c.endOf(i), c.state[i], c.count[i]);
                }
                m.flush();
                c.n = w[0];
                total += c.n;
                // give back what the merge freed: the budget is of bytes, not only of intervals
                int keep = Math.max(8, c.n + c.n / 4);
                if (c.start.length > keep) {
                    c.start = Arrays.copyOf(c.start, keep);
                    c.state = Arrays.copyOf(c.state, keep);
                    c.count = Arrays.copyOf(c.count, keep);
                }
            }
        }
    }

    /** Intervals held. */
    long intervals() {
        return total;
    }

    /** Intervals narrower than this were merged in the index (0: none). */
    long resolution() {
        return resolution;
    }

    /**
     * {@link #bytes} as last computed, -1 when the track changed since: it walks every thread (millions of
     * them in a large trace), and the heap budget asks for it at every window.
     */
    private volatile long bytes = -1;

    /** Estimated bytes held. */
    long bytes() {
        long known = bytes;
        if (known >= 0) {
            return known;
        }
        long b = 0;
        for (Col c : threads.values()) {
            b += 64 + 13L * c.start.length;
            Col[] l = c.levels;
            for (Col x : l == null ? new Col[0] : l) {
                b += 64 + 13L * x.start.length;
            }
        }
        for (Causes k : causes.values()) {
            b += 48 + 32L * k.start.length;
        }
        bytes = b;
        return b;
    }

    /** Receives merged intervals: [start, end), a state ordinal ({@link #NONE} for a gap), the intervals merged. */
    interface Sink {
        void interval(long start, long end, byte state, int count);
    }

    /**
     * Merges consecutive intervals narrower than {@code w} into groups at least {@code w} wide (Perfetto's rule:
     * merge only what is narrower than a pixel); a group takes the state that covers most of it. An interval
     * of at least {@code w}, and a gap, is passed on as it is.
     */
    static final class Merger {
        private final long w;
        private final Sink sink;
        private long gs;
        private long ge;
        private int gn;
        private final long[] time = new long[STATES.length];

        Merger(long w, Sink sink) {
            this.w = Math.max(1, w);
            this.sink = sink;
        }

        void add(long s, long e, byte state, int count) {
            if (e - s >= w || state == NONE) {
                flush();
                sink.interval(s, e, state, count);
                return;
            }
            if (gn == 0) {
                gs = s;
            }
            ge = e;
            gn += count;
            time[state] += e - s;
            if (ge - gs >= w) {
                flush();
            }
        }

        void flush() {
            if (gn == 0) {
                return;
            }
            int best = 0;
            for (int i = 1; i < time.length; i++) {
                if (time[i] > time[best]) {
                    best = i;
                }
            }
            sink.interval(gs, ge, (byte) best, gn);
            Arrays.fill(time, 0);
            gn = 0;
        }
    }

    /**
     * The intervals of {@code thread} overlapping [a, b], merged at {@code w} ns (a pixel), into {@code sink};
     * returns how many were given.
     */
    int window(long thread, long a, long b, long w, Sink sink) {
        Col c = threads.get(thread);
        if (c == null || c.n == 0 || c.end <= a || c.start[0] >= b) {
            return 0;
        }
        // merging what a coarser copy already merged below w gives groups at least w wide, as from the
        // intervals themselves; an interval of at least w is in every copy whole
        for (Col l : levels(c)) {
            if (l.resolution > w) {
                break;
            }
            c = l;
        }
        // the last interval starting at or before a
        int lo = 0;
        int hi = c.n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (c.start[mid] <= a) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int[] n = {0};
        Merger m = new Merger(w, (s, e, st, k) -> {
            n[0]++;
            sink.interval(s, e, st, k);
        });
        for (int i = lo; i < c.n && c.start[i] < b; i++) {
            long e = c.endOf(i);
            if (e > a) {
                m.add(c.start[i], e, c.state[i], c.count[i]);
            }
        }
        m.flush();
        return n[0];
    }

    /** Builds every thread's coarser copies (else built when a window first reads the thread). */
    void buildLevels() {
        for (Col c : threads.values()) {
            levels(c);
        }
    }

    private Col[] levels(Col c) {
        Col[] l = c.levels;
        if (l != null) {
            return l;
        }
        synchronized (c) {
            if (c.levels == null) {
                java.util.List<Col> out = new java.util.ArrayList<>();
                Col src = c;
                // stop where a copy would hold so few intervals that any window reads it quickly
                for (long res = LEVEL_BASE; src.n > 256 && res > 0 && res < Long.MAX_VALUE / LEVEL_STEP; res *= LEVEL_STEP) {
                    Col next = merged(src, res);
                    // a copy that hardly merges costs memory and saves no work: keep only those that halve
                    if (next.n <= src.n / 2) {
                        out.add(next);
                        src = next;
                    }
                }
                c.levels = out.toArray(Col[]::new);
                bytes = -1;
            }
            return c.levels;
        }
    }

    private static Col merged(Col src, long res) {
        Col out = new Col();
        out.resolution = res;
        out.end = src.end;
        Merger m = new Merger(res, (s, e, st, k) -> out.append(s, st, k));
        for (int i = 0; i < src.n; i++) {
            m.add(src.start[i], src.endOf(i), src.state[i], src.count[i]);
        }
        m.flush();
        return out;
    }

    /** Whether {@code thread} was running at some time in [a, b] (a merged group counts when running led it). */
    boolean ranIn(long thread, long a, long b) {
        boolean[] ran = {false};
        byte running = (byte) ThreadState.RUNNING.ordinal();
        window(thread, a, b, 1, (s, e, st, k) -> ran[0] |= st == running);
        return ran[0];
    }

    /** The number of intervals {@link #window} would give, without giving them. */
    int count(long thread, long a, long b, long w) {
        return window(thread, a, b, w, (s, e, st, k) -> {});
    }

    /** The label of a state ordinal. */
    static String label(byte state) {
        return state == NONE ? "none" : STATES[state].label;
    }
}
