package dev.jtrace.reader;

import dev.jtrace.format.Format;

/** One row of a generation's LOSS table: events emitted but not in the trace. */
public record LossRecord(long laneId, long threadId, int reason, long count) {
    /** The reason's name, e.g. {@code skippedReentrant}. */
    public String reasonName() {
        return Format.lossReasonName(reason);
    }
}
