package dev.jtrace.internal;

import dev.jtrace.Reentrancy;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One recording: from the first start to the last stop of its consumers (a file, a flight recorder, or
 * both). Owns the generation number, the per-generation string and stack tables, the shared lanes of
 * virtual threads, the queue of full buffers and the background writer thread.
 *
 * <h2>Generation advance (Go's traceAdvance)</h2>
 * Under the control lock: bump {@link #gen} (volatile; 0 when stopping), then wait until every lane's
 * seqlock has been seen outside the tracer once (even, or changed), so no thread can still be writing the
 * old generation; then write the old generation's queued and partial buffers, its tables and GEN_END, and
 * start the next one with GEN_BEGIN. No application thread ever waits for this: they only ever see a
 * generation number and their own lane.
 */
public final class Session {
    /** The running session, or {@code null}. */
    public static volatile Session ACTIVE;

    static final String BUFFER_TYPE_NAME = "jtrace.Buffer";
    /** The recorder's own buffers are reported with ids above this, apart from application ids. */
    static final long BUFFER_ID_BASE = 1L << 62;
    private static final AtomicReference<Lane> REGISTRY = new AtomicReference<>();
    private static final AtomicLong GEN_COUNTER = new AtomicLong();
    private static final AtomicLong BUFFER_IDS = new AtomicLong();
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int TABLE_CHUNK = 1 << 20;

    final TraceConfig config;
    final Reentrancy reentrancy;
    final boolean allocFree;
    final boolean stackTraces;
    final int stackDepth;
    /** The generation being written; 0 once stopped. */
    volatile long gen;

    private final Lane[] sharedLanes;
    private final StringTable[] strings = {new StringTable(), new StringTable()};
    private final StackTable[] stacks = {new StackTable(), new StackTable()};
    @SuppressWarnings("unchecked")
    private final AtomicReference<Buffer>[] full = new AtomicReference[] {new AtomicReference<>(), new AtomicReference<>()};
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<Buffer> pool = new ConcurrentLinkedQueue<>();
    private final AtomicInteger poolSize = new AtomicInteger();
    private final int poolMax;
    private final AtomicLongArray noLaneLoss = new AtomicLongArray(2);
    /** Event bytes handed to the writer per generation parity: full buffers count when they fill. */
    private final AtomicLongArray handedBytes = new AtomicLongArray(2);

    private final ReentrantLock control = new ReentrantLock();
    private final Sinks sinks = new Sinks();
    private final RecordEncoder enc = new RecordEncoder();
    private final RecordEncoder body = new RecordEncoder();
    private final Thread writer;
    private volatile boolean running = true;
    private volatile boolean advanceRequested;

    // Written only under the control lock.
    private long genStartNanos;
    private long genBytes;
    private long genBatches;
    private long genEvents;
    private long generationsWritten;
    private long bytesWritten;

    private Session(TraceConfig config) {
        this.config = config;
        this.reentrancy = config.reentrancy();
        this.allocFree = config.allocFree();
        this.stackTraces = config.stackTraces();
        this.stackDepth = config.stackDepth();
        this.sharedLanes = new Lane[config.sharedLanes()];
        for (int i = 0; i < sharedLanes.length; i++) {
            sharedLanes[i] = new Lane(null);
        }
        this.poolMax = 2 * sharedLanes.length + 32;
        this.writer = new Thread(this::writerLoop, "jtrace-writer");
        this.writer.setDaemon(true);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts a session whose first consumer is {@code sink}. */
    public static Session start(TraceConfig config, Sink sink) throws IOException {
        return start(config, sink, true);
    }

    /**
     * A session without its writer thread, for Lincheck scenarios: every generation change then comes from
     * an explicit {@link #advanceNow()} or {@link #detach}, made by one of the scenario's threads.
     */
    static Session startWithoutWriter(TraceConfig config, Sink sink) throws IOException {
        return start(config, sink, false);
    }

    private static Session start(TraceConfig config, Sink sink, boolean startWriter) throws IOException {
        synchronized (Session.class) {
            if (ACTIVE != null) {
                throw new IllegalStateException("a jtrace session is already running");
            }
            refuseFromInsideRecorder();
            Session s = new Session(config);
            sink.open(RecordEncoder.fileHeader());
            s.sinks.add(sink);
            long g = GEN_COUNTER.incrementAndGet();
            s.control.lock();
            try {
                s.beginGeneration(g, ClockStamp.now());
            } finally {
                s.control.unlock();
            }
            s.gen = g;
            // The switch first, then the session: once a thread can see the session, every thread sees the
            // switch on (syncAll), so each thread's events form one unbroken run from its first recorded one.
            // The other order let a thread running code compiled during the previous session (switch folded
            // to on) record one event, then see the switch still off until syncAll reached it (a hole).
            Switch.set(true);
            ACTIVE = s;
            if (startWriter) {
                s.writer.start();
            }
            return s;
        }
    }

    /** Adds a consumer at the next generation boundary (forces one). */
    public void attach(Sink sink) throws IOException {
        refuseFromInsideRecorder();
        control.lock();
        try {
            ensureRunning();
            sink.open(RecordEncoder.fileHeader());
            advance(false, sink, null);
        } finally {
            control.unlock();
        }
    }

    /**
     * Removes a consumer after completing the current generation; stops the session when it was the
     * last. Returns whether the session stopped.
     */
    public boolean detach(Sink sink) throws IOException {
        refuseFromInsideRecorder();
        boolean stopped;
        control.lock();
        try {
            if (!running) {
                return true;
            }
            boolean last = sinks.all().size() == 1 && sinks.all().contains(sink);
            advance(last, null, sink);
            stopped = last;
            if (last) {
                shutdownLocked();
            }
        } finally {
            control.unlock();
        }
        if (stopped && Thread.currentThread() != writer) {
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return stopped;
    }

    /** Stops the session whatever its consumers, for tests that must not inherit a session. */
    void stopForTests() {
        control.lock();
        try {
            if (running) {
                stopLocked();
            }
        } finally {
            control.unlock();
        }
    }

    /** Completes the current generation now and starts the next. */
    public void advanceNow() {
        refuseFromInsideRecorder();
        control.lock();
        try {
            if (running) {
                advance(false, null, null);
            }
        } finally {
            control.unlock();
        }
    }

    /** Whether {@code sink} is one of this session's consumers. */
    public boolean has(Sink sink) {
        control.lock();
        try {
            return running && sinks.all().contains(sink);
        } finally {
            control.unlock();
        }
    }

    /** The configuration the session runs with (the first consumer's). */
    public TraceConfig config() {
        return config;
    }

    private void ensureRunning() {
        if (!running) {
            throw new IllegalStateException("the jtrace session has stopped");
        }
    }

    private static void refuseFromInsideRecorder() {
        if (ThreadContext.current().insideRecorder()) {
            throw new IllegalStateException(
                    "jtrace: start, stop and generation changes cannot be called from inside the recorder");
        }
    }

    /** Completes the current generation as the last one and shuts down, whatever the consumers. */
    private void stopLocked() {
        advance(true, null, null);
        shutdownLocked();
    }

    private void shutdownLocked() {
        running = false;
        gen = 0;
        for (Sink s : List.copyOf(sinks.all())) {
            sinks.remove(s);
            try {
                s.close();
            } catch (IOException e) {
                System.err.println("jtrace: closing " + s.describe() + " failed: " + e);
            }
        }
        // The switch goes off only after the generation went to 0 (the advance above): the switch is a filter
        // that must be on whenever a generation is, or a thread could see it off, then on again (code compiled
        // before the change and not yet deoptimized while syncAll runs) inside a generation that is still open:
        // a hole in its events. Under the class lock, so that a session starting meanwhile keeps its switch on.
        synchronized (Session.class) {
            if (ACTIVE == this) {
                Switch.set(false);
                ACTIVE = null;
            }
        }
        LockSupport.unpark(writer);
    }

    private void writerLoop() {
        while (running) {
            LockSupport.parkNanos(POLL_NANOS);
            control.lock();
            try {
                if (!running) {
                    break;
                }
                drain(gen);
                long now = System.nanoTime();
                if (advanceRequested || now - genStartNanos >= config.generationPeriod().toNanos()
                        || genBytes + strings[(int) (gen & 1)].approxBytes() >= config.generationMaxBytes()) {
                    advance(false, null, null);
                }
                if (sinks.removeFailed() && sinks.isEmpty()) {
                    // Every output failed: tracing turns itself off; the application goes on.
                    stopLocked();
                }
            } catch (Throwable t) {
                System.err.println("jtrace: writer thread error: " + t);
            } finally {
                control.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- hot-path services

    StringTable strings(long g) {
        return strings[(int) (g & 1)];
    }

    StackTable stacks(long g) {
        return stacks[(int) (g & 1)];
    }

    Lane claimSharedLane(ThreadContext ctx) {
        Lane[] lanes = sharedLanes;
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

    void countNoLane() {
        long g = gen;
        noLaneLoss.incrementAndGet((int) (g & 1));
    }

    /** A buffer from the pool or the heap, or {@code null} when the writer is too far behind. */
    Buffer allocBuffer(Lane lane, long g) {
        int size = config.bufferSize();
        Buffer b = pool.poll();
        if (b != null) {
            poolSize.decrementAndGet();
            if (b.data.length != size) {
                b = null;
            }
        }
        if (b == null) {
            if (queuedBytes.get() + size > config.maxBufferedBytes()) {
                advanceRequested = true;
                LockSupport.unpark(writer);
                return null;
            }
            b = new Buffer(size);
        }
        b.reset(lane, g, BUFFER_ID_BASE + BUFFER_IDS.incrementAndGet());
        return b;
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
            if (handedBytes.addAndGet(idx, b.pos) >= config.generationMaxBytes()) {
                advanceRequested = true;
            }
        }
        AtomicReference<Buffer> head = full[idx];
        Buffer h;
        do {
            h = head.get();
            b.next = h;
        } while (!head.compareAndSet(h, b));
        LockSupport.unpark(writer);
    }

    static void register(Lane lane) {
        Lane h;
        do {
            h = REGISTRY.get();
            lane.nextRegistered = h;
        } while (!REGISTRY.compareAndSet(h, lane));
    }

    // ---------------------------------------------------------------- writer side (control lock held)

    private void drain(long g) {
        Buffer list = full[(int) (g & 1)].getAndSet(null);
        Buffer fifo = null;
        while (list != null) {
            Buffer next = list.next;
            list.next = fifo;
            fifo = list;
            list = next;
        }
        while (fifo != null) {
            Buffer next = fifo.next;
            writeBatch(fifo);
            recycle(fifo);
            fifo = next;
        }
    }

    private void writeBatch(Buffer b) {
        enc.reset();
        enc.uvarint(b.gen).uvarint(b.laneId).uvarint(b.ownerThread).uvarint(b.batchSeq).uvarint(b.baseTicks)
                .uvarint(b.events);
        int n = enc.writeRecord(Format.REC_BATCH, b.data, b.pos, sinks);
        genBytes += n;
        genBatches++;
        genEvents += b.events;
    }

    private void recycle(Buffer b) {
        if (b.queued) {
            queuedBytes.addAndGet(-b.data.length);
            b.queued = false;
        }
        b.next = null;
        if (b.data.length == config.bufferSize() && poolSize.get() < poolMax) {
            poolSize.incrementAndGet();
            pool.offer(b);
        }
    }

    private void beginGeneration(long g, ClockStamp start) {
        enc.reset();
        enc.uvarint(g).uvarint(start.ticks()).uvarint(start.wallNanos()).uvarint(start.nanos());
        enc.writeRecord(Format.REC_GEN_BEGIN, sinks);
        genStartNanos = start.nanos();
        genBytes = 0;
        genBatches = 0;
        genEvents = 0;
    }

    private void advance(boolean stopping, Sink attach, Sink detach) {
        long old = gen;
        if (old == 0) {
            return;
        }
        advanceRequested = false;
        long next = stopping ? 0 : GEN_COUNTER.incrementAndGet();
        ClockStamp end = ClockStamp.now();
        gen = next;

        // Wait until no thread can still be inside the old generation.
        for (Lane l = REGISTRY.get(); l != null; l = l.nextRegistered) {
            awaitOutside(l);
        }
        for (Lane l : sharedLanes) {
            awaitOutside(l);
        }

        int idx = (int) (old & 1);
        drain(old);
        List<Lane> activeLanes = new ArrayList<>();
        List<long[]> lossRows = new ArrayList<>();
        for (Lane l = REGISTRY.get(); l != null; l = l.nextRegistered) {
            collect(l, old, idx, activeLanes, lossRows);
        }
        for (Lane l : sharedLanes) {
            collect(l, old, idx, null, lossRows);
        }
        long noLane = noLaneLoss.getAndSet(idx, 0);
        handedBytes.set(idx, 0);
        if (noLane > 0) {
            lossRows.add(new long[] {0, 0, Format.LOSS_NO_LANE, noLane});
        }
        writeTables(old, idx, activeLanes, lossRows);
        enc.reset();
        enc.uvarint(old).uvarint(end.ticks()).uvarint(end.wallNanos()).uvarint(genBatches).uvarint(genEvents)
                .uvarint(end.nanos());
        enc.writeRecord(Format.REC_GEN_END, sinks);
        sinks.generationComplete(old, genStartNanos, end.nanos());
        generationsWritten++;
        strings[idx].clear();
        stacks[idx].clear();

        if (detach != null && sinks.remove(detach)) {
            try {
                detach.close();
            } catch (IOException e) {
                System.err.println("jtrace: closing " + detach.describe() + " failed: " + e);
            }
        }
        if (attach != null) {
            sinks.add(attach);
        }
        if (next != 0) {
            beginGeneration(next, end);
        }
        pruneRegistry();
    }

    private static void awaitOutside(Lane l) {
        long q = l.seq;
        if ((q & 1) == 0) {
            return;
        }
        long start = System.nanoTime();
        boolean warned = false;
        for (int spins = 0; l.seq == q; spins++) {
            if (spins < 200) {
                Thread.onSpinWait();
            } else if (spins < 400) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(50_000);
                if (!warned && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(1)) {
                    warned = true;
                    System.err.println("jtrace: generation advance waiting for thread "
                            + (l.owner == null ? "on a virtual-thread lane" : "'" + l.owner.getName() + "'")
                            + " inside the recorder for over 1s");
                }
            }
        }
    }

    private void collect(Lane l, long old, int idx, List<Lane> activeLanes, List<long[]> lossRows) {
        Buffer stuck = l.pending[idx];
        if (stuck != null) {
            l.pending[idx] = null;
            if (stuck.gen == old) {
                flushFinal(l, stuck, idx);
            }
        }
        Buffer b = l.buffers[idx];
        if (b != null) {
            l.buffers[idx] = null;
            if (b.gen == old) {
                flushFinal(l, b, idx);
            }
        }
        if (l.active[idx] && activeLanes != null) {
            activeLanes.add(l);
        }
        l.active[idx] = false;
        l.nextBatchSeq[idx] = 0;
        for (int r = 1; r < Lane.LOSS_SLOTS; r++) {
            long c = l.loss[idx * Lane.LOSS_SLOTS + r];
            if (c != 0) {
                lossRows.add(new long[] {l.id, l.ownerThreadId, r, c});
                l.loss[idx * Lane.LOSS_SLOTS + r] = 0;
            }
        }
    }

    private void flushFinal(Lane l, Buffer b, int idx) {
        if (b.events > 0) {
            if (b.batchSeq < 0) {
                b.batchSeq = l.nextBatchSeq[idx]++;
            }
            writeBatch(b);
        }
        recycle(b);
    }

    private void writeTables(long g, int idx, List<Lane> activeLanes, List<long[]> lossRows) {
        body.reset();
        int count = 0;
        for (EventSpec spec : EventTypes.ALL) {
            body.uvarint(spec.id()).string(spec.name()).uvarint(spec.args().size());
            for (EventSpec.Arg a : spec.args()) {
                body.string(a.name()).uvarint(a.kind().code);
            }
            count++;
        }
        writeTable(Format.REC_EVENT_TYPES, g, count);

        body.reset();
        count = 0;
        for (Map.Entry<String, Integer> e : strings[idx].entries()) {
            body.uvarint(e.getValue()).string(e.getKey());
            if (++count >= 1 && body.size() >= TABLE_CHUNK) {
                writeTable(Format.REC_STRINGS, g, count);
                body.reset();
                count = 0;
            }
        }
        if (count > 0) {
            writeTable(Format.REC_STRINGS, g, count);
        }

        body.reset();
        count = 0;
        for (StackTable.Entry e : stacks[idx].entries()) {
            int[] f = e.frames();
            body.uvarint(e.id()).uvarint(f.length / 4);
            for (int i = 0; i < f.length; i += 4) {
                body.uvarint(f[i]).uvarint(f[i + 1]).uvarint(f[i + 2]).svarint(f[i + 3]);
            }
            if (++count >= 1 && body.size() >= TABLE_CHUNK) {
                writeTable(Format.REC_STACKS, g, count);
                body.reset();
                count = 0;
            }
        }
        if (count > 0) {
            writeTable(Format.REC_STACKS, g, count);
        }

        body.reset();
        count = 0;
        for (Lane l : activeLanes) {
            Thread t = l.owner;
            body.uvarint(l.ownerThreadId).string(t.getName()).uvarint(t.isDaemon() ? 2 : 0);
            count++;
        }
        if (count > 0) {
            writeTable(Format.REC_THREADS, g, count);
        }

        if (!lossRows.isEmpty()) {
            body.reset();
            for (long[] r : lossRows) {
                body.uvarint(r[0]).uvarint(r[1]).uvarint(r[2]).uvarint(r[3]);
            }
            writeTable(Format.REC_LOSS, g, lossRows.size());
        }
    }

    private void writeTable(int kind, long g, int count) {
        enc.reset();
        enc.uvarint(g).uvarint(count).append(body);
        genBytes += enc.writeRecord(kind, sinks);
    }

    /**
     * Drops the lanes of dead threads that hold nothing for any generation. A lane that died during the
     * current generation may still hold loss counts or a buffer of it: it stays until the next advance.
     */
    private void pruneRegistry() {
        Lane all = REGISTRY.getAndSet(null);
        while (all != null) {
            Lane next = all.nextRegistered;
            boolean dead = all.owner != null && !all.owner.isAlive() && all.holdsNothing();
            if (!dead) {
                register(all);
            }
            all = next;
        }
    }

    // ---------------------------------------------------------------- diagnostics

    /** Platform-thread lanes currently registered (live threads, and dead ones not yet pruned). */
    public static int registeredLanes() {
        int n = 0;
        for (Lane l = REGISTRY.get(); l != null; l = l.nextRegistered) {
            n++;
        }
        return n;
    }

    /** Bytes of full buffers waiting for the writer. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Free buffers kept for reuse. */
    public int pooledBuffers() {
        return poolSize.get();
    }

    /** Lanes shared by virtual threads. */
    public int sharedLaneCount() {
        return sharedLanes.length;
    }

    /** Complete generations written so far. */
    public long generationsWritten() {
        control.lock();
        try {
            return generationsWritten;
        } finally {
            control.unlock();
        }
    }

    /** Bytes of buffers the session holds at most: lanes' buffers plus the queue budget plus the pool. */
    public long memoryBoundBytes() {
        long lanes = registeredLanes() + sharedLanes.length;
        return lanes * 2L * config.bufferSize() + config.maxBufferedBytes() + (long) poolMax * config.bufferSize();
    }
}
