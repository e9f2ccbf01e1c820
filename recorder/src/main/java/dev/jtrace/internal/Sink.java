package dev.jtrace.internal;

import java.io.IOException;

/**
 * A consumer of the trace byte stream: a file, or a flight recorder's in-memory window. Called only by
 * the holder of the session's control lock. A sink joins and leaves only at generation boundaries, so
 * everything it sees is whole generations.
 */
interface Sink {
    /** Called once when the sink joins, before the first GEN_BEGIN it receives. */
    void open(byte[] fileHeader) throws IOException;

    void write(byte[] bytes, int off, int len) throws IOException;

    /** The GEN_END of a generation was just written. */
    void generationComplete(long gen, long startNanos, long endNanos) throws IOException;

    /**
     * Forgets every byte written since the last {@link #generationComplete} (or since {@link #open}): the
     * writer failed half way through a generation. A sink that cannot throws, and is then dropped.
     */
    default void rollback() throws IOException {
        throw new IOException("cannot roll back a half-written generation");
    }

    /**
     * The sink's own writes failed: leave what it holds ending at its last complete generation, followed if
     * possible by the TRACE_END record {@code record} (built by the caller; {@code null} when there was no
     * memory to build it). Best effort; never throws.
     */
    default void endAfterFailure(byte[] record) {}

    /**
     * The recording ends in order for this sink: {@code record} is the TRACE_END record to keep after the last
     * complete generation. A byte stream writes it like any record; an in-memory window, whose snapshots
     * end themselves, overrides this to keep nothing.
     */
    default void end(byte[] record) throws IOException {
        write(record, 0, record.length);
    }

    /** The number of the last generation completed in this sink (0 if none). */
    default long lastCompleteGeneration() {
        return 0;
    }

    void close() throws IOException;

    /** For messages: the file name, or "flight recorder". */
    String describe();
}
