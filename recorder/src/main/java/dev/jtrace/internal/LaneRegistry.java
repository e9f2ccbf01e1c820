package dev.jtrace.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Every lane a generation advance must wait for: the platform threads' own lanes (one registry for the JVM,
 * since a thread's lane outlives sessions) and a session's lanes shared by virtual threads.
 *
 * <p>Invariant: a lane that can hold data of generation {@code g} is reachable from here until the advance
 * that wrote {@code g} saw it outside the recorder. Lanes are added lock-free by their own thread; they are
 * removed only by {@link #prune()}, under the session's control lock, once their thread is dead and they
 * hold nothing.
 */
final class LaneRegistry {
    private static final AtomicReference<Lane> PLATFORM = new AtomicReference<>();

    private final Lane[] shared;
    /** Lanes an advance is waiting for, and the seqlock value each was seen with (writer only). */
    private Lane[] waitLanes = new Lane[64];
    private long[] waitSeqs = new long[64];
    private volatile boolean waitingOnBlockedHolder;
    /** Events lost because every shared lane was busy, per generation parity. */
    private final AtomicLongArray noLaneLoss = new AtomicLongArray(2);

    LaneRegistry(int sharedLanes) {
        this.shared = new Lane[sharedLanes];
        for (int i = 0; i < shared.length; i++) {
            shared[i] = new Lane(null);
        }
    }

    /** Platform lanes registered since the JVM began (the writer reclaims after every so many). */
    private static final AtomicLong REGISTRATIONS = new AtomicLong();

    /**
     * Adds a platform thread's lane (called once, by that thread, before its first event); returns how many
     * lanes were registered so far, this one included.
     */
    static long register(Lane lane) {
        Lane h;
        do {
            h = PLATFORM.get();
            lane.nextRegistered = h;
        } while (!PLATFORM.compareAndSet(h, lane));
        return REGISTRATIONS.incrementAndGet();
    }

    /** How many platform lanes were registered since the JVM began. */
    static long registrations() {
        return REGISTRATIONS.get();
    }

    /** The newest registered platform lane; follow {@link Lane#nextRegistered}. */
    static Lane platformLanes() {
        return PLATFORM.get();
    }

    /** Platform-thread lanes currently registered (live threads, and dead ones not yet pruned). */
    static int registeredCount() {
        int n = 0;
        for (Lane l = PLATFORM.get(); l != null; l = l.nextRegistered) {
            n++;
        }
        return n;
    }

    Lane[] shared() {
        return shared;
    }

    /** Claims a free shared lane for a virtual thread's event, or {@code null} when all stay busy. */
    Lane claimShared(ThreadContext ctx) {
        Lane[] lanes = shared;
        int n = lanes.length;
        int start = ctx.laneHint;
        for (int i = 0; i < 2 * n; i++) {
            int k = (start + i) % n;
            if (lanes[k].tryClaim()) {
                ctx.laneHint = k; // a store, not a call: nothing can throw once the lane is claimed
                return lanes[k];
            }
            if (i >= n) {
                Thread.onSpinWait();
            }
        }
        return null;
    }

    void countNoLane(long gen) {
        noLaneLoss.incrementAndGet((int) (gen & 1));
    }

    long peekNoLaneLoss(int idx) {
        return noLaneLoss.get(idx);
    }

    /** Takes (and resets) the no-lane loss count of a generation parity. */
    long takeNoLaneLoss(int idx) {
        return noLaneLoss.getAndSet(idx, 0);
    }

    /**
     * Waits until every lane was seen outside the recorder once since the caller changed the generation:
     * after that no thread can still write the old generation.
     */
    void awaitAllOutside(Session s) {
        // The caller published the new generation; every lane's seqlock read below must see a store its thread
        // made before it read the old generation. On the membarrier path entering threads do not fence: this
        // makes every thread of the process pass a full barrier first (docs/design.md, "The seqlock fence").
        Membarrier.serialize();
        // One pass notes the lanes inside the recorder; then they are awaited together, so that the wait is
        // the longest of their holders' delays, not the sum (on a loaded machine each preempted holder costs a
        // scheduling latency, and hundreds of them in a row made a generation last seconds).
        int n = 0;
        boolean overflow = false;
        for (Lane l = PLATFORM.get(); l != null; l = l.nextRegistered) {
            n = note(l, n);
            overflow |= n < 0;
            n = Math.abs(n);
        }
        for (Lane l : shared) {
            n = note(l, n);
            overflow |= n < 0;
            n = Math.abs(n);
        }
        awaitNoted(n, s);
        if (overflow) {
            // no room to note them all (the arrays could not grow): the rest one by one
            // (the arrays hold at least 64 and are empty again: noting one lane never grows them)
            for (Lane l = PLATFORM.get(); l != null; l = l.nextRegistered) {
                awaitNoted(note(l, 0), s);
                s.beat();
            }
            for (Lane l : shared) {
                awaitNoted(note(l, 0), s);
            }
        }
    }

    /** Notes {@code l} if it is inside the recorder; returns the new count, negated if it did not fit. */
    private int note(Lane l, int n) {
        long q = l.seq;
        if ((q & 1) == 0) {
            return n;
        }
        if (n == waitLanes.length) {
            try {
                waitLanes = java.util.Arrays.copyOf(waitLanes, Math.max(64, 2 * n));
                waitSeqs = java.util.Arrays.copyOf(waitSeqs, waitLanes.length);
            } catch (Throwable t) {
                return -n;
            }
        }
        waitLanes[n] = l;
        waitSeqs[n] = q;
        return n + 1;
    }

    private void awaitNoted(int n, Session s) {
        long start = System.nanoTime();
        boolean warned = false;
        boolean parked = false;
        for (int round = 0; n > 0; round++) {
            for (int i = 0; i < n; ) {
                if (waitLanes[i].seq != waitSeqs[i]) {
                    n--;
                    waitLanes[i] = waitLanes[n];
                    waitSeqs[i] = waitSeqs[n];
                    waitLanes[n] = null;
                    s.beat();
                } else {
                    i++;
                }
            }
            if (n == 0) {
                break;
            }
            if (round < 200) {
                Thread.onSpinWait();
            } else if (round < 400) {
                Thread.yield();
            } else {
                parked = true;
                LockSupport.parkNanos(50_000);
                if ((round & 255) == 0) {
                    waitingOnBlockedHolder = anyHolderBlocked(n);
                    if (!warned && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(1)) {
                        warned = true;
                        warn(waitLanes[0]);
                    }
                }
            }
        }
        waitingOnBlockedHolder = false;
        givePermitBack(parked);
    }

    /**
     * Whether a lane the advance waits for is held by a thread that is not running inside the recorder but
     * blocked (a {@code toString()} that waits for a lock, say), or by an unknown holder (a virtual thread on
     * a shared lane, which may have unmounted). A holder the OS merely preempted is RUNNABLE: it will leave.
     */
    private boolean anyHolderBlocked(int n) {
        for (int i = 0; i < n; i++) {
            Thread owner = waitLanes[i].owner;
            if (owner == null || owner.getState() != Thread.State.RUNNABLE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the advance is waiting for a lane whose holder is blocked (see {@link #anyHolderBlocked}):
     * back-off gives up waiting for such an advance, which may wait for the very thread that backs off, but
     * keeps waiting for one that only lacks the processor.
     */
    boolean waitingOnBlockedHolder() {
        return waitingOnBlockedHolder;
    }

    /**
     * After a wait that parked: the advance can run on an application thread (a stop, a flush), whose park
     * permit is the application's. One that came during the wait was taken by our parks: it is given back,
     * so that the application's own next park does not miss an unpark it was sent (at worst it returns once
     * spuriously, as park may).
     */
    private static void givePermitBack(boolean parked) {
        if (parked && !(Thread.currentThread() instanceof TracerThread)) {
            LockSupport.unpark(Thread.currentThread());
        }
    }

    private static void warn(Lane l) {
        try {
            System.err.println("jtrace: generation advance waiting for thread "
                            + (l.owner == null ? "on a virtual-thread lane" : "'" + l.owner.getName() + "'")
                            + " inside the recorder for over 1s");
        } catch (Throwable t) {
            // the advance goes on waiting; the message is all that failed
        }
    }

    /**
     * Drops the lanes of dead threads that hold nothing for any generation. A lane that died during the
     * current generation may still hold loss counts or a buffer of it: it stays until the next advance.
     */
    static void prune() {
        Lane all = PLATFORM.getAndSet(null);
        while (all != null) {
            Lane next = all.nextRegistered;
            boolean dead = all.owner != null && !all.owner.isAlive() && all.holdsNothing();
            if (!dead) {
                register(all);
            }
            all = next;
        }
    }
}
