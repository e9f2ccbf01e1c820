package dev.jtrace.reader;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One complete, validated generation: its clock, tables and events merged across lanes by time.
 *
 * <p>Times are nanoseconds of the recording process's monotonic clock ({@code System.nanoTime()}). The
 * recorder may stamp events with another clock (the CPU's time-stamp counter); the reader maps those raw
 * ticks to nanoseconds on the line through the generation's two clock stamps (GEN_BEGIN and GEN_END), with
 * the exact rounding of docs/format.md "Clock".
 */
public final class Generation {
    /** The clock the recorder stamped a generation's events with. */
    public enum EventClock {
        /** {@code System.nanoTime()}: ticks are nanoseconds (every 1.x file). */
        NANO_TIME,
        /** The CPU's time-stamp counter: ticks are cycles, mapped to nanoseconds by the clock stamps. */
        CPU_COUNTER
    }

    final long number;
    final long startRawTicks;
    final long startNanos;
    final long startWallNanos;
    long endRawTicks;
    long endNanos;
    long endWallNanos;
    private ClockMap clock;
    final long fileOffset;
    long endOffset;
    List<Event> events = List.of();
    int eventCount;
    Map<Long, ThreadInfo> threads = Map.of();
    List<LossRecord> losses = List.of();
    Map<Long, String> strings = Map.of();
    /** The string table as an array indexed by id when ids are dense (the recorder's always are). */
    String[] denseStrings;
    Map<Long, StackTrace> stacks = Map.of();
    long threadSwitches;
    long lostEvents;
    long lostBatches;

    long pid;
    String host;
    String jvm;

    Generation(long number, long startRawTicks, long startNanos, long startWallNanos, long fileOffset) {
        this.number = number;
        this.startRawTicks = startRawTicks;
        this.startNanos = startNanos;
        this.startWallNanos = startWallNanos;
        this.fileOffset = fileOffset;
    }

    /** The generation's number (consecutive within a recording; the first is arbitrary). */
    public long number() {
        return number;
    }

    /** When the generation began, in nanoseconds of the trace's monotonic clock (as every event time). */
    public long startNanos() {
        return startNanos;
    }

    /** When the generation ended, in nanoseconds of the trace's monotonic clock. */
    public long endNanos() {
        return endNanos;
    }

    /**
     * The start in nanoseconds, despite its name.
     *
     * @deprecated use {@link #startNanos()}: the value has always been nanoseconds, not raw ticks
     */
    @Deprecated
    public long startTicks() {
        return startNanos();
    }

    /**
     * The end in nanoseconds, despite its name.
     *
     * @deprecated use {@link #endNanos()}: the value has always been nanoseconds, not raw ticks
     */
    @Deprecated
    public long endTicks() {
        return endNanos();
    }

    /** GEN_BEGIN's reading of the event clock, in its own ticks. */
    public long startRawTicks() {
        return startRawTicks;
    }

    /** GEN_END's reading of the event clock, in its own ticks. */
    public long endRawTicks() {
        return endRawTicks;
    }

    /**
     * Which clock stamped the events: the nanoTime clock writes the same reading as ticks and nanoseconds in
     * both stamps (and 1.x files have only nanoseconds); any other pair of stamps is the CPU's counter.
     */
    public EventClock clock() {
        return startRawTicks == startNanos && endRawTicks == endNanos ? EventClock.NANO_TIME : EventClock.CPU_COUNTER;
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
        if (Long.compareUnsigned(endRawTicks, startRawTicks) < 0 || Long.compareUnsigned(endNanos, startNanos) < 0
                || endRawTicks - startRawTicks < 0 || endNanos - startNanos < 0) {
            return "GEN_END's clock stamp (" + Long.toUnsignedString(endRawTicks) + " ticks, "
                    + Long.toUnsignedString(endNanos) + " ns) precedes GEN_BEGIN's ("
                    + Long.toUnsignedString(startRawTicks) + " ticks, " + Long.toUnsignedString(startNanos)
                    + " ns), or the span exceeds 2^63";
        }
        clock = new ClockMap(startRawTicks, endRawTicks, startNanos, endNanos);
        return null;
    }

    /** A raw event time of this generation in nanoseconds ({@link ArithmeticException} if out of range). */
    long toNanos(long rawTicks) {
        return clock.toNanos(rawTicks);
    }

    /** Wall clock (ns since the epoch) at {@link #startNanos()}. */
    public long startWallNanos() {
        return startWallNanos;
    }

    /**
     * Wall clock (ns since the epoch) at {@link #endNanos()}, from GEN_END's stamp: the time the generation
     * was closed, which dates the end of a recording that was cut off after it.
     */
    public long endWallNanos() {
        return endWallNanos;
    }

    /** Wall-clock time of a time of this generation (monotonic nanoseconds), in ns since the epoch. */
    public long wallNanos(long nanos) {
        return startWallNanos + (nanos - startNanos);
    }

    /** The recording process's id, from GEN_BEGIN (format 2.3); 0 when the file does not say. */
    public long pid() {
        return pid;
    }

    /** The host the trace was recorded on, from GEN_BEGIN (format 2.3); null when the file does not say. */
    public String host() {
        return host;
    }

    /** The recording JVM (its name and runtime version), from GEN_BEGIN (format 2.3); null when the file does not say. */
    public String jvm() {
        return jvm;
    }

    /** Offset of the generation's GEN_BEGIN record in the file. */
    public long fileOffset() {
        return fileOffset;
    }

    /** Bytes of the generation in the file, from its GEN_BEGIN to the end of its GEN_END. */
    public long byteSize() {
        return endOffset - fileOffset;
    }

    /**
     * Events ordered by time; ties by lane id, then by the lane's order (batch sequence, then position in the
     * batch). ThreadSwitch events are not included.
     */
    public List<Event> events() {
        return events;
    }

    /**
     * Threads of the generation by id: the THREADS table, plus the threads ThreadSwitch events named. Events
     * may name threads that are in neither (virtual threads known only by ThreadStart, runtime events about
     * other threads).
     */
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

    /**
     * Events of this generation lost in the file (batches removed or corrupt), by GEN_END's counts: not in
     * {@link #events()}, and not in the LOSS table either (which counts what the recorder could not write).
     */
    public long lostEvents() {
        return lostEvents;
    }

    /** Batches of this generation lost in the file, by GEN_END's batch count. */
    public long lostBatches() {
        return lostBatches;
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
