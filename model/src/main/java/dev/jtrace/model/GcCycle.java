package dev.jtrace.model;

/**
 * A garbage collection cycle: all GCPause and GCPhase events of one gc id. It spans from the earliest start
 * to the latest end of its pauses (a concurrent cycle's pauses lie far apart: the cycle is not a pause).
 *
 * @param name the collector ("G1New", "G1Old", ...), or "GC" when only phases were recorded
 * @param cause the cause the GCPause event gave, or null
 * @param pauses the number of pauses (phases, or 1 for a cycle without phases)
 * @param pauseNanos the sum of its pauses
 */
public record GcCycle(long gcId, long start, long end, String name, String cause, int pauses, long pauseNanos) {
    public long duration() {
        return end - start;
    }
}
