package dev.jtrace.model;

import dev.jtrace.reader.StackTrace;

/**
 * One blocking interval: reported by the runtime (Park, MonitorBlocked, Sleep, VirtualThreadPinned), or
 * opened by a scheduler event (ParkBegin, WaitBegin, SleepBegin; {@code kind} is that begin's) and closed
 * by its BlockEnd, whose stack it carries (none when the call returned at once), with
 * what the model concludes from it: the thread state it means (a park inside Object.wait is
 * {@link ThreadState#WAITING}, one in socket code {@link ThreadState#IO}), whether it is an idle pool
 * worker waiting for work rather than contention, and its call site (the first frame outside the JDK).
 *
 * @param detail the blocker class of a park, the monitor class of a monitor wait or an Object.wait, else null
 */
public record Blocking(EventKind kind, ThreadState state, long thread, long start, long duration,
        StackTrace stack, String detail, boolean idle, StackTrace.Frame callSite) {

    /** Short name of the kind: park, monitor, sleep, pinned, wait, io (a scheduler park is a park, ...). */
    public String kindName() {
        return switch (kind) {
            case PARK, PARK_BEGIN -> "park";
            case MONITOR_BLOCKED -> "monitor";
            case SLEEP, SLEEP_BEGIN -> "sleep";
            case WAIT_BEGIN -> "wait";
            case SOCKET_READ, SOCKET_WRITE, FILE_READ, FILE_WRITE -> "io";
            default -> "pinned";
        };
    }

    /** The name exports give its slice: Park, MonitorBlocked, Sleep, VirtualThreadPinned, Wait. */
    public String sliceName() {
        return switch (kind) {
            case PARK, PARK_BEGIN -> "Park";
            case MONITOR_BLOCKED -> "MonitorBlocked";
            case SLEEP, SLEEP_BEGIN -> "Sleep";
            case WAIT_BEGIN -> "Wait";
            case SOCKET_READ -> "SocketRead";
            case SOCKET_WRITE -> "SocketWrite";
            case FILE_READ -> "FileRead";
            case FILE_WRITE -> "FileWrite";
            default -> "VirtualThreadPinned";
        };
    }

    /** Whether it comes from the scheduler events (BlockBegin and BlockEnd) rather than from JFR. */
    public boolean scheduler() {
        return kind.isBlockBegin();
    }

    /**
     * The call site as text, "(no stack)" without a stack; a scheduler block without stack (the call
     * returned at once, or blocked for less than the agent's blockstack) is named after its blocker class,
     * "(short, no stack) CLASS", so that such calls still group by what they waited on.
     */
    public String callSiteName() {
        if (callSite != null) {
            return callSite.toString();
        }
        if (scheduler()) {
            return RETURNED_AT_ONCE + (detail == null ? "" : " " + detail);
        }
        return Stacks.NO_STACK;
    }

    /** The prefix of {@link #callSiteName()} for a scheduler block without stack. */
    public static final String RETURNED_AT_ONCE = "(short, no stack)";
}
