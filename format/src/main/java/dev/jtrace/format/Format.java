package dev.jtrace.format;

/**
 * File-level constants of the jtrace format, version 2. docs/format.md is the normative description;
 * this class only names its numbers.
 */
public final class Format {
    private Format() {}

    /** The first 8 bytes of every trace: "JTRC", CR, LF, SUB, LF (catches text-mode mangling like PNG's). */
    public static final byte[] MAGIC = {'J', 'T', 'R', 'C', '\r', '\n', 0x1A, '\n'};
    /**
     * Major version written. 2.0: event times are ticks of the recorder's clock (CPU time-stamp counter or
     * nanoTime), mapped to nanoseconds by the clock stamps of GEN_BEGIN and GEN_END. 3.0: the compact
     * encodings 41 to 43 stand for RegionBegin, RegionEnd and Log; a 2.x reader would skip them as unknown
     * types and lose those events without a word, so it must refuse the file instead.
     */
    public static final int VERSION_MAJOR = 3;
    /** Oldest major version a reader reads: 1.x files have no clock stamps and their ticks are nanoseconds. */
    public static final int OLDEST_READABLE_MAJOR = 1;
    /** Minor version: additions a reader of the same major version can skip. */
    public static final int VERSION_MINOR = 0;
    /** Magic (8) + major (u16 BE) + minor (u16 BE). */
    public static final int HEADER_SIZE = 12;

    /** Record kinds. Every record is: kind (1 byte), payload length (varint), payload, CRC-32C (4 bytes BE). */
    public static final int REC_GEN_BEGIN = 0x01;
    public static final int REC_BATCH = 0x02;
    public static final int REC_EVENT_TYPES = 0x03;
    public static final int REC_STRINGS = 0x04;
    public static final int REC_STACKS = 0x05;
    public static final int REC_THREADS = 0x06;
    public static final int REC_LOSS = 0x07;
    public static final int REC_GEN_END = 0x08;
    /**
     * The last record of a file whose recording ended in order (version 2.1): {@code lastGen reason
     * lostEvents lostGenerations} (uvarints). A file without it after its last complete generation was cut
     * off (crash, kill, or still being written).
     */
    public static final int REC_TRACE_END = 0x09;

    /** TRACE_END reason: the recording was stopped. */
    public static final int END_STOPPED = 0;
    /**
     * TRACE_END reason: the output failed (disk full, I/O error); {@code lostEvents} events of
     * {@code lostGenerations} generations after {@code lastGen} are not in the file.
     */
    public static final int END_SINK_FAILED = 1;

    /** A reader refuses records longer than this (hostile length fields must not make it allocate). */
    public static final int MAX_RECORD_PAYLOAD = 64 * 1024 * 1024;

    /** The thread id used in batch headers of shared virtual-thread lanes: events name their thread. */
    public static final long NO_THREAD = 0;

    /** Loss reasons of the LOSS table. */
    public static final int LOSS_SKIPPED_REENTRANT = 1;
    /** Events thrown out of by an error (StackOverflowError, OutOfMemoryError, ...) during emission. */
    public static final int LOSS_ERROR = 2;
    /** Events dropped because the writer did not keep up (buffer budget exhausted). */
    public static final int LOSS_BACKPRESSURE = 3;
    /** Events dropped because every shared virtual-thread lane was busy. */
    public static final int LOSS_NO_LANE = 4;
    /** Events dropped because the sink failed (disk full, unwritable file): tracing turned itself off. */
    public static final int LOSS_SINK_FAILED = 5;
    /** Events dropped because their generation reached its byte bound before the writer could advance. */
    public static final int LOSS_GENERATION_FULL = 6;
    /** String arguments replaced by the dropped-string marker (the string budget was spent); not events. */
    public static final int LOSS_STRINGS_DROPPED = 7;
    /** Stacks replaced by "no stack" (the stack budget was spent); not events. */
    public static final int LOSS_STACKS_DROPPED = 8;
    /** Events in buffers the writer could not write because of an error on the writer thread. */
    public static final int LOSS_WRITER_ERROR = 9;
    /**
     * Not events: a thread (the row's threadId) was held back by back-pressure, waiting for the writer to
     * complete this generation; its events are all recorded.
     */
    public static final int LOSS_BACKPRESSURE_WAIT = 10;

    /** Whether the counts of a loss reason are events (the others count degraded arguments). */
    public static boolean lossCountsEvents(int reason) {
        return reason != LOSS_STRINGS_DROPPED && reason != LOSS_STACKS_DROPPED && reason != LOSS_BACKPRESSURE_WAIT;
    }

    /** Human name of a loss reason. */
    public static String lossReasonName(int reason) {
        return switch (reason) {
            case LOSS_SKIPPED_REENTRANT -> "skippedReentrant";
            case LOSS_ERROR -> "errorDuringEmission";
            case LOSS_BACKPRESSURE -> "writerBackpressure";
            case LOSS_NO_LANE -> "noFreeLane";
            case LOSS_SINK_FAILED -> "sinkFailed";
            case LOSS_GENERATION_FULL -> "generationFull";
            case LOSS_STRINGS_DROPPED -> "stringsDropped";
            case LOSS_STACKS_DROPPED -> "stacksDropped";
            case LOSS_WRITER_ERROR -> "writerError";
            case LOSS_BACKPRESSURE_WAIT -> "backPressureWait";
            default -> "reason" + reason;
        };
    }
}
