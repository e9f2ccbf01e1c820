package dev.jtrace.reader;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One complete, validated generation: its clock, tables and events merged across lanes by time.
 *
 * <p>Times are nanoseconds of the recording process's monotonic clock ({@code System.nanoTime()}). The
 * recorder may stamp events with another clock (the CPU's time-stamp counter); the reader maps those raw
 * ticks to nanoseconds linearly between the generation's two clock stamps (GEN_BEGIN and GEN_END).
 */
public final class Generation {
    final long number;
    final long startRawTicks;
    final long startNanos;
    final long startWallNanos;
    long endRawTicks;
    long endNanos;
    long endWallNanos;
    /** Nanoseconds per raw tick, set by {@link #prepareClock()}. */
    private double nanosPerTick = 1;
    final long fileOffset;
    List<Event> events = List.of();
    int eventCount;
    Map<Long, ThreadInfo> threads = Map.of();
    List<LossRecord> losses = List.of();
    Map<Long, String> strings = Map.of();
    /** The string table as an array indexed by id when ids are dense (the recorder's always are). */
    String[] denseStrings;
    Map<Long, StackTrace> stacks = Map.of();
    long threadSwitches;

    Generation(long number, long startRawTicks, long startNanos, long startWallNanos, long fileOffset) {
        this.number = number;
        this.startRawTicks = startRawTicks;
        this.startNanos = startNanos;
        this.startWallNanos = startWallNanos;
        this.fileOffset = fileOffset;
    }

    public long number() {
        return number;
    }

    /** When the generation began, in nanoseconds of the trace's monotonic clock (as every event time). */
    public long startTicks() {
        return startNanos;
    }

    /** When the generation ended, in nanoseconds of the trace's monotonic clock. */
    public long endTicks() {
        return endNanos;
    }

    /**
     * The recorder's raw clock rate in ticks per second: 1e9 for a recording stamped with
     * {@code System.nanoTime()}, the CPU's counter frequency for one stamped with the time-stamp counter.
     * Estimated from the generation's clock stamps (NaN for a generation too short to tell).
     */
    public double rawTicksPerSecond() {
        long ticks = endRawTicks - startRawTicks;
        long nanos = endNanos - startNanos;
        return ticks > 0 && nanos > 0 ? ticks * 1e9 / nanos : Double.NaN;
    }

    /**
     * Checks the clock stamps and fixes the ticks-to-nanoseconds map; returns an error message for stamps
     * that go backwards, else null.
     */
    String prepareClock() {
        long ticks = endRawTicks - startRawTicks;
        long nanos = endNanos - startNanos;
        if (ticks < 0 || nanos < 0) {
            return "GEN_END's clock stamp (" + endRawTicks + " ticks, " + endNanos + " ns) precedes GEN_BEGIN's ("
                    + startRawTicks + " ticks, " + startNanos + " ns)";
        }
        nanosPerTick = ticks == 0 ? 1 : (double) nanos / ticks;
        return null;
    }

    /** A raw event time of this generation in nanoseconds of the monotonic clock. */
    long toNanos(long rawTicks) {
        if (nanosPerTick == 1) {
            return startNanos + (rawTicks - startRawTicks);
        }
        return startNanos + Math.round((rawTicks - startRawTicks) * nanosPerTick);
    }

    /** Wall clock (ns since the epoch) at {@link #startTicks()}. */
    public long startWallNanos() {
        return startWallNanos;
    }

    /** Wall clock (ns since the epoch) at {@link #endTicks()}. */
    public long endWallNanos() {
        return endWallNanos;
    }

    /** Wall-clock time of a tick value of this generation, in ns since the epoch. */
    public long wallNanos(long ticks) {
        return startWallNanos + (ticks - startNanos);
    }

    /** Offset of the generation's GEN_BEGIN record in the file. */
    public long fileOffset() {
        return fileOffset;
    }

    /** Events ordered by time; ties keep lane order. ThreadSwitch events are not included. */
    public List<Event> events() {
        return events;
    }

    /** Threads of the generation by id. */
    public Map<Long, ThreadInfo> threads() {
        return Collections.unmodifiableMap(threads);
    }

    /** The LOSS table. */
    public List<LossRecord> losses() {
        return Collections.unmodifiableList(losses);
    }

    /** The string table. */
    public Map<Long, String> strings() {
        return Collections.unmodifiableMap(strings);
    }

    /** The stack table. */
    public Map<Long, StackTrace> stacks() {
        return Collections.unmodifiableMap(stacks);
    }

    /** ThreadSwitch events read (they only attribute the events after them). */
    public long threadSwitches() {
        return threadSwitches;
    }

    String string(long id) {
        if (id == 0) {
            return null;
        }
        String[] d = denseStrings;
        if (d != null) {
            return id > 0 && id < d.length ? d[(int) id] : null;
        }
        return strings.get(id);
    }

    /** Builds the dense form of the string table if the ids allow it without wasting memory. */
    void indexStrings() {
        long max = 0;
        for (long id : strings.keySet()) {
            if (id < 0) {
                return;
            }
            max = Math.max(max, id);
        }
        if (max > 4L * strings.size() + 1024) {
            return;
        }
        String[] d = new String[(int) max + 1];
        strings.forEach((id, s) -> d[(int) (long) id] = s);
        denseStrings = d;
    }

    StackTrace stack(long id) {
        return id == 0 ? null : stacks.get(id);
    }
}
