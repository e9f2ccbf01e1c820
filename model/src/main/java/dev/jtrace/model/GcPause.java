package dev.jtrace.model;

/**
 * A stop-the-world pause at its own start time: a GCPhase event (JFR's jdk.GCPhasePause), or the GCPause
 * event of a collection that reported no phases.
 *
 * @param name the phase's name ("Pause Young (Normal)", "Pause Remark") or the collector's
 * @param cycleName the collector of the cycle it belongs to ("G1New", "G1Old"), when known at the pause
 */
public record GcPause(long gcId, long start, long duration, String name, String cycleName) {
    public long end() {
        return start + duration;
    }
}
