package dev.jtrace.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The per-thread state machine: turns what the trace says about a thread into one {@link ThreadState} at
 * every instant of its lifetime. Three kinds of input:
 *
 * <ul>
 *   <li>{@link #interval intervals} with a known extent: the runtime's blocking events (a park of 3 ms
 *       from t) and, from the model, stop-the-world pauses (applied to every thread alive then);
 *   <li>{@link #transition transitions} at an instant: "from t on the thread is RUNNABLE", for scheduler
 *       events (park begin and end, wake-ups, virtual thread mount and unmount); validated against
 *       {@link #allowed}, applied even when invalid, and counted;
 *   <li>region coverage (from the {@link SpanMatcher}): inside a region the thread emitted, it runs.
 * </ul>
 *
 * <p>At an instant the state is the highest {@link ThreadState#priority} among: a pause (GC), the active
 * intervals, and the baseline; the baseline is the last transition's state, else RUNNING inside a region,
 * else UNKNOWN.
 *
 * <p>Streaming: runtime events arrive late (their true start lies before the events around them), so a
 * thread's inputs are held, per thread, until the model's watermark passes them: the start of the
 * generation just read, less a lag of twice the worst lateness of a runtime event seen so far, at least
 * 1 s and at most 10 s. Then that stretch of the thread's life is swept into state times and
 * {@link ModelListener#threadState} intervals. Inputs for a stretch already swept are
 * clipped to it and counted in {@link #lateNanos()}. Memory: the held inputs of threads active in the last
 * generation or two, and a few longs per thread in {@link Threads}.
 *
 * <p>Causes: each emitted interval carries the {@link Blocking} that explains it (same thread and state,
 * overlapping) and the {@link Wakeup} it waits on (RUNNABLE: the wake-up whose wait overlaps it) or that
 * ended it (a scheduler block: the edge from the same block). The model decides this once, here, so that no
 * tool matches blocks to states on its own. A cause must arrive before the sweep passes its interval; the
 * scheduler gives each block at its BlockEnd, so a piece of a block swept before its end (a block longer
 * than the watermark's lag) has none.
 */
public final class StateMachine {
    private static final int ENTER = 1;
    private static final int EXIT = -1;
    private static final int SET = 100;

    private final Threads threads;
    private final GcModel gc;
    private final ModelListener out;
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Rows whose accounting has begun (their first instant is fixed). */
    private final BitSet started = new BitSet();
    private long traceStart = Long.MIN_VALUE;
    private long lateNanos;
    private long lateInputs;
    private long invalidTransitions;
    private final int[] active = new int[ThreadState.COUNT];

    /** What a thread's sweep still needs: its position and the inputs after it. */
    private static final class Pending {
        final int row;
        long cursor;
        int depth;
        ThreadState base = ThreadState.UNKNOWN;
        ThreadState lastTransition = ThreadState.UNKNOWN;
        long[] markTime = new long[4];
        int[] markCode = new int[4];
        int marks;
        /** Region depth after every mark so far: only crossings of zero are marked (nesting does not matter). */
        int tailDepth;
        long[] ivStart = new long[2];
        long[] ivEnd = new long[2];
        byte[] ivState = new byte[2];
        int ivs;
        /** Blockings and wake-ups not yet passed by the sweep, in arrival order (null while none). */
        List<Blocking> blockings;
        List<Wakeup> wakeups;

        Pending(int row, long cursor) {
            this.row = row;
            this.cursor = cursor;
        }

        void mark(long t, int code) {
            if (marks == markTime.length) {
                markTime = Arrays.copyOf(markTime, marks * 2);
                markCode = Arrays.copyOf(markCode, marks * 2);
            }
            // keep time order: inputs come nearly sorted
            int i = marks++;
            while (i > 0 && markTime[i - 1] > t) {
                markTime[i] = markTime[i - 1];
                markCode[i] = markCode[i - 1];
                i--;
            }
            markTime[i] = t;
            markCode[i] = code;
        }

        void interval(long s, long e, ThreadState st) {
            if (ivs == ivStart.length) {
                ivStart = Arrays.copyOf(ivStart, ivs * 2);
                ivEnd = Arrays.copyOf(ivEnd, ivs * 2);
                ivState = Arrays.copyOf(ivState, ivs * 2);
            }
            ivStart[ivs] = s;
            ivEnd[ivs] = e;
            ivState[ivs] = (byte) st.ordinal();
            ivs++;
        }

        /** Nothing held: the entry can go, its baseline kept in {@link #saved} (one byte a thread). */
        boolean idle() {
            // causes need not be empty: each ends at an instant of the thread, so none outlives its sweep
            return marks == 0 && tailDepth == 0 && ivs == 0 && depth == 0;
        }
    }

    StateMachine(Threads threads, GcModel gc, ModelListener out) {
        this.threads = threads;
        this.gc = gc;
        this.out = out;
    }

    void traceStart(long t) {
        traceStart = t;
    }

    private Pending pending(int row) {
        long id = threads.id(row);
        Pending p = pending.get(id);
        if (p == null) {
            // a thread swept before resumes where its sweep stopped: at its last instant then, in the state
            // its last transition left it in (a thread parked since its last event is still parked)
            p = new Pending(row, started.get(row) ? threads.last(row) : Long.MIN_VALUE);
            if (row < saved.length && saved[row] != 0) {
                p.base = ThreadState.ALL[(saved[row] & 0xF) - 1];
                p.lastTransition = ThreadState.ALL[(saved[row] >> 4 & 0xF) - 1];
            }
            pending.put(id, p);
        }
        return p;
    }

    /**
     * The baseline and last transition of threads whose held inputs were all swept (their entry in
     * {@link #pending} dropped), by row: ordinal + 1 of each in the low and high nibble, 0 when both are
     * UNKNOWN. Transitions set a baseline that lasts until the next one, however long the thread is quiet.
     */
    private byte[] saved = new byte[0];

    private void save(Pending p) {
        boolean none = p.base == ThreadState.UNKNOWN && p.lastTransition == ThreadState.UNKNOWN;
        if (p.row >= saved.length) {
            if (none) {
                return;
            }
            saved = Arrays.copyOf(saved, Math.max(64, Math.max(p.row + 1, saved.length + (saved.length >> 1))));
        }
        saved[p.row] = none ? 0 : (byte) ((p.base.ordinal() + 1) | (p.lastTransition.ordinal() + 1) << 4);
    }

    /** The state {@code thread}'s last transition set (UNKNOWN without any), in the order they were given. */
    public ThreadState lastTransition(long thread) {
        Pending p = pending.get(thread);
        if (p != null) {
            return p.lastTransition;
        }
        int row = threads.row(thread);
        return row >= 0 && row < saved.length && saved[row] != 0 ? ThreadState.ALL[(saved[row] >> 4 & 0xF) - 1]
                : ThreadState.UNKNOWN;
    }

    /** The thread was seen at {@code t}: its lifetime includes t. */
    void instant(int row, long t) {
        Pending p = pending(row);
        t = Math.max(t, traceStart);
        if (p.cursor != Long.MIN_VALUE && t < p.cursor) {
            lateInputs++;
            return;
        }
        threads.see(row, t);
    }

    void regionEnter(int row, long t) {
        Pending p = pending(row);
        instant(row, t);
        if (p.tailDepth++ == 0) {
            p.mark(Math.max(t, traceStart), ENTER);
        }
    }

    /** A region ended at {@code t}; an inferred end ({@code seen} false) does not extend the lifetime. */
    void regionExit(int row, long t, boolean seen) {
        Pending p = pending(row);
        if (seen) {
            instant(row, t);
        }
        if (p.tailDepth > 0 && --p.tailDepth == 0) {
            p.mark(Math.max(t, traceStart), EXIT);
        }
    }

    /**
     * Thread {@code thread} was in {@code state} during [start, end) (a runtime blocking event). A state
     * of UNKNOWN or RUNNING is accepted (RUNNING: positively known to run, e.g. a future on-CPU event).
     */
    public void interval(long thread, ThreadState state, long start, long end) {
        interval(rowOf(thread), state, start, end);
    }

    void interval(int row, ThreadState state, long start, long end) {
        Pending p = pending(row);
        start = Math.max(start, traceStart);
        end = Math.max(end, start);
        instant(row, end);
        if (p.cursor != Long.MIN_VALUE && start < p.cursor) {
            lateNanos += Math.min(end, p.cursor) - start;
            lateInputs++;
            start = p.cursor;
        } else {
            threads.see(row, start);
        }
        if (end > start && state != ThreadState.UNKNOWN) {
            p.interval(start, end, state);
        }
    }

    /**
     * The blocking interval {@code b} explains its thread's state of the same kind while it lasts; given
     * after the state's input ({@link #interval} or {@link #transition}). One that ended before the thread's
     * sweep is useless and dropped.
     */
    void cause(Blocking b) {
        Pending p = pending(rowOf(b.thread()));
        if (p.cursor == Long.MIN_VALUE || b.start() + b.duration() > p.cursor) {
            if (p.blockings == null) {
                p.blockings = new ArrayList<>(2);
            }
            p.blockings.add(b);
        }
    }

    /** The wake-up {@code w} explains its wakee's RUNNABLE wait and the block it ended. */
    void cause(Wakeup w) {
        Pending p = pending(rowOf(w.wakee()));
        if (p.cursor == Long.MIN_VALUE || w.resumeTime() > p.cursor) {
            if (p.wakeups == null) {
                p.wakeups = new ArrayList<>(2);
            }
            p.wakeups.add(w);
        }
    }

    /**
     * From {@code t} on, thread {@code thread} is in {@code to} until its next transition (UNKNOWN: back
     * to what regions and intervals say). Transitions {@link #allowed} forbids are counted in
     * {@link #invalidTransitions()} and applied anyway.
     */
    public void transition(long thread, long t, ThreadState to) {
        int row = rowOf(thread);
        Pending p = pending(row);
        if (!allowed(p.lastTransition, to)) {
            invalidTransitions++;
        }
        p.lastTransition = to;
        instant(row, t);
        p.mark(Math.max(t, traceStart), SET + to.ordinal());
    }

    /** Virtual thread {@code thread} was mounted on {@code carrier} at {@code t}: it runs there. */
    public void mount(long thread, long carrier, long t) {
        int row = rowOf(thread);
        threads.markVirtual(row);
        threads.carrier(row, carrier);
        transition(thread, t, ThreadState.RUNNING);
    }

    /** Virtual thread {@code thread} left its carrier at {@code t}: what it does next needs other events. */
    public void unmount(long thread, long t) {
        transition(thread, t, ThreadState.UNKNOWN);
    }

    /**
     * Whether a transition is valid: from UNKNOWN to anything; RUNNING to any waiting state or RUNNABLE;
     * a waiting state or RUNNABLE to RUNNING or RUNNABLE (woken); anything to UNKNOWN; never into GC_PAUSE
     * (pauses come from the GC's events) and never to the state the thread is in.
     */
    public static boolean allowed(ThreadState from, ThreadState to) {
        if (to == ThreadState.GC_PAUSE || from == to && to != ThreadState.UNKNOWN) {
            return false;
        }
        if (from == ThreadState.UNKNOWN || to == ThreadState.UNKNOWN) {
            return true;
        }
        if (from == ThreadState.RUNNING) {
            return true;
        }
        return to == ThreadState.RUNNING || to == ThreadState.RUNNABLE;
    }

    private final boolean[] created = new boolean[1];

    private int rowOf(long thread) {
        return threads.rowOf(thread, created);
    }

    /** Sweeps every thread up to {@code watermark} (never past a thread's last instant). */
    void advance(long watermark) {
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext();) {
            Pending p = it.next();
            long t = Math.min(watermark, threads.last(p.row));
            sweep(p, t);
            if (p.idle() && p.cursor >= threads.last(p.row)) {
                save(p);
                it.remove();
            }
        }
    }

    /** Sweeps every thread to its last instant (the trace ended). */
    void finish() {
        for (Pending p : pending.values()) {
            sweep(p, threads.last(p.row));
        }
        pending.clear();
    }

    private void sweep(Pending p, long to) {
        int row = p.row;
        if (p.cursor == Long.MIN_VALUE) {
            // the first instant stays open (a late interval may still move it earlier) until a sweep passes it
            if (threads.first(row) == Long.MAX_VALUE || to <= threads.first(row)) {
                return;
            }
            p.cursor = threads.first(row);
            started.set(row);
        }
        long t = p.cursor;
        if (to <= t) {
            return;
        }
        Arrays.fill(active, 0);
        Integer[] byStart = order(p, true);
        Integer[] byEnd = order(p, false);
        int mi = 0;
        while (mi < p.marks && p.markTime[mi] <= t) {
            apply(p, mi++);
        }
        int si = 0;
        while (si < p.ivs && p.ivStart[byStart[si]] <= t) {
            if (p.ivEnd[byStart[si]] > t) {
                active[p.ivState[byStart[si]]]++;
            }
            si++;
        }
        int ei = 0;
        while (ei < p.ivs && p.ivEnd[byEnd[ei]] <= t) {
            ei++;
        }
        int gi = gc.firstEndingAfter(t);
        int gn = gc.mergedCount();
        boolean gcOn = gi < gn && gc.mergedStart(gi) <= t;
        ThreadState runState = null;
        long runStart = t;
        while (t < to) {
            long next = to;
            if (mi < p.marks) {
                next = Math.min(next, p.markTime[mi]);
            }
            if (si < p.ivs) {
                next = Math.min(next, p.ivStart[byStart[si]]);
            }
            if (ei < p.ivs) {
                next = Math.min(next, p.ivEnd[byEnd[ei]]);
            }
            if (gi < gn) {
                next = Math.min(next, gcOn ? gc.mergedEnd(gi) : gc.mergedStart(gi));
            }
            if (next > t) {
                ThreadState s = resolve(p, gcOn);
                if (s != runState) {
                    if (runState != null) {
                        emit(p, runState, runStart, t);
                    }
                    runState = s;
                    runStart = t;
                }
                t = Math.min(next, to);
            }
            if (t >= to) {
                break;
            }
            while (mi < p.marks && p.markTime[mi] <= t) {
                apply(p, mi++);
            }
            while (ei < p.ivs && p.ivEnd[byEnd[ei]] <= t) {
                active[p.ivState[byEnd[ei]]]--;
                ei++;
            }
            while (si < p.ivs && p.ivStart[byStart[si]] <= t) {
                active[p.ivState[byStart[si]]]++;
                si++;
            }
            while (gi < gn && (gcOn ? gc.mergedEnd(gi) <= t : gc.mergedStart(gi) <= t)) {
                if (gcOn) {
                    gcOn = false;
                    gi++;
                } else {
                    gcOn = true;
                }
            }
        }
        if (runState != null) {
            emit(p, runState, runStart, t);
        }
        // marks up to t are applied; later ones and intervals still running stay
        while (mi < p.marks && p.markTime[mi] <= t) {
            apply(p, mi++);
        }
        System.arraycopy(p.markTime, mi, p.markTime, 0, p.marks - mi);
        System.arraycopy(p.markCode, mi, p.markCode, 0, p.marks - mi);
        p.marks -= mi;
        int k = 0;
        for (int i = 0; i < p.ivs; i++) {
            if (p.ivEnd[i] > t) {
                p.ivStart[k] = p.ivStart[i];
                p.ivEnd[k] = p.ivEnd[i];
                p.ivState[k] = p.ivState[i];
                k++;
            }
        }
        p.ivs = k;
        p.cursor = t;
    }

    private static Integer[] order(Pending p, boolean byStart) {
        Integer[] o = new Integer[p.ivs];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        long[] key = byStart ? p.ivStart : p.ivEnd;
        Arrays.sort(o, (a, b) -> Long.compare(key[a], key[b]));
        return o;
    }

    private static void apply(Pending p, int i) {
        int c = p.markCode[i];
        if (c == ENTER) {
            p.depth++;
        } else if (c == EXIT) {
            p.depth = Math.max(0, p.depth - 1);
        } else {
            p.base = ThreadState.ALL[c - SET];
        }
    }

    private ThreadState resolve(Pending p, boolean gcOn) {
        if (gcOn) {
            return ThreadState.GC_PAUSE;
        }
        ThreadState best = p.base != ThreadState.UNKNOWN ? p.base
                : p.depth > 0 ? ThreadState.RUNNING : ThreadState.UNKNOWN;
        for (int s = 0; s < active.length; s++) {
            if (active[s] > 0 && ThreadState.ALL[s].priority > best.priority) {
                best = ThreadState.ALL[s];
            }
        }
        return best;
    }

    private void emit(Pending p, ThreadState s, long a, long b) {
        if (b <= a) {
            return;
        }
        threads.add(p.row, s, b - a);
        Blocking blocking = blockingOf(p, s, a, b);
        out.threadState(threads.id(p.row), s, a, b, blocking, wakeupOf(p, s, a, b, blocking));
    }

    /**
     * The blocking interval of the thread in state {@code s} that overlaps [a, b), if any. Intervals come in
     * order per thread, so blockings ending at or before {@code a} can explain no later one: dropped.
     */
    private static Blocking blockingOf(Pending p, ThreadState s, long a, long b) {
        if (p.blockings == null) {
            return null;
        }
        Blocking found = null;
        for (Iterator<Blocking> it = p.blockings.iterator(); it.hasNext();) {
            Blocking x = it.next();
            if (x.start() + x.duration() <= a) {
                it.remove();
            } else if (found == null && x.state() == s && x.start() < b) {
                found = x;
            }
        }
        return found;
    }

    /**
     * RUNNABLE: the wake-up whose wait (wake-up to resumption) overlaps [a, b). A blocked state: the wake-up
     * that ended its scheduler block (the edge's block began where the blocking did and resumed at its end).
     */
    private static Wakeup wakeupOf(Pending p, ThreadState s, long a, long b, Blocking blocking) {
        if (p.wakeups == null) {
            return null;
        }
        Wakeup found = null;
        for (Iterator<Wakeup> it = p.wakeups.iterator(); it.hasNext();) {
            Wakeup w = it.next();
            if (w.resumeTime() <= a) {
                it.remove();
            } else if (found != null) {
                continue;
            } else if (s == ThreadState.RUNNABLE) {
                // a permit's unpark came before the park: the thread never waited runnable for it
                if (!w.permit() && w.resumeTime() - w.latency() < b) {
                    found = w;
                }
            } else if (blocking != null && w.kind() != Wakeup.Kind.SUBMIT && w.blockStart() == blocking.start()
                    && w.resumeTime() == blocking.start() + blocking.duration()) {
                found = w;
            }
        }
        return found;
    }

    /** Nanoseconds of blocking intervals that arrived after their stretch of the thread was swept (dropped). */
    public long lateNanos() {
        return lateNanos;
    }

    /** Inputs (instants, intervals) that arrived after their stretch was swept. */
    public long lateInputs() {
        return lateInputs;
    }

    /** Transitions {@link #allowed} rejects. */
    public long invalidTransitions() {
        return invalidTransitions;
    }
}
