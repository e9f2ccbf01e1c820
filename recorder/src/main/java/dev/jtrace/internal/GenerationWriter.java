package dev.jtrace.internal;

import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes generations: the background writer thread, the generation advance (Go's traceAdvance), the
 * batches, the tables and the generation's begin and end records.
 *
 * <p>Invariant: everything a sink receives is whole generations, GEN_BEGIN, then BATCH and table records
 * of that generation only, then GEN_END. All of it runs under the session's control lock.
 */
final class GenerationWriter {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int TABLE_CHUNK = 1 << 20;

    private final Session session;
    private final BufferPool buffers;
    private final LaneRegistry lanes;
    private final Sinks sinks;
    private final RecordEncoder enc = new RecordEncoder();
    private final RecordEncoder body = new RecordEncoder();
    private final Thread thread;

    // Written only under the control lock.
    private long genStartNanos;
    private long genBytes;
    private long genBatches;
    private long genEvents;
    private long generationsWritten;

    GenerationWriter(Session session, BufferPool buffers, LaneRegistry lanes, Sinks sinks) {
        this.session = session;
        this.buffers = buffers;
        this.lanes = lanes;
        this.sinks = sinks;
        this.thread = new Thread(this::loop, "jtrace-writer");
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

    private void loop() {
        while (session.running()) {
            LockSupport.parkNanos(POLL_NANOS);
            session.control.lock();
            try {
                if (!session.running()) {
                    break;
                }
                long g = session.gen;
                drain(g);
                long now = System.nanoTime();
                if (session.takeAdvanceRequest() || now - genStartNanos >= session.config.generationPeriod().toNanos()
                        || genBytes + session.strings(g).approxBytes() >= session.config.generationMaxBytes()) {
                    session.advanceLocked(false, null, null);
                }
                if (sinks.removeFailed() && sinks.isEmpty()) {
                    // Every output failed: tracing turns itself off; the application goes on.
                    session.stopLocked();
                }
            } catch (Throwable t) {
                System.err.println("jtrace: writer thread error: " + t);
            } finally {
                session.control.unlock();
            }
        }
    }

    /** Writes the queued full buffers of generation {@code g}. */
    void drain(long g) {
        Buffer fifo = buffers.takeQueued((int) (g & 1));
        while (fifo != null) {
            Buffer next = fifo.next;
            writeBatch(fifo);
            buffers.recycle(fifo);
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

    void beginGeneration(long g, ClockStamp start) {
        enc.reset();
        enc.uvarint(g).uvarint(start.ticks()).uvarint(start.wallNanos()).uvarint(start.nanos());
        enc.writeRecord(Format.REC_GEN_BEGIN, sinks);
        genStartNanos = start.nanos();
        genBytes = 0;
        genBatches = 0;
        genEvents = 0;
    }

    /**
     * Completes generation {@code old}, whose number the session already replaced by the next one: waits
     * until no thread can still write it, then writes all of it and its GEN_END.
     */
    void completeGeneration(long old, ClockStamp end) {
        lanes.awaitAllOutside();

        int idx = (int) (old & 1);
        drain(old);
        List<Lane> activeLanes = new ArrayList<>();
        List<long[]> lossRows = new ArrayList<>();
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            collect(l, old, idx, activeLanes, lossRows);
        }
        for (Lane l : lanes.shared()) {
            collect(l, old, idx, null, lossRows);
        }
        long noLane = lanes.takeNoLaneLoss(idx);
        buffers.resetHanded(idx);
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
        session.strings(old).clear();
        session.stacks(old).clear();
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
        buffers.recycle(b);
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

    /** Closes a consumer that left; a failure is reported, never thrown (the others go on). */
    static void closeQuietly(Sink s) {
        try {
            s.close();
        } catch (IOException e) {
            System.err.println("jtrace: closing " + s.describe() + " failed: " + e);
        }
    }
}
