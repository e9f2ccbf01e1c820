package dev.jtrace.format;

import static dev.jtrace.format.ArgKind.SINT;
import static dev.jtrace.format.ArgKind.STACK;
import static dev.jtrace.format.ArgKind.STRING;
import static dev.jtrace.format.ArgKind.TASK;
import static dev.jtrace.format.ArgKind.THREAD;
import static dev.jtrace.format.ArgKind.TIME;
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
    // Runtime events recorded by the agent. Times come from JFR: each has its true start time as a TIME
    // argument and, for spans, a duration in nanoseconds.
    public static final int THREAD_START = 16;
    public static final int THREAD_END = 17;
    public static final int PARK = 18;
    public static final int MONITOR_BLOCKED = 19;
    public static final int SLEEP = 20;
    public static final int VIRTUAL_THREAD_PINNED = 21;
    public static final int GC_PAUSE = 22;
    public static final int GC_PHASE = 23;
    public static final int HEAP_SUMMARY = 24;
    public static final int ALLOC_SAMPLE = 25;
    public static final int CPU_SAMPLE = 26;
    // Scheduler events recorded by the agent's hooks inside the JDK (docs/agent.md, "Hook points"). Unlike
    // types 16 to 26 they are written by the thread they are about, at the moment they happen: the event's
    // own time is the true time, and the writing thread is the subject (for wake-ups: the waker).
    /** The writing thread begins LockSupport.park*. */
    public static final int PARK_BEGIN = 27;
    /** The writing thread begins Object.wait. */
    public static final int WAIT_BEGIN = 28;
    /** The writing thread begins Thread.sleep. */
    public static final int SLEEP_BEGIN = 29;
    /** The writing thread's park, wait or sleep (the latest begun) returned. */
    public static final int BLOCK_END = 30;
    /** The writing thread unparked {@code target}. */
    public static final int UNPARK = 31;
    /** The writing thread called notify or notifyAll on a monitor. */
    public static final int NOTIFY = 32;
    /** The writing thread called Thread.yield. */
    public static final int YIELD = 33;
    /** The writing carrier thread is about to run virtual thread {@code thread}. */
    public static final int VIRTUAL_THREAD_MOUNT = 34;
    /** The writing carrier thread stopped running virtual thread {@code thread}. */
    public static final int VIRTUAL_THREAD_UNMOUNT = 35;
    /** The writing thread made virtual thread {@code thread} runnable: submitted it to its scheduler. */
    public static final int VIRTUAL_THREAD_SUBMIT = 36;
    // Blocking I/O from JFR (like types 16 to 26: written late by the agent's bridge, with true times)
    /** A socket read of {@code thread} (jdk.SocketRead above the threshold). */
    public static final int SOCKET_READ = 37;
    /** A socket write (jdk.SocketWrite). */
    public static final int SOCKET_WRITE = 38;
    /** A file read (jdk.FileRead). */
    public static final int FILE_READ = 39;
    /** A file write (jdk.FileWrite). */
    public static final int FILE_WRITE = 40;
    // Compact encodings of the commonest events, chosen by the recorder where they hold the same information.
    // A reader decodes each as the full type it stands for ({@link #fullType}): no tool ever sees these ids.
    /** A RegionBegin without a stack: {@code task name}; decoded as {@link #REGION_BEGIN} with stack 0. */
    public static final int REGION_BEGIN_NO_STACK = 41;
    /**
     * A RegionEnd with no arguments: it closes the region whose RegionBegin ({@link #REGION_BEGIN} or
     * {@link #REGION_BEGIN_NO_STACK}) is the event just before it in the same batch, and has that begin's task
     * and name. Decoded as {@link #REGION_END}.
     */
    public static final int REGION_END_AFTER_BEGIN = 42;
    /** A Log without a stack: {@code task category message}; decoded as {@link #LOG} with stack 0. */
    public static final int LOG_NO_STACK = 43;

    /** Experimental: an object (or a recorder buffer) came to life. */
    public static final int ALLOC = 128;
    /** Experimental: an object (or a recorder buffer) went away. */
    public static final int FREE = 129;

    /** The largest number of arguments of any type above: sizes the recorder's worst-case reservation. */
    public static final int MAX_ARGS = 6;

    private static EventSpec.Arg a(String name, ArgKind kind) {
        return new EventSpec.Arg(name, kind);
    }

    private static EventSpec io(int id, String name, String target) {
        return new EventSpec(id, name, List.of(a("thread", THREAD), a("start", TIME), a("duration", UINT),
                a(target, STRING), a("bytes", UINT), a("stack", STACK)));
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
            new EventSpec(THREAD_START, "ThreadStart",
                    List.of(a("thread", THREAD), a("name", STRING), a("virtual", UINT), a("time", TIME))),
            new EventSpec(THREAD_END, "ThreadEnd", List.of(a("thread", THREAD), a("time", TIME))),
            new EventSpec(PARK, "Park", List.of(a("thread", THREAD), a("start", TIME), a("duration", UINT),
                    a("blocker", STRING), a("stack", STACK))),
            new EventSpec(MONITOR_BLOCKED, "MonitorBlocked", List.of(a("thread", THREAD), a("start", TIME),
                    a("duration", UINT), a("monitorClass", STRING), a("stack", STACK), a("previousOwner", THREAD))),
            new EventSpec(SLEEP, "Sleep",
                    List.of(a("thread", THREAD), a("start", TIME), a("duration", UINT), a("stack", STACK))),
            new EventSpec(VIRTUAL_THREAD_PINNED, "VirtualThreadPinned",
                    List.of(a("thread", THREAD), a("start", TIME), a("duration", UINT), a("stack", STACK),
                            a("pinnedReason", STRING))),
            new EventSpec(GC_PAUSE, "GCPause", List.of(a("gc", UINT), a("start", TIME), a("duration", UINT),
                    a("name", STRING), a("cause", STRING))),
            new EventSpec(GC_PHASE, "GCPhase",
                    List.of(a("gc", UINT), a("start", TIME), a("duration", UINT), a("name", STRING))),
            new EventSpec(HEAP_SUMMARY, "HeapSummary",
                    List.of(a("time", TIME), a("used", UINT), a("committed", UINT))),
            new EventSpec(ALLOC_SAMPLE, "AllocSample", List.of(a("thread", THREAD), a("time", TIME),
                    a("class", STRING), a("weight", UINT), a("stack", STACK))),
            new EventSpec(CPU_SAMPLE, "CPUSample", List.of(a("thread", THREAD), a("time", TIME), a("stack", STACK))),
            new EventSpec(PARK_BEGIN, "ParkBegin", List.of(a("blocker", STRING), a("timeout", UINT))),
            new EventSpec(WAIT_BEGIN, "WaitBegin",
                    List.of(a("monitorClass", STRING), a("monitor", UINT), a("timeout", UINT))),
            new EventSpec(SLEEP_BEGIN, "SleepBegin", List.of(a("duration", UINT))),
            new EventSpec(BLOCK_END, "BlockEnd", List.of(a("stack", STACK))),
            new EventSpec(UNPARK, "Unpark", List.of(a("target", THREAD))),
            new EventSpec(NOTIFY, "Notify", List.of(a("monitor", UINT), a("all", UINT))),
            new EventSpec(YIELD, "Yield", List.of()),
            new EventSpec(VIRTUAL_THREAD_MOUNT, "VirtualThreadMount", List.of(a("thread", THREAD))),
            new EventSpec(VIRTUAL_THREAD_UNMOUNT, "VirtualThreadUnmount", List.of(a("thread", THREAD))),
            new EventSpec(VIRTUAL_THREAD_SUBMIT, "VirtualThreadSubmit", List.of(a("thread", THREAD))),
            io(SOCKET_READ, "SocketRead", "endpoint"),
            io(SOCKET_WRITE, "SocketWrite", "endpoint"),
            io(FILE_READ, "FileRead", "path"),
            io(FILE_WRITE, "FileWrite", "path"),
            new EventSpec(REGION_BEGIN_NO_STACK, "RegionBeginNoStack", List.of(a("task", TASK), a("name", STRING))),
            new EventSpec(REGION_END_AFTER_BEGIN, "RegionEndAfterBegin", List.of()),
            new EventSpec(LOG_NO_STACK, "LogNoStack",
                    List.of(a("task", TASK), a("category", STRING), a("message", STRING))),
            new EventSpec(ALLOC, "Alloc", List.of(a("id", UINT), a("type", STRING), a("size", UINT), a("stack", STACK))),
            new EventSpec(FREE, "Free", List.of(a("id", UINT))));

    /**
     * How many of the leading arguments of built-in type {@code id} every file has: the arguments after them
     * were appended later (docs/format.md, "Event types") and are missing from older files, so a reader
     * accepts a table without them and tools look them up with {@code has}. For a type without appended
     * arguments, and an unknown id, all of them.
     */
    public static int requiredArgs(int id) {
        return switch (id) {
            case MONITOR_BLOCKED -> 5; // previousOwner appended
            case VIRTUAL_THREAD_PINNED -> 4; // pinnedReason appended
            default -> {
                EventSpec s = byId(id);
                yield s == null ? 0 : s.args().size();
            }
        };
    }

    /**
     * The type a reader decodes events of type {@code id} as: {@link #REGION_BEGIN}, {@link #REGION_END} and
     * {@link #LOG} for their compact encodings (41 to 43), {@code id} itself for every other type.
     */
    public static int fullType(int id) {
        return switch (id) {
            case REGION_BEGIN_NO_STACK -> REGION_BEGIN;
            case REGION_END_AFTER_BEGIN -> REGION_END;
            case LOG_NO_STACK -> LOG;
            default -> id;
        };
    }

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
