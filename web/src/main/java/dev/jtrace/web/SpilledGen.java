package dev.jtrace.web;

import dev.jtrace.model.Blocking;
import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.EventKind;
import dev.jtrace.model.Span;
import dev.jtrace.model.ThreadState;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.StackTrace;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.SoftReference;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * One decoded generation's items in compact columnar form, in a spill file that is memory-mapped: the
 * viewer decodes a generation once (through the model), writes its items here, and every later window reads
 * the columns it needs (times and threads, binary-searched by start) from the map, building objects only for
 * the items that fall in the window. Per kind, one column per field: regions and tasks 72 to 76 bytes an item,
 * logs 36, blocking 48, wake-ups 64, carrier runs 36, samples 20, allocation samples 32; strings (names,
 * messages, blocker classes, allocated classes, frame parts) and stacks are stored once per generation in tables.
 *
 * <p>The tables are read into objects the first time a window needs them and held softly; one stack object
 * per stored stack (as the reader interns them per generation), so that a window's answer refers to the same
 * stack by the same index exactly as it does with the freshly decoded items. A file is checked (its length
 * and a CRC32C of everything behind the header) when it is opened; {@link #open} refuses a damaged one.
 */
final class SpilledGen {
    private static final long MAGIC = 0x4a545350494c4c31L; // "JTSPILL1"
    // 2: allocation samples (their count at offset 128 of the header, their columns after the CPU samples')
    private static final int VERSION = 2;
    static final int HEADER = 160;
    private static final EventKind[] KINDS = EventKind.values();
    private static final ThreadState[] STATES = ThreadState.values();
    private static final Wakeup.Kind[] WAKE_KINDS = Wakeup.Kind.values();

    // columns per kind: longs first, then ints
    private static final int REGION_LONGS = 7;
    private static final int REGION_INTS = 4;
    private static final int TASK_INTS = 5;
    private static final int LOG_LONGS = 3;
    private static final int LOG_INTS = 3;
    private static final int BLOCK_LONGS = 3;
    private static final int BLOCK_INTS = 6;
    private static final int WAKE_LONGS = 7;
    private static final int WAKE_INTS = 2;
    private static final int RUN_LONGS = 4;
    private static final int RUN_INTS = 1;
    private static final int SAMPLE_LONGS = 2;
    private static final int SAMPLE_INTS = 1;
    private static final int ALLOC_LONGS = 3;
    private static final int ALLOC_INTS = 2;

    final int gen;
    final int regions;
    final int tasks;
    final int logs;
    final int blocks;
    final int wakeups;
    final int runs;
    final int samples;
    final int allocs;
    final long maxRegion;
    final long maxTask;
    final long maxBlock;
    final long maxWakeup;
    final long maxRun;
    /** The heap the items took as objects (the cache's estimate), should they be rebuilt whole. */
    final long itemBytes;
    /** The file's length. */
    final long fileBytes;
    private final int nStrings;
    private final int nFrames;
    private final int nStacks;
    private final long regionBase;
    private final long taskBase;
    private final long logBase;
    private final long blockBase;
    private final long wakeBase;
    private final long runBase;
    private final long sampleBase;
    private final long allocBase;
    /** The mapped file (read with absolute gets only, so that windows share it). */
    private final MappedByteBuffer seg;
    private SoftReference<Tables> tables = new SoftReference<>(null);

    /** A generation's strings, frames and stacks as objects. */
    record Tables(String[] strings, StackTrace.Frame[] frames, StackTrace[] stacks) {
        String string(int i) {
            return i < 0 ? null : strings[i];
        }

        StackTrace stack(int i) {
            return i < 0 ? null : stacks[i];
        }
    }

    private SpilledGen(int gen, MappedByteBuffer seg) throws IOException {
        this.seg = seg;
        this.fileBytes = seg.capacity();
        if (fileBytes < HEADER || seg.getLong(0) != MAGIC || seg.getInt(8) != VERSION) {
            throw new IOException("not a spill file of this viewer");
        }
        if (seg.getInt(12) != gen) {
            throw new IOException("holds generation index " + seg.getInt(12) + ", not " + gen);
        }
        long payload = seg.getLong(16);
        if (payload != fileBytes - HEADER) {
            throw new IOException("is " + fileBytes + " bytes long, its header says " + (HEADER + payload)
                    + " (truncated?)");
        }
        CRC32C crc = new CRC32C();
        crc.update(seg.slice(HEADER, (int) (fileBytes - HEADER)));
        if (crc.getValue() != seg.getLong(24)) {
            throw new IOException("fails its checksum (damaged)");
        }
        this.gen = gen;
        int p = 32;
        regions = seg.getInt(p);
        tasks = seg.getInt(p + 4);
        logs = seg.getInt(p + 8);
        blocks = seg.getInt(p + 12);
        wakeups = seg.getInt(p + 16);
        runs = seg.getInt(p + 20);
        samples = seg.getInt(p + 24);
        nStrings = seg.getInt(p + 28);
        nFrames = seg.getInt(p + 32);
        nStacks = seg.getInt(p + 36);
        p += 40;
        maxRegion = seg.getLong(p);
        maxTask = seg.getLong(p + 8);
        maxBlock = seg.getLong(p + 16);
        maxWakeup = seg.getLong(p + 24);
        maxRun = seg.getLong(p + 32);
        itemBytes = seg.getLong(p + 40);
        long tablesLen = seg.getLong(p + 48);
        allocs = seg.getInt(p + 56);
        regionBase = HEADER + tablesLen;
        taskBase = regionBase + (long) regions * (REGION_LONGS * 8 + REGION_INTS * 4);
        logBase = taskBase + (long) tasks * (REGION_LONGS * 8 + TASK_INTS * 4);
        blockBase = logBase + (long) logs * (LOG_LONGS * 8 + LOG_INTS * 4);
        wakeBase = blockBase + (long) blocks * (BLOCK_LONGS * 8 + BLOCK_INTS * 4);
        runBase = wakeBase + (long) wakeups * (WAKE_LONGS * 8 + WAKE_INTS * 4);
        sampleBase = runBase + (long) runs * (RUN_LONGS * 8 + RUN_INTS * 4);
        allocBase = sampleBase + (long) samples * (SAMPLE_LONGS * 8 + SAMPLE_INTS * 4);
        long end = allocBase + (long) allocs * (ALLOC_LONGS * 8 + ALLOC_INTS * 4);
        if (regions < 0 || tasks < 0 || logs < 0 || blocks < 0 || wakeups < 0 || runs < 0 || samples < 0 || allocs < 0
                || nStrings < 0 || nFrames < 0 || nStacks < 0 || tablesLen < 0 || end != fileBytes) {
            throw new IOException("has columns that do not add up to its length");
        }
    }

    /**
     * Maps the spill file of generation index {@code gen} and checks it.
     *
     * @throws IOException when it cannot be read or is not exactly what {@link #write} wrote (the message says
     *     how)
     */
    static SpilledGen open(Path file, int gen) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new IOException("is larger than 2 GiB");
            }
            // the map stays valid once the channel is closed (and once the file is deleted)
            return new SpilledGen(gen, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (RuntimeException e) {
            throw new IOException(e.toString(), e);
        }
    }


    // ------------------------------------------------------------------------------------------ writing

    /** Writes {@code gi}, the items of generation index {@code gen}, to {@code file}; returns its length. */
    static long write(GenerationStore.GenItems gi, int gen, Path file) throws IOException {
        Map<String, Integer> strings = new HashMap<>();
        List<String> stringList = new ArrayList<>();
        Map<StackTrace.Frame, Integer> frames = new HashMap<>();
        List<StackTrace.Frame> frameList = new ArrayList<>();
        Map<StackTrace, Integer> stacks = new IdentityHashMap<>();
        List<StackTrace> stackList = new ArrayList<>();
        Interner in = new Interner(strings, stringList, frames, frameList, stacks, stackList);
        // intern first: the tables go before the columns
        for (Items.Region r : gi.regions()) {
            in.string(r.span().rawName());
            in.stack(r.stack());
        }
        for (Items.Task t : gi.tasks()) {
            in.string(t.span().rawName());
            in.stack(t.stack());
        }
        for (Items.Log l : gi.logs()) {
            in.string(l.category());
            in.string(l.message());
            in.stack(l.stack());
        }
        for (Blocking b : gi.blocks()) {
            in.stack(b.stack());
            in.string(b.detail());
            in.frame(b.callSite());
        }
        for (Items.Sample s : gi.samples()) {
            in.stack(s.stack());
        }
        for (Items.AllocSample s : gi.allocs()) {
            in.string(s.type());
            in.stack(s.stack());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.position(HEADER);
            CRC32C crc = new CRC32C();
            CountingStream count = new CountingStream(Channels.newOutputStream(ch));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(count, crc),
                    1 << 16));
            for (String s : stringList) {
                out.writeInt(s.length());
                out.writeChars(s);
            }
            for (StackTrace.Frame f : frameList) {
                out.writeInt(in.string(f.className()));
                out.writeInt(in.string(f.methodName()));
                out.writeInt(in.string(f.fileName()));
                out.writeInt(f.line());
            }
            for (StackTrace st : stackList) {
                out.writeInt(st.id());
                out.writeInt(st.frames().size());
                for (StackTrace.Frame f : st.frames()) {
                    out.writeInt(in.frame(f));
                }
            }
            out.flush();
            long tablesLen = count.n;
            writeSpans(out, gi.regions(), Items.Region::span, null, in);
            writeSpans(out, gi.tasks(), Items.Task::span, Items.Task::lane, in);
            Items.Log[] ls = gi.logs();
            for (Items.Log l : ls) out.writeLong(l.time());
            for (Items.Log l : ls) out.writeLong(l.thread());
            for (Items.Log l : ls) out.writeLong(l.task());
            for (Items.Log l : ls) out.writeInt(in.string(l.category()));
            for (Items.Log l : ls) out.writeInt(in.string(l.message()));
            for (Items.Log l : ls) out.writeInt(in.stack(l.stack()));
            Blocking[] bs = gi.blocks();
            for (Blocking b : bs) out.writeLong(b.start());
            for (Blocking b : bs) out.writeLong(b.duration());
            for (Blocking b : bs) out.writeLong(b.thread());
            for (Blocking b : bs) out.writeInt(b.kind().ordinal());
            for (Blocking b : bs) out.writeInt(b.state().ordinal());
            for (Blocking b : bs) out.writeInt(in.stack(b.stack()));
            for (Blocking b : bs) out.writeInt(in.string(b.detail()));
            for (Blocking b : bs) out.writeInt(b.idle() ? 1 : 0);
            for (Blocking b : bs) out.writeInt(in.frame(b.callSite()));
            Wakeup[] ws = gi.wakeups();
            for (Wakeup w : ws) out.writeLong(TraceIndex.wakeStart(w));
            for (Wakeup w : ws) out.writeLong(TraceIndex.wakeEnd(w));
            for (Wakeup w : ws) out.writeLong(w.waker());
            for (Wakeup w : ws) out.writeLong(w.wakeTime());
            for (Wakeup w : ws) out.writeLong(w.wakee());
            for (Wakeup w : ws) out.writeLong(w.resumeTime());
            for (Wakeup w : ws) out.writeLong(w.blockStart());
            for (Wakeup w : ws) out.writeInt(w.kind().ordinal());
            for (Wakeup w : ws) out.writeInt(w.permit() ? 1 : 0);
            CarrierRun[] rs = gi.runs();
            for (CarrierRun r : rs) out.writeLong(r.start());
            for (CarrierRun r : rs) out.writeLong(r.end());
            for (CarrierRun r : rs) out.writeLong(r.carrier());
            for (CarrierRun r : rs) out.writeLong(r.thread());
            for (CarrierRun r : rs) out.writeInt(r.endMissing() ? 1 : 0);
            Items.Sample[] ss = gi.samples();
            for (Items.Sample s : ss) out.writeLong(s.time());
            for (Items.Sample s : ss) out.writeLong(s.thread());
            for (Items.Sample s : ss) out.writeInt(in.stack(s.stack()));
            Items.AllocSample[] as = gi.allocs();
            for (Items.AllocSample s : as) out.writeLong(s.time());
            for (Items.AllocSample s : as) out.writeLong(s.thread());
            for (Items.AllocSample s : as) out.writeLong(s.weight());
            for (Items.AllocSample s : as) out.writeInt(in.string(s.type()));
            for (Items.AllocSample s : as) out.writeInt(in.stack(s.stack()));
            out.flush();
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            h.putLong(MAGIC).putInt(VERSION).putInt(gen).putLong(count.n).putLong(crc.getValue());
            h.putInt(gi.regions().length).putInt(gi.tasks().length).putInt(ls.length).putInt(bs.length)
                    .putInt(ws.length).putInt(rs.length).putInt(ss.length).putInt(stringList.size())
                    .putInt(frameList.size()).putInt(stackList.size());
            h.putLong(gi.maxRegion()).putLong(gi.maxTask()).putLong(gi.maxBlock()).putLong(gi.maxWakeup())
                    .putLong(gi.maxRun()).putLong(gi.bytes()).putLong(tablesLen);
            h.putInt(as.length);
            h.rewind(); // the whole header, its unused end zero
            long p = 0;
            while (h.hasRemaining()) {
                p += ch.write(h, p);
            }
            return HEADER + count.n;
        }
    }

    private static <T> void writeSpans(DataOutputStream out, T[] items, java.util.function.Function<T, Span> span,
            java.util.function.ToIntFunction<T> lane, Interner in) throws IOException {
        for (T t : items) out.writeLong(span.apply(t).start());
        for (T t : items) out.writeLong(span.apply(t).end());
        for (T t : items) out.writeLong(span.apply(t).thread());
        for (T t : items) out.writeLong(span.apply(t).task());
        for (T t : items) out.writeLong(span.apply(t).serial());
        for (T t : items) out.writeLong(span.apply(t).parent());
        for (T t : items) out.writeLong(span.apply(t).endThread());
        for (T t : items) out.writeInt(span.apply(t).depth());
        for (T t : items) out.writeInt(in.string(span.apply(t).rawName()));
        for (T t : items) out.writeInt(in.stack(span.apply(t).stack()));
        for (T t : items) out.writeInt(span.apply(t).flags());
        if (lane != null) {
            for (T t : items) out.writeInt(lane.applyAsInt(t));
        }
    }

    /** Numbers the strings, frames and stacks the items refer to (-1 for null). */
    private record Interner(Map<String, Integer> strings, List<String> stringList, Map<StackTrace.Frame, Integer> frames,
            List<StackTrace.Frame> frameList, Map<StackTrace, Integer> stacks, List<StackTrace> stackList) {
        int string(String s) {
            if (s == null) {
                return -1;
            }
            return strings.computeIfAbsent(s, k -> {
                stringList.add(k);
                return stringList.size() - 1;
            });
        }

        int frame(StackTrace.Frame f) {
            if (f == null) {
                return -1;
            }
            Integer i = frames.get(f);
            if (i == null) {
                string(f.className());
                string(f.methodName());
                string(f.fileName());
                i = frameList.size();
                frames.put(f, i);
                frameList.add(f);
            }
            return i;
        }

        int stack(StackTrace st) {
            if (st == null) {
                return -1;
            }
            Integer i = stacks.get(st);
            if (i == null) {
                for (StackTrace.Frame f : st.frames()) {
                    frame(f);
                }
                i = stackList.size();
                stacks.put(st, i);
                stackList.add(st);
            }
            return i;
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long n;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            n += len;
        }
    }

    // ------------------------------------------------------------------------------------------ reading

    /** The strings, frames and stacks, read once and held while memory allows. */
    synchronized Tables tables() {
        Tables t = tables.get();
        if (t == null) {
            t = readTables();
            tables = new SoftReference<>(t);
        }
        return t;
    }

    private Tables readTables() {
        String[] strings = new String[nStrings];
        long p = HEADER;
        for (int i = 0; i < nStrings; i++) {
            int len = seg.getInt((int) p);
            p += 4;
            char[] cs = new char[len];
            seg.slice((int) p, 2 * len).asCharBuffer().get(cs);
            p += 2L * len;
            strings[i] = new String(cs);
        }
        StackTrace.Frame[] frames = new StackTrace.Frame[nFrames];
        for (int i = 0; i < nFrames; i++) {
            frames[i] = new StackTrace.Frame(str(strings, seg.getInt((int) p)), str(strings, seg.getInt((int) p + 4)),
                    str(strings, seg.getInt((int) p + 8)), seg.getInt((int) p + 12));
            p += 16;
        }
        StackTrace[] stacks = new StackTrace[nStacks];
        for (int i = 0; i < nStacks; i++) {
            int id = seg.getInt((int) p);
            int n = seg.getInt((int) p + 4);
            p += 8;
            StackTrace.Frame[] fs = new StackTrace.Frame[n];
            for (int k = 0; k < n; k++) {
                fs[k] = frames[seg.getInt((int) p)];
                p += 4;
            }
            stacks[i] = new StackTrace(id, List.of(fs));
        }
        if (p != regionBase) {
            throw new IllegalStateException("generation " + gen + "'s spilled tables end at " + p + ", not at "
                    + regionBase);
        }
        return new Tables(strings, frames, stacks);
    }

    private static String str(String[] strings, int i) {
        return i < 0 ? null : strings[i];
    }

    private long l(long base, int n, int col, int i) {
        return seg.getLong((int) (base + ((long) col * n + i) * 8));
    }

    private int in(long base, int n, int longs, int col, int i) {
        return seg.getInt((int) (base + (long) longs * n * 8 + ((long) col * n + i) * 4));
    }

    long regionStart(int i) {
        return l(regionBase, regions, 0, i);
    }

    long regionEnd(int i) {
        return l(regionBase, regions, 1, i);
    }

    long regionThread(int i) {
        return l(regionBase, regions, 2, i);
    }

    Items.Region region(int i, Tables t) {
        return new Items.Region(span(Span.Kind.REGION, regionBase, regions, i, t), gen, gen);
    }

    long taskStart(int i) {
        return l(taskBase, tasks, 0, i);
    }

    long taskEnd(int i) {
        return l(taskBase, tasks, 1, i);
    }

    long taskBeginThread(int i) {
        return l(taskBase, tasks, 2, i);
    }

    long taskEndThread(int i) {
        return l(taskBase, tasks, 6, i);
    }

    Items.Task task(int i, Tables t) {
        return new Items.Task(span(Span.Kind.TASK, taskBase, tasks, i, t), in(taskBase, tasks, REGION_LONGS, 4, i),
                gen, gen);
    }

    private Span span(Span.Kind kind, long base, int n, int i, Tables t) {
        return Span.ended(kind, l(base, n, 4, i), l(base, n, 3, i), l(base, n, 5, i),
                t.string(in(base, n, REGION_LONGS, 1, i)), l(base, n, 2, i), in(base, n, REGION_LONGS, 0, i),
                t.stack(in(base, n, REGION_LONGS, 2, i)), l(base, n, 0, i), l(base, n, 1, i), l(base, n, 6, i),
                in(base, n, REGION_LONGS, 3, i));
    }

    long logTime(int i) {
        return l(logBase, logs, 0, i);
    }

    long logThread(int i) {
        return l(logBase, logs, 1, i);
    }

    Items.Log log(int i, Tables t) {
        return new Items.Log(logThread(i), logTime(i), l(logBase, logs, 2, i), t.string(in(logBase, logs, LOG_LONGS, 0, i)),
                t.string(in(logBase, logs, LOG_LONGS, 1, i)), t.stack(in(logBase, logs, LOG_LONGS, 2, i)));
    }

    long blockStart(int i) {
        return l(blockBase, blocks, 0, i);
    }

    long blockDuration(int i) {
        return l(blockBase, blocks, 1, i);
    }

    long blockThread(int i) {
        return l(blockBase, blocks, 2, i);
    }

    Blocking block(int i, Tables t) {
        int cs = in(blockBase, blocks, BLOCK_LONGS, 5, i);
        return new Blocking(KINDS[in(blockBase, blocks, BLOCK_LONGS, 0, i)], STATES[in(blockBase, blocks, BLOCK_LONGS, 1, i)],
                blockThread(i), blockStart(i), blockDuration(i), t.stack(in(blockBase, blocks, BLOCK_LONGS, 2, i)),
                t.string(in(blockBase, blocks, BLOCK_LONGS, 3, i)), in(blockBase, blocks, BLOCK_LONGS, 4, i) != 0,
                cs < 0 ? null : t.frames()[cs]);
    }

    long wakeStart(int i) {
        return l(wakeBase, wakeups, 0, i);
    }

    long wakeEnd(int i) {
        return l(wakeBase, wakeups, 1, i);
    }

    long waker(int i) {
        return l(wakeBase, wakeups, 2, i);
    }

    long wakee(int i) {
        return l(wakeBase, wakeups, 4, i);
    }

    Wakeup wakeup(int i) {
        return new Wakeup(waker(i), l(wakeBase, wakeups, 3, i), wakee(i), l(wakeBase, wakeups, 5, i),
                WAKE_KINDS[in(wakeBase, wakeups, WAKE_LONGS, 0, i)], l(wakeBase, wakeups, 6, i),
                in(wakeBase, wakeups, WAKE_LONGS, 1, i) != 0);
    }

    long runStart(int i) {
        return l(runBase, runs, 0, i);
    }

    long runEnd(int i) {
        return l(runBase, runs, 1, i);
    }

    long runCarrier(int i) {
        return l(runBase, runs, 2, i);
    }

    CarrierRun run(int i) {
        return new CarrierRun(runCarrier(i), l(runBase, runs, 3, i), runStart(i), runEnd(i),
                in(runBase, runs, RUN_LONGS, 0, i) != 0);
    }

    long sampleTime(int i) {
        return l(sampleBase, samples, 0, i);
    }

    long sampleThread(int i) {
        return l(sampleBase, samples, 1, i);
    }

    Items.Sample sample(int i, Tables t) {
        return new Items.Sample(sampleThread(i), sampleTime(i), t.stack(in(sampleBase, samples, SAMPLE_LONGS, 0, i)));
    }

    long allocTime(int i) {
        return l(allocBase, allocs, 0, i);
    }

    long allocThread(int i) {
        return l(allocBase, allocs, 1, i);
    }

    Items.AllocSample alloc(int i, Tables t) {
        return new Items.AllocSample(allocThread(i), allocTime(i), t.string(in(allocBase, allocs, ALLOC_LONGS, 0, i)),
                l(allocBase, allocs, 2, i), t.stack(in(allocBase, allocs, ALLOC_LONGS, 1, i)));
    }

    /** First index in [0, n) whose value of the start-sorted column {@code start} is at least {@code from}. */
    static int lowerBound(int n, long from, java.util.function.IntToLongFunction start) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start.applyAsLong(mid) < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** All the items as objects, as {@link GenerationStore} decoded them (for range aggregation and search). */
    GenerationStore.GenItems items() {
        Tables t = tables();
        Items.Region[] rs = new Items.Region[regions];
        for (int i = 0; i < regions; i++) {
            rs[i] = region(i, t);
        }
        Items.Task[] ts = new Items.Task[tasks];
        for (int i = 0; i < tasks; i++) {
            ts[i] = task(i, t);
        }
        Items.Log[] ls = new Items.Log[logs];
        for (int i = 0; i < logs; i++) {
            ls[i] = log(i, t);
        }
        Blocking[] bs = new Blocking[blocks];
        for (int i = 0; i < blocks; i++) {
            bs[i] = block(i, t);
        }
        Wakeup[] ws = new Wakeup[wakeups];
        for (int i = 0; i < wakeups; i++) {
            ws[i] = wakeup(i);
        }
        CarrierRun[] cr = new CarrierRun[runs];
        for (int i = 0; i < runs; i++) {
            cr[i] = run(i);
        }
        Items.Sample[] ss = new Items.Sample[samples];
        for (int i = 0; i < samples; i++) {
            ss[i] = sample(i, t);
        }
        Items.AllocSample[] as = new Items.AllocSample[allocs];
        for (int i = 0; i < allocs; i++) {
            as[i] = alloc(i, t);
        }
        return new GenerationStore.GenItems(rs, maxRegion, ts, maxTask, ls, bs, maxBlock, ws, maxWakeup, cr, maxRun, ss,
                as, itemBytes);
    }
}
