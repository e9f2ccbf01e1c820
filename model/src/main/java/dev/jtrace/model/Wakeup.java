package dev.jtrace.model;

/**
 * A wake-up edge (Go's GoUnblock): thread {@code waker} made {@code wakee} runnable at {@code wakeTime}, and
 * the wakee resumed at {@code resumeTime}: its BlockEnd for an unpark or a notify, its mount for a virtual
 * thread's submit. The model delivers each one once, when the wakee resumes
 * ({@link ModelListener#wakeup}).
 *
 * @param kind what woke it
 * @param blockStart when the wakee's block began (its ParkBegin or WaitBegin), or, for a submit, when the
 *     virtual thread left its carrier; Long.MIN_VALUE when the trace does not show it
 * @param permit an unpark that came before the park it ended (the permit made the park return at once)
 */
public record Wakeup(long waker, long wakeTime, long wakee, long resumeTime, Kind kind, long blockStart,
        boolean permit) {

    /** What woke a thread. */
    public enum Kind {
        /** LockSupport.unpark: ends the target's park (or the next one, as a permit). */
        UNPARK("unpark"),
        /** Object.notify: ends one waiter's wait. */
        NOTIFY("notify"),
        /** Object.notifyAll: ends every waiter's wait. */
        NOTIFY_ALL("notifyAll"),
        /** A virtual thread submitted to its scheduler: it waits for a carrier until it is mounted. */
        SUBMIT("submit");

        /** The name in tables and JSON. */
        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * Scheduler latency: from the wake-up (or, for a permit, from the park's begin, as the thread was not
     * waiting before it parked) to the resumption; never negative.
     */
    public long latency() {
        long from = permit && blockStart != Long.MIN_VALUE ? Math.max(wakeTime, blockStart) : wakeTime;
        return Math.max(0, resumeTime - from);
    }
}
