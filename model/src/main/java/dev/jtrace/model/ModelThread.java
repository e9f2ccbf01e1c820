package dev.jtrace.model;

/**
 * One thread as the model knows it: identity (name, virtual, carrier) and, once the trace is read, the
 * time it spent in each {@link ThreadState}. A snapshot: later changes do not show in it.
 *
 * <p>{@link #first()} and {@link #last()} bound the thread's lifetime: the earliest and latest instants
 * the trace shows it at (its ThreadStart and ThreadEnd times, its events, the starts and ends of its
 * blocking intervals), clipped to the trace. The states' times add up to the lifetime exactly.
 */
public record ModelThread(long id, String name, boolean virtual, long carrier, long first, long last,
        long[] stateNanos, long cpuSamples, long allocSamples) {

    /** The name to show: the recorded one, else "thread #id" or "virtual thread #id". */
    public String displayName() {
        if (name == null || name.isEmpty()) {
            return (virtual ? "virtual thread #" : "thread #") + id;
        }
        return name;
    }

    /**
     * The label every export gives the thread's track: {@link #displayName()}, with " (virtual)" after the
     * name of a named virtual thread.
     */
    public String label() {
        return virtual && name != null && !name.isEmpty() ? name + " (virtual)" : displayName();
    }

    /** {@code last - first}, or 0 for a thread seen at one instant only. */
    public long lifetime() {
        return last > first ? last - first : 0;
    }

    /** Nanoseconds in {@code s}. */
    public long nanos(ThreadState s) {
        return stateNanos[s.ordinal()];
    }
}
