package dev.jtrace.reader;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;

/**
 * One event of a generation. Arguments are kept as numbers (signed ones already decoded); strings and
 * stacks are resolved through the generation's tables on demand.
 */
public final class Event {
    private final long ticks;
    private final long threadId;
    private final long laneId;
    private final EventSpec type;
    private final long[] args;
    private final Generation generation;

    Event(long ticks, long threadId, long laneId, EventSpec type, long[] args, Generation generation) {
        this.ticks = ticks;
        this.threadId = threadId;
        this.laneId = laneId;
        this.type = type;
        this.args = args;
        this.generation = generation;
    }

    /** Time in ticks (nanoseconds of the recording's monotonic clock). */
    public long ticks() {
        return ticks;
    }

    /** The thread the event belongs to (for runtime events: the thread that wrote it; see the "thread" arg). */
    public long threadId() {
        return threadId;
    }

    /** The lane (writer) the event was recorded on. */
    public long laneId() {
        return laneId;
    }

    /** The event's schema, from the file's table. */
    public EventSpec type() {
        return type;
    }

    /** The generation the event belongs to. */
    public Generation generation() {
        return generation;
    }

    /** Number of arguments. */
    public int argCount() {
        return args.length;
    }

    /** Argument {@code i} as a number (SINT decoded to its signed value). */
    public long arg(int i) {
        return args[i];
    }

    /** The argument called {@code name}; an unknown name is an {@link IllegalArgumentException}. */
    public long arg(String name) {
        return args[index(name)];
    }

    /** Whether the type has an argument called {@code name}. */
    public boolean has(String name) {
        return type.indexOf(name) >= 0;
    }

    /** The STRING argument {@code name} resolved, or null for string id 0. */
    public String string(String name) {
        int i = index(name);
        return generation.string(args[i]);
    }

    /** The STACK argument {@code name} resolved, or null for stack id 0. */
    public StackTrace stack(String name) {
        return generation.stack(args[index(name)]);
    }

    /**
     * The true time of the event: its TIME argument ({@code start} or {@code time}) for runtime events
     * reported late, else {@link #ticks()}.
     */
    public long trueTicks() {
        for (int i = 0; i < args.length; i++) {
            if (type.args().get(i).kind() == ArgKind.TIME) {
                return args[i];
            }
        }
        return ticks;
    }

    private int index(String name) {
        int i = type.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(type.name() + " has no argument '" + name + "'");
        }
        return i;
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
        StringBuilder sb = new StringBuilder();
        sb.append(ticks).append(" thread=").append(threadId).append(' ').append(type.name());
        for (int i = 0; i < args.length; i++) {
            EventSpec.Arg a = type.args().get(i);
            sb.append(' ').append(a.name()).append('=');
            switch (a.kind()) {
                case STRING -> {
                    String s = generation.string(args[i]);
                    sb.append(s == null ? "-" : quote(s));
                }
                case STACK -> {
                    StackTrace st = generation.stack(args[i]);
                    sb.append(st == null ? "-" : "#" + st.id() + (st.top() == null ? "" : "@" + st.top()));
                }
                default -> sb.append(args[i]);
            }
        }
        return sb.toString();
    }
}
