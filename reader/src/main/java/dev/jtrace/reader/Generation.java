package dev.jtrace.reader;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** One complete, validated generation: its clock, tables and events merged across lanes by time. */
public final class Generation {
    final long number;
    final long startTicks;
    final long startWallNanos;
    long endTicks;
    long endWallNanos;
    final long fileOffset;
    List<Event> events = List.of();
    Map<Long, ThreadInfo> threads = Map.of();
    List<LossRecord> losses = List.of();
    Map<Long, String> strings = Map.of();
    /** The string table as an array indexed by id when ids are dense (the recorder's always are). */
    String[] denseStrings;
    Map<Long, StackTrace> stacks = Map.of();
    long threadSwitches;

    Generation(long number, long startTicks, long startWallNanos, long fileOffset) {
        this.number = number;
        this.startTicks = startTicks;
        this.startWallNanos = startWallNanos;
        this.fileOffset = fileOffset;
    }

    public long number() {
        return number;
    }

    public long startTicks() {
        return startTicks;
    }

    public long endTicks() {
        return endTicks;
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
        return startWallNanos + (ticks - startTicks);
    }

    /** Offset of the generation's GEN_BEGIN record in the file. */
    public long fileOffset() {
        return fileOffset;
    }

    /** Events ordered by time; ties keep lane order. ThreadSwitch events are not included. */
    public List<Event> events() {
        return Collections.unmodifiableList(events);
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
