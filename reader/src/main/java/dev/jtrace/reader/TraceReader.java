package dev.jtrace.reader;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import dev.jtrace.format.Varint;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Streams a trace one generation at a time (docs/format.md). Only the generation being read is in
 * memory. Every record's checksum and every event is checked; a truncated or corrupt tail ends reading
 * after the last complete generation and is reported in {@link #report()}; a complete generation that
 * fails validation is reported and skipped. The only exceptions thrown are {@link IOException}s (a
 * {@link TraceFormatException} for a file that is not a jtrace trace at all).
 */
public final class TraceReader implements Closeable {
    private final Path path;
    private final InputStream in;
    private final long fileSize;
    private long offset;
    private final ReadReport report = new ReadReport();
    private long lastGen = Long.MIN_VALUE;
    private boolean finished;
    private final CRC32C crc = new CRC32C();
    /** Off only for fuzzing, so that mutations get past the checksums into the decoders. */
    private boolean verifyChecksums = true;

    private TraceReader(Path path, InputStream in, long fileSize) {
        this.path = path;
        this.in = in;
        this.fileSize = fileSize;
    }

    /** Opens {@code path} and checks its header. */
    public static TraceReader open(Path path) throws IOException {
        long size;
        InputStream raw;
        try {
            size = Files.size(path);
            raw = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(path + ": no such file", 0);
        }
        TraceReader r = new TraceReader(path, new BufferedInputStream(raw, 1 << 16), size);
        try {
            r.readHeader();
        } catch (IOException e) {
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
        TraceReader r = new TraceReader(Path.of(name), new java.io.ByteArrayInputStream(data), data.length);
        r.readHeader();
        return r;
    }

    /** Like {@link #fromBytes} without checksum verification: for fuzzing the decoders behind them. */
    static TraceReader fromBytesUnchecked(byte[] data, String name) throws IOException {
        TraceReader r = fromBytes(data, name);
        r.verifyChecksums = false;
        return r;
    }

    private void readHeader() throws IOException {
        byte[] h = new byte[Format.HEADER_SIZE];
        int n = in.readNBytes(h, 0, h.length);
        offset = n;
        if (n < Format.MAGIC.length || !Arrays.equals(Arrays.copyOf(h, Format.MAGIC.length), Format.MAGIC)) {
            throw new TraceFormatException(path + ": not a jtrace file (bad magic at offset 0)", 0);
        }
        if (n < Format.HEADER_SIZE) {
            throw new TraceFormatException(path + ": truncated header (" + n + " bytes)", n);
        }
        int major = ((h[8] & 0xFF) << 8) | (h[9] & 0xFF);
        int minor = ((h[10] & 0xFF) << 8) | (h[11] & 0xFF);
        if (major < Format.OLDEST_READABLE_MAJOR || major > Format.VERSION_MAJOR) {
            throw new TraceFormatException(path + ": format version " + major + "." + minor + " is not supported"
                    + " (this reader reads " + Format.OLDEST_READABLE_MAJOR + ".x to " + Format.VERSION_MAJOR + ".x)", 8);
        }
    }

    /** The file being read. */
    public Path path() {
        return path;
    }

    /** Bytes consumed so far (for progress). */
    public long position() {
        return offset;
    }

    /** Size of the file. */
    public long fileSize() {
        return fileSize;
    }

    /** What was read and what went wrong so far. */
    public ReadReport report() {
        return report;
    }

    // ------------------------------------------------------------------------------------------ records

    private static final class Record {
        final int kind;
        final byte[] payload;
        final long offset;

        Record(int kind, byte[] payload, long offset) {
            this.kind = kind;
            this.payload = payload;
            this.offset = offset;
        }
    }

    /** Thrown internally when the framing of the file is broken: reading cannot go on past it. */
    private static final class BrokenTail extends Exception {
        final long at;

        BrokenTail(long at, String message) {
            super(message, null, false, false);
            this.at = at;
        }
    }

    /** The next record, or null at a clean end of file. */
    private Record readRecord() throws IOException, BrokenTail {
        long start = offset;
        int kind = in.read();
        if (kind < 0) {
            return null;
        }
        offset++;
        byte[] lenBytes = new byte[Varint.MAX_BYTES];
        int lenSize = 0;
        long length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new BrokenTail(start, "file ends inside a record header");
            }
            offset++;
            lenBytes[lenSize++] = (byte) b;
            if (shift == 63 && (b & 0x7E) != 0 || lenSize > Varint.MAX_BYTES - 1 && (b & 0x80) != 0) {
                throw new BrokenTail(start, "record length varint is malformed");
            }
            length |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length < 0 || length > Format.MAX_RECORD_PAYLOAD) {
            throw new BrokenTail(start, "record length " + Long.toUnsignedString(length) + " exceeds the limit of "
                    + Format.MAX_RECORD_PAYLOAD + " bytes");
        }
        if (offset + length + 4 > fileSize) {
            throw new BrokenTail(start, "file ends inside a record of kind " + kind + " (" + length
                    + " payload bytes announced, " + Math.max(0, fileSize - offset) + " left)");
        }
        byte[] payload = in.readNBytes((int) length);
        offset += payload.length;
        byte[] c = in.readNBytes(4);
        offset += c.length;
        if (payload.length != length || c.length != 4) {
            throw new BrokenTail(start, "file ends inside a record");
        }
        crc.reset();
        crc.update(kind);
        crc.update(lenBytes, 0, lenSize);
        crc.update(payload);
        int expected = ((c[0] & 0xFF) << 24) | ((c[1] & 0xFF) << 16) | ((c[2] & 0xFF) << 8) | (c[3] & 0xFF);
        if (verifyChecksums && (int) crc.getValue() != expected) {
            throw new BrokenTail(start, "checksum mismatch in record of kind " + kind + " (" + length + " bytes)");
        }
        return new Record(kind, payload, start);
    }

    /** A cursor over a payload that turns every overrun into a validation failure. */
    private static final class Cursor {
        final byte[] b;
        int pos;
        final long baseOffset;

        Cursor(byte[] b, long baseOffset) {
            this.b = b;
            this.baseOffset = baseOffset;
        }

        boolean more() {
            return pos < b.length;
        }

        int remaining() {
            return b.length - pos;
        }

        long uvarint() throws Invalid {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw new Invalid(baseOffset + pos, "value runs past the end of the record");
                }
                int x = b[pos++] & 0xFF;
                if (shift == 63 && (x & 0x7E) != 0) {
                    throw new Invalid(baseOffset + pos, "varint overflows 64 bits");
                }
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new Invalid(baseOffset + pos, "varint longer than 10 bytes");
        }

        int count(int minBytesEach) throws Invalid {
            long n = uvarint();
            if (n < 0 || n > remaining() / Math.max(1, minBytesEach)) {
                throw new Invalid(baseOffset + pos, "count " + Long.toUnsignedString(n) + " does not fit in the "
                        + remaining() + " bytes left");
            }
            return (int) n;
        }

        String string() throws Invalid {
            long n = uvarint();
            if (n < 0 || n > remaining()) {
                throw new Invalid(baseOffset + pos, "string of " + Long.toUnsignedString(n) + " bytes runs past the record");
            }
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b, pos, (int) n)).toString();
                pos += (int) n;
                return s;
            } catch (CharacterCodingException e) {
                throw new Invalid(baseOffset + pos, "string is not valid UTF-8");
            }
        }
    }

    /** A validation failure inside a record whose framing is fine. */
    private static final class Invalid extends Exception {
        final long at;

        Invalid(long at, String message) {
            super(message, null, false, false);
            this.at = at;
        }
    }

    // ------------------------------------------------------------------------------------------ generations

    /** Batches and tables of the generation being assembled. */
    private static final class Pending {
        final Generation gen;
        final List<Record> batches = new ArrayList<>();
        final Map<Integer, EventSpec> types = new HashMap<>();
        final Map<Long, String> strings = new HashMap<>();
        final Map<Long, long[]> rawStacks = new HashMap<>();
        final Map<Long, ThreadInfo> threads = new HashMap<>();
        final List<LossRecord> losses = new ArrayList<>();
        long records;
        long announcedEvents;

        Pending(Generation gen) {
            this.gen = gen;
        }
    }

    /**
     * The next complete and valid generation, or {@code null} when there is none (end of file, or a broken
     * tail, reported in {@link #report()}).
     */
    public Generation nextGeneration() throws IOException {
        while (!finished) {
            Pending p;
            long genStart = offset;
            try {
                p = readGeneration();
            } catch (BrokenTail t) {
                loseTail(genStart, t.at, t.getMessage(), null);
                return null;
            } catch (TailOfPending t) {
                loseTail(genStart, t.cause.at, t.cause.getMessage(), t.pending);
                return null;
            }
            if (p == null) {
                finished = true;
                return null;
            }
            try {
                Generation g = build(p);
                report.completeGenerations++;
                report.eventsRead += g.eventCount;
                return g;
            } catch (Invalid e) {
                report.skippedGenerations++;
                report.add(Problem.Severity.ERROR, e.at, p.gen.number, "generation skipped: " + e.getMessage());
            }
        }
        return null;
    }

    private static final class TailOfPending extends Exception {
        final BrokenTail cause;
        final Pending pending;

        TailOfPending(BrokenTail cause, Pending pending) {
            super(null, null, false, false);
            this.cause = cause;
            this.pending = pending;
        }
    }

    private void loseTail(long genStart, long at, String reason, Pending p) {
        finished = true;
        report.lostTailOffset = genStart;
        report.lostTailBytes = fileSize - genStart;
        report.lostTailReason = reason + " at offset " + at;
        if (p != null) {
            report.lostTailRecords = p.records;
            report.lostTailEvents = p.announcedEvents;
        }
        report.add(Problem.Severity.WARNING, at, p == null ? -1 : p.gen.number,
                "trace ends with an incomplete generation: " + reason + "; " + report.lostTailBytes
                        + " bytes lost" + (p == null ? "" : " (" + p.records + " readable records, "
                        + p.announcedEvents + " events)"));
    }

    private Pending readGeneration() throws IOException, BrokenTail, TailOfPending {
        Record r;
        // find GEN_BEGIN
        while (true) {
            r = readRecord();
            if (r == null) {
                return null;
            }
            if (r.kind == Format.REC_GEN_BEGIN) {
                break;
            }
            if (r.kind == Format.REC_TRACE_END) {
                continue; // format 2.1's end record; not interpreted by this reader yet
            }
            if (isKnownKind(r.kind)) {
                report.add(Problem.Severity.ERROR, r.offset, -1, "record of kind " + r.kind + " outside a generation");
            } else {
                report.add(Problem.Severity.WARNING, r.offset, -1, "unknown record kind " + r.kind + " skipped");
            }
        }
        Pending p;
        try {
            Cursor c = new Cursor(r.payload, r.offset);
            long g = c.uvarint();
            long startTicks = c.uvarint();
            long wall = c.uvarint();
            // 2.0 adds the nanoTime of startTicks; without it (1.x) ticks are nanoseconds
            long startNanos = c.more() ? c.uvarint() : startTicks;
            p = new Pending(new Generation(g, startTicks, startNanos, wall, r.offset));
        } catch (Invalid e) {
            throw new BrokenTail(e.at, "malformed GEN_BEGIN: " + e.getMessage());
        }
        long g = p.gen.number;
        if (lastGen != Long.MIN_VALUE && g != lastGen + 1) {
            report.add(Problem.Severity.WARNING, r.offset, g, g > lastGen + 1
                    ? "generations " + (lastGen + 1) + ".." + (g - 1) + " are missing"
                    : "generation " + g + " follows generation " + lastGen);
        }
        lastGen = g;
        p.records = 1;
        try {
            while (true) {
                r = readRecord();
                if (r == null) {
                    throw new BrokenTail(offset, "file ends before the end of generation " + g);
                }
                p.records++;
                try {
                    if (collect(p, r)) {
                        return p;
                    }
                } catch (Invalid e) {
                    throw new BrokenTail(e.at, "malformed record of kind " + r.kind + ": " + e.getMessage());
                }
            }
        } catch (BrokenTail t) {
            throw new TailOfPending(t, p);
        }
    }

    private static boolean isKnownKind(int kind) {
        return kind >= Format.REC_GEN_BEGIN && kind <= Format.REC_GEN_END;
    }

    /** Adds a record to the pending generation; returns true at its GEN_END. */
    private boolean collect(Pending p, Record r) throws Invalid, BrokenTail {
        Cursor c = new Cursor(r.payload, r.offset);
        if (!isKnownKind(r.kind)) {
            report.add(Problem.Severity.WARNING, r.offset, p.gen.number, "unknown record kind " + r.kind + " skipped");
            return false;
        }
        if (r.kind == Format.REC_GEN_BEGIN) {
            throw new BrokenTail(r.offset, "GEN_BEGIN inside generation " + p.gen.number);
        }
        long g = c.uvarint();
        if (g != p.gen.number) {
            throw new Invalid(r.offset, "record of generation " + g + " inside generation " + p.gen.number);
        }
        switch (r.kind) {
            case Format.REC_BATCH -> {
                c.uvarint(); // lane
                c.uvarint(); // thread
                c.uvarint(); // seq
                c.uvarint(); // base
                p.announcedEvents += c.uvarint();
                p.batches.add(r);
            }
            case Format.REC_EVENT_TYPES -> {
                int n = c.count(3);
                for (int i = 0; i < n; i++) {
                    long id = c.uvarint();
                    String name = c.string();
                    int argc = c.count(2);
                    if (id < 1 || id > 255) {
                        throw new Invalid(r.offset, "event type id " + id + " out of range");
                    }
                    List<EventSpec.Arg> args = new ArrayList<>(argc);
                    for (int k = 0; k < argc; k++) {
                        String an = c.string();
                        long kind = c.uvarint();
                        ArgKind ak = ArgKind.ofCode((int) Math.min(kind, Integer.MAX_VALUE));
                        if (ak == null) {
                            // an argument kind from the future: its value is still a varint
                            report.add(Problem.Severity.WARNING, r.offset, g, "unknown argument kind " + kind
                                    + " of " + name + "." + an + " read as a number");
                            ak = ArgKind.UINT;
                        }
                        args.add(new EventSpec.Arg(an, ak));
                    }
                    p.types.put((int) id, new EventSpec((int) id, name, args));
                }
            }
            case Format.REC_STRINGS -> {
                int n = c.count(2);
                for (int i = 0; i < n; i++) {
                    long id = c.uvarint();
                    String s = c.string();
                    if (id == 0) {
                        throw new Invalid(r.offset, "string id 0 is reserved");
                    }
                    p.strings.put(id, s);
                }
            }
            case Format.REC_STACKS -> {
                int n = c.count(2);
                for (int i = 0; i < n; i++) {
                    long id = c.uvarint();
                    int frames = c.count(4);
                    long[] raw = new long[frames * 4];
                    for (int f = 0; f < frames; f++) {
                        raw[f * 4] = c.uvarint();
                        raw[f * 4 + 1] = c.uvarint();
                        raw[f * 4 + 2] = c.uvarint();
                        raw[f * 4 + 3] = Varint.unZigZag(c.uvarint());
                    }
                    if (id == 0) {
                        throw new Invalid(r.offset, "stack id 0 is reserved");
                    }
                    p.rawStacks.put(id, raw);
                }
            }
            case Format.REC_THREADS -> {
                int n = c.count(3);
                for (int i = 0; i < n; i++) {
                    long id = c.uvarint();
                    String name = c.string();
                    long flags = c.uvarint();
                    p.threads.put(id, new ThreadInfo(id, name, (flags & 1) != 0, (flags & 2) != 0));
                }
            }
            case Format.REC_LOSS -> {
                int n = c.count(4);
                for (int i = 0; i < n; i++) {
                    long lane = c.uvarint();
                    long thread = c.uvarint();
                    long reason = c.uvarint();
                    long count = c.uvarint();
                    p.losses.add(new LossRecord(lane, thread, (int) Math.min(reason, Integer.MAX_VALUE), count));
                }
            }
            case Format.REC_GEN_END -> {
                p.gen.endRawTicks = c.uvarint();
                p.gen.endWallNanos = c.uvarint();
                long batchCount = c.uvarint();
                long eventCount = c.uvarint();
                p.gen.endNanos = c.more() ? c.uvarint() : p.gen.endRawTicks;
                if (batchCount != p.batches.size()) {
                    throw new Invalid(r.offset, "GEN_END announces " + batchCount + " batches, the generation has "
                            + p.batches.size());
                }
                if (eventCount != p.announcedEvents) {
                    throw new Invalid(r.offset, "GEN_END announces " + eventCount + " events, the batches hold "
                            + p.announcedEvents);
                }
                return true;
            }
            default -> throw new IllegalStateException("unreachable");
        }
        return false;
    }

    /** Decodes and validates the pending generation's batches and tables into a Generation. */
    private Generation build(Pending p) throws Invalid {
        Generation gen = p.gen;
        long g = gen.number;
        String clockError = gen.prepareClock();
        if (clockError != null) {
            throw new Invalid(gen.fileOffset, clockError);
        }
        gen.strings = p.strings;
        gen.indexStrings();
        Map<Long, StackTrace> stacks = new HashMap<>();
        for (Map.Entry<Long, long[]> e : p.rawStacks.entrySet()) {
            long[] raw = e.getValue();
            List<StackTrace.Frame> frames = new ArrayList<>(raw.length / 4);
            for (int i = 0; i < raw.length; i += 4) {
                String cls = requireString(p, raw[i], gen.fileOffset, "stack frame class");
                String method = requireString(p, raw[i + 1], gen.fileOffset, "stack frame method");
                String file = raw[i + 2] == 0 ? null : requireString(p, raw[i + 2], gen.fileOffset, "stack frame file");
                frames.add(new StackTrace.Frame(cls, method, file, (int) raw[i + 3]));
            }
            stacks.put(e.getKey(), new StackTrace((int) (long) e.getKey(), List.copyOf(frames)));
        }
        gen.stacks = stacks;
        gen.losses = p.losses;
        Map<Long, ThreadInfo> threads = new HashMap<>(p.threads);

        // batches grouped by lane, in batchSeq order
        Map<Long, TreeMap<Long, Record>> lanes = new TreeMap<>();
        for (Record r : p.batches) {
            Cursor c = new Cursor(r.payload, r.offset);
            c.uvarint();
            long lane = c.uvarint();
            c.uvarint();
            long seq = c.uvarint();
            Record prev = lanes.computeIfAbsent(lane, k -> new TreeMap<>()).put(seq, r);
            if (prev != null) {
                throw new Invalid(r.offset, "lane " + lane + " has two batches numbered " + seq);
            }
        }
        long payloadBytes = 0;
        for (Record r : p.batches) {
            payloadBytes += r.payload.length;
        }
        // announced counts come from the file: never size memory by more than the bytes can hold (2 per event),
        // nor by more than a million events up front (about 56 MB); the columns grow with what is decoded
        EventColumns all = new EventColumns(gen, (int) Math.min(Math.min(p.announcedEvents, payloadBytes / 2), 1 << 20));
        for (Map.Entry<Long, TreeMap<Long, Record>> lane : lanes.entrySet()) {
            long expectSeq = 0;
            long missing = 0;
            for (Map.Entry<Long, Record> b : lane.getValue().entrySet()) {
                if (b.getKey() != expectSeq) {
                    missing += b.getKey() - expectSeq;
                }
                expectSeq = b.getKey() + 1;
                decodeBatch(p, b.getValue(), all, threads);
            }
            if (missing > 0) {
                report.add(Problem.Severity.WARNING, gen.fileOffset, g, missing + " batches of lane " + lane.getKey()
                        + " missing");
            }
        }
        all.sortByTime(); // stable: ties keep lane order
        all.trim();
        gen.events = all.inTimeOrder();
        gen.eventCount = all.size();
        gen.threads = threads;
        return gen;
    }

    private static String requireString(Pending p, long id, long at, String what) throws Invalid {
        String s = p.strings.get(id);
        if (s == null) {
            throw new Invalid(at, what + " refers to string id " + id + ", not in the generation's table");
        }
        return s;
    }

    private void decodeBatch(Pending p, Record r, EventColumns out, Map<Long, ThreadInfo> threads) throws Invalid {
        Cursor c = new Cursor(r.payload, r.offset);
        c.uvarint();
        long lane = c.uvarint();
        long thread = c.uvarint();
        c.uvarint();
        long ticks = c.uvarint();
        long announced = c.uvarint();
        long n = 0;
        Generation gen = p.gen;
        long[] args = new long[8];
        while (c.more()) {
            long at = c.baseOffset + c.pos;
            int type = c.b[c.pos++] & 0xFF;
            EventSpec spec = p.types.get(type);
            if (spec == null) {
                throw new Invalid(at, "event type " + type + " is not in the generation's EVENT_TYPES table");
            }
            long delta = c.uvarint();
            long next = ticks + delta;
            if (delta < 0 || next < ticks) {
                throw new Invalid(at, "event time overflows");
            }
            ticks = next;
            int argc = spec.args().size();
            if (argc > args.length) {
                args = new long[argc];
            }
            for (int i = 0; i < argc; i++) {
                long v = c.uvarint();
                ArgKind kind = spec.args().get(i).kind();
                if (kind == ArgKind.SINT) {
                    v = Varint.unZigZag(v);
                } else if (kind == ArgKind.STRING && v != 0 && gen.string(v) == null) {
                    throw new Invalid(at, spec.name() + "." + spec.args().get(i).name() + " refers to string id " + v
                            + ", not in the generation's table");
                } else if (kind == ArgKind.STACK && v != 0 && !p.rawStacks.containsKey(v)) {
                    throw new Invalid(at, spec.name() + "." + spec.args().get(i).name() + " refers to stack id " + v
                            + ", not in the generation's table");
                }
                args[i] = v;
            }
            n++;
            if (type == EventTypes.THREAD_SWITCH && spec.indexOf("thread") == 0) {
                thread = args[0];
                String name = argc > 1 ? gen.string(args[1]) : null;
                long id = thread;
                threads.computeIfAbsent(id, k -> new ThreadInfo(k, name == null ? "" : name, true, true));
                gen.threadSwitches++;
                continue;
            }
            out.begin(gen.toNanos(ticks), thread, lane, spec);
            for (int i = 0; i < argc; i++) {
                out.arg(args[i]);
            }
        }
        if (n != announced) {
            throw new Invalid(r.offset, "batch of lane " + lane + " announces " + announced + " events, holds " + n);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
