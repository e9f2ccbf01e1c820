package dev.jtrace.model;

import dev.jtrace.reader.StackTrace;

/**
 * One blocking interval reported by the runtime (Park, MonitorBlocked, Sleep, VirtualThreadPinned), with
 * what the model concludes from it: the thread state it means (a park inside Object.wait is
 * {@link ThreadState#WAITING}, one in socket code {@link ThreadState#IO}), whether it is an idle pool
 * worker waiting for work rather than contention, and its call site (the first frame outside the JDK).
 *
 * @param detail the blocker class of a park, the monitor class of a monitor wait, else null
 */
public record Blocking(EventKind kind, ThreadState state, long thread, long start, long duration,
        StackTrace stack, String detail, boolean idle, StackTrace.Frame callSite) {

    /** Short name of the kind: park, monitor, sleep, pinned. */
    public String kindName() {
        return switch (kind) {
            case PARK -> "park";
            case MONITOR_BLOCKED -> "monitor";
            case SLEEP -> "sleep";
            default -> "pinned";
        };
    }

    /** The call site as text, "(no stack)" without a stack. */
    public String callSiteName() {
        return callSite == null ? Stacks.NO_STACK : callSite.toString();
    }
}
