package dev.jtrace.reader;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import dev.jtrace.format.Varint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects the records of one generation, from its GEN_BEGIN to its GEN_END, and builds the
 * {@link Generation} (docs/format.md "Generations"). What goes wrong inside costs at most this generation:
 * invalid data, a schema that contradicts the built-in types, or a generation too big for the heap skip it
 * with an error; batches that are corrupt or missing cost only their events, which GEN_END's counts give.
 */
final class GenerationAssembler implements RecordReader.Admission {
    /** Heap an event needs once decoded: its columns (about 45 bytes), the sort's permutation and slack. */
    static final long BYTES_PER_EVENT = 64;
    /** Heap per byte of batch payload held while collecting, as a multiple of it, for the decoded events. */
    private static final long DECODE_FACTOR = 8;

    final Generation gen;
    private final ReadReport report;
    private final HeapGauge heap;
    private final List<RecordReader.Record> batches = new ArrayList<>();
    private final EventSpec[] types = new EventSpec[256];
    private final Map<Long, String> strings = new HashMap<>();
    private final Map<Long, long[]> rawStacks = new HashMap<>();
    private final Map<Long, ThreadInfo> threads = new HashMap<>();
    private final List<LossRecord> losses = new ArrayList<>();
    long records;
    /** Events of the batches read, by their headers. */
    long announcedEvents;
    private long bytesHeld;
    private long tableBytes;
    /** Records whose frame is right and checksum wrong: offset and size of each. */
    private final List<long[]> corrupt = new ArrayList<>();
    private long corruptBytes;
    /** The first invalid data found: the generation is skipped at its end. */
    private InvalidData error;
    /** Set when the generation is too big to decode: payloads are checked and dropped from then on. */
    private boolean tooBig;
    private long endBatchCount;
    private long endEventCount;

    /** Whether GEN_END carries a clock stamp: by the header's major version (2), never by payload length. */
    private final boolean hasStamps;

    GenerationAssembler(Generation gen, boolean hasStamps, ReadReport report, HeapGauge heap) {
        this.gen = gen;
        this.hasStamps = hasStamps;
        this.report = report;
        this.heap = heap;
        records = 1;
    }

    @Override
    public boolean admit(int kind, long length) {
        if (tooBig || error != null) {
            return false; // the generation is skipped: only framing and headers matter now
        }
        if (kind != Format.REC_BATCH) {
            return true; // tables are small next to batches, and needed to say what was lost
        }
        if (!heap.fits((bytesHeld + length) * DECODE_FACTOR)) {
            dropForHeap();
            return false;
        }
        bytesHeld += length;
        return true;
    }

    /** Gives up decoding: releases what is held and goes on counting (also after an OutOfMemoryError). */
    void dropForHeap() {
        tooBig = true;
        batches.clear();
        bytesHeld = 0;
    }

    /** A record of this generation whose frame is right and checksum wrong. */
    void addCorrupt(RecordReader.Record r) {
        records++;
        corrupt.add(new long[] {r.offset, r.end - r.offset});
        corruptBytes += r.end - r.offset;
    }

    /** Adds a record with a valid checksum; returns true at GEN_END. */
    boolean add(RecordReader.Record r) {
        records++;
        if (r.kind == Format.REC_GEN_END) {
            gen.endOffset = r.end;
        }
        try {
            return collect(r);
        } catch (InvalidData e) {
            if (error == null) {
                error = new InvalidData(e.at, "malformed record of kind " + r.kind + ": " + e.getMessage());
            }
            return r.kind == Format.REC_GEN_END;
        }
    }

    private boolean collect(RecordReader.Record r) throws InvalidData {
        PayloadCursor c = r.cursor();
        long g = c.uvarint();
        if (g != gen.number) {
            throw new InvalidData(r.offset, "record of generation " + Long.toUnsignedString(g) + " inside generation "
                    + gen.number);
        }
        if (r.kind == Format.REC_BATCH) {
            batchesSeen++;
            c.uvarint(); // lane
            c.uvarint(); // thread
            c.uvarint(); // seq
            c.uvarint(); // base
            long n = c.uvarint();
            announcedEvents += n;
            if (announcedEvents < 0) {
                throw new InvalidData(r.offset, "event counts overflow");
            }
            if (r.retained && !tooBig && error == null) {
                batches.add(r);
            }
            return false;
        }
        if (r.kind == Format.REC_GEN_END) {
            gen.endRawTicks = c.uvarint();
            gen.endWallNanos = c.uvarint();
            endBatchCount = c.uvarint();
            endEventCount = c.uvarint();
            // a 1.x GEN_END ends here: what a later 1.x minor version appends is skipped, not a clock stamp
            gen.endNanos = hasStamps ? c.uvarint() : gen.endRawTicks;
            return true;
        }
        if (!r.retained || error != null) {
            return false;
        }
        tableBytes += r.length;
        switch (r.kind) {
            case Format.REC_EVENT_TYPES -> eventTypes(c, r);
            case Format.REC_STRINGS -> {
                int n = c.count(2);
                for (int i = 0; i < n; i++) {
                    long id = c.uvarint();
                    String s = c.string();
                    if (id == 0) {
                        throw new InvalidData(r.offset, "string id 0 is reserved");
                    }
                    strings.put(id, s);
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
                        throw new InvalidData(r.offset, "stack id 0 is reserved");
                    }
                    rawStacks.put(id, raw);
                }
            }
            case Format.REC_THREADS -> {
                int n = c.count(3);
                for (int i = 0; i < n; i++) {
                    long id = c.uvarint();
                    String name = c.string();
                    long flags = c.uvarint();
                    threads.put(id, new ThreadInfo(id, name, (flags & 1) != 0, (flags & 2) != 0));
                }
            }
            case Format.REC_LOSS -> {
                int n = c.count(4);
                for (int i = 0; i < n; i++) {
                    long lane = c.uvarint();
                    long thread = c.uvarint();
                    long reason = c.uvarint();
                    long count = c.uvarint();
                    losses.add(new LossRecord(lane, thread, (int) Math.min(reason, Integer.MAX_VALUE), count));
                }
            }
            default -> throw new IllegalStateException("record kind " + r.kind + " is not a table");
        }
        return false;
    }

    private void eventTypes(PayloadCursor c, RecordReader.Record r) throws InvalidData {
        int n = c.count(3);
        for (int i = 0; i < n; i++) {
            long at = c.offset();
            long id = c.uvarint();
            String name = c.string();
            int argc = c.count(2);
            if (id < 1 || id > 255) {
                throw new InvalidData(at, "event type id " + Long.toUnsignedString(id) + " out of range");
            }
            List<EventSpec.Arg> args = new ArrayList<>(argc);
            for (int k = 0; k < argc; k++) {
                String an = c.string();
                long kind = c.uvarint();
                ArgKind ak = ArgKind.ofCode((int) Math.min(kind, Integer.MAX_VALUE));
                if (ak == null) {
                    // an argument kind from the future: its value is still a varint
                    report.add(Problem.Severity.WARNING, r.offset, gen.number, "unknown argument kind "
                            + Long.toUnsignedString(kind) + " of " + name + "." + an + " read as a number");
                    ak = ArgKind.UINT;
                }
                args.add(new EventSpec.Arg(an, ak));
            }
            EventSpec spec = new EventSpec((int) id, name, args);
            checkSchema(spec, at);
            types[(int) id] = spec;
        }
    }

    /**
     * Tools read the built-in types' arguments by name: a table that names a built-in id otherwise (another
     * name, an argument renamed, retyped or missing) is a schema error of the generation. A later minor
     * version may only append arguments; those appended to a type after the first ({@link
     * EventTypes#requiredArgs}) may be missing, from a file written before them.
     */
    private static void checkSchema(EventSpec spec, long at) throws InvalidData {
        EventSpec builtin = EventTypes.byId(spec.id());
        if (builtin == null) {
            return;
        }
        if (!builtin.name().equals(spec.name())) {
            throw new InvalidData(at, "schema error: event type " + spec.id() + " is called " + Event.quote(spec.name())
                    + " in EVENT_TYPES, the format defines it as " + builtin.name());
        }
        List<EventSpec.Arg> want = builtin.args();
        List<EventSpec.Arg> have = spec.args();
        for (int k = 0; k < want.size(); k++) {
            EventSpec.Arg w = want.get(k);
            if (k >= have.size()) {
                if (k >= EventTypes.requiredArgs(spec.id())) {
                    break; // an argument appended later, absent from an older file
                }
                throw new InvalidData(at, "schema error: " + spec.name() + " has " + have.size()
                        + " arguments in EVENT_TYPES, the format defines " + want.size() + " (" + describe(want) + ")");
            }
            EventSpec.Arg h = have.get(k);
            if (!h.equals(w)) {
                throw new InvalidData(at, "schema error: argument " + k + " of " + spec.name() + " is "
                        + Event.quote(h.name()) + ":" + h.kind() + " in EVENT_TYPES, the format defines "
                        + w.name() + ":" + w.kind());
            }
        }
    }

    private static String describe(List<EventSpec.Arg> args) {
        StringBuilder sb = new StringBuilder();
        for (EventSpec.Arg a : args) {
            sb.append(sb.isEmpty() ? "" : ", ").append(a.name()).append(':').append(a.kind());
        }
        return sb.toString();
    }

    /** Bytes from GEN_BEGIN to the end of GEN_END. */
    long byteSize() {
        return gen.endOffset - gen.fileOffset;
    }

    /** Builds the generation, or reports why it is skipped and returns null. */
    Generation build() {
        if (error != null) {
            return skip(error.at, "generation skipped: " + error.getMessage());
        }
        String clockError = gen.prepareClock();
        if (clockError != null) {
            return skip(gen.fileOffset, "generation skipped: " + clockError);
        }
        long lostBatches = endBatchCount - batchesSeen();
        long lostEvents = endEventCount - announcedEvents;
        if (lostBatches < 0) {
            return skip(gen.endOffset, "generation skipped: GEN_END announces " + endBatchCount
                    + " batches, the generation has " + batchesSeen());
        }
        if (lostEvents < 0 || lostBatches == 0 && lostEvents != 0) {
            return skip(gen.endOffset, "generation skipped: GEN_END announces " + endEventCount
                    + " events, the batches hold " + announcedEvents);
        }
        if (corrupt.size() > lostBatches) {
            return skip(corrupt.get(0)[0], "generation skipped: " + corrupt.size() + " records with a bad checksum"
                    + " (first at offset " + corrupt.get(0)[0] + "), but GEN_END's counts miss only " + lostBatches
                    + " batches: a table of the generation is lost");
        }
        long need = endEventCount * BYTES_PER_EVENT + tableBytes * 4;
        if (tooBig || !heap.fits(need)) {
            dropForHeap();
            long free = heap.available();
            return skip(gen.fileOffset, "generation skipped: it is too big for the heap: " + byteSize() + " bytes, "
                    + endEventCount + " events need about " + mib(Math.max(need, byteSize() * DECODE_FACTOR))
                    + " of heap to decode, " + mib(free) + " are free (max heap " + mib(heap.max())
                    + "); a larger -Xmx reads it");
        }
        try {
            Generation g = decode(lostBatches, lostEvents);
            batches.clear();
            return g;
        } catch (InvalidData e) {
            return skip(e.at, "generation skipped: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            dropForHeap();
            gen.events = List.of();
            return skip(gen.fileOffset, "generation skipped: the heap ran out while decoding it (" + byteSize()
                    + " bytes, " + endEventCount + " events, about " + mib(need) + " needed, max heap "
                    + mib(Runtime.getRuntime().maxMemory()) + "); a larger -Xmx reads it");
        }
    }

    /** Batch records read with a valid checksum, whether held or dropped. */
    private long batchesSeen;

    private long batchesSeen() {
        return batchesSeen;
    }

    private Generation decode(long lostBatches, long lostEvents) throws InvalidData {
        long g = gen.number;
        gen.strings = strings;
        gen.indexStrings();
        Map<Long, StackTrace> stacks = new HashMap<>();
        for (Map.Entry<Long, long[]> e : rawStacks.entrySet()) {
            long[] raw = e.getValue();
            List<StackTrace.Frame> frames = new ArrayList<>(raw.length / 4);
            for (int i = 0; i < raw.length; i += 4) {
                String cls = requireString(raw[i], "stack frame class");
                String method = requireString(raw[i + 1], "stack frame method");
                String file = raw[i + 2] == 0 ? null : requireString(raw[i + 2], "stack frame file");
                frames.add(new StackTrace.Frame(cls, method, file, (int) raw[i + 3]));
            }
            stacks.put(e.getKey(), new StackTrace((int) (long) e.getKey(), List.copyOf(frames)));
        }
        gen.stacks = stacks;
        gen.losses = losses;
        Map<Long, ThreadInfo> allThreads = new HashMap<>(threads);

        // batches grouped by lane in lane id order, each lane's in batchSeq order: the merge's tie order
        Map<Long, TreeMap<Long, RecordReader.Record>> lanes = new TreeMap<>();
        long payloadBytes = 0;
        for (RecordReader.Record r : batches) {
            BatchDecoder.Header h = BatchDecoder.Header.read(r.cursor());
            RecordReader.Record prev = lanes.computeIfAbsent(h.lane(), k -> new TreeMap<>()).put(h.seq(), r);
            if (prev != null) {
                throw new InvalidData(r.offset, "lane " + h.lane() + " has two batches numbered " + h.seq());
            }
            payloadBytes += r.length;
        }
        // counts come from the file: never size memory by more than the bytes can hold (2 per event), nor by
        // more than a million events up front; the columns grow with what is decoded
        EventColumns all = new EventColumns(gen, (int) Math.min(Math.min(announcedEvents, payloadBytes / 2), 1 << 20));
        BatchDecoder decoder = new BatchDecoder(gen, types, rawStacks.keySet(), allThreads);
        StringBuilder gaps = new StringBuilder();
        for (Map.Entry<Long, TreeMap<Long, RecordReader.Record>> lane : lanes.entrySet()) {
            long expectSeq = 0;
            for (Map.Entry<Long, RecordReader.Record> b : lane.getValue().entrySet()) {
                if (b.getKey() != expectSeq) {
                    gaps.append(gaps.isEmpty() ? "" : ", ").append("lane ").append(lane.getKey()).append(" batch")
                            .append(b.getKey() - expectSeq == 1 ? " " + expectSeq
                                    : "es " + expectSeq + ".." + (b.getKey() - 1));
                }
                expectSeq = b.getKey() + 1;
                gen.threadSwitches += decoder.decode(b.getValue(), all);
            }
        }
        if (lostBatches > 0) {
            StringBuilder why = new StringBuilder();
            why.append(lostBatches).append(" of ").append(endBatchCount).append(" batches missing by GEN_END's counts");
            if (!gaps.isEmpty()) {
                why.append(" (").append(gaps).append(')');
            }
            if (!corrupt.isEmpty()) {
                why.append("; ").append(corrupt.size()).append(corrupt.size() == 1 ? " record" : " records")
                        .append(" with a bad checksum, the first at offset ").append(corrupt.get(0)[0]);
            } else {
                why.append("; no corrupt record: the batches were removed from the file");
            }
            report.lose(Problem.Severity.ERROR, corrupt.isEmpty() ? gen.fileOffset : corrupt.get(0)[0],
                    new LostData(g, corrupt.isEmpty() ? gen.fileOffset : corrupt.get(0)[0], corruptBytes, lostEvents,
                            false, why.toString()));
        } else if (!gaps.isEmpty()) {
            report.add(Problem.Severity.WARNING, gen.fileOffset, g, "batch numbers skip (" + gaps
                    + ") though GEN_END's counts match");
        }
        gen.lostBatches = lostBatches;
        gen.lostEvents = lostEvents;
        all.sortByTime();
        all.trim();
        gen.events = all.inTimeOrder();
        gen.eventCount = all.size();
        gen.threads = allThreads;
        return gen;
    }

    private String requireString(long id, String what) throws InvalidData {
        String s = strings.get(id);
        if (s == null) {
            throw new InvalidData(gen.fileOffset, what + " refers to string id " + id + ", not in the generation's table");
        }
        return s;
    }

    private Generation skip(long at, String message) {
        batches.clear();
        report.skippedGenerations++;
        report.lose(Problem.Severity.ERROR, at, new LostData(gen.number, gen.fileOffset, byteSize(),
                Math.max(endEventCount, announcedEvents), true,
                at == gen.fileOffset ? message : message + " (at offset " + at + ")"));
        return null;
    }

    static String mib(long bytes) {
        return String.format("%,.1f MiB", bytes / 1048576.0);
    }
}
