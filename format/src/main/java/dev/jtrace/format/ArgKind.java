package dev.jtrace.format;

/**
 * How a reader interprets one event argument. Every argument is encoded as an unsigned varint; the
 * kind says what the number refers to. Codes are part of the format (docs/format.md, "Event types").
 */
public enum ArgKind {
    /** A plain unsigned number. */
    UINT(0),
    /** An id in the generation's string table; 0 means "no string". */
    STRING(1),
    /** An id in the generation's stack table; 0 means "no stack". */
    STACK(2),
    /** A task id; 0 is the background task. */
    TASK(3),
    /** A signed number, zig-zag encoded. */
    SINT(4),
    /** A Java thread id ({@code Thread.threadId()}). */
    THREAD(5),
    /**
     * An absolute time in the trace's clock (ticks): the true time of a runtime event that was reported
     * late (JFR delivers its events in chunks), while the event's own timestamp is when it was written.
     */
    TIME(6);

    /** The code written in the event-type table. */
    public final int code;

    ArgKind(int code) {
        this.code = code;
    }

    /** The kind for a code, or {@code null} for a code this reader does not know. */
    public static ArgKind ofCode(int code) {
        for (ArgKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
