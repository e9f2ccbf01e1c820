package dev.jtrace.model;

import dev.jtrace.reader.StackTrace;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The scheduler events (types 27 to 36) turned into thread states, blocking intervals, wake-up edges and
 * carrier runs: the one place that pairs a wake-up with the resumption it caused.
 *
 * <ul>
 *   <li>ParkBegin, WaitBegin, SleepBegin set the writer PARKED, WAITING, SLEEPING; BlockEnd sets it RUNNING and
 *       closes the block into a {@link Blocking} (with BlockEnd's stack);
 *   <li>an Unpark aimed at a parked thread wakes it: a platform thread is RUNNABLE from then to its BlockEnd,
 *       which delivers the edge; an Unpark aimed at a thread not parked leaves a permit that the thread's next
 *       park consumes (that park's BlockEnd is still the edge's end);
 *   <li>a Notify names a monitor by identity hash: its candidates are the waiters of that hash at that
 *       instant. A waiter's BlockEnd claims the earliest candidate still available: a notify wakes one waiter
 *       (the first to resume), a notifyAll every waiter of one monitor (hashes can collide: the first waiter
 *       to claim it fixes the monitor class, waiters of other classes do not match it). A platform waiter is
 *       RUNNABLE from the notify it claimed (set when it resumes: only then is it known which waiter a notify
 *       woke; the state sweep lags enough for that);
 *   <li>a virtual thread is RUNNABLE from its first VirtualThreadSubmit (later ones before its mount are the
 *       JDK's retries), RUNNING from VirtualThreadMount (the edge submit to mount is delivered then) and, at
 *       VirtualThreadUnmount, back in its open block's state if it has one not woken yet, else RUNNABLE
 *       (yielded or preempted). Its carrier is RUNNING while it runs a virtual thread; each mounted stretch is
 *       a {@link CarrierRun}.
 * </ul>
 *
 * <p>Events come in time order within a generation (the reader merges lanes by time). Memory: an entry per
 * thread with something open (a block, a permit, a pending submit, a mount), the waiters of each monitor, and
 * per waiter the notifies it may claim; entries go at the end of the generation in which nothing was left
 * open (a submit in a later generation than the unmount before it does not know when that unmount was).
 */
final class Scheduler {
    private static final long NONE = Long.MIN_VALUE;
    private static final int PARK = 1;
    private static final int WAIT = 2;
    private static final int SLEEP = 3;
    /** Notifies a waiter keeps as candidates: beyond, the oldest go (a waiter notified this often woke long ago). */
    static final int MAX_CANDIDATES = 64;

    /** A thread's side of things: what is open. */
    private static final class S {
        int block;
        long blockStart;
        String detail;
        long monitor;
        long waker;
        long wakeTime = NONE;
        boolean wokenByPermit;
        long permitWaker;
        long permitTime = NONE;
        List<Notify> candidates;
        long submitter;
        long submitTime = NONE;
        long unmountTime = NONE;
        boolean mounted;
        long carrier;
        long mountTime;
        /** On a carrier: the virtual thread it runs (0: none) since {@link #runStart}. */
        long running;
        long runStart;

        boolean idle() {
            return block == 0 && permitTime == NONE && submitTime == NONE && !mounted && running == 0;
        }
    }

    /** One Notify and what it may still wake. */
    private static final class Notify {
        final long waker;
        final long time;
        final boolean all;
        /** The class of the monitor (fixed by the first waiter that claimed it; null before). */
        String monitorClass;
        boolean consumed;

        Notify(long waker, long time, boolean all) {
            this.waker = waker;
            this.time = time;
            this.all = all;
        }
    }

    /** What the scheduler needs from the model. */
    interface Host {
        boolean isVirtual(long thread);

        /** Sets {@code thread}'s state from {@code t} on unless its last transition already set it (no-op counting). */
        void state(long thread, long t, ThreadState s);

        /** Virtual thread {@code thread} was mounted on {@code carrier}. */
        void mounted(long thread, long carrier);

        /** A scheduler block ended: it explains its thread's state while it lasted. */
        void cause(Blocking b);

        /** A wake-up edge: it explains its wakee's runnable wait and the block it ended. */
        void cause(Wakeup w);
    }

    private final Host host;
    private final ModelListener out;
    private final Map<Long, S> open = new HashMap<>();
    private final Map<Long, List<Long>> waiters = new HashMap<>();
    private final Map<Wakeup.Kind, Long> wakeups = new EnumMap<>(Wakeup.Kind.class);
    private long carrierRuns;
    private long blockEndsWithoutBegin;
    private long unendedBlocks;
    private long unmatchedUnmounts;

    Scheduler(Host host, ModelListener out) {
        this.host = host;
        this.out = out;
    }

    private S get(long thread) {
        return open.computeIfAbsent(thread, k -> new S());
    }

    /** Threads whose entry may have nothing open any more (dropped at the generation's end). */
    private final java.util.Set<Long> maybeIdle = new java.util.HashSet<>();

    private void release(long thread, S s) {
        if (s.idle()) {
            maybeIdle.add(thread);
        }
    }

    /**
     * Drops the entries with nothing open. Kept until here rather than dropped at once, so that what a
     * thread did last in this generation is still known to the next event about it (a virtual thread
     * resubmitted right after its unmount names the unmount as the start of its wait).
     */
    void generationEnd() {
        for (long t : maybeIdle) {
            S s = open.get(t);
            if (s != null && s.idle()) {
                open.remove(t);
            }
        }
        maybeIdle.clear();
    }

    void blockBegin(EventKind kind, long thread, long t, String detail, long monitor) {
        S s = get(thread);
        if (s.block != 0) {
            // blocks do not nest: the previous one lost its end (an event dropped)
            unendedBlocks++;
            endBlockQuietly(thread, s);
        }
        s.blockStart = t;
        s.detail = detail;
        s.wakeTime = NONE;
        s.wokenByPermit = false;
        ThreadState state;
        if (kind == EventKind.PARK_BEGIN) {
            s.block = PARK;
            state = ThreadState.PARKED;
            if (s.permitTime != NONE) {
                s.waker = s.permitWaker;
                s.wakeTime = s.permitTime;
                s.wokenByPermit = true;
                s.permitTime = NONE;
            }
        } else if (kind == EventKind.WAIT_BEGIN) {
            s.block = WAIT;
            s.monitor = monitor;
            state = ThreadState.WAITING;
            waiters.computeIfAbsent(monitor, k -> new ArrayList<>(2)).add(thread);
        } else {
            s.block = SLEEP;
            state = ThreadState.SLEEPING;
        }
        host.state(thread, t, state);
    }

    private void endBlockQuietly(long thread, S s) {
        if (s.block == WAIT) {
            List<Long> w = waiters.get(s.monitor);
            if (w != null) {
                w.remove(thread);
                if (w.isEmpty()) {
                    waiters.remove(s.monitor);
                }
            }
        }
        s.block = 0;
        s.candidates = null;
        s.wakeTime = NONE;
    }

    void blockEnd(long thread, long t, StackTrace stack) {
        S s = open.get(thread);
        if (s == null || s.block == 0) {
            blockEndsWithoutBegin++;
            host.state(thread, t, ThreadState.RUNNING);
            return;
        }
        boolean virtual = host.isVirtual(thread);
        EventKind kind;
        ThreadState state;
        switch (s.block) {
            case PARK -> {
                kind = EventKind.PARK_BEGIN;
                state = ThreadState.PARKED;
                if (s.wakeTime != NONE) {
                    edge(new Wakeup(s.waker, s.wakeTime, thread, t, Wakeup.Kind.UNPARK, s.blockStart, s.wokenByPermit));
                }
            }
            case WAIT -> {
                kind = EventKind.WAIT_BEGIN;
                state = ThreadState.WAITING;
                Notify n = claim(s);
                if (n != null) {
                    if (!virtual) {
                        host.state(thread, Math.max(n.time, s.blockStart), ThreadState.RUNNABLE);
                    }
                    edge(new Wakeup(n.waker, n.time, thread, t, n.all ? Wakeup.Kind.NOTIFY_ALL : Wakeup.Kind.NOTIFY,
                            s.blockStart, false));
                }
            }
            default -> {
                kind = EventKind.SLEEP_BEGIN;
                state = ThreadState.SLEEPING;
            }
        }
        Blocking b = new Blocking(kind, state, thread, s.blockStart, Math.max(0, t - s.blockStart), stack, s.detail,
                Stacks.isIdlePoolWait(stack), Stacks.callSite(stack));
        host.cause(b);
        out.blocking(b);
        endBlockQuietly(thread, s);
        host.state(thread, t, ThreadState.RUNNING);
        release(thread, s);
    }

    /** The earliest candidate notify this waiter may claim, claimed; null for none (a timeout, an interrupt). */
    private Notify claim(S s) {
        if (s.candidates == null) {
            return null;
        }
        String cls = s.detail == null ? "" : s.detail;
        for (Notify n : s.candidates) {
            if (n.consumed || n.monitorClass != null && !n.monitorClass.equals(cls)) {
                continue;
            }
            if (n.all) {
                n.monitorClass = cls;
            } else {
                n.consumed = true;
            }
            return n;
        }
        return null;
    }

    void unpark(long waker, long t, long target) {
        S s = get(target);
        if (s.block == PARK) {
            if (s.wakeTime == NONE) {
                s.waker = waker;
                s.wakeTime = t;
                s.wokenByPermit = false;
                // a virtual thread becomes runnable by its submit, which the unpark causes
                if (!host.isVirtual(target)) {
                    host.state(target, t, ThreadState.RUNNABLE);
                }
            }
        } else if (s.permitTime == NONE) {
            s.permitWaker = waker;
            s.permitTime = t;
        }
    }

    void notify(long waker, long t, long monitor, boolean all) {
        List<Long> w = waiters.get(monitor);
        if (w == null) {
            return;
        }
        Notify n = new Notify(waker, t, all);
        for (long thread : w) {
            S s = open.get(thread);
            if (s == null) {
                continue;
            }
            if (s.candidates == null) {
                s.candidates = new ArrayList<>(2);
            }
            s.candidates.removeIf(c -> c.consumed);
            if (s.candidates.size() == MAX_CANDIDATES) {
                s.candidates.remove(0);
            }
            s.candidates.add(n);
        }
    }

    void mount(long carrier, long t, long vt) {
        S v = get(vt);
        if (v.mounted) {
            // mounted again without unmount (an event dropped): the earlier stretch ends here
            run(vt, v, t);
        }
        S c = get(carrier);
        if (c.running != 0 && c.running != vt) {
            S other = open.get(c.running);
            if (other != null && other.mounted && other.carrier == carrier) {
                run(c.running, other, t);
                release(c.running, other);
            }
        }
        v.mounted = true;
        v.carrier = carrier;
        v.mountTime = t;
        c.running = vt;
        c.runStart = t;
        host.mounted(vt, carrier);
        if (v.submitTime != NONE) {
            edge(new Wakeup(v.submitter, v.submitTime, vt, t, Wakeup.Kind.SUBMIT, v.unmountTime, false));
            v.submitTime = NONE;
        }
        host.state(vt, t, ThreadState.RUNNING);
        if (c.block == 0) {
            host.state(carrier, t, ThreadState.RUNNING);
        }
    }

    void unmount(long carrier, long t, long vt) {
        S v = open.get(vt);
        if (v == null || !v.mounted || v.carrier != carrier) {
            // not mounted there (its mount was lost, or it has been mounted elsewhere since): nothing to end
            unmatchedUnmounts++;
            return;
        }
        run(vt, v, t);
        v.unmountTime = t;
        ThreadState next = ThreadState.RUNNABLE;
        if (v.block != 0 && v.wakeTime == NONE && v.submitTime == NONE) {
            next = v.block == PARK ? ThreadState.PARKED : v.block == WAIT ? ThreadState.WAITING : ThreadState.SLEEPING;
        }
        host.state(vt, t, next);
        release(vt, v);
    }

    /** Ends {@code vt}'s stretch on its carrier at {@code t}. */
    private void run(long vt, S v, long t) {
        v.mounted = false;
        S c = open.get(v.carrier);
        if (c != null && c.running == vt) {
            c.running = 0;
            release(v.carrier, c);
        }
        carrierRuns++;
        out.carrierRun(new CarrierRun(v.carrier, vt, v.mountTime, Math.max(t, v.mountTime), false));
    }

    void submit(long submitter, long t, long vt) {
        S v = get(vt);
        if (v.submitTime != NONE) {
            return; // a retry: the first submit counts
        }
        v.submitter = submitter;
        v.submitTime = t;
        if (!v.mounted) {
            host.state(vt, t, ThreadState.RUNNABLE);
        }
    }

    private void edge(Wakeup w) {
        wakeups.merge(w.kind(), 1L, Long::sum);
        host.cause(w);
        out.wakeup(w);
    }

    /** The trace ended at {@code end}: stretches still mounted end there. */
    void finish(long end) {
        for (Iterator<Map.Entry<Long, S>> it = open.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, S> e = it.next();
            S v = e.getValue();
            if (v.mounted) {
                v.mounted = false;
                carrierRuns++;
                out.carrierRun(new CarrierRun(v.carrier, e.getKey(), v.mountTime, Math.max(end, v.mountTime), true));
            }
        }
    }

    /** Wake-up edges delivered, by kind (label). */
    Map<String, Long> wakeupsByKind() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        wakeups.forEach((k, n) -> m.put(k.label, n));
        return m;
    }

    long wakeups() {
        long n = 0;
        for (long v : wakeups.values()) {
            n += v;
        }
        return n;
    }

    long carrierRuns() {
        return carrierRuns;
    }

    long blockEndsWithoutBegin() {
        return blockEndsWithoutBegin;
    }

    long unendedBlocks() {
        return unendedBlocks;
    }

    /** Unmounts of a virtual thread not mounted on that carrier. */
    long unmatchedUnmounts() {
        return unmatchedUnmounts;
    }

    /** Threads with something open (for tests of the bounded memory). */
    int openThreads() {
        generationEnd();
        return open.size();
    }
}
