package dev.jtrace.model;

import dev.jtrace.reader.StackTrace;

/**
 * A region or a task: a named interval, with the thread that began it and the one that ended it. Made
 * by {@link SpanMatcher}, the one place begin and end events are paired; see there for the rules for
 * missing halves. A span is handed to listeners when it begins ({@link #end()} is then {@code -1}) and
 * again, the same object, when it ends; the model keeps it only while it is open.
 */
public final class Span {
    /** Regions live on one thread's stack; tasks are trace-wide and may end on another thread. */
    public enum Kind { REGION, TASK }

    /** The span's begin was not in the trace: {@link #start()} is the trace's start. */
    public static final int BEGIN_MISSING = 1;
    /**
     * The span's end was not in the trace: {@link #end()} is the trace's end, or for a region the end of
     * the enclosing region that ended (regions nest), or for a task a later begin of the same id.
     */
    public static final int END_MISSING = 2;

    /** The name given to spans whose name is null or empty. */
    public static final String UNNAMED = "(unnamed)";

    final Kind kind;
    final long serial;
    final long task;
    final long parent;
    final String rawName;
    final String name;
    final long beginThread;
    final int depth;
    final StackTrace stack;
    long start;
    long end = -1;
    long endThread;
    int flags;

    Span(Kind kind, long serial, long task, long parent, String rawName, long beginThread, int depth,
            StackTrace stack, long start) {
        this.kind = kind;
        this.serial = serial;
        this.task = task;
        this.parent = parent;
        this.rawName = rawName;
        this.name = rawName == null || rawName.isEmpty() ? UNNAMED : rawName;
        this.beginThread = beginThread;
        this.depth = depth;
        this.stack = stack;
        this.start = start;
    }

    /**
     * A span that ended, rebuilt from its fields as {@code s}'s accessors gave them: for a tool that stored
     * spans the model made (the viewer writes a generation's spans to a spill file and reads them back) and
     * must hand them on as the same values. {@code rawName} is the name as recorded (null or empty allowed).
     */
    public static Span ended(Kind kind, long serial, long task, long parent, String rawName, long beginThread,
            int depth, StackTrace stack, long start, long end, long endThread, int flags) {
        if (end < 0) {
            throw new IllegalArgumentException("an ended span has an end: " + end);
        }
        Span s = new Span(kind, serial, task, parent, rawName, beginThread, depth, stack, start);
        s.end = end;
        s.endThread = endThread;
        s.flags = flags;
        return s;
    }

    public Kind kind() {
        return kind;
    }

    /** A number unique among the spans of one trace (in begin order): an id for exports' async slices. */
    public long serial() {
        return serial;
    }

    /** The task: a task's own id, or the task a region belongs to (0: none). */
    public long task() {
        return task;
    }

    /** A task's parent task (0: none); 0 for regions. */
    public long parent() {
        return parent;
    }

    /** The name to show: never null, {@link #UNNAMED} for a null or empty name. Begin and end share it. */
    public String name() {
        return name;
    }

    /** The name as recorded (null or empty possible). */
    public String rawName() {
        return rawName;
    }

    /** The thread whose event began it (for a span without begin: the one that ended it). */
    public long thread() {
        return beginThread;
    }

    /** The thread whose event ended it; for a span without end, the thread that began it. */
    public long endThread() {
        return endThread;
    }

    /** Regions open below this one on its thread when it began (0: outermost); -1 for a region without begin. */
    public int depth() {
        return depth;
    }

    /** The stack of the begin event, or null. */
    public StackTrace stack() {
        return stack;
    }

    /** Nanoseconds of the trace clock. */
    public long start() {
        return start;
    }

    /** Nanoseconds of the trace clock; -1 while open. */
    public long end() {
        return end;
    }

    /** {@code end - start}, or -1 while open. */
    public long duration() {
        return end < 0 ? -1 : end - start;
    }

    /** {@link #BEGIN_MISSING} and {@link #END_MISSING} bits. */
    public int flags() {
        return flags;
    }

    public boolean beginMissing() {
        return (flags & BEGIN_MISSING) != 0;
    }

    public boolean endMissing() {
        return (flags & END_MISSING) != 0;
    }

    /** Began and ended on different threads (a task that crossed threads). */
    public boolean crossesThreads() {
        return end >= 0 && endThread != beginThread;
    }

    @Override
    public String toString() {
        return kind + " " + name + " task=" + task + " thread=" + beginThread + "->" + endThread + " [" + start
                + ", " + end + "]" + (beginMissing() ? " begin-missing" : "") + (endMissing() ? " end-missing" : "");
    }
}
