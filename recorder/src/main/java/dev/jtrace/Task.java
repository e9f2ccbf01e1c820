package dev.jtrace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A logical operation that may span threads (Go's {@code trace.Task}). Created by
 * {@link JTrace#newTask}; may be ended on any thread. Ending twice records one end only.
 */
public final class Task {
    /** The task that events outside any task belong to. Never begins or ends. */
    public static final Task BACKGROUND = new Task(0, null, "background");

    private final long id;
    private final Task parent;
    private final String name;
    /**
     * Release/acquire, not volatile: a volatile store is a full fence (6 ns here, a tenth of a task). Ends
     * ordered by happens-before (the same thread twice, or a hand-over through a queue) record once; ends
     * racing on two threads may both record, as they could with a volatile check-then-set, and a reader
     * counts the second as an end without begin.
     */
    @SuppressWarnings("unused")
    private boolean ended;

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(Task.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Task(long id, Task parent, String name) {
        this.id = id;
        this.parent = parent;
        this.name = name;
    }

    /** The id written into the trace; unique within the JVM, 0 for {@link #BACKGROUND}. */
    public long id() {
        return id;
    }

    /** The parent task, or {@code null}. */
    public Task parent() {
        return parent;
    }

    /** The task's name (its type, in Go's words). */
    public String name() {
        return name;
    }

    /** Records the end of the task on the calling thread. */
    public void end() {
        if (id == 0 || (boolean) ENDED.getAcquire(this)) {
            return;
        }
        ENDED.setRelease(this, true);
        JTrace.endTask(this);
    }

    @Override
    public String toString() {
        return "Task[" + id + " " + name + "]";
    }
}
