package dev.jtrace.internal;

import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session's buffers: free ones kept for reuse, and the queue of full ones waiting for the writer.
 *
 * <p>Invariants: the bytes of queued buffers never exceed the budget ({@code maxBufferedBytes}), and no
 * lane gets a new buffer for a generation that already handed over twice {@code genbytes} of full buffers:
 * a lane refused a buffer drops its events, counted by reason (3 writerBackpressure, 6 generationFull). So
 * a generation's batches hold at most {@code 2 x genbytes} plus one buffer per lane. At {@code genbytes} the
 * session is put under back-pressure, which normally ends the generation near there. Free buffers are
 * kept for one per lane and 32 more, and for what the queue has room for in the budget, so that queued and
 * pooled bytes together stay within the budget plus {@code poolMax} buffers (see {@link #room}). Lanes take and
 * hand over buffers lock-free from inside their seqlock; only the writer (control lock held) takes buffers
 * off the queue and recycles them.
 */
final class BufferPool {
    /** The recorder's own buffers are reported with ids above this, apart from application ids. */
    static final long BUFFER_ID_BASE = 1L << 62;
    private static final AtomicLong BUFFER_IDS = new AtomicLong();

    private final Session session;
    private final int bufferSize;
    private final long budget;
    private final long generationMaxBytes;
    private final int sharedLanes;
    /**
     * Free buffers kept at most: one per lane (platform and shared) and 32. At an advance every lane that
     * writes on takes a buffer for the new generation while the old one's are still with the writer, so a
     * pool smaller than the lanes made nearly every buffer switch allocate a new buffer (with 256 platform
     * threads and a pool sized for the 4 shared lanes, 32,414 of 40,243 recycled buffers were dropped) and
     * the garbage made young-GC pauses that stopped the whole JVM for up to a second. Set by the writer
     * ({@link #fitLanes}), which sees the platform lanes come and go.
     */
    private volatile int poolMax;
    /** Beyond this many bytes of full buffers a generation gets no new buffer (events dropped, reason 6). */
    private final long capBytes;
    /** A generation this old is overdue: the writer should have ended it a quarter period ago. */
    private final long overdueNanos;
    private volatile long genStartNanos = System.nanoTime();
    /**
     * A hand-over wakes the writer only once this many bytes are queued: a quarter of the budget, at most
     * {@link #WAKE_QUEUED_BYTES}. Written at the generation's end anyway, the queue needs draining only
     * before it runs into the budget; each wake-up costs the writer some 100 to 450 us of CPU on this VM,
     * and at one per buffer it was most of the recorder's own CPU in a steady application.
     */
    private final long wakeBytes;
    static final long WAKE_QUEUED_BYTES = 1L << 20;

    @SuppressWarnings("unchecked")
    private final AtomicReference<Buffer>[] full = new AtomicReference[] {new AtomicReference<>(), new AtomicReference<>()};
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<Buffer> pool = new ConcurrentLinkedQueue<>();
    private final AtomicInteger poolSize = new AtomicInteger();
    /** Buffers taken from the heap, not the pool, since the session began. */
    private final AtomicLong allocated = new AtomicLong();
    /** Event bytes handed to the writer per generation parity: full buffers count when they fill. */
    private final AtomicLongArray handedBytes = new AtomicLongArray(2);

    BufferPool(Session session, TraceConfig config, int lanes) {
        this.session = session;
        this.bufferSize = config.bufferSize();
        this.budget = config.maxBufferedBytes();
        this.generationMaxBytes = config.generationMaxBytes();
        this.sharedLanes = lanes;
        this.poolMax = 2 * lanes + 32;
        this.capBytes = 2 * generationMaxBytes;
        long period = config.generationPeriod().toNanos();
        this.overdueNanos = period + period / 4;
        this.wakeBytes = Math.min(WAKE_QUEUED_BYTES, budget / 4);
    }

    /**
     * A buffer from the pool or the heap, or {@code null} (and {@link Lane#refusal} says why) when the
     * generation already holds {@code genbytes} of full buffers or the writer is too far behind. Either
     * case, and a generation older than its overdue age, puts the session under back-pressure.
     */
    Buffer alloc(Lane lane, long g) {
        int idx = (int) (g & 1);
        if (handedBytes.get(idx) >= capBytes) {
            lane.refusal = Format.LOSS_GENERATION_FULL;
            session.pressure(g);
            return null;
        }
        if (System.nanoTime() - genStartNanos > overdueNanos) {
            session.pressure(g);
        }
        int size = bufferSize;
        // the budget holds for pooled buffers too: the pool may keep what the queue has room for (recycle)
        if (queuedBytes.get() + size > budget) {
            lane.refusal = Format.LOSS_BACKPRESSURE;
            session.pressure(g);
            return null;
        }
        Buffer b = pool.poll();
        if (b != null) {
            poolSize.decrementAndGet();
            if (b.data.length != size) {
                b = null;
            }
        }
        if (b == null) {
            b = new Buffer(size);
            allocated.incrementAndGet(); // only here, off the pooled path
        }
        b.reset(lane, g, BUFFER_ID_BASE + BUFFER_IDS.incrementAndGet());
        return b;
    }

    /** The writer began a generation at {@code startNanos} (System.nanoTime). */
    void generationStarted(long startNanos) {
        genStartNanos = startNanos;
    }

    /** Queues a full buffer for the writer. Called by the thread inside the lane's seqlock. */
    void handOff(Lane lane, Buffer b) {
        int idx = (int) (b.gen & 1);
        if (b.batchSeq < 0) {
            b.batchSeq = lane.nextBatchSeq[idx]++;
        }
        if (!b.queued) {
            b.queued = true;
            queuedBytes.addAndGet(b.data.length);
            // genbytes is enforced where the bytes are made: the writer's own count lags behind when it is
            // short of CPU, and generations then grew to twice the bound (a reader holds one in memory)
            if (handedBytes.addAndGet(idx, b.pos) >= generationMaxBytes) {
                // full: threads back off after their event until the writer has begun the next generation,
                // so that the hard cap (twice genbytes) is reached only when the writer cannot keep up at all
                session.pressure(b.gen);
            }
        }
        AtomicReference<Buffer> head = full[idx];
        Buffer h;
        do {
            h = head.get();
            b.next = h;
        } while (!head.compareAndSet(h, b));
        // Once pushed, nothing may throw out of here: the caller would keep the buffer as pending and hand
        // it over again, and the writer would write it twice (two batches with one number: a real
        // StackOverflowError in LockSupport.unpark did it). A missed wake-up costs only latency: the writer
        // wakes at the generation's end, and at least once a second.
        try {
            if (queuedBytes.get() >= wakeBytes) {
                session.wakeWriter();
            }
        } catch (Throwable t) {
            // calls nothing
        }
    }

    /** Takes the queued buffers of a generation parity, oldest first (writer only). */
    Buffer takeQueued(int idx) {
        Buffer list = full[idx].getAndSet(null);
        Buffer fifo = null;
        while (list != null) {
            Buffer next = list.next;
            list.next = fifo;
            fifo = list;
            list = next;
        }
        return fifo;
    }

    /** Starts the byte count of a generation parity afresh (the advance wrote that generation). */
    void resetHanded(int idx) {
        handedBytes.set(idx, 0);
    }

    /**
     * Sizes the pool for this many platform lanes (writer only, at its polls): one free buffer per lane,
     * platform or shared, and 32; at least the 2 x shared + 32 a session starts with. Buffers beyond a smaller
     * size are let go at once, so the pool's share of {@link Session#memoryBoundBytes} holds within a poll.
     */
    void fitLanes(int platformLanes) {
        poolMax = Math.max(2 * sharedLanes + 32, platformLanes + sharedLanes + 32);
        while (poolSize.get() > room() && pool.poll() != null) {
            poolSize.decrementAndGet();
        }
    }

    /**
     * How many free buffers the pool may keep now: {@link #poolMax}, and as many as the queue has room for
     * in the budget. When the writer catches up with a deep queue, its buffers come back faster than the
     * lanes take them; dropped, each would be allocated again at a later switch. Kept, they stay within the
     * memory bound: a lane takes a pooled buffer only while the queue has room for it ({@link #alloc}), so
     * queued + pooled bytes stay at most budget + poolMax buffers.
     */
    private int room() {
        long headroom = Math.max(0, budget - queuedBytes.get()) / bufferSize;
        return (int) Math.min(Integer.MAX_VALUE, poolMax + headroom);
    }

    /** Returns a written (or abandoned) buffer: off the budget, and into the pool if there is room. */
    void recycle(Buffer b) {
        if (b.queued) {
            queuedBytes.addAndGet(-b.data.length);
            b.queued = false;
        }
        b.next = null;
        if (b.data.length == bufferSize && poolSize.get() < room()) {
            try {
                pool.offer(b); // allocates a queue node: with the heap full the buffer is left to the GC instead
                poolSize.incrementAndGet();
            } catch (Throwable t) {
                // not pooled; nothing else depends on it
            }
        }
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    int pooled() {
        return poolSize.get();
    }

    long allocated() {
        return allocated.get();
    }

    int poolMax() {
        return poolMax;
    }
}
