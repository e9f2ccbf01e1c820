package dev.jtrace.reader;

import java.io.IOException;

/** A file that is not a readable jtrace trace: the message names the file, the offset and what is wrong. */
public final class TraceFormatException extends IOException {
    private final long offset;

    public TraceFormatException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /** Byte offset in the file where the problem was found. */
    public long offset() {
        return offset;
    }
}
