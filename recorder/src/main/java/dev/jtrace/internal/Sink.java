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

    void close() throws IOException;

    /** For messages: the file name, or "flight recorder". */
    String describe();
}
