package dev.jtrace.model;

/**
 * The state a thread is in at an instant. At every instant of a thread's lifetime it is in exactly one of
 * these. Where several sources claim the same instant, the one with the highest {@link #priority} wins
 * (docs/model.md explains the order): a stop-the-world pause stops every thread whatever it was doing; a
 * specific cause of waiting (monitor, Object.wait, sleep, I/O) beats the generic park it is implemented
 * with; a recorded blocking interval beats the running that region coverage suggests; and what no event
 * establishes is {@link #UNKNOWN}, never running.
 */
public enum ThreadState {
    /** Executing: inside a region it emitted, or after a scheduler event that says so. */
    RUNNING("running", 2),
    /** Ready to run, waiting for a CPU or a carrier (only scheduler transitions establish it). */
    RUNNABLE("runnable", 1),
    /** LockSupport.park (and virtual threads parked while pinned). */
    PARKED("parked", 3),
    /** Blocked entering a monitor (synchronized). */
    BLOCKED("blocked", 8),
    /** In Object.wait. */
    WAITING("waiting", 7),
    /** In Thread.sleep. */
    SLEEPING("sleeping", 6),
    /** Blocked in I/O (a park whose stack is in socket or channel code). */
    IO("io", 5),
    /** Stopped by a garbage collector's stop-the-world pause. */
    GC_PAUSE("gc", 9),
    /** Nothing in the trace says what the thread did. */
    UNKNOWN("unknown", 0);

    /** Short name used as a JSON key stem and in tables. */
    public final String label;
    /** Higher wins where sources overlap. */
    public final int priority;

    ThreadState(String label, int priority) {
        this.label = label;
        this.priority = priority;
    }

    /** Every state, in ordinal order (cached: values() copies). */
    static final ThreadState[] ALL = values();
    static final int COUNT = ALL.length;
}
