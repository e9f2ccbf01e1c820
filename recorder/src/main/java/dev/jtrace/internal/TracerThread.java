package dev.jtrace.internal;

/**
 * A thread of the tracer itself (the recorder's writer, the agent's JFR bridge and alloc/free drain). The
 * agent's scheduler hooks inside the JDK test for it first, with one type check, and record nothing for
 * such a thread: its parks and wake-ups are the tracer's own, and recording them would create a context
 * and a lane for the writer from inside the writer's own loop.
 */
public final class TracerThread extends Thread {
    /** A daemon thread named {@code name} (by convention {@code jtrace-...}) that runs {@code task}. */
    public TracerThread(Runnable task, String name) {
        super(task, name);
        setDaemon(true);
    }
}
