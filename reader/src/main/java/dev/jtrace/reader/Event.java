package dev.jtrace.reader;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;

/**
 * One event of a generation. Arguments are kept as numbers (signed ones already decoded); strings and
 * stacks are resolved through the generation's tables on demand. An event is a view of its generation's
 * columns: cheap to make, equal to any other view of the same event.
 */
public final class Event {
    private final EventColumns columns;
    private final int index;
    private final Generation generation;

    Event(EventColumns columns, int index, Generation generation) {
        this.columns = columns;
        this.index = index;
        this.generation = generation;
    }

    /** Time in nanoseconds of the recording's monotonic clock (raw ticks already converted). */
    public long nanos() {
        return columns.nanos(index);
    }

    /**
     * The time in nanoseconds, despite its name.
     *
     * @deprecated use {@link #nanos()}: the value has always been nanoseconds, not raw ticks
     */
    @Deprecated
    public long ticks() {
        return nanos();
    }

    /** The thread the event belongs to (for runtime events: the thread that wrote it; see the "thread" arg). */
    public long threadId() {
        return columns.thread(index);
    }

    /** The lane (writer) the event was recorded on. */
    public long laneId() {
        return columns.lane(index);
    }

    /** The event's schema, from the file's table. */
    public EventSpec type() {
        return columns.type(index);
    }

    /** The generation the event belongs to. */
    public Generation generation() {
        return generation;
    }

    /** Number of arguments. */
    public int argCount() {
        return columns.argCount(index);
    }

    /** Argument {@code i} as a number (SINT decoded to its signed value). */
    public long arg(int i) {
        return columns.arg(index, i);
    }

    /**
     * The argument called {@code name}; an unknown name is an {@link IllegalArgumentException}. The reader
     * checks every generation's table against the built-in types (docs/format.md "Event types"), so the
     * arguments of a built-in type are always there, except those appended to it later (absent from older
     * files, {@code EventTypes.requiredArgs}); those and other types' names need {@link #has}.
     */
    public long arg(String name) {
        return columns.arg(index, index(name));
    }

    /** Whether the type has an argument called {@code name}. */
    public boolean has(String name) {
        return type().indexOf(name) >= 0;
    }

    /** The STRING argument {@code name} resolved, or null for string id 0. */
    public String string(String name) {
        return generation.string(arg(name));
    }

    /** The STACK argument {@code name} resolved, or null for stack id 0. */
    public StackTrace stack(String name) {
        return generation.stack(arg(name));
    }

    /**
     * The true time of the event: its TIME argument ({@code start} or {@code time}) for runtime events
     * reported late, else {@link #nanos()}; nanoseconds of the monotonic clock.
     */
    public long trueNanos() {
        EventSpec type = type();
        for (int i = 0; i < type.args().size(); i++) {
            if (type.args().get(i).kind() == ArgKind.TIME) {
                return arg(i);
            }
        }
        return nanos();
    }

    /**
     * The true time in nanoseconds, despite its name.
     *
     * @deprecated use {@link #trueNanos()}
     */
    @Deprecated
    public long trueTicks() {
        return trueNanos();
    }

    private int index(String name) {
        EventSpec type = type();
        int i = type.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(type.name() + " has no argument '" + name + "'");
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e && e.columns == columns && e.index == index;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(columns) * 31 + index;
    }

    /**
     * A string in double quotes with quotes, backslashes and control characters escaped, on one line: valid
     * as a JSON string too.
     */
    public static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        EventSpec type = type();
        StringBuilder sb = new StringBuilder();
        sb.append(nanos()).append(" thread=").append(threadId()).append(' ').append(type.name());
        for (int i = 0; i < type.args().size(); i++) {
            EventSpec.Arg a = type.args().get(i);
            long v = arg(i);
            sb.append(' ').append(a.name()).append('=');
            switch (a.kind()) {
                case STRING -> {
                    String s = generation.string(v);
                    sb.append(s == null ? "-" : quote(s));
                }
                case STACK -> {
                    StackTrace st = generation.stack(v);
                    sb.append(st == null ? "-" : "#" + st.id() + (st.top() == null ? "" : "@" + st.top()));
                }
                default -> sb.append(v);
            }
        }
        return sb.toString();
    }
}
