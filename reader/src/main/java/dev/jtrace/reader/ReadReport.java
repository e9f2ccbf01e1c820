package dev.jtrace.reader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a {@link TraceReader} found: counts, problems, the data it lost (which generations, how many bytes
 * and events, and why), and how the recording ended.
 */
public final class ReadReport {
    long completeGenerations;
    long skippedGenerations;
    long eventsRead;
    long lostTailBytes;
    long lostTailRecords;
    long lostTailEvents;
    long lostTailOffset = -1;
    String lostTailReason;
    final List<Problem> problems = new ArrayList<>();
    final List<LostData> lost = new ArrayList<>();
    private static final int MAX_PROBLEMS = 1000;
    long problemsDropped;
    long lostBytes;
    long lostEvents;
    long lostGenerations;
    String version = "";
    TraceEnd traceEnd;
    boolean cutOff;

    void add(Problem.Severity s, long offset, long gen, String message) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new Problem(s, offset, gen, message));
        } else {
            problemsDropped++;
        }
    }

    /** Records lost data and reports it as a problem of {@code severity} found at {@code problemOffset}. */
    void lose(Problem.Severity severity, long problemOffset, LostData d) {
        if (lost.size() < MAX_PROBLEMS) {
            lost.add(d);
        }
        lostBytes += d.bytes();
        lostEvents += Math.max(0, d.events());
        if (d.wholeGeneration()) {
            lostGenerations++;
        }
        add(severity, problemOffset, d.generation(), d.toString());
    }

    /** The file's format version, e.g. {@code 2.0}. */
    public String version() {
        return version;
    }

    /** Generations read and delivered. */
    public long completeGenerations() {
        return completeGenerations;
    }

    /** Complete generations that failed validation and were not delivered. */
    public long skippedGenerations() {
        return skippedGenerations;
    }

    /** Events delivered. */
    public long eventsRead() {
        return eventsRead;
    }

    /** Everything lost, in file order (at most 1000 entries; the totals count all). */
    public List<LostData> lost() {
        return Collections.unmodifiableList(lost);
    }

    /** Bytes of the file the reader could not use (corrupt, truncated, or in a skipped generation). */
    public long lostBytes() {
        return lostBytes;
    }

    /** Events in the file the reader could not deliver, as far as the file's counts tell. */
    public long lostEvents() {
        return lostEvents;
    }

    /** Generations lost whole (skipped, corrupt or incomplete). */
    public long lostGenerations() {
        return lostGenerations;
    }

    /** The TRACE_END record, or null (always null before version 2.1). */
    public TraceEnd traceEnd() {
        return traceEnd;
    }

    /**
     * Whether the recording was cut off: a file of version 2.1 or later without TRACE_END after its last
     * complete generation (a crash, a kill, or a recording still being written).
     */
    public boolean cutOff() {
        return cutOff;
    }

    /** Bytes from the start of the first unreadable or incomplete generation to the end of the file. */
    public long lostTailBytes() {
        return lostTailBytes;
    }

    /** Readable records of the incomplete tail. */
    public long lostTailRecords() {
        return lostTailRecords;
    }

    /** Events in the readable batches of the incomplete tail (by their headers). */
    public long lostTailEvents() {
        return lostTailEvents;
    }

    /** Offset where the lost tail starts, or -1. */
    public long lostTailOffset() {
        return lostTailOffset;
    }

    /** Why the tail was lost (truncated, bad checksum, ...), or null. */
    public String lostTailReason() {
        return lostTailReason;
    }

    /** Problems found, at most 1000 (see {@link #problemsDropped()}). */
    public List<Problem> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Problems beyond the first 1000, counted only. */
    public long problemsDropped() {
        return problemsDropped;
    }

    /** Problems of severity ERROR. */
    public List<Problem> errors() {
        return problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
    }

    /** Problems of severity WARNING. */
    public List<Problem> warnings() {
        return problems.stream().filter(p -> p.severity() == Problem.Severity.WARNING).toList();
    }
}
