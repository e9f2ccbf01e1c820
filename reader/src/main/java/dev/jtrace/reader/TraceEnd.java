package dev.jtrace.reader;

import dev.jtrace.format.Format;

/**
 * The TRACE_END record (since version 2.1): how the recording ended.
 *
 * @param lastGeneration the number of the last generation written
 * @param reason {@link Format#END_STOPPED} or {@link Format#END_SINK_FAILED} (others are from a later version)
 * @param lostEvents with {@link Format#END_SINK_FAILED}: events emitted after {@code lastGeneration} that are
 *     not in the file
 * @param lostGenerations with {@link Format#END_SINK_FAILED}: generations after {@code lastGeneration} not in
 *     the file
 * @param offset file offset of the record
 */
public record TraceEnd(long lastGeneration, long reason, long lostEvents, long lostGenerations, long offset) {
    /** Whether the recording was stopped in order (nothing lost at its end). */
    public boolean stopped() {
        return reason == Format.END_STOPPED;
    }
}
