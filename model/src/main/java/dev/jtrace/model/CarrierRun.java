package dev.jtrace.model;

/**
 * One stretch a virtual thread ran on a carrier: from its VirtualThreadMount to its VirtualThreadUnmount,
 * both written by the carrier {@code carrier}. The model delivers it at the unmount
 * ({@link ModelListener#carrierRun}), or at the trace's end for a thread still mounted then.
 *
 * @param endMissing no unmount was seen: the stretch ends at the trace's end
 */
public record CarrierRun(long carrier, long thread, long start, long end, boolean endMissing) {

    /** {@code end - start}. */
    public long duration() {
        return Math.max(0, end - start);
    }
}
