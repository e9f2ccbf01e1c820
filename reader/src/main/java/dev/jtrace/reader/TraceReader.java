package dev.jtrace.reader;

import dev.jtrace.format.FileHeader;
import dev.jtrace.format.Format;
import dev.jtrace.format.RecordFraming;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Streams a trace one generation at a time (docs/format.md). Only the generation being read is in
 * memory. Every record's checksum and every event is checked, and what is broken costs only itself:
 * a corrupt or missing batch its events, invalid data or a schema error its generation, a broken frame
 * the bytes up to the next generation, where the reader resynchronises; a generation too big for the heap
 * is skipped with an error. Everything lost is in {@link #report()}. The only exceptions thrown are
 * {@link IOException}s (a {@link TraceFormatException} for a file that is not a jtrace trace at all).
 *
 * <p>The work is split as in Go's internal/trace: {@link RecordReader} frames records and checks their
 * checksums, {@link PayloadCursor} reads values, {@link GenerationAssembler} collects a generation and
 * builds it, {@link BatchDecoder} decodes events; this class walks the file and decides what is lost.
 */
public final class TraceReader implements Closeable {
    private final Path path;
    private final ByteSource src;
    private final ReadReport report = new ReadReport();
    private RecordReader records;
    private FileHeader header;
    private HeapGauge heap = new HeapGauge();
    private long pos;
    private boolean finished;
    private long lastGen = Long.MIN_VALUE;
    /** The generation being assembled, or null between generations. */
    private GenerationAssembler current;
    /** The last GEN_END read, for the cut-off message: its generation and wall time, or -1. */
    private long lastEndGen = -1;
    private long lastEndWall;
    private boolean traceEndAfterLastGen;
    /** Records between generations (their GEN_BEGIN is missing or corrupt), lost together. */
    private long orphanStart = -1;
    private long orphanEnd;
    private long orphanRecords;
    private long orphanEvents;
    private long orphanGen = -1;

    private TraceReader(Path path, ByteSource src) {
        this.path = path;
        this.src = src;
    }

    /** Opens {@code path} and checks its header. */
    public static TraceReader open(Path path) throws IOException {
        ByteSource src;
        try {
            src = ByteSource.of(path);
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(path + ": no such file", 0);
        }
        TraceReader r = new TraceReader(path, src);
        try {
            r.readHeader(true);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /**
     * Reads a trace held in memory (a flight recorder's window, or a fuzzer's input); {@code name} is used
     * in messages.
     */
    public static TraceReader fromBytes(byte[] data, String name) throws IOException {
        TraceReader r = new TraceReader(Path.of(name), ByteSource.of(data));
        r.readHeader(true);
        return r;
    }

    /** Like {@link #fromBytes} without checksum verification: for fuzzing the decoders behind them. */
    static TraceReader fromBytesUnchecked(byte[] data, String name) throws IOException {
        TraceReader r = new TraceReader(Path.of(name), ByteSource.of(data));
        r.readHeader(false);
        return r;
    }

    /** Replaces the heap budget (tests: a generation "too big for the heap" without a small -Xmx). */
    TraceReader heapBudget(long bytes) {
        heap = new HeapGauge(bytes);
        return this;
    }

    private void readHeader(boolean verifyChecksums) throws IOException {
        byte[] h = new byte[Format.HEADER_SIZE];
        int n = src.read(0, h, 0, h.length);
        if (n == 0) {
            throw new TraceFormatException(path + ": empty file: nothing was written (disk full at start, or killed"
                    + " before the first write)", 0);
        }
        if (!FileHeader.hasMagic(h, n)) {
            boolean prefix = n < Format.MAGIC.length && java.util.Arrays.equals(h, 0, n, Format.MAGIC, 0, n);
            throw new TraceFormatException(path + (prefix
                    ? ": truncated header (" + n + " of " + Format.HEADER_SIZE + " bytes): the recording was killed"
                            + " while writing it"
                    : ": not a jtrace file (bad magic at offset 0)"), prefix ? n : 0);
        }
        if (n < Format.HEADER_SIZE) {
            throw new TraceFormatException(path + ": truncated header (" + n + " of " + Format.HEADER_SIZE
                    + " bytes): the recording was killed while writing it", n);
        }
        header = FileHeader.parse(h);
        if (!header.readable()) {
            throw new TraceFormatException(path + ": format version " + header + " is not supported"
                    + " (this reader reads " + Format.OLDEST_READABLE_MAJOR + ".x to " + Format.VERSION_MAJOR + ".x)", 8);
        }
        report.version = header.toString();
        records = new RecordReader(src, verifyChecksums);
        pos = Format.HEADER_SIZE;
    }

    /** The file being read. */
    public Path path() {
        return path;
    }

    /** Bytes consumed so far (for progress). */
    public long position() {
        return pos;
    }

    /** Size of the file. */
    public long fileSize() {
        return src.size();
    }

    /** What was read and what went wrong so far. */
    public ReadReport report() {
        return report;
    }

    /**
     * The next complete and valid generation, or {@code null} when there is none left (end of file, or a
     * broken tail, reported in {@link #report()}).
     */
    public Generation nextGeneration() throws IOException {
        while (!finished) {
            RecordReader.Record r;
            try {
                r = records.read(pos, current);
            } catch (OutOfMemoryError e) {
                // a payload the heap could not hold: give the generation up and read on without holding
                if (current == null) {
                    throw e;
                }
                current.dropForHeap();
                r = records.read(pos, current);
            }
            switch (r.status) {
                case EOF -> finish();
                case TRUNCATED, BAD_LENGTH -> brokenFrame(r);
                case BAD_CHECKSUM -> {
                    if (records.frameConfirmed(r)) {
                        pos = r.end;
                        if (current != null) {
                            current.addCorrupt(r);
                        } else {
                            orphan(r, -1, 0);
                        }
                    } else {
                        brokenFrame(r);
                    }
                }
                case OK -> {
                    pos = r.end;
                    Generation g = record(r);
                    if (g != null) {
                        report.completeGenerations++;
                        report.eventsRead += g.eventCount;
                        return g;
                    }
                }
            }
        }
        return null;
    }

    /** Handles a record whose frame and checksum are right; returns a generation when one is complete. */
    private Generation record(RecordReader.Record r) {
        int kind = r.kind;
        if (!RecordFraming.knownKind(kind)) {
            report.add(Problem.Severity.WARNING, r.offset, current == null ? -1 : current.gen.number,
                    "unknown record kind " + kind + " skipped");
            return null;
        }
        if (kind == Format.REC_GEN_BEGIN) {
            abandon(r.offset, "its GEN_END is missing or corrupt: a GEN_BEGIN follows at offset " + r.offset);
            flushOrphans();
            begin(r);
            return null;
        }
        if (kind == Format.REC_TRACE_END) {
            abandon(r.offset, "its GEN_END is missing or corrupt: TRACE_END follows at offset " + r.offset);
            flushOrphans();
            traceEnd(r);
            return null;
        }
        if (current == null) {
            long gen = -1;
            long events = 0;
            try {
                PayloadCursor c = r.cursor();
                gen = c.uvarint();
                if (kind == Format.REC_BATCH) {
                    BatchDecoder.Header h = BatchDecoder.Header.read(r.cursor());
                    events = h.eventCount();
                }
            } catch (InvalidData e) {
                // its numbers are unreadable: lost all the same
            }
            orphan(r, gen, events);
            return null;
        }
        if (!current.add(r)) {
            return null;
        }
        GenerationAssembler a = current;
        current = null;
        lastEndGen = a.gen.number;
        lastEndWall = a.gen.endWallNanos;
        traceEndAfterLastGen = false;
        return a.build();
    }

    private void begin(RecordReader.Record r) {
        Generation gen;
        try {
            PayloadCursor c = r.cursor();
            long g = c.uvarint();
            long startTicks = c.uvarint();
            long wall = c.uvarint();
            // the header's major version says whether the clock stamp follows, never the payload's length: a
            // 1.x minor version may append fields of its own
            long startNanos = header.hasClockStamps() ? c.uvarint() : startTicks;
            gen = new Generation(g, startTicks, startNanos, wall, r.offset);
            if (header.hasProcessIdentity() && c.remaining() > 0) {
                // the process (2.3); a 2.2 file has none, and what a later minor version appends is skipped
                gen.pid = c.uvarint();
                gen.host = emptyToNull(c.string());
                gen.jvm = emptyToNull(c.string());
            }
        } catch (InvalidData e) {
            report.add(Problem.Severity.ERROR, e.at, -1, "malformed GEN_BEGIN: " + e.getMessage());
            orphan(r, -1, 0);
            return;
        }
        long g = gen.number;
        if (lastGen != Long.MIN_VALUE && g != lastGen + 1) {
            report.add(Problem.Severity.WARNING, r.offset, g, Long.compareUnsigned(g, lastGen + 1) > 0
                    ? "generations " + (lastGen + 1) + ".." + (g - 1) + " are missing"
                    : "generation " + g + " follows generation " + lastGen);
        }
        lastGen = g;
        heap.newGeneration();
        current = new GenerationAssembler(gen, header.hasClockStamps(), report, heap);
    }

    /** Gives up the generation being assembled: it has no GEN_END before {@code end}. */
    private void abandon(long end, String why) {
        if (current == null) {
            return;
        }
        GenerationAssembler a = current;
        current = null;
        a.dropForHeap();
        report.lose(Problem.Severity.ERROR, a.gen.fileOffset, new LostData(a.gen.number, a.gen.fileOffset,
                end - a.gen.fileOffset, a.announcedEvents, true, "generation incomplete: " + why));
    }

    private void orphan(RecordReader.Record r, long gen, long events) {
        if (orphanStart < 0) {
            orphanStart = r.offset;
            orphanGen = gen;
        }
        orphanEnd = r.end;
        orphanRecords++;
        orphanEvents += events;
    }

    private void flushOrphans() {
        if (orphanStart < 0) {
            return;
        }
        report.lose(Problem.Severity.ERROR, orphanStart, new LostData(orphanGen, orphanStart, orphanEnd - orphanStart,
                orphanEvents, true, orphanRecords + (orphanRecords == 1 ? " record" : " records")
                        + " outside any generation: its GEN_BEGIN is missing or corrupt"));
        if (orphanGen >= 0 && lastGen != Long.MIN_VALUE && orphanGen == lastGen + 1) {
            lastGen = orphanGen; // the gap is reported as this loss, not again as missing generations
        }
        orphanStart = -1;
        orphanRecords = 0;
        orphanEvents = 0;
        orphanGen = -1;
    }

    /**
     * The frame at {@code r} is broken (its length is wrong, or the file ends inside it): resynchronise at
     * the next GEN_BEGIN (or TRACE_END) whose checksum is right; what lies before it is lost.
     */
    private void brokenFrame(RecordReader.Record r) throws IOException {
        long next = records.resync(r.offset + 1);
        long lostFrom = current != null ? current.gen.fileOffset : orphanStart >= 0 ? orphanStart : r.offset;
        if (next < 0) {
            loseTail(lostFrom, r);
            finish();
            return;
        }
        String why = r.problem + " at offset " + r.offset + "; the reader resynchronised at offset " + next;
        if (current != null) {
            abandon(next, why);
        } else {
            orphanEnd = next;
            if (orphanStart < 0) {
                orphanStart = r.offset;
            }
            orphanRecords++;
            report.lose(Problem.Severity.ERROR, r.offset, new LostData(orphanGen, orphanStart, next - orphanStart,
                    orphanEvents > 0 ? orphanEvents : -1, true, why));
            orphanStart = -1;
            orphanRecords = 0;
            orphanEvents = 0;
            orphanGen = -1;
        }
        pos = next;
    }

    private void loseTail(long from, RecordReader.Record r) {
        long size = src.size();
        GenerationAssembler a = current;
        current = null;
        long gen = a != null ? a.gen.number : orphanGen;
        long events = a != null ? a.announcedEvents : orphanEvents;
        report.lostTailOffset = from;
        report.lostTailBytes = size - from;
        report.lostTailReason = r.problem + " at offset " + r.offset;
        report.lostTailRecords = a != null ? a.records : orphanRecords;
        report.lostTailEvents = events;
        orphanStart = -1;
        // a file that ends inside a record is what a killed recording leaves (a warning); a malformed length
        // or a bad checksum with nothing to resynchronise on is corruption of the last generation (an error)
        Problem.Severity severity = r.status == RecordReader.Status.TRUNCATED ? Problem.Severity.WARNING
                : Problem.Severity.ERROR;
        report.lose(severity, r.offset, new LostData(gen, from, size - from, events, true,
                "trace ends with an incomplete generation: " + r.problem + "; " + report.lostTailRecords
                        + " readable records"));
    }

    private void traceEnd(RecordReader.Record r) {
        PayloadCursor c = r.cursor();
        TraceEnd end;
        try {
            end = new TraceEnd(c.uvarint(), c.uvarint(), c.uvarint(), c.uvarint(), r.offset);
        } catch (InvalidData e) {
            report.add(Problem.Severity.ERROR, e.at, -1, "malformed TRACE_END: " + e.getMessage());
            return;
        }
        report.traceEnd = end;
        traceEndAfterLastGen = true;
        if (lastEndGen >= 0 && end.lastGeneration() != lastEndGen) {
            report.add(Problem.Severity.WARNING, r.offset, end.lastGeneration(), "TRACE_END names generation "
                    + end.lastGeneration() + " as the last one written, the last one read is " + lastEndGen);
        }
        if (end.reason() == Format.END_SINK_FAILED) {
            report.lostEvents += end.lostEvents();
            report.add(Problem.Severity.ERROR, r.offset, end.lastGeneration(), "the output failed after generation "
                    + end.lastGeneration() + ": " + end.lostEvents() + " events of " + end.lostGenerations()
                    + " later generations are not in the file");
        } else if (end.reason() == Format.END_STOPPED && end.lostEvents() > 0) {
            // counts of generations broken by writer errors that no later LOSS table could carry
            report.lostEvents += end.lostEvents();
            report.add(Problem.Severity.WARNING, r.offset, end.lastGeneration(), "the recorder counted "
                    + end.lostEvents() + " events lost to errors on its writer thread at the end of the recording"
                    + " (in no LOSS table)");
        } else if (end.reason() != Format.END_STOPPED) {
            report.add(Problem.Severity.WARNING, r.offset, end.lastGeneration(), "TRACE_END with unknown reason "
                    + end.reason());
        }
    }

    /** At the end of the file: whatever is open is lost, and a 2.1 file without TRACE_END was cut off. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        long size = src.size();
        if (current != null) {
            GenerationAssembler a = current;
            current = null;
            report.lostTailOffset = a.gen.fileOffset;
            report.lostTailBytes = size - a.gen.fileOffset;
            report.lostTailReason = "the file ends before the end of generation " + a.gen.number;
            report.lostTailRecords = a.records;
            report.lostTailEvents = a.announcedEvents;
            report.lose(Problem.Severity.WARNING, size, new LostData(a.gen.number, a.gen.fileOffset,
                    size - a.gen.fileOffset, a.announcedEvents, true, "trace ends with an incomplete generation: "
                            + report.lostTailReason + " (" + a.records + " readable records)"));
        }
        flushOrphans();
        if (header.hasTraceEnd() && !traceEndAfterLastGen) {
            report.cutOff = true;
            report.add(Problem.Severity.WARNING, size, lastEndGen, lastEndGen < 0
                    ? "the recording was cut off before its first generation was complete; events are missing"
                    : "the recording was cut off after generation " + lastEndGen + ", at "
                            + Instant.ofEpochSecond(0, lastEndWall) + "; events after it are missing");
        }
    }

    @Override
    public void close() throws IOException {
        src.close();
    }


    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
