package dev.jtrace.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sinks of a session. A sink that fails is reported once on stderr and removed; the others go on.
 */
final class Sinks {
    private final List<Sink> sinks = new ArrayList<>();
    private final List<Sink> failed = new ArrayList<>();

    void add(Sink s) {
        sinks.add(s);
    }

    boolean remove(Sink s) {
        return sinks.remove(s);
    }

    boolean isEmpty() {
        return sinks.isEmpty();
    }

    List<Sink> all() {
        return sinks;
    }

    void write(byte[] b, int off, int len) {
        for (int i = 0; i < sinks.size(); i++) {
            Sink s = sinks.get(i);
            try {
                s.write(b, off, len);
            } catch (IOException | RuntimeException e) {
                fail(s, e);
            }
        }
    }

    void generationComplete(long gen, long startNanos, long endNanos) {
        for (int i = 0; i < sinks.size(); i++) {
            Sink s = sinks.get(i);
            try {
                s.generationComplete(gen, startNanos, endNanos);
            } catch (IOException | RuntimeException e) {
                fail(s, e);
            }
        }
    }

    private void fail(Sink s, Exception e) {
        if (!failed.contains(s)) {
            failed.add(s);
            System.err.println("jtrace: writing " + s.describe() + " failed (" + e
                    + "); recording to it stopped, the generations completed before stay readable");
        }
    }

    /** Removes and closes the sinks that failed since the last call; returns whether any did. */
    boolean removeFailed() {
        if (failed.isEmpty()) {
            return false;
        }
        for (Sink s : failed) {
            sinks.remove(s);
            try {
                s.close();
            } catch (IOException | RuntimeException ignored) {
                // already reported as failed
            }
        }
        failed.clear();
        return true;
    }
}
