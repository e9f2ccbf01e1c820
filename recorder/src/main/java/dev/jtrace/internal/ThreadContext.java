package dev.jtrace.internal;

import static dev.jtrace.format.EventTypes.ALLOC;
import static dev.jtrace.format.EventTypes.BLOCK_END;
import static dev.jtrace.format.EventTypes.NOTIFY;
import static dev.jtrace.format.EventTypes.PARK_BEGIN;
import static dev.jtrace.format.EventTypes.SLEEP_BEGIN;
import static dev.jtrace.format.EventTypes.UNPARK;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_MOUNT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_SUBMIT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_UNMOUNT;
import static dev.jtrace.format.EventTypes.WAIT_BEGIN;
import static dev.jtrace.format.EventTypes.YIELD;
import static dev.jtrace.format.EventTypes.COUNTER;
import static dev.jtrace.format.EventTypes.FREE;
import static dev.jtrace.format.EventTypes.LOG;
import static dev.jtrace.format.EventTypes.LOG_NO_STACK;
import static dev.jtrace.format.EventTypes.REGION_BEGIN;
import static dev.jtrace.format.EventTypes.REGION_BEGIN_NO_STACK;
import static dev.jtrace.format.EventTypes.REGION_END;
import static dev.jtrace.format.EventTypes.REGION_END_AFTER_BEGIN;
import static dev.jtrace.format.EventTypes.TASK_BEGIN;
import static dev.jtrace.format.EventTypes.TASK_END;
import static dev.jtrace.format.EventTypes.THREAD_SWITCH;

import dev.jtrace.Reentrancy;
import dev.jtrace.format.ArgKind;
import dev.jtrace.ReentrantEventException;
import dev.jtrace.Region;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import dev.jtrace.format.Varint;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recorder's state for one thread (platform or virtual): reentrancy depth, the lane it is inside,
 * its region stack and its block of task ids. It is also the {@link Region} handle that
 * {@code JTrace.region} returns, so opening and closing a region allocates nothing.
 *
 * <h2>Emitting one event</h2>
 * <ol>
 *   <li>acquire: outermost, take the lane's seqlock (odd: a full fence, or program order where the advance
 *       issues membarrier), then read the generation; nested,
 *       apply the reentrancy mode and reuse the outer event's lane and generation (the seqlock stays odd, so
 *       the advance cannot take the buffer away);
 *   <li>resolve: intern strings (may run {@code toString()}), capture a stack;
 *   <li>reserve: make room in the lane buffer (may hand a full buffer over and emit the recorder's own
 *       Free/Alloc events, nested);
 *   <li>write: timestamp and bytes, with no call that can emit anything;
 *   <li>commit: one store of the buffer position; then release the seqlock.
 * </ol>
 * Nested events can only happen in steps 2 and 3, before the outer event wrote a byte, so they are written
 * completely, and earlier, than the outer one. An error thrown anywhere leaves the commit point where it
 * was; the handler, which calls nothing, restores depth and seqlock, counts the loss and returns: nothing
 * but reentrancy=fail's exception is thrown to the application (docs/design.md, "Errors during emission").
 */
public final class ThreadContext implements Region {
    /** Worst case of one event plus the ThreadSwitch that may precede it. */
    static final int MAX_EVENT_BYTES =
            (1 + 3 * Varint.MAX_BYTES) + (1 + (1 + EventTypes.MAX_ARGS) * Varint.MAX_BYTES);

    private static final ThreadLocal<ThreadContext> CURRENT = ThreadLocal.withInitial(ThreadContext::new);
    private static final AtomicLong TASK_IDS = new AtomicLong();
    private static final int TASK_ID_BLOCK = 1024;
    /** What a region that never opened returns: closing it does nothing. */
    public static final Region NO_REGION = () -> {};

    final Thread thread;
    final long threadId;
    final boolean virtual;
    /** The platform thread's own lane; {@code null} for virtual threads. */
    final Lane ownLane;

    // Owner-thread-only state.
    private int depth;
    private Lane heldLane;
    private long heldSeq;
    private long heldGen;
    private Session heldSession;
    private int outerType;
    /** The shared lane this virtual thread claimed last (where its next claim starts looking). */
    int laneHint;
    /** Set by the fast path's error handler when the RegionBegin it was writing was lost; regionBegin clears it. */
    private boolean fastLost;
    /**
     * Non-zero while this thread runs the recorder's own JDK calls (waking the writer while handing a buffer
     * over, waiting under back-pressure, a start or stop): the scheduler events those calls would cause are
     * the tracer's, not the application's, and {@link #schedulerEvent} drops them uncounted. Without it a
     * park under back-pressure would emit a ParkBegin, which could back off again, and so on.
     */
    private int muted;
    /**
     * JFR's own threads (the agent's JFR stream runs on them): their parks serve the tracer, so their
     * scheduler events are dropped like the muted ones. Decided once, by name, when the context is made.
     */
    private final boolean tracerOwn;
    /** Clock ticks of this thread's last ParkBegin, WaitBegin or SleepBegin (for BlockEnd's stack decision). */
    private long blockBeganTicks;
    /** Whether the scheduler event being emitted asked for a stack (read by the fast path for a BlockEnd). */
    private boolean blockStackWanted;
    /**
     * Captures this thread walks with StackWalker before it reads a backtrace again: set when a backtrace
     * was much deeper than the stack depth kept (see {@link StackTable#captureCurrent}). Only this thread.
     */
    int stackWalksLeft;
    /**
     * A BlockEnd asked to carry a stack carries one only when its block lasted at least this many clock
     * ticks: a park that returned at once (its permit was there) is not worth a stack walk, which costs a
     * microsecond or more. Set by the agent ({@code blockstack=}); in ticks of {@link Clock}.
     */
    private static volatile long blockStackTicks = 10_000_000;

    private long[] regionTasks = new long[0];
    private String[] regionNames = new String[0];
    private int regionDepth;

    private long nextTaskId;
    private long taskIdLimit;

    /**
     * Whether this is {@link #INERT}, the stand-in for a thread whose own context could not be created: it
     * has no lane, so the fast path declines at once and the full path returns before it touches any state.
     */
    private final boolean inert;

    /**
     * What {@link #current} returns while the calling thread's context cannot be created (its first event
     * found the heap exhausted): it records nothing, and the next call tries again. Those events are not
     * counted: there is no lane to count them on.
     */
    private static final ThreadContext INERT = new ThreadContext(true);

    private ThreadContext() {
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.NEW_CONTEXT);
        }
        this.inert = false;
        this.thread = Thread.currentThread();
        this.threadId = thread.threadId();
        this.virtual = thread.isVirtual();
        this.tracerOwn = thread instanceof TracerThread || thread.getName().startsWith("JFR ");
        if (virtual) {
            this.ownLane = null;
        } else {
            this.ownLane = new Lane(thread);
            Session.register(ownLane);
        }
    }

    private ThreadContext(boolean inert) {
        this.inert = inert;
        this.thread = null;
        this.threadId = 0;
        this.virtual = true;
        this.tracerOwn = true;
        this.ownLane = null;
    }

    /** The calling thread's context (never throws: {@link #INERT} while it cannot be created). */
    public static ThreadContext current() {
        try {
            return CURRENT.get();
        } catch (Throwable t) {
            return INERT;
        }
    }

    /** Whether the calling thread is inside the recorder right now (for control operations to refuse). */
    public boolean insideRecorder() {
        return depth != 0;
    }

    /** A fresh task id, unique in the JVM; blocks of ids keep threads off a shared counter. */
    public long newTaskId() {
        if (inert) {
            return TASK_IDS.getAndAdd(TASK_ID_BLOCK) + 1; // shared by threads: a whole block per id
        }
        if (nextTaskId == taskIdLimit) {
            nextTaskId = TASK_IDS.getAndAdd(TASK_ID_BLOCK) + 1;
            taskIdLimit = nextTaskId + TASK_ID_BLOCK;
        }
        return nextTaskId++;
    }

    // ---- public event entry points (called by dev.jtrace.JTrace after the Switch check) ----

    public void taskBegin(long task, long parent, String name) {
        if (!fast(TASK_BEGIN, task, parent, name, null)) {
            emit(TASK_BEGIN, task, parent, name, null, false, null);
        }
    }

    public void taskEnd(long task) {
        if (!fast(TASK_END, task, 0, null, null)) {
            emit(TASK_END, task, 0, null, null, false, null);
        }
    }

    public void log(long task, String category, Object message, boolean forceStack) {
        if (forceStack || !(message instanceof String || message == null)
                || !fast(LOG, task, 0, category, (String) message)) {
            emit(LOG, task, 0, category, message, forceStack, null);
        }
    }

    public void counter(String name, long value) {
        if (!fast(COUNTER, 0, value, name, null)) {
            emit(COUNTER, 0, value, name, null, false, null);
        }
    }

    public void alloc(long id, String type, long size) {
        Session s = Session.ACTIVE;
        if (s != null && s.allocFree) {
            emit(ALLOC, id, size, type, null, false, null);
        }
    }

    public void free(long id) {
        Session s = Session.ACTIVE;
        if (s != null && s.allocFree) {
            emit(FREE, id, 0, null, null, false, null);
        }
    }

    /**
     * Opens a region: emits RegionBegin and pushes it on this thread's region stack. Never throws (but for
     * reentrancy=fail's exception): when the event is lost to an error, or the stack cannot grow, the region
     * never opened and the caller gets a handle whose close does nothing.
     */
    public Region regionBegin(long task, String name) {
        int d = regionDepth;
        long[] tasks = regionTasks;
        String[] names = regionNames;
        if (d < tasks.length && fast(REGION_BEGIN, task, 0, name, null)) {
            // (the fast path cannot touch the region stack: push into the arrays checked above)
            if (fastLost) {
                fastLost = false;
                return NO_REGION;
            }
            tasks[d] = task;
            names[d] = name;
            regionDepth = d + 1;
            return this;
        }
        if (!emit(REGION_BEGIN, task, 0, name, null, false, null)) {
            // (the full path grows the stack in its resolve step, so that an error there is counted)
            return NO_REGION;
        }
        if (d == regionTasks.length) {
            // tracing went off before the write (nothing grew the stack): grow here, or open nothing
            try {
                growRegionStack();
            } catch (Throwable t) {
                return NO_REGION;
            }
        }
        regionTasks[d] = task;
        regionNames[d] = name;
        regionDepth = d + 1;
        return this;
    }

    private void growRegionStack() {
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.GROW_REGIONS);
        }
        int n = Math.max(8, regionDepth * 2);
        long[] tasks = Arrays.copyOf(regionTasks, n);
        String[] names = Arrays.copyOf(regionNames, n);
        regionTasks = tasks;
        regionNames = names;
    }

    /** Closes the innermost region of this thread (try-with-resources order). */
    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a jtrace region must be closed on the thread that opened it ("
                    + thread.getName() + "), not on " + Thread.currentThread().getName());
        }
        int d = regionDepth - 1;
        if (d < 0) {
            return;
        }
        long task = regionTasks[d];
        String name = regionNames[d];
        regionNames[d] = null;
        regionDepth = d;
        if (Switch.on() && !fast(REGION_END, task, 0, name, null)) {
            emit(REGION_END, task, 0, name, null, false, null);
        }
    }

    // ---- the emission protocol ----

    /**
     * Makes an owned lane's seqlock odd ({@code q} even, read by the caller) before the caller reads the
     * generation. With membarrier, program order suffices: the advance's membarrier supplies the StoreLoad
     * fence (docs/design.md, "The seqlock fence"), and storeStoreFence is a compiler barrier in C1 and C2
     * that emits no instruction on x86; else a volatile store is the fence. Returns the generation the
     * fault injection's store-buffer model read for the caller, -1 outside that model.
     */
    private static long enterOwnedLane(Lane lane, long q, Session s) {
        if (Faults.ENABLED && Faults.storeBufferModel) {
            return Faults.storeBufferEnter(lane, q, s);
        } else if (Membarrier.ENABLED) {
            Lane.SEQ.setOpaque(lane, q + 1);
            VarHandle.storeStoreFence();
        } else {
            lane.seq = q + 1;
        }
        return -1;
    }

    /**
     * The common case in few bytecodes, so that the JIT inlines it whole: a platform thread outside the
     * recorder, strings its lane has cached in this generation, a buffer with room, no stack. Same
     * protocol as {@link #emit} (acquire, read generation, write past the commit point, commit, release),
     * minus the steps that could run foreign code. Returns {@code false}, having released the lane and
     * written nothing, when any condition fails; the caller then takes the full path. An error is counted,
     * flagged in {@link #fastLost}, and not thrown (returns {@code true}: the event is dealt with).
     */
    private boolean fast(int type, long x, long y, String s1, String s2) {
        Lane lane = ownLane;
        if (lane == null) {
            return false;
        }
        // The clock first, while nothing is pending: the counter read then overlaps with the checks and the
        // fence below instead of waiting for them (measured: -3 ns with nanoTime, -6 ns with the TSC). Only
        // this path may do it: nothing in it can nest, so no event of this thread can come between the read
        // and the commit; the buffer's clamp keeps times non-decreasing.
        long early = Clock.ticks();
        Session s = Session.ACTIVE;
        if (depth != 0 || s == null || s.stackTraces) {
            return false;
        }
        if (type == BLOCK_END && blockStackWanted && early - blockBeganTicks >= blockStackTicks) {
            return false; // a block long enough for its stack: the full path walks it
        }
        long q = lane.seq;
        long modelGen = enterOwnedLane(lane, q, s);
        long gen = 0;
        boolean committed = false;
        try {
            gen = Faults.ENABLED && modelGen >= 0 ? modelGen : s.gen;
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.ACQUIRED);
            }
            int id1 = lane.cached(s1, gen);
            int id2 = lane.cached(s2, gen);
            Buffer b = lane.buffers[(int) (gen & 1)];
            if (gen == 0 || id1 < 0 || id2 < 0 || b == null || b.gen != gen
                    || b.pos > b.data.length - MAX_EVENT_BYTES) {
                Lane.SEQ.setRelease(lane, q + 2);
                return false;
            }
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.RESERVED);
            }
            long now = early;
            long prev = b.previousTicks(now);
            now = Math.max(now, prev);
            byte[] a = b.data;
            int p = b.pos;
            int wire = wireType(type, b, p, x, id1, 0);
            a[p++] = (byte) wire;
            p = Varint.write(a, p, now - prev);
            if (type == PARK_BEGIN || type == WAIT_BEGIN || type == SLEEP_BEGIN) {
                blockBeganTicks = now; // (a compare of the type, which the JIT can fold where it is a constant)
            }
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.MID_WRITE);
            }
            p = writeArgs(a, p, wire, x, y, id1, id2, 0);
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.BEFORE_COMMIT);
            }
            b.commit(p, now, threadId, 1);
            if (type == REGION_BEGIN) {
                b.regionBegun(p, x, id1);
            }
            committed = true;
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.BEFORE_RELEASE);
            }
            Lane.SEQ.setRelease(lane, q + 2);
            return true;
        } catch (Throwable t) {
            // As in emit: calls nothing, counts the event lost unless it was committed, releases.
            if (gen != 0 && !committed) {
                lane.loss[(int) (gen & 1) * Lane.LOSS_SLOTS + Format.LOSS_ERROR]++;
                fastLost = type == REGION_BEGIN; // only regionBegin reads (and clears) it
            }
            if ((lane.seq & 1) != 0) {
                lane.seq = q + 2;
            }
            return true;
        }
    }

    /**
     * Emits a scheduler event (types 27..36) from a hook inside the JDK, about the calling thread, now.
     * Arguments by type (docs/format.md): {@code x} the first number (timeout, monitor hash, target or
     * virtual thread id, sleep time), {@code y} the second (WaitBegin's timeout, Notify's all),
     * {@code blocker} the STRING argument (ParkBegin's blocker, WaitBegin's monitor class: give a class name,
     * never an object to {@code toString()}: the JDK is mid-call), {@code stack} whether a BlockEnd carries
     * the stack. Allocates nothing but what strings and stacks intern.
     *
     * <p>Dropped, uncounted, while the thread runs the tracer's own JDK calls ({@link #muted}). Nested inside
     * an event of this thread (a {@code toString()} the recorder runs parks or unparks), the reentrancy
     * mode applies, with one difference for {@code fail}: the event is counted lost (skippedReentrant) but
     * nothing is thrown, because the exception would leave from inside LockSupport, Object.wait or the
     * virtual-thread scheduler, whose own state it would break (docs/design.md, "Scheduler events").
     */
    public void schedulerEvent(int type, long x, long y, String blocker, boolean stack) {
        if (muted != 0 || tracerOwn) {
            return;
        }
        try {
            // the fast path, as for a log event (strings cached per lane); it declines a BlockEnd whose block
            // lasted long enough for its stack, and everything the full path must do (nesting, virtual
            // threads, a full buffer)
            blockStackWanted = stack;
            if (!fast(type, x, y, blocker, null)) {
                emit(type, x, y, blocker, null,
                        stack && type == BLOCK_END && Clock.ticks() - blockBeganTicks >= blockStackTicks, null);
            }
        } catch (ReentrantEventException counted) {
            // reentrancy=fail: counted by emitNested; never thrown into the JDK's scheduler code
        }
    }

    /**
     * Sets how long a block must last for its BlockEnd to carry a stack (see {@link #schedulerEvent});
     * zero: every BlockEnd asked for one. Converted once to clock ticks.
     */
    public static void blockStackThreshold(long nanos) {
        blockStackTicks = nanos <= 0 ? 0 : Clock.IS_TSC ? (long) (nanos * Clock.ticksPerNanoEstimate()) : nanos;
    }

    /** Whether the scheduler events of this thread are dropped now (the tracer's own JDK calls). */
    public boolean muted() {
        return muted != 0;
    }

    /** Drops this thread's scheduler events until the matching {@link #unmute} (the tracer's own work). */
    public void mute() {
        muted++;
    }

    /** Ends one {@link #mute}. */
    public void unmute() {
        muted--;
    }

    /**
     * Emits a runtime event (types 16..127, recorded by the agent) whose arguments follow the type's spec in
     * {@link EventTypes}: numbers for UINT/SINT/TIME/THREAD/TASK, a String (or any object, via toString) or
     * null for STRING, a {@code StackTraceElement[]} or null for STACK. Not a hot path: it allocates. Like every
     * event, it never throws what the recording runs into; a wrong argument list is a programming error and is.
     */
    public void runtimeEvent(int type, Object... args) {
        EventSpec spec = EventTypes.byId(type);
        if (EventTypes.fullType(type) != type) {
            // a compact encoding is the recorder's to choose: it depends on the event before it in the batch
            throw new IllegalArgumentException("event type " + type + " is a compact encoding, not an event type");
        }
        if (spec == null || args.length < EventTypes.requiredArgs(type) || args.length > spec.args().size()) {
            throw new IllegalArgumentException("event type " + type + " takes "
                    + (spec == null ? "?" : spec.args().size()) + " arguments, got " + args.length);
        }
        if (args.length < spec.args().size()) {
            // a caller of the arguments before some were appended: those are written as 0 (none)
            Object[] all = new Object[spec.args().size()];
            System.arraycopy(args, 0, all, 0, args.length);
            for (int i = args.length; i < all.length; i++) {
                ArgKind k = spec.args().get(i).kind();
                all[i] = k == ArgKind.STRING || k == ArgKind.STACK ? null : (Object) 0L;
            }
            args = all;
        }
        emit(type, 0, 0, null, null, false, args);
    }

    /**
     * Emits one event. Argument slots: {@code x} and {@code y} are numbers, {@code s1} and {@code s2} are
     * strings or objects to {@code toString()}; which slot means what depends on the type (see
     * {@link #writeArgs}). Nothing is thrown to the caller but reentrancy=fail's
     * {@link ReentrantEventException}: an error in the recorder's work (a StackOverflowError, an
     * OutOfMemoryError) costs the event, counted lost (reason 2), and the thread keeps tracing. Returns
     * {@code false} when the event was lost to such an error.
     */
    private boolean emit(int type, long x, long y, Object s1, Object s2, boolean forceStack, Object[] generic) {
        if (depth != 0) {
            return emitNested(type, x, y, s1, s2, forceStack, generic, false);
        }
        Session s = Session.ACTIVE;
        if (s == null) {
            return true;
        }
        Lane lane = ownLane;
        long q;
        long modelGen = -1;
        if (lane != null) {
            q = lane.seq;
            modelGen = enterOwnedLane(lane, q, s);
        } else {
            if (inert) {
                return false; // no context: nothing recorded (and regionBegin opens nothing)
            }
            try {
                lane = s.claimSharedLane(this);
            } catch (Throwable t) {
                // an exhausted stack on the way to the claim (once the CAS took a lane nothing is called):
                // no lane holds it, so it is counted with the lane-less losses
                lane = null;
            }
            if (lane == null) {
                try {
                    s.countNoLane();
                } catch (Throwable t) {
                    // not even the count fitted on the stack: the event is lost uncounted, never thrown
                }
                return true;
            }
            q = lane.seq - 1;
        }
        heldLane = lane;
        heldSeq = q;
        depth = 1;
        outerType = type;
        long uncommittedGen = 0;
        try {
            long gen = Faults.ENABLED && modelGen >= 0 ? modelGen : s.gen;
            if (gen != 0) {
                uncommittedGen = gen;
                heldGen = gen;
                heldSession = s;
                write(s, lane, gen, type, x, y, s1, s2, forceStack, generic);
                uncommittedGen = 0;
            }
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.BEFORE_RELEASE);
            }
            depth = 0;
            heldLane = null;
            heldSession = null;
            Lane.SEQ.setRelease(lane, q + 2);
            if (s.pressureGen != 0) {
                muted++;
                try {
                    s.backOff(); // outside the seqlock: the generation is full or overdue, let the writer run
                } finally {
                    muted--;
                }
            }
            return true;
        } catch (Throwable t) {
            // Calls nothing: it must work even when the stack is exhausted.
            boolean lost = uncommittedGen != 0 && depth == 1;
            if (lost) {
                lane.loss[(int) (uncommittedGen & 1) * Lane.LOSS_SLOTS + Format.LOSS_ERROR]++;
            }
            depth = 0;
            heldLane = null;
            heldSession = null;
            long cur = lane.seq;
            if ((cur & 1) != 0) {
                lane.seq = cur + 1;
            }
            if (t instanceof ReentrantEventException r) {
                throw r;
            }
            return !lost;
        }
    }

    private boolean emitNested(int type, long x, long y, Object s1, Object s2, boolean forceStack,
            Object[] generic, boolean recorderOwn) {
        Session s = heldSession;
        Lane lane = heldLane;
        long gen = heldGen;
        if (s == null || lane == null) {
            return true; // the outer event found tracing off
        }
        if (s.reentrancy == Reentrancy.SKIP) {
            lane.countLoss(gen, Format.LOSS_SKIPPED_REENTRANT);
            return true;
        }
        if (s.reentrancy == Reentrancy.FAIL && !recorderOwn) {
            lane.countLoss(gen, Format.LOSS_SKIPPED_REENTRANT);
            throw new ReentrantEventException("jtrace: reentrant event " + typeName(type) + " emitted on thread '"
                    + thread.getName() + "' while " + typeName(outerType)
                    + " was being recorded (reentrancy=fail)");
        }
        final int d0 = depth;
        depth = d0 + 1;
        boolean committed = false;
        try {
            write(s, lane, gen, type, x, y, s1, s2, forceStack, generic);
            committed = true;
            depth = d0;
            return true;
        } catch (Throwable t) {
            // The nested event is lost; the outer one goes on (its bytes are not begun yet).
            boolean lost = !committed && depth == d0 + 1;
            if (lost) {
                lane.loss[(int) (gen & 1) * Lane.LOSS_SLOTS + Format.LOSS_ERROR]++;
            }
            depth = d0;
            if (t instanceof ReentrantEventException r) {
                throw r;
            }
            return !lost;
        }
    }

    private void write(Session s, Lane lane, long gen, int type, long x, long y, Object s1, Object s2,
            boolean forceStack, Object[] generic) {
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.ACQUIRED);
        }
        // 2. resolve: everything that can run foreign code, allocate or nest happens here
        if (type == REGION_BEGIN && regionDepth == regionTasks.length) {
            growRegionStack();
        }
        long[] values = generic == null ? null : resolveGeneric(s, lane, gen, type, generic);
        int id1 = s1 == null ? 0 : lane.intern(s, gen, s1);
        int id2 = s2 == null ? 0 : lane.intern(s, gen, s2);
        int stackId = 0;
        if (((forceStack || s.stackTraces) && (type == LOG || type == TASK_BEGIN || type == REGION_BEGIN))
                || (forceStack && type == BLOCK_END)) { // (schedulerEvent decided by the block's length)
            if (Faults.ENABLED) {
                Faults.at(Faults.Step.STACK);
            }
            stackId = s.stacks(gen).captureCurrent(s.strings(gen), s.stackDepth, this);
        }
        int threadNameId = 0;
        if (lane.shared) {
            String n = thread.getName();
            threadNameId = n.isEmpty() ? 0 : lane.intern(s, gen, n);
        }
        // 3. reserve
        Buffer b = reserve(s, lane, gen);
        if (b == null) {
            lane.countLoss(gen, lane.refusal);
            return;
        }
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.RESERVED);
        }
        // 4. write: from here to the commit nothing can emit, so nothing can nest
        long now = Clock.ticks();
        long prev = b.previousTicks(now);
        now = Math.max(now, prev);
        byte[] a = b.data;
        int p = b.pos;
        int added = 1;
        if (lane.shared && b.currentThread != threadId) {
            a[p++] = (byte) THREAD_SWITCH;
            p = Varint.write(a, p, now - prev);
            p = Varint.write(a, p, threadId);
            p = Varint.write(a, p, threadNameId);
            prev = now;
            added = 2;
        }
        // (a ThreadSwitch just written puts p past the last begin: a RegionEnd after it is written in full)
        int wire = values != null ? type : wireType(type, b, p, x, id1, stackId);
        a[p++] = (byte) wire;
        p = Varint.write(a, p, now - prev);
        if (type == PARK_BEGIN || type == WAIT_BEGIN || type == SLEEP_BEGIN) {
            blockBeganTicks = now;
        }
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.MID_WRITE);
        }
        if (values != null) {
            for (long v : values) {
                p = Varint.write(a, p, v);
            }
        } else {
            p = writeArgs(a, p, wire, x, y, id1, id2, stackId);
        }
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.BEFORE_COMMIT);
        }
        // 5. commit: plain stores, the position last
        b.commit(p, now, threadId, added);
        if (type == REGION_BEGIN && values == null) {
            b.regionBegun(p, x, id1);
        }
    }

    /**
     * The type byte an event of {@code type} is written with at position {@code p} of {@code b}: the compact
     * encoding (docs/format.md, types 41 to 43) where it holds the same information, else {@code type}. A
     * RegionEnd is compact when the event just before it in the batch is the RegionBegin of the same task
     * and name, by this thread ({@link Buffer#beginEnd} is the committed position only then, and a
     * ThreadSwitch written in between moves {@code p} past it); the reader takes both from that begin.
     */
    private static int wireType(int type, Buffer b, int p, long task, int nameId, int stackId) {
        if (type == REGION_END) {
            return p == b.beginEnd && task == b.beginTask && nameId == b.beginName ? REGION_END_AFTER_BEGIN
                    : REGION_END;
        }
        if (stackId == 0) {
            if (type == REGION_BEGIN) {
                return REGION_BEGIN_NO_STACK;
            }
            if (type == LOG) {
                return LOG_NO_STACK;
            }
        }
        return type;
    }

    /**
     * A buffer of the lane with room for one worst-case event, or {@code null} (budget exhausted). When the
     * lane had to switch buffers, the recorder's own Free (of the full buffer) and Alloc (of the new one) are
     * recorded here, nested, with allocfree on; they may use up the room, so the lane is asked again. They
     * nest even with reentrancy=fail, a debug mode for reentrancy that user code causes: these are reentrant
     * by design and safe, and failing them would fail every event that fills a buffer. With reentrancy=skip
     * they are dropped and counted, as Go skips its own stack events.
     */
    private Buffer reserve(Session s, Lane lane, long gen) {
        for (int attempt = 0; attempt < 8; attempt++) {
            lane.allocatedId = 0;
            Buffer b;
            muted++; // a buffer hand-over wakes the writer (LockSupport.unpark): the tracer's own call
            try {
                b = lane.reserve(s, gen);
            } finally {
                muted--;
            }
            long allocated = lane.allocatedId;
            if (b == null || allocated == 0 || !s.allocFree) {
                return b;
            }
            long freed = lane.freedId;
            int size = lane.allocatedSize;
            lane.allocatedId = 0;
            if (freed != 0) {
                emitNested(FREE, freed, 0, null, null, false, null, true);
            }
            emitNested(ALLOC, allocated, size, Session.BUFFER_TYPE_NAME, null, false, null, true);
            if (b.gen == gen && b.remaining() >= MAX_EVENT_BYTES && lane.buffers[(int) (gen & 1)] == b) {
                return b;
            }
        }
        return null;
    }

    private static long[] resolveGeneric(Session s, Lane lane, long gen, int type, Object[] args) {
        EventSpec spec = EventTypes.byId(type);
        long[] values = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            Object v = args[i];
            values[i] = switch (spec.args().get(i).kind()) {
                case STRING -> v == null ? 0 : lane.intern(s, gen, v);
                case STACK -> v == null ? 0 : s.stacks(gen).intern((StackTraceElement[]) v, s.strings(gen),
                        s.stackDepth);
                case SINT -> Varint.zigZag(((Number) v).longValue());
                default -> ((Number) v).longValue();
            };
        }
        return values;
    }

    /**
     * The one layout of the recorder's own event types after the type byte and time delta, for the fast and
     * the full path alike (docs/format.md, event table), by the type written ({@link #wireType}).
     * {@code stackId} 0 is "no stack".
     */
    private static int writeArgs(byte[] a, int p, int type, long x, long y, int id1, int id2, int stackId) {
        switch (type) {
            case LOG -> { // task, category, message, stack
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, id2);
                p = Varint.write(a, p, stackId);
            }
            case REGION_BEGIN -> { // task, name, stack
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, stackId);
            }
            case REGION_END, REGION_BEGIN_NO_STACK -> { // task, name
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, id1);
            }
            case REGION_END_AFTER_BEGIN -> { } // task and name are the begin's just before it
            case LOG_NO_STACK -> { // task, category, message
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, id2);
            }
            case TASK_END, FREE, SLEEP_BEGIN, UNPARK, VIRTUAL_THREAD_MOUNT, VIRTUAL_THREAD_UNMOUNT,
                    VIRTUAL_THREAD_SUBMIT -> p = Varint.write(a, p, x);
            case YIELD -> { } // no arguments
            case PARK_BEGIN -> { // blocker, timeout
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, x);
            }
            case WAIT_BEGIN -> { // monitorClass, monitor, timeout
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, y);
            }
            case BLOCK_END -> p = Varint.write(a, p, stackId);
            case NOTIFY -> { // monitor, all
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, y);
            }
            case TASK_BEGIN -> { // task, parent, name, stack
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, y);
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, stackId);
            }
            case COUNTER -> { // name, value
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, Varint.zigZag(y));
            }
            case ALLOC -> { // id, type, size, stack
                p = Varint.write(a, p, x);
                p = Varint.write(a, p, id1);
                p = Varint.write(a, p, y);
                p = Varint.write(a, p, stackId);
            }
            default -> throw new IllegalArgumentException("not an emittable event type: " + type);
        }
        return p;
    }

    private static String typeName(int type) {
        EventSpec spec = EventTypes.byId(type);
        return spec == null ? "type " + type : spec.name();
    }
}
