package dev.jtrace;

/**
 * A timed section of one thread, closed on the same thread, meant for try-with-resources:
 * {@code try (Region r = JTrace.region(task, "parse")) { ... }}. Regions nest; closing ends the innermost
 * region of the calling thread. Closing a region opened while tracing was off does nothing.
 */
public interface Region extends AutoCloseable {
    /** Ends the region. */
    @Override
    void close();
}
