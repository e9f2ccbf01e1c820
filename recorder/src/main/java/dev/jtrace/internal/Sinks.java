package dev.jtrace.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sinks of a session. A sink whose own I/O fails is reported once on stderr and gets no more bytes;
 * the writer ends it (cut back to its last complete generation, then TRACE_END reason 1) once the
 * generation it failed in is complete, so that the end record can say how many events that cost. The
 * other sinks go on.
 */
final class Sinks {
    private final List<Sink> sinks = new ArrayList<>();
    private final List<Sink> failed = new ArrayList<>();
    /**
     * Whether the writer is inside a sink's I/O: back-off tells a writer blocked in the OS (give up waiting
     * for it) from one starved of the processor (keep waiting: the waiters' parks are what give it the
     * processor).
     */
    private volatile boolean inIo;

    void add(Sink s) {
        sinks.add(s);
        failed.remove(s);
    }

    boolean remove(Sink s) {
        failed.remove(s);
        return sinks.remove(s);
    }

    boolean isEmpty() {
        return sinks.isEmpty();
    }

    List<Sink> all() {
        return sinks;
    }

    /** Whether every sink failed (or there is none): the recording has nowhere to go. */
    boolean allFailed() {
        return failed.size() >= sinks.size();
    }

    boolean anyFailed() {
        return !failed.isEmpty();
    }

    /** Whether the writer is inside a sink call now (see {@link #inIo}). */
    boolean inIo() {
        return inIo;
    }

    /** Sinks that failed and are still attached. */
    List<Sink> failed() {
        return failed;
    }

    /**
     * Writes to every sink that has not failed. An I/O error or runtime exception is the sink's own failure;
     * an Error (OutOfMemoryError, StackOverflowError) propagates: it is the writer's, and the writer rolls
     * every sink back.
     */
    void write(byte[] b, int off, int len) {
        for (int i = 0; i < sinks.size(); i++) {
            Sink s = sinks.get(i);
            if (!failed.isEmpty() && failed.contains(s)) {
                continue;
            }
            inIo = true;
            try {
                s.write(b, off, len);
            } catch (IOException | RuntimeException e) {
                fail(s, e);
            } finally {
                inIo = false;
            }
        }
    }

    void generationComplete(long gen, long startNanos, long endNanos) {
        for (int i = 0; i < sinks.size(); i++) {
            Sink s = sinks.get(i);
            if (!failed.isEmpty() && failed.contains(s)) {
                continue;
            }
            inIo = true;
            try {
                s.generationComplete(gen, startNanos, endNanos);
            } catch (IOException | RuntimeException e) {
                fail(s, e);
            } finally {
                inIo = false;
            }
        }
    }

    /** Forgets the half-written generation in every sink; a sink that cannot is failed. */
    void rollback() {
        for (int i = 0; i < sinks.size(); i++) {
            Sink s = sinks.get(i);
            if (!failed.isEmpty() && failed.contains(s)) {
                continue;
            }
            inIo = true;
            try {
                s.rollback();
            } catch (IOException | RuntimeException e) {
                fail(s, e);
            } catch (Error e) {
                // out of memory or stack: the sink retries the rollback before its next write
            } finally {
                inIo = false;
            }
        }
    }

    private void fail(Sink s, Exception e) {
        if (!failed.contains(s)) {
            failed.add(s);
            try {
                System.err.println("jtrace: writing " + s.describe() + " failed (" + e
                        + "); recording to it stopped, the generations completed before stay readable");
            } catch (Throwable ignored) {
                // reporting must not take the writer down
            }
        }
    }
}
