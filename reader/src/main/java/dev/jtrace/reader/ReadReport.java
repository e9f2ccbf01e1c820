package dev.jtrace.reader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a {@link TraceReader} found: counts, problems, and what was lost at the end of the file. */
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
    private static final int MAX_PROBLEMS = 1000;
    long problemsDropped;

    void add(Problem.Severity s, long offset, long gen, String message) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new Problem(s, offset, gen, message));
        } else {
            problemsDropped++;
        }
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
