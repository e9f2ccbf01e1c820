package dev.jtrace.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer of batches: Go's M. Each platform thread owns one lane for its life; virtual threads share a
 * session's pool of lanes and claim one per event (JFR's per-carrier buffers), so a million virtual
 * threads need no more buffers than a handful of platform threads.
 *
 * <p>{@link #seq} is the lane's seqlock: odd while a thread is inside the tracer on this lane. Entering
 * makes it odd before the generation is read, so that the generation advance either sees the lane busy or
 * the entering thread sees the new generation: with a full fence of its own (a volatile store, or the CAS
 * that claims a shared lane), or, where the advance issues {@link Membarrier membarrier} between publishing
 * the generation and reading the seqlocks, with an opaque store kept before the read by a compiler barrier
 * (docs/design.md, "The seqlock fence"). Everything else in a lane is touched only by the thread inside,
 * or by the advance after it saw the seqlock leave the old generation.
 */
final class Lane {
    static final VarHandle SEQ;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(Lane.class, "seq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final AtomicLong IDS = new AtomicLong();

    /** Slots per generation in {@link #loss}: one per loss reason code. */
    static final int LOSS_SLOTS = 10;
    private static final int CACHE_SIZE = 256;
    /** Recorded for an argument whose {@code toString()} returned null. */
    static final String TO_STRING_NULL = "<toString() returned null>";
    private static final String TO_STRING_OOME = "<toString() threw java.lang.OutOfMemoryError>";
    private static final String TO_STRING_SOE = "<toString() threw java.lang.StackOverflowError>";

    final long id = IDS.incrementAndGet();
    /** The owning platform thread, or {@code null} for a shared lane. */
    final Thread owner;
    final long ownerThreadId;
    final boolean shared;

    volatile long seq;
    /** Test model only ({@link Faults#storeBufferModel}): a seqlock store of this lane not visible yet. */
    volatile boolean storeBuffered;

    /** The buffer being filled, per generation parity (gen & 1), as in Go. */
    final Buffer[] buffers = new Buffer[2];
    /** A full buffer whose hand-over an error interrupted; retried by the lane or by the advance. */
    final Buffer[] pending = new Buffer[2];
    final int[] nextBatchSeq = new int[2];
    /** Whether the lane allocated a buffer in the generation (it then belongs in the thread table). */
    final boolean[] active = new boolean[2];
    /** Lost events per generation parity and reason. */
    final long[] loss = new long[2 * LOSS_SLOTS];
    /** Why the last {@link #reserve} found no buffer: a loss reason, set by the buffer pool. */
    int refusal = dev.jtrace.format.Format.LOSS_BACKPRESSURE;

    // A direct-mapped cache from String identity to the generation's id: literal names hit without
    // touching the shared table.
    private final String[] cacheKeys = new String[CACHE_SIZE];
    private final int[] cacheIds = new int[CACHE_SIZE];
    private long cacheGen;

    /**
     * The buffers the last {@link #reserve} switched: the new one's id and size, the full one's id (0 = none).
     * Written by reserve, read and cleared by the thread inside; {@code allocatedId == 0}: no switch.
     */
    long allocatedId;
    int allocatedSize;
    long freedId;

    /** Link in the global registry of platform lanes. */
    Lane nextRegistered;

    Lane(Thread owner) {
        this.owner = owner;
        this.ownerThreadId = owner == null ? 0 : owner.threadId();
        this.shared = owner == null;
    }

    /**
     * Claims a free shared lane: the CAS both takes the lane and fences like the seqlock store. It stays a
     * full CAS on the membarrier path: virtual threads exclude one another with it, and on x86 every locked
     * instruction is a full fence whatever its access mode.
     */
    boolean tryClaim() {
        long q = seq;
        return (q & 1) == 0 && SEQ.compareAndSet(this, q, q + 1);
    }

    /** No buffer, parked buffer, activity or loss count of any generation left to write. */
    boolean holdsNothing() {
        if (buffers[0] != null || buffers[1] != null || pending[0] != null || pending[1] != null || active[0]
                || active[1]) {
            return false;
        }
        for (long c : loss) {
            if (c != 0) {
                return false;
            }
        }
        return true;
    }

    void countLoss(long gen, int reason) {
        loss[(int) (gen & 1) * LOSS_SLOTS + reason]++;
    }

    /**
     * Interns a string argument, calling {@code toString()} on other objects (user code: may nest). Whatever
     * {@code toString()} does is recorded, never thrown: a null result or any throwable (an Error, or a checked
     * exception thrown sneakily) becomes a placeholder naming it. Only {@link dev.jtrace.ReentrantEventException}
     * passes, as reentrancy=fail promises it to the application.
     */
    int intern(Session s, long gen, Object o) {
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.RESOLVE);
        }
        String str;
        if (o instanceof String plain) {
            str = plain;
        } else {
            try {
                str = o.toString();
                if (str == null) {
                    str = TO_STRING_NULL;
                }
            } catch (dev.jtrace.ReentrantEventException e) {
                throw e; // reentrancy=fail must reach the caller
            } catch (Throwable e) {
                // the two errors of an exhausted heap or stack without building a string, so that the event
                // may still be recorded there
                Class<?> c = e.getClass();
                str = c == OutOfMemoryError.class ? TO_STRING_OOME : c == StackOverflowError.class ? TO_STRING_SOE
                        : "<toString() threw " + c.getName() + ">";
            }
        }
        if (cacheGen != gen) {
            Arrays.fill(cacheKeys, null);
            cacheGen = gen;
        }
        int slot = str.hashCode() & (CACHE_SIZE - 1);
        if (cacheKeys[slot] == str) {
            return cacheIds[slot];
        }
        int id = s.strings(gen).intern(str);
        if (id == StringTable.DROPPED_ID) {
            // the string budget is spent: the marker stands in, counted, and never cached (it is no id of str)
            countLoss(gen, dev.jtrace.format.Format.LOSS_STRINGS_DROPPED);
            return id;
        }
        // Only literal-like strings are worth caching, but caching any is harmless: the slot is overwritten.
        cacheIds[slot] = id;
        cacheKeys[slot] = str;
        return id;
    }

    /** The id of {@code s} in generation {@code gen} if this lane cached it, else -1. For the fast path. */
    int cached(String s, long gen) {
        if (s == null) {
            return 0;
        }
        int slot = s.hashCode() & (CACHE_SIZE - 1);
        return cacheGen == gen && cacheKeys[slot] == s ? cacheIds[slot] : -1;
    }

    /**
     * Returns a buffer of generation {@code gen} with room for one worst-case event, replacing a full one, or
     * {@code null} when the buffer budget is exhausted. It calls nothing that can emit: when it installed a
     * new buffer it leaves the ids of the buffers it switched in {@link #allocatedId}/{@link #allocatedSize}
     * and {@link #freedId} (0 = none), for the caller to record the recorder's own Alloc/Free (the ids are
     * taken before the hand-over, after which the writer may recycle the full buffer).
     */
    Buffer reserve(Session s, long gen) {
        int idx = (int) (gen & 1);
        Buffer b = buffers[idx];
        if (b != null && b.gen == gen && b.remaining() >= ThreadContext.MAX_EVENT_BYTES) {
            return b;
        }
        Buffer stuck = pending[idx];
        if (stuck != null && stuck.gen == gen) {
            s.handOff(this, stuck);
            pending[idx] = null;
        }
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.BUFFER_SWITCH);
        }
        Buffer fresh = s.allocBuffer(this, gen);
        if (fresh == null) {
            return null;
        }
        Buffer full = (b != null && b.gen == gen) ? b : null;
        // Order matters for error atomicity: park the full buffer in pending, install the new one, then
        // hand over. An error anywhere leaves every buffer either installed, pending or handed over.
        pending[idx] = full;
        buffers[idx] = fresh;
        active[idx] = true;
        allocatedId = fresh.id;
        allocatedSize = fresh.data.length;
        freedId = full == null ? 0 : full.id;
        if (full != null) {
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.BUFFER_HANDOFF);
            }
            s.handOff(this, full);
            pending[idx] = null;
        }
        return fresh;
    }
}
