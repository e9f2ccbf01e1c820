package dev.jtrace.internal;

import dev.jtrace.Reentrancy;
import dev.jtrace.TraceConfig;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One recording: from the first start to the last stop of its consumers (a file, a flight recorder, or
 * both). Owns the generation number, the per-generation string and stack tables and the control lock, and
 * ties together the parts that each keep one invariant: the {@link LaneRegistry} (which lanes an advance
 * waits for), the {@link BufferPool} (buffers and their budget) and the {@link GenerationWriter} (whole
 * generations to the sinks).
 *
 * <h2>Lifecycle</h2>
 * Start, attach, detach, stop and explicit advances all run under the control lock; a generation advance
 * sets {@link #gen} (volatile; 0 when stopping) and lets the writer complete the old generation. No
 * application thread ever waits for this: they only ever see a generation number and their own lane.
 */
public final class Session {
    /** The running session, or {@code null}. Read by the hot path; set only under the class lock. */
    static volatile Session ACTIVE;

    static final String BUFFER_TYPE_NAME = "jtrace.Buffer";
    private static final AtomicLong GEN_COUNTER = new AtomicLong();

    final TraceConfig config;
    final Reentrancy reentrancy;
    final boolean allocFree;
    final boolean stackTraces;
    final int stackDepth;
    /** The generation being written; 0 once stopped. */
    volatile long gen;

    private final StringTable[] strings;
    private final StackTable[] stacks;
    private final LaneRegistry lanes;
    private final BufferPool buffers;
    private final GenerationWriter writer;

    final ReentrantLock control = new ReentrantLock();
    private final Sinks sinks = new Sinks();
    private volatile boolean running = true;
    private volatile boolean advanceRequested;
    /**
     * A generation found full or overdue at a buffer switch (0: none): threads back off after their event,
     * outside the recorder, so that the writer gets the processor. Read by the slow path only.
     */
    volatile long pressureGen;
    /** The last generation the writer completed (written or counted lost). */
    private volatile long completedGen;
    /** Incremented by whoever writes (control lock held) as it makes progress. */
    private volatile long writerBeat;
    /** A generation whose back-off gave up because the writer made no progress, and the beat it saw. */
    private volatile long stuckGen;
    private volatile long stuckBeat;
    /** Threads backing off, to wake when the generation they wait for is complete. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Thread> waiters = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final long BACKOFF_POLL_NANOS = 20_000_000;
    /** How many times longer back-off waits for a writer that is runnable (starved) than for a blocked one. */
    private static final int STARVED_WAITS = 10;

    private Session(TraceConfig config) {
        this.config = config;
        this.reentrancy = config.reentrancy();
        this.allocFree = config.allocFree();
        this.stackTraces = config.stackTraces();
        this.stackDepth = config.stackDepth();
        long tables = tableBudget(config);
        this.strings = new StringTable[] {new StringTable(tables), new StringTable(tables)};
        this.stacks = new StackTable[] {new StackTable(tables), new StackTable(tables)};
        this.lanes = new LaneRegistry(config.sharedLanes());
        this.buffers = new BufferPool(this, config, config.sharedLanes());
        this.writer = new GenerationWriter(this, buffers, lanes, sinks);
    }

    /**
     * Heap bytes each of a generation's string and stack tables may hold: a quarter of {@code genbytes}, at
     * least 64 KiB. Their encoded size is at most 1.5 times that (3 UTF-8 bytes per char at worst).
     */
    static long tableBudget(TraceConfig config) {
        return Math.max(64 * 1024, config.generationMaxBytes() / 4);
    }

    /** The running session, or {@code null}. */
    public static Session active() {
        return ACTIVE;
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
                s.writer.readClock();
                s.writer.beginGeneration(g);
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
                s.writer.thread().start();
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
            advanceLocked(false, sink, null);
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
            advanceLocked(last, null, sink);
            stopped = last;
            if (last) {
                shutdownLocked();
            }
        } finally {
            control.unlock();
        }
        Thread w = writer.thread();
        if (stopped && Thread.currentThread() != w) {
            try {
                w.join(10_000);
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
                advanceLocked(false, null, null);
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

    boolean running() {
        return running;
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
    void stopLocked() {
        advanceLocked(true, null, null);
        shutdownLocked();
    }

    private void shutdownLocked() {
        running = false;
        gen = 0;
        // no copy of the list: nothing in a stop may need memory
        while (!sinks.isEmpty()) {
            Sink s = sinks.all().get(sinks.all().size() - 1);
            writer.endTrace(s);
            sinks.remove(s);
            GenerationWriter.closeQuietly(s);
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
        writer.wake();
    }

    /**
     * The generation advance (control lock held): a new generation number for every thread's next event,
     * then the old generation written whole; consumers join and leave here, between generations.
     */
    void advanceLocked(boolean stopping, Sink attach, Sink detach) {
        long old = gen;
        if (old == 0) {
            return;
        }
        advanceRequested = false;
        long next = stopping ? 0 : GEN_COUNTER.incrementAndGet();
        writer.readClock();
        gen = next;
        // From here on every step runs whatever the one before threw (an OutOfMemoryError on a full heap):
        // the next generation must begin in the sinks, or its records would follow no GEN_BEGIN.
        try {
            writer.completeGeneration(old);
        } catch (Throwable t) {
            writer.countError();
        }
        completedGen = old;
        for (Thread t; (t = waiters.poll()) != null; ) {
            LockSupport.unpark(t);
        }
        try {
            if (detach != null && sinks.all().contains(detach)) {
                writer.endTrace(detach);
                sinks.remove(detach);
                GenerationWriter.closeQuietly(detach);
            }
            if (attach != null) {
                sinks.add(attach);
            }
        } finally {
            if (next != 0) {
                writer.beginGeneration(next);
            }
        }
        try {
            LaneRegistry.prune();
        } catch (Throwable t) {
            writer.countError(); // pruned at the next advance
        }
    }

    /**
     * Generation {@code g} is full or overdue (a lane found it so at a buffer switch): ask the writer for an
     * advance and let threads back off until it happened.
     */
    void pressure(long g) {
        if (pressureGen != g && gen == g && completedGen < g) {
            pressureGen = g;
            advanceRequested = true;
            writer.wake();
        }
    }

    /**
     * Called by a thread after its event, outside its seqlock, while a generation is under pressure: waits
     * until the writer has completed that generation, as long as the writer makes progress. The writer then
     * has the processor even when hundreds of threads emit on two cores (thread priorities do nothing for
     * an unprivileged JVM), and the threads' lanes are outside the recorder when the advance waits for them.
     * The wait polls fields only, never a lock or another application thread, so it cannot deadlock; a writer
     * that makes no progress for a period and at least a second while blocked (in a sink's I/O, or on a lane
     * whose holder is blocked), or for ten times that while merely starved, ends the waits for that
     * generation: its events are dropped and counted instead. Never throws.
     */
    void backOff() {
        boolean parked = false;
        try {
            long p = pressureGen;
            if (p == 0 || Thread.currentThread() == writer.thread()) {
                return;
            }
            if (completedGen >= p) {
                pressureGen = 0; // a stale mark set just after the advance
                return;
            }
            long beat = writerBeat;
            if (p == stuckGen && beat == stuckBeat) {
                return; // the writer made no progress for a period: it is stuck, not starved; drop, don't wait
            }
            // "stuck" is a writer with no progress for a period, and at least a second, while it is blocked:
            // in a sink's I/O, or waiting for a lane whose holder is blocked (perhaps on this very thread). A
            // writer that is only starved of the processor (on a shared, loaded machine a runnable writer can
            // go unscheduled for hundreds of milliseconds) is waited for ten times as long: giving up releases
            // every waiter at once to take the processor from it, and the generation then lasts seconds.
            long idle = Math.max(config.generationPeriod().toNanos(), 1_000_000_000L);
            long waited = 0;
            long last = System.nanoTime();
            Thread me = Thread.currentThread();
            waiters.offer(me);
            // Our parks take the thread's one permit: an unpark the application aimed at this thread while
            // it was recording an event (between its own unpark and park, say) would be eaten here and its
            // next park would block for good. So the permit is given back once we have parked: at worst one
            // spurious return from the application's next park, which park's contract allows.
            parked = true;
            while (completedGen < p && running) {
                // woken by the advance; the timeout only checks the writer's progress (short polls by hundreds
                // of threads would themselves take the processor from the writer)
                LockSupport.parkNanos(BACKOFF_POLL_NANOS);
                long now = System.nanoTime();
                // a poll that returned late (a GC pause, a stopped process, a host that took the processor)
                // counts as two polls at most: whatever held this thread back held the writer back too
                waited += Math.min(now - last, 2 * BACKOFF_POLL_NANOS);
                last = now;
                long b = writerBeat;
                if (b != beat) {
                    beat = b;
                    waited = 0;
                } else if (waited > (writerBlocked() ? idle : STARVED_WAITS * idle)) {
                    stuckBeat = b;
                    stuckGen = p;
                    break;
                }
            }
            waiters.remove(me);
        } catch (Throwable t) {
            // the event is recorded; not waiting is always allowed
        } finally {
            if (parked) {
                LockSupport.unpark(Thread.currentThread());
            }
        }
    }

    /** Whether the writer is blocked outside itself: in a sink's I/O, or on a lane whose holder is blocked. */
    private boolean writerBlocked() {
        return sinks.inIo() || lanes.waitingOnBlockedHolder();
    }

    /** The threads waiting under back-pressure for the generation being completed (for its LOSS table). */
    Iterable<Thread> backPressureWaiters() {
        return waiters;
    }

    /** The writer made progress (a batch, a lane seen outside, a poll): back-off goes on while it does. */
    void beat() {
        writerBeat++;
    }

    /** Asks the writer for an advance as soon as it can (the budget or the generation's bytes ran out). */
    void requestAdvance() {
        advanceRequested = true;
        writer.wake();
    }

    void wakeWriter() {
        writer.wake();
    }

    /** Whether an advance was requested since the last one. */
    boolean takeAdvanceRequest() {
        return advanceRequested;
    }

    // ---------------------------------------------------------------- hot-path services

    StringTable strings(long g) {
        return strings[(int) (g & 1)];
    }

    StackTable stacks(long g) {
        return stacks[(int) (g & 1)];
    }

    Lane claimSharedLane(ThreadContext ctx) {
        return lanes.claimShared(ctx);
    }

    void countNoLane() {
        lanes.countNoLane(gen);
    }

    /** A buffer from the pool or the heap, or {@code null} when the writer is too far behind. */
    Buffer allocBuffer(Lane lane, long g) {
        return buffers.alloc(lane, g);
    }

    /** Queues a full buffer for the writer. Called by the thread inside the lane's seqlock. */
    void handOff(Lane lane, Buffer b) {
        buffers.handOff(lane, b);
    }

    /**
     * Registers a new platform thread's lane. Every {@link GenerationWriter#RECLAIM_REGISTRATIONS}-th wakes the
     * writer to return dead threads' lanes: a program that starts threads by the thousand gets its dead
     * lanes (and their buffers) back as fast as it makes new ones, without a writer that polls for them.
     */
    static void register(Lane lane) {
        if (LaneRegistry.register(lane) % GenerationWriter.RECLAIM_REGISTRATIONS == 0) {
            Session s = ACTIVE;
            if (s != null) {
                try {
                    s.writer.wake();
                } catch (Throwable t) {
                    // a missed wake-up only delays the reclaim to the writer's next one
                }
            }
        }
    }

    // ---------------------------------------------------------------- diagnostics

    /** Platform-thread lanes currently registered (live threads, and dead ones not yet pruned). */
    public static int registeredLanes() {
        return LaneRegistry.registeredCount();
    }

    /** Bytes of full buffers waiting for the writer. */
    public long queuedBytes() {
        return buffers.queuedBytes();
    }

    /** Free buffers kept for reuse. */
    public int pooledBuffers() {
        return buffers.pooled();
    }

    /** Free buffers the pool keeps at most now (it follows the number of lanes). */
    public int poolCapacity() {
        return buffers.poolMax();
    }

    /** Buffers this session took from the heap because the pool had none. */
    public long buffersAllocated() {
        return buffers.allocated();
    }

    /** Lanes shared by virtual threads. */
    public int sharedLaneCount() {
        return lanes.shared().length;
    }

    /** Complete generations written so far. */
    public long generationsWritten() {
        control.lock();
        try {
            return writer.generationsWritten();
        } finally {
            control.unlock();
        }
    }

    /** The largest complete generation written so far, in bytes. */
    public long largestGenerationBytes() {
        control.lock();
        try {
            return writer.largestGenerationBytes();
        } finally {
            control.unlock();
        }
    }

    /** The longest complete generation written so far, in nanoseconds. */
    public long longestGenerationNanos() {
        control.lock();
        try {
            return writer.longestGenerationNanos();
        } finally {
            control.unlock();
        }
    }

    /** The background writer thread (tests arm faults on it). */
    Thread writerThread() {
        return writer.thread();
    }

    /** Errors the writer thread survived. */
    public long writerErrors() {
        control.lock();
        try {
            return writer.writerErrors();
        } finally {
            control.unlock();
        }
    }

    /** Bytes of buffers the session holds at most: lanes' buffers plus the queue budget plus the pool. */
    public long memoryBoundBytes() {
        long n = registeredLanes() + lanes.shared().length;
        return n * 2L * config.bufferSize() + config.maxBufferedBytes() + (long) buffers.poolMax() * config.bufferSize();
    }
}
