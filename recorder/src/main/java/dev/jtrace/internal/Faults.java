package dev.jtrace.internal;

/**
 * Fault injection for tests: throws a chosen error at a chosen step of event emission. Compiled away
 * unless the JVM runs with {@code -Djtrace.test.faults=true} ({@link #ENABLED} is a static final).
 */
public final class Faults {
    /** Whether the injection points are live in this JVM. */
    public static final boolean ENABLED = Boolean.getBoolean("jtrace.test.faults");

    /** The steps of emitting one event, in order. */
    public enum Step {
        /** While creating a thread's context, at its first event (not a step of every event). */
        NEW_CONTEXT,
        /** Just after the tracer lock is taken. */
        ACQUIRED,
        /** While growing the thread's region stack (a RegionBegin on a full stack, full path only). */
        GROW_REGIONS,
        /** While resolving strings (interning, toString). */
        RESOLVE,
        /** While capturing a stack. */
        STACK,
        /** Before a full buffer is replaced. */
        BUFFER_SWITCH,
        /** After the new buffer is installed, before the old one is handed over. */
        BUFFER_HANDOFF,
        /** After space was reserved, before any byte is written. */
        RESERVED,
        /** After the event's header bytes, before its arguments. */
        MID_WRITE,
        /** Before the commit store. */
        BEFORE_COMMIT,
        /** After the commit, before the tracer lock is released. */
        BEFORE_RELEASE,
        /** Writer side: reading the clocks of a generation boundary. */
        ADVANCE_CLOCK,
        /** Writer side: inside a record, after its header went to the sinks (a half-written record). */
        RECORD_MID,
        /** Writer side: before a generation's tables are encoded. */
        TABLES,
        /** Writer side: at each wake-up of the writer thread, before it drains and checks the generation. */
        WRITER_POLL
    }

    private static volatile Step armedStep;
    private static volatile Throwable armedError;
    private static volatile Thread armedThread;
    private static volatile int armedTimes;
    private static volatile Runnable armedAction;

    /**
     * The store-buffer model (SeqlockLincheckTest): while true, a platform thread entering an event on the
     * membarrier path does what x86's store buffer lets the processor do, slowly enough to be caught: its
     * generation load passes its seqlock store, which becomes visible to other threads only 50 spin-waits
     * later. {@link Membarrier#serialize} then does on the model what the kernel's IPI does on the processor:
     * it waits until every buffered seqlock store has drained. An advance without it must lose or duplicate
     * events under this model. Read only when {@link #ENABLED}.
     */
    static volatile boolean storeBufferModel;

    /**
     * The slow-write model (SeqlockLincheckTest): while true, every event spins 50 times after its space is
     * reserved ({@link Step#RESERVED}), past every check of its buffer, before it writes a byte. A lane that
     * an advance wrongly saw outside the recorder then writes into a buffer the advance is taking, instead
     * of almost never. Read only when {@link #ENABLED}.
     */
    static volatile boolean slowWrites;

    private Faults() {}

    /** Turns the slow-write model on or off (tests only). */
    public static void slowWrites(boolean on) {
        slowWrites = on;
    }

    /** Turns the store-buffer model on or off (tests only; meaningful only where membarrier is in use). */
    public static void storeBufferModel(boolean on) {
        storeBufferModel = on;
    }

    /**
     * Enters an event under the store-buffer model: returns the generation, read while the seqlock store
     * {@code q + 1} is still "in the buffer" ({@link Lane#storeBuffered}), then drains it.
     */
    static long storeBufferEnter(Lane lane, long q, Session s) {
        lane.storeBuffered = true;
        long gen = s.gen;
        for (int i = 0; i < 50; i++) {
            Thread.onSpinWait();
        }
        lane.seq = q + 1;
        lane.storeBuffered = false;
        return gen;
    }

    /** The model's membarrier: returns once no lane holds a buffered seqlock store taken before the call. */
    static void drainStoreBuffers() {
        for (Lane l = LaneRegistry.platformLanes(); l != null; l = l.nextRegistered) {
            while (l.storeBuffered) {
                Thread.onSpinWait();
            }
        }
    }

    /** Arms a one-shot fault: the next time {@code thread} reaches {@code step}, {@code error} is thrown. */
    public static void arm(Thread thread, Step step, Throwable error) {
        armTimes(thread, step, error, 1);
    }

    /** Arms a fault that fires the next {@code times} times {@code thread} reaches {@code step}. */
    public static void armTimes(Thread thread, Step step, Throwable error, int times) {
        armedError = error;
        armedAction = null;
        armedThread = thread;
        armedTimes = times;
        armedStep = step;
    }

    /**
     * Arms a one-shot action instead of an error: the next time {@code thread} reaches {@code step}, it runs
     * {@code action} there (a writer that stays busy for a while, say) and goes on.
     */
    public static void armAction(Thread thread, Step step, Runnable action) {
        armedError = null;
        armedAction = action;
        armedThread = thread;
        armedTimes = 1;
        armedStep = step;
    }

    /** Disarms. */
    public static void disarm() {
        armedStep = null;
        armedError = null;
        armedAction = null;
        armedThread = null;
    }

    /** Whether the armed fault was consumed. */
    public static boolean fired() {
        return armedStep == null;
    }

    static void at(Step step) {
        if (slowWrites && step == Step.RESERVED) {
            for (int i = 0; i < 50; i++) {
                Thread.onSpinWait();
            }
        }
        if (armedStep == step && armedThread == Thread.currentThread()) {
            Throwable t = armedError;
            Runnable action = armedAction;
            if (--armedTimes <= 0) {
                armedStep = null;
                armedAction = null;
            }
            if (action != null) {
                action.run();
                return;
            }
            sneakyThrow(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
