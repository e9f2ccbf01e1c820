package dev.jtrace;

import dev.jtrace.internal.FileSink;
import dev.jtrace.internal.Session;
import dev.jtrace.internal.Switch;
import dev.jtrace.internal.ThreadContext;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The jtrace recorder: start and stop a recording, and emit tasks, regions, logs, counters and the
 * experimental alloc/free events. Every event method returns at once when tracing is off (the check folds
 * to a constant in compiled code); when on, it records into the calling thread's lane without locks or
 * allocation.
 *
 * <pre>{@code
 * JTrace.start(Path.of("app.jtrace"));
 * Task t = JTrace.newTask(null, "request");
 * try (Region r = JTrace.region(t, "parse")) {
 *     JTrace.log(t, "input", "42 bytes");
 * }
 * t.end();
 * JTrace.stop();
 * }</pre>
 */
public final class JTrace {
    private static FileSink fileSink;

    private JTrace() {}

    /** Starts recording to {@code file} with the default configuration. */
    public static void start(Path file) throws IOException {
        start(TraceConfig.builder().file(file).build());
    }

    /**
     * Starts recording to {@code config.file()}. If a flight recorder is already running, the file joins
     * its session (at the next generation) and the session keeps the flight recorder's settings.
     *
     * @throws IllegalStateException if a file recording is already running
     * @throws IOException if the file cannot be created (the message names it)
     */
    public static void start(TraceConfig config) throws IOException {
        control(() -> {
            synchronized (JTrace.class) {
                startLocked(config);
            }
            return null;
        });
    }

    private static void startLocked(TraceConfig config) throws IOException {
        if (config.file() == null) {
            throw new IllegalArgumentException("TraceConfig has no file; use FlightRecorder for in-memory tracing");
        }
        if (fileSink != null && (Session.active() == null || !Session.active().has(fileSink))) {
            fileSink = null; // the recording ended by itself (its file failed)
        }
        if (fileSink != null) {
            throw new IllegalStateException("jtrace is already recording to " + fileSink.describe());
        }
        FileSink sink = FileSink.create(config.file());
        Session s = Session.active();
        try {
            if (s != null) {
                s.attach(sink);
            } else {
                Session.start(config, sink);
            }
        } catch (RuntimeException | IOException e) {
            sink.close();
            throw e;
        }
        fileSink = sink;
    }

    /** Stops the file recording: completes the current generation and closes the file. No-op if none. */
    public static void stop() throws IOException {
        control(() -> {
            synchronized (JTrace.class) {
                stopLocked();
            }
            return null;
        });
    }

    /** A start, stop or snapshot of a recording. */
    interface ControlOperation<T> {
        T run() throws IOException;
    }

    /**
     * Runs a control operation. From inside the recorder (e.g. from a toString() being recorded) it would wait
     * for its own thread: refused before taking any lock. Its waits and wake-ups are the tracer's, not the
     * application's scheduler events: the calling thread is muted while it runs (see
     * {@link ThreadContext#mute}).
     */
    static <T> T control(ControlOperation<T> op) throws IOException {
        ThreadContext c = ThreadContext.current();
        if (c.insideRecorder()) {
            throw new IllegalStateException(
                    "jtrace: start, stop and generation changes cannot be called from inside the recorder");
        }
        c.mute();
        try {
            return op.run();
        } finally {
            c.unmute();
        }
    }

    private static void stopLocked() throws IOException {
        FileSink sink = fileSink;
        if (sink == null) {
            return;
        }
        Session s = Session.active();
        if (s != null) {
            s.detach(sink);
        }
        fileSink = null;
    }

    /** Whether events are being recorded (to a file or a flight recorder). */
    public static boolean isEnabled() {
        return Switch.on() && Session.active() != null;
    }

    /** Completes the current generation now (normally every second or every 16 MiB). */
    public static void advanceGeneration() {
        Session s = Session.active();
        if (s != null) {
            s.advanceNow();
        }
    }

    /**
     * Begins a task. The returned task may be ended on any thread. With tracing off the task is still
     * returned (so application code needs no check) but records nothing.
     */
    public static Task newTask(Task parent, String name) {
        if (!Switch.on()) {
            return new Task(0, parent, name);
        }
        ThreadContext c = ThreadContext.current();
        Task t = new Task(c.newTaskId(), parent, name);
        c.taskBegin(t.id(), parent == null ? 0 : parent.id(), name);
        return t;
    }

    static void endTask(Task task) {
        if (Switch.on()) {
            ThreadContext.current().taskEnd(task.id());
        }
    }

    /** Opens a region of {@code task} (null: the background task) on the calling thread. */
    public static Region region(Task task, String name) {
        if (!Switch.on()) {
            return ThreadContext.NO_REGION;
        }
        return ThreadContext.current().regionBegin(task == null ? 0 : task.id(), name);
    }

    /** Records a log message. */
    public static void log(Task task, String category, String message) {
        if (Switch.on()) {
            ThreadContext.current().log(task == null ? 0 : task.id(), category, message, false);
        }
    }

    /**
     * Records a log message whose text is {@code message.toString()}, called inside the recorder: events
     * that {@code toString()} emits are nested events, handled by the configured {@link Reentrancy}.
     */
    public static void log(Task task, String category, Object message) {
        if (Switch.on()) {
            ThreadContext.current().log(task == null ? 0 : task.id(), category, message, false);
        }
    }

    /** Records a log message with the caller's stack. */
    public static void logWithStack(Task task, String category, String message) {
        if (Switch.on()) {
            ThreadContext.current().log(task == null ? 0 : task.id(), category, message, true);
        }
    }

    /** Records the value of a named counter. */
    public static void counter(String name, long value) {
        if (Switch.on()) {
            ThreadContext.current().counter(name, value);
        }
    }

    /** Experimental: object {@code id} of {@code type} and {@code size} bytes came to life (if allocfree is on). */
    public static void alloc(long id, String type, long size) {
        if (Switch.on()) {
            ThreadContext.current().alloc(id, type, size);
        }
    }

    /** Experimental: object {@code id} went away (if allocfree is on). */
    public static void free(long id) {
        if (Switch.on()) {
            ThreadContext.current().free(id);
        }
    }
}
