package dev.jtrace.internal;

/**
 * One lane buffer: the event bytes of a future BATCH record. Written only by the thread holding its lane
 * (inside the tracer lock); read by the writer thread only after the buffer was handed over (queued, or
 * taken by the generation advance after the lane's seqlock was seen outside the tracer).
 *
 * <p>{@link #pos} is the commit point: bytes beyond it are scratch. An event is written past {@code pos}
 * and becomes part of the batch by the single store that moves {@code pos}, so an error thrown half way
 * through an event leaves the buffer as it was.
 */
final class Buffer {
    final byte[] data;
    /** Committed length. */
    int pos;
    /** Number of committed events. */
    int events;
    long baseTicks;
    long lastTicks;
    /** For shared lanes: the thread the last committed event belongs to (0 = none yet in this batch). */
    long currentThread;
    long gen;
    long laneId;
    long ownerThread;
    /** Assigned when the buffer is handed over, so that per-lane batch numbers have no gaps. */
    int batchSeq = -1;
    long id;
    /** Whether the buffer sits in (or came through) the writer's queue and so counts against the budget. */
    boolean queued;
    /** Link in the writer's queue of full buffers. */
    Buffer next;
    /**
     * Where the last RegionBegin of the batch ends, if it is the last event committed (then it equals
     * {@link #pos}; -1 when the batch has no begin), and its task and name id: a RegionEnd of the same task
     * and name written right there is encoded as RegionEndAfterBegin (docs/format.md), which the reader
     * completes from that begin in the same batch.
     */
    int beginEnd = -1;
    long beginTask;
    int beginName;

    Buffer(int capacity) {
        this.data = new byte[capacity];
    }

    void reset(Lane lane, long gen, long id) {
        this.pos = 0;
        this.events = 0;
        this.baseTicks = 0;
        this.lastTicks = 0;
        this.currentThread = 0;
        this.gen = gen;
        this.laneId = lane.id;
        this.ownerThread = lane.ownerThreadId;
        this.batchSeq = -1;
        this.queued = false;
        this.id = id;
        this.next = null;
        this.beginEnd = -1;
    }

    /** The time the next event's delta is taken from: the last event's, or {@code now} for the first. */
    long previousTicks(long now) {
        return events == 0 ? now : lastTicks;
    }

    /**
     * Makes the bytes up to {@code newPos} part of the batch: {@code added} events, the last at {@code now}
     * and of {@code thread}. The position is stored last; nothing in here can throw.
     */
    void commit(int newPos, long now, long thread, int added) {
        if (events == 0) {
            baseTicks = now;
        }
        lastTicks = now;
        currentThread = thread;
        events += added;
        pos = newPos;
    }

    /** Marks the event just committed, which ends at {@code end}, as a RegionBegin of {@code task}, {@code name}. */
    void regionBegun(int end, long task, int name) {
        beginEnd = end;
        beginTask = task;
        beginName = name;
    }

    int remaining() {
        return data.length - pos;
    }
}
