package dev.jtrace.format;

import static dev.jtrace.format.ArgKind.SINT;
import static dev.jtrace.format.ArgKind.STACK;
import static dev.jtrace.format.ArgKind.STRING;
import static dev.jtrace.format.ArgKind.TASK;
import static dev.jtrace.format.ArgKind.THREAD;
import static dev.jtrace.format.ArgKind.UINT;

import java.util.List;

/**
 * The event types this version of jtrace writes. The recorder writes exactly this table into every
 * generation; the reader trusts the table in the file, not this class, so old readers skip new types.
 */
public final class EventTypes {
    private EventTypes() {}

    /** Type ids at or above this value are experimental (like Go's). */
    public static final int FIRST_EXPERIMENTAL = 128;

    /** From here on, events of the batch belong to another thread (shared virtual-thread lanes). */
    public static final int THREAD_SWITCH = 1;
    public static final int TASK_BEGIN = 2;
    public static final int TASK_END = 3;
    public static final int REGION_BEGIN = 4;
    public static final int REGION_END = 5;
    public static final int LOG = 6;
    public static final int COUNTER = 7;
    /** Experimental: an object (or a recorder buffer) came to life. */
    public static final int ALLOC = 128;
    /** Experimental: an object (or a recorder buffer) went away. */
    public static final int FREE = 129;

    /** The largest number of arguments of any type above: sizes the recorder's worst-case reservation. */
    public static final int MAX_ARGS = 4;

    private static EventSpec.Arg a(String name, ArgKind kind) {
        return new EventSpec.Arg(name, kind);
    }

    /** Every type, in id order. */
    public static final List<EventSpec> ALL = List.of(
            new EventSpec(THREAD_SWITCH, "ThreadSwitch", List.of(a("thread", THREAD), a("name", STRING))),
            new EventSpec(TASK_BEGIN, "TaskBegin",
                    List.of(a("task", TASK), a("parent", TASK), a("name", STRING), a("stack", STACK))),
            new EventSpec(TASK_END, "TaskEnd", List.of(a("task", TASK))),
            new EventSpec(REGION_BEGIN, "RegionBegin", List.of(a("task", TASK), a("name", STRING), a("stack", STACK))),
            new EventSpec(REGION_END, "RegionEnd", List.of(a("task", TASK), a("name", STRING))),
            new EventSpec(LOG, "Log",
                    List.of(a("task", TASK), a("category", STRING), a("message", STRING), a("stack", STACK))),
            new EventSpec(COUNTER, "Counter", List.of(a("name", STRING), a("value", SINT))),
            new EventSpec(ALLOC, "Alloc", List.of(a("id", UINT), a("type", STRING), a("size", UINT), a("stack", STACK))),
            new EventSpec(FREE, "Free", List.of(a("id", UINT))));

    /** The spec for {@code id} in this version, or {@code null}. */
    public static EventSpec byId(int id) {
        for (EventSpec s : ALL) {
            if (s.id() == id) {
                return s;
            }
        }
        return null;
    }
}
