package dev.jtrace.internal;

import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes generations: the background writer thread, the second half of the generation advance (Go's
 * traceAdvance), the batches, the tables and the generation's begin and end records.
 *
 * <p>Invariant: everything a sink keeps is whole generations (GEN_BEGIN, BATCH and table records of that
 * generation only, GEN_END), and every event handed to the writer is either in such a generation or
 * counted as lost. An error on the writer thread (OutOfMemoryError, StackOverflowError, a failing encoder)
 * <em>breaks</em> the generation being written: every sink is rolled back to its last generation end, the
 * generation's events, written or not, are counted (reason 9 writerError) and its loss counts carried over,
 * and the generation's remaining buffers are recycled unwritten. The carried counts are written as lane-0
 * LOSS rows of the next generation that completes (or as TRACE_END's lostEvents at a stop). Nothing here
 * that handles an error allocates. All of it runs under the session's control lock.
 */
final class GenerationWriter {
    /**
     * The longest the writer sleeps. It is woken when an advance is asked for (a full generation, a table at
     * its budget, back-pressure, a flush or stop), when the queue of full buffers grows (see
     * BufferPool#wakeBytes) and when threads start by the dozen (see {@link #RECLAIM_REGISTRATIONS}); else
     * it sleeps until its generation's period ends, and at most this: dead threads' lanes come back within
     * it, and a table clear that failed for want of memory is retried. Each wake-up is a timed park and a
     * return, 80 to 100 us of CPU on this 2-core VM even for a loop that does nothing, and 300 to 450 us for
     * the writer's, cold, at one a second: the former poll, every tenth of the period (50 ms at the default
     * 1 s), cost 3.5 ms of CPU per second whether the application recorded nothing or 50,000 events a second
     * (docs/performance.md, "The writer's wake-ups").
     */
    static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The shortest sleep: a generation already past its period (its advance failed) is not spun on. */
    static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Dead threads' lanes are scanned for at most this often on the writer's wake-ups. */
    private static final long RECLAIM_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Every this many new platform lanes, the writer is woken to return dead threads' lanes. */
    static final int RECLAIM_REGISTRATIONS = 64;
    private static final int TABLE_CHUNK = 1 << 20;
    private static final String WRITER_ERROR_MESSAGE =
            "jtrace: error on the writer thread; the generation being written is dropped and counted (writerError)";

    private final Session session;
    private final BufferPool buffers;
    private final LaneRegistry lanes;
    private final Sinks sinks;
    private final RecordEncoder enc = new RecordEncoder();
    private final RecordEncoder body = new RecordEncoder();
    private final Thread thread;
    private final long[] stamp = new long[3];
    /** Loss counts of broken generations not yet written, by reason (lane 0 rows of the next generation). */
    private final long[] carry = new long[Lane.LOSS_SLOTS];
    /** Threads whose lanes were returned during the generation being written (for its thread table). */
    private final ArrayList<DeadThread> deadThreads = new ArrayList<>();
    /** Their loss rows: lane, thread, reason, count. */
    private final ArrayList<long[]> deadLoss = new ArrayList<>();

    // Written only under the control lock.
    private long writingGen;
    private boolean broken;
    private long genStartTicks;
    private long genStartWall;
    private long genStartNanos;
    private long genBytes;
    private long genBatches;
    private long genEvents;
    /**
     * Events of generations completed after every sink failed and before the stop that ends them (see
     * endFailedSinks): the stop's TRACE_END counts them with its own generation's.
     */
    private long failedSinksLost;
    private long generationsWritten;
    private long lastCompleted;
    private long generationsBroken;
    private long writerErrors;
    private long largestBytes;
    private long longestNanos;
    /** System.nanoTime() of the last scan for dead threads' lanes. */
    private long lastReclaim;
    /** {@link LaneRegistry#registrations()} at that scan. */
    private long reclaimedAt;
    /** Bit per parity whose tables a failed clear left to clear again. */
    private int tablesToClear;

    GenerationWriter(Session session, BufferPool buffers, LaneRegistry lanes, Sinks sinks) {
        this.session = session;
        this.buffers = buffers;
        this.lanes = lanes;
        this.sinks = sinks;
        this.thread = new TracerThread(this::loop, "jtrace-writer");
        this.thread.setDaemon(true);
    }

    Thread thread() {
        return thread;
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    long generationsWritten() {
        return generationsWritten;
    }

    long generationsBroken() {
        return generationsBroken;
    }

    long writerErrors() {
        return writerErrors;
    }

    /** The largest complete generation written so far, in bytes (records from GEN_BEGIN to GEN_END). */
    long largestGenerationBytes() {
        return largestBytes;
    }

    /** The longest complete generation written so far, GEN_BEGIN to GEN_END clock, in nanoseconds. */
    long longestGenerationNanos() {
        return longestNanos;
    }

    /** System.nanoTime() at the start of the generation being written. */
    long generationStartNanos() {
        return genStartNanos;
    }

    /**
     * How long the writer sleeps at {@code now} in a generation that began at {@code genStart}: until the
     * generation's period ends, between {@link #MIN_WAIT_NANOS} and {@link #MAX_WAIT_NANOS}.
     */
    static long waitNanos(long genStart, long periodNanos, long now) {
        return Math.max(MIN_WAIT_NANOS, Math.min(MAX_WAIT_NANOS, genStart + periodNanos - now));
    }

    private void loop() {
        long period = session.config.generationPeriod().toNanos();
        long wait = Math.min(MAX_WAIT_NANOS, period); // the first generation has just begun
        while (session.running()) {
            LockSupport.parkNanos(wait);
            session.control.lock();
            try {
                if (!session.running()) {
                    break;
                }
                if (Faults.ENABLED) {
                    Faults.at(Faults.Step.WRITER_POLL);
                }
                long g = session.gen;
                session.beat();
                drain(g);
                if ((tablesToClear & (1 << ((int) (g & 1) ^ 1))) != 0) {
                    clearTables((int) (g & 1) ^ 1); // not the current generation's: no thread uses it now
                }
                long now = System.nanoTime();
                long registered = LaneRegistry.registrations();
                // a 64th registration since the last scan is what woke us (Session.register), whenever that
                // scan was: the same test as the wake-up's, so that the wake-up is never wasted
                if (now - lastReclaim >= RECLAIM_NANOS
                        || registered / RECLAIM_REGISTRATIONS != reclaimedAt / RECLAIM_REGISTRATIONS) {
                    lastReclaim = now;
                    reclaimedAt = registered;
                    reclaimDeadLanes(g);
                    buffers.fitLanes(LaneRegistry.registeredCount());
                }
                StringTable st = session.strings(g);
                if (session.takeAdvanceRequest() || now - genStartNanos >= period
                        || genBytes + st.approxBytes() >= session.config.generationMaxBytes()
                        || st.heapBytes() >= st.budget() / 2 || session.stacks(g).heapBytes() >= st.budget() / 2) {
                    session.advanceLocked(false, null, null);
                }
                if (sinks.isEmpty() || sinks.allFailed()) {
                    // Every output failed: tracing turns itself off; the application goes on.
                    session.stopLocked();
                }
            } catch (Throwable t) {
                // Anything that escaped the finer handlers (e.g. an error in the loop itself): the writer goes on.
                reportError();
            } finally {
                wait = waitNanos(genStartNanos, period, System.nanoTime());
                session.control.unlock();
            }
        }
    }

    /** Counts an error that a caller caught on the writer's behalf. */
    void countError() {
        reportError();
    }

    /** Counts an error on the writer thread and says so once; allocates nothing (the message is a constant). */
    private void reportError() {
        if (writerErrors++ == 0) {
            try {
                System.err.println(WRITER_ERROR_MESSAGE);
            } catch (Throwable ignored) {
                // stderr itself failed; the count is in the trace
            }
        }
    }

    /**
     * The generation being written failed half way: back to the last generation end in every sink; its
     * events written so far are lost. Allocates nothing.
     */
    private void breakGeneration() {
        reportError();
        if (!broken) {
            broken = true;
            generationsBroken++;
            carry[Format.LOSS_WRITER_ERROR] += genEvents;
            genEvents = 0;
            genBatches = 0;
            genBytes = 0;
        }
        try {
            sinks.rollback();
        } catch (Throwable t) {
            // a sink that cannot roll back was failed by Sinks; an error here leaves the others as they are
        }
    }

    /** Writes the queued full buffers of generation {@code g} (or counts them lost if it is broken). */
    void drain(long g) {
        Buffer fifo = buffers.takeQueued((int) (g & 1));
        while (fifo != null) {
            Buffer next = fifo.next;
            writeOrCount(fifo);
            buffers.recycle(fifo);
            fifo = next;
        }
    }

    private void writeOrCount(Buffer b) {
        if (b.events == 0) {
            return;
        }
        if (broken || b.gen != writingGen) {
            carry[Format.LOSS_WRITER_ERROR] += b.events;
            return;
        }
        try {
            writeBatch(b);
        } catch (Throwable t) {
            breakGeneration();
            carry[Format.LOSS_WRITER_ERROR] += b.events;
        }
    }

    private void writeBatch(Buffer b) {
        enc.reset();
        enc.uvarint(b.gen).uvarint(b.laneId).uvarint(b.ownerThread).uvarint(b.batchSeq).uvarint(b.baseTicks)
                .uvarint(b.events);
        int n = enc.writeRecord(Format.REC_BATCH, b.data, b.pos, sinks);
        session.beat();
        genBytes += n;
        genBatches++;
        genEvents += b.events;
    }

    /** Reads the clocks of a generation boundary into the writer's stamp; allocates nothing that can fail it. */
    void readClock() {
        if (Faults.ENABLED) {
            try {
                Faults.at(Faults.Step.ADVANCE_CLOCK);
            } catch (Throwable t) {
                // as when the wall clock's Instant cannot be allocated: ClockStamp.read falls back the same way
            }
        }
        ClockStamp.read(stamp);
    }

    /** Begins generation {@code g} at the writer's stamp. Never throws: a failure breaks the generation. */
    void beginGeneration(long g) {
        writingGen = g;
        broken = false;
        genStartTicks = stamp[0];
        genStartNanos = stamp[1];
        genStartWall = stamp[2];
        genBytes = 0;
        genBatches = 0;
        genEvents = 0;
        buffers.generationStarted(genStartNanos);
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                enc.reset();
                enc.uvarint(g).uvarint(genStartTicks).uvarint(genStartWall).uvarint(genStartNanos);
                // since 2.3: the process, in every generation, so that each one says where it was recorded
                enc.uvarint(ProcessIdentity.PID).string(ProcessIdentity.HOST).string(ProcessIdentity.JVM);
                genBytes = enc.writeRecord(Format.REC_GEN_BEGIN, sinks);
                return;
            } catch (Throwable t) {
                reportError();
                try {
                    sinks.rollback();
                } catch (Throwable ignored) {
                    // as in breakGeneration
                }
            }
        }
        breakGeneration();
    }

    /**
     * Completes generation {@code old}, whose number the session already replaced by the next one (the
     * writer's stamp holds its end): waits until no thread can still write it, then writes all of it and its
     * GEN_END; or, if it broke, counts what it held. Never throws.
     */
    void completeGeneration(long old) {
        lanes.awaitAllOutside(session);
        int idx = (int) (old & 1);
        drain(old);
        if (!broken) {
            try {
                writeRest(old, idx);
            } catch (Throwable t) {
                breakGeneration();
            }
        }
        if (broken) {
            salvage(old, idx);
        } else {
            forget(idx);
        }
        // what cannot fail first: the generation is over whatever happens below
        buffers.resetHanded(idx);
        broken = false;
        deadThreads.clear();
        deadLoss.clear();
        try {
            endFailedSinks(old);
        } catch (Throwable t) {
            reportError(); // retried after the next generation
        }
        clearTables(idx);
    }

    /**
     * Empties a parity's string and stack tables. Clearing allocates (the skip lists' markers): if the heap
     * is full it is retried at each wake-up until it works; meanwhile the entries left keep their ids (see
     * StringTable.clear), so a table used again uncleared is only larger, never wrong.
     */
    private void clearTables(int idx) {
        try {
            session.strings(idx).clear();
            session.stacks(idx).clear();
            tablesToClear &= ~(1 << idx);
        } catch (Throwable t) {
            tablesToClear |= 1 << idx;
            reportError();
        }
    }

    /** The lanes' buffers, the tables and GEN_END of a generation whose queued buffers were written. */
    private void writeRest(long old, int idx) {
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            writeLaneBuffers(l, old, idx);
        }
        for (Lane l : lanes.shared()) {
            writeLaneBuffers(l, old, idx);
        }
        if (broken) {
            return;
        }
        writeTables(old, idx);
        enc.reset();
        enc.uvarint(old).uvarint(stamp[0]).uvarint(stamp[2]).uvarint(genBatches).uvarint(genEvents).uvarint(stamp[1]);
        genBytes += enc.writeRecord(Format.REC_GEN_END, sinks);
        sinks.generationComplete(old, genStartNanos, stamp[1]);
        generationsWritten++;
        lastCompleted = old;
        largestBytes = Math.max(largestBytes, genBytes);
        longestNanos = Math.max(longestNanos, stamp[1] - genStartNanos);
    }

    private void writeLaneBuffers(Lane l, long old, int idx) {
        Buffer stuck = l.pending[idx];
        if (stuck != null) {
            l.pending[idx] = null;
            flushFinal(l, stuck, old, idx);
        }
        Buffer b = l.buffers[idx];
        if (b != null) {
            l.buffers[idx] = null;
            flushFinal(l, b, old, idx);
        }
    }

    private void flushFinal(Lane l, Buffer b, long g, int idx) {
        if (b.gen == g && b.events > 0) {
            if (b.batchSeq < 0) {
                b.batchSeq = l.nextBatchSeq[idx]++;
            }
            writeOrCount(b);
        }
        buffers.recycle(b);
    }

    /** After a complete generation: the lanes' per-generation state is written, start it afresh. */
    private void forget(int idx) {
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            resetLane(l, idx, false);
        }
        for (Lane l : lanes.shared()) {
            resetLane(l, idx, false);
        }
        lanes.takeNoLaneLoss(idx);
        session.stacks(idx).takeDropped();
        java.util.Arrays.fill(carry, 0);
    }

    /** After a broken generation: count every event it still held and carry its loss counts over. */
    private void salvage(long old, int idx) {
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            salvageLane(l, old, idx);
        }
        for (Lane l : lanes.shared()) {
            salvageLane(l, old, idx);
        }
        carry[Format.LOSS_NO_LANE] += lanes.takeNoLaneLoss(idx);
        carry[Format.LOSS_STACKS_DROPPED] += session.stacks(old).takeDropped();
        for (long[] d : deadLoss) {
            carry[(int) d[2]] += d[3];
        }
    }

    private void salvageLane(Lane l, long old, int idx) {
        Buffer stuck = l.pending[idx];
        if (stuck != null) {
            l.pending[idx] = null;
            if (stuck.gen == old) {
                carry[Format.LOSS_WRITER_ERROR] += stuck.events;
            }
            buffers.recycle(stuck);
        }
        Buffer b = l.buffers[idx];
        if (b != null) {
            l.buffers[idx] = null;
            if (b.gen == old) {
                carry[Format.LOSS_WRITER_ERROR] += b.events;
            }
            buffers.recycle(b);
        }
        resetLane(l, idx, true);
    }

    private void resetLane(Lane l, int idx, boolean carryLoss) {
        l.active[idx] = false;
        l.nextBatchSeq[idx] = 0;
        for (int r = 1; r < Lane.LOSS_SLOTS; r++) {
            int k = idx * Lane.LOSS_SLOTS + r;
            if (carryLoss) {
                carry[r] += l.loss[k];
            }
            l.loss[k] = 0;
        }
    }

    /**
     * Returns the lanes of threads that ended: a dead thread cannot be inside its seqlock, so its lane can be
     * read now instead of at the next advance. Its partial buffer is written and recycled (64 KiB per thread
     * otherwise waited a period), its thread-table entry and loss counts move to the writer (a few dozen
     * bytes), and the lane leaves the registry.
     */
    void reclaimDeadLanes(long g) {
        if (g == 0 || broken) {
            return;
        }
        int idx = (int) (g & 1);
        int other = idx ^ 1;
        boolean any = false;
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            if (l.owner == null || l.owner.isAlive()) {
                continue;
            }
            // the previous generation's advance took everything of the other parity; check, never assume
            if (l.buffers[other] != null || l.pending[other] != null || l.active[other]) {
                continue;
            }
            // everything that allocates first, so that an OutOfMemoryError leaves the lane as it was
            DeadThread entry = l.active[idx] ? new DeadThread(l.ownerThreadId, l.owner.getName(), l.owner.isDaemon())
                    : null;
            long[][] rows = new long[Lane.LOSS_SLOTS][];
            for (int r = 1; r < Lane.LOSS_SLOTS; r++) {
                long c = l.loss[idx * Lane.LOSS_SLOTS + r];
                if (c != 0) {
                    rows[r] = new long[] {l.id, l.ownerThreadId, r, c};
                }
            }
            deadThreads.ensureCapacity(deadThreads.size() + 1);
            deadLoss.ensureCapacity(deadLoss.size() + Lane.LOSS_SLOTS);
            if (entry != null) {
                deadThreads.add(entry);
            }
            for (long[] row : rows) {
                if (row != null) {
                    deadLoss.add(row);
                }
            }
            writeLaneBuffers(l, g, idx);
            resetLane(l, idx, false);
            any = true;
        }
        if (any) {
            LaneRegistry.prune();
        }
    }

    /** A thread that ended during the generation being written, for its thread table. */
    private record DeadThread(long id, String name, boolean daemon) {}

    private void writeTables(long g, int idx) {
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.TABLES);
        }
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
        body.uvarint(StringTable.DROPPED_ID).string(StringTable.DROPPED);
        count = 1;
        for (Map.Entry<String, Integer> e : session.strings(g).entries()) {
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
        for (StackTable.Entry e : session.stacks(g).entries()) {
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
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            if (l.active[idx] && l.owner != null) {
                Thread t = l.owner;
                body.uvarint(l.ownerThreadId).string(t.getName()).uvarint(t.isDaemon() ? 2 : 0);
                count++;
            }
        }
        for (DeadThread d : deadThreads) {
            body.uvarint(d.id()).string(d.name()).uvarint(d.daemon() ? 2 : 0);
            count++;
        }
        if (count > 0) {
            writeTable(Format.REC_THREADS, g, count);
        }

        body.reset();
        count = 0;
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            count += lossRows(l, idx);
        }
        for (Lane l : lanes.shared()) {
            count += lossRows(l, idx);
        }
        for (long[] d : deadLoss) {
            count += lossRow(d[0], d[1], (int) d[2], d[3]);
        }
        count += lossRow(0, 0, Format.LOSS_NO_LANE, lanes.peekNoLaneLoss(idx));
        count += lossRow(0, 0, Format.LOSS_STACKS_DROPPED, session.stacks(g).peekDropped());
        for (int r = 1; r < carry.length; r++) {
            count += lossRow(0, 0, r, carry[r]);
        }
        // the trace says which policy acted: drops are counted above, waits here (the threads still held
        // back now are exactly those waiting for this generation to complete)
        for (Thread t : session.backPressureWaiters()) {
            count += lossRow(0, t.threadId(), Format.LOSS_BACKPRESSURE_WAIT, 1);
        }
        if (count > 0) {
            writeTable(Format.REC_LOSS, g, count);
        }
    }

    private int lossRows(Lane l, int idx) {
        int n = 0;
        for (int r = 1; r < Lane.LOSS_SLOTS; r++) {
            n += lossRow(l.id, l.ownerThreadId, r, l.loss[idx * Lane.LOSS_SLOTS + r]);
        }
        return n;
    }

    private int lossRow(long lane, long thread, int reason, long c) {
        if (c == 0) {
            return 0;
        }
        body.uvarint(lane).uvarint(thread).uvarint(reason).uvarint(c);
        return 1;
    }

    private void writeTable(int kind, long g, int count) {
        enc.reset();
        enc.uvarint(g).uvarint(count).append(body);
        genBytes += enc.writeRecord(kind, sinks);
    }

    // ---------------------------------------------------------------- the end of a sink's trace

    /** Events counted lost but in no LOSS table yet (they would go into the next generation's). */
    long carriedLostEvents() {
        long n = 0;
        for (int r = 1; r < carry.length; r++) {
            if (Format.lossCountsEvents(r)) {
                n += carry[r];
            }
        }
        return n;
    }

    /** TRACE_END (reason 0) for a sink that leaves in order after the last complete generation. Best effort. */
    void endTrace(Sink s) {
        try {
            s.end(traceEnd(lastCompleted, Format.END_STOPPED, carriedLostEvents(), 0));
        } catch (Throwable t) {
            // without TRACE_END the file reads as cut off after its last generation, which is still the truth
        }
    }

    private byte[] traceEnd(long lastGen, int reason, long lostEvents, long lostGenerations) {
        body.reset();
        body.uvarint(lastGen).uvarint(reason).uvarint(lostEvents).uvarint(lostGenerations);
        return body.toRecord(Format.REC_TRACE_END);
    }

    /**
     * Ends the sinks whose own writes failed, now that the generation they failed in is complete: each is
     * cut back to its last complete generation and ended with TRACE_END reason 1, saying how many events of
     * the generations after it are missing; then it is closed and removed.
     */
    private void endFailedSinks(long completed) {
        if (!sinks.anyFailed()) {
            return;
        }
        if (sinks.allFailed() && session.gen != 0) {
            // Every sink failed, so the session stops at once (the writer's loop, or its next wake-up), and
            // threads record into the generation that just began until then. Ended now, the sinks' TRACE_END
            // would not count those events: they are ended by the stop's own completion instead.
            failedSinksLost += genEvents;
            return;
        }
        long lostBefore = failedSinksLost;
        failedSinksLost = 0;
        for (Sink s : List.copyOf(sinks.failed())) {
            long last = s.lastCompleteGeneration();
            long lostGens = last == 0 ? 1 : Math.max(1, completed - last);
            long lostEvents = lostBefore + genEvents + carriedLostEvents();
            byte[] end = null;
            try {
                end = traceEnd(last, Format.END_SINK_FAILED, lostEvents, lostGens);
            } catch (Throwable t) {
                // no memory for the record: the sink is still cut back to its last complete generation
            }
            try {
                s.endAfterFailure(end);
            } catch (Throwable t) {
                // the file ends at the failure; a reader reports the damaged tail
            }
            sinks.remove(s);
            closeQuietly(s);
        }
    }

    /** Closes a consumer that left; a failure is reported, never thrown (the others go on). */
    static void closeQuietly(Sink s) {
        try {
            s.close();
        } catch (Throwable e) {
            try {
                System.err.println("jtrace: closing " + s.describe() + " failed: " + e);
            } catch (Throwable ignored) {
                // nothing left to tell it with
            }
        }
    }
}
