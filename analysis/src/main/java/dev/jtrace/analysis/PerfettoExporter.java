package dev.jtrace.analysis;

import com.google.protobuf.CodedOutputStream;
import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Writes a trace as a Perfetto trace: the {@code Trace} protobuf (a stream of {@code TracePacket}s)
 * using Perfetto's TrackEvent API, which ui.perfetto.dev and trace_processor read.
 *
 * <ul>
 *   <li>one process track for the recorded JVM and a thread track per Java thread, platform or virtual
 *       (virtual ones are named "... (virtual)");
 *   <li>regions as slices (SLICE_BEGIN/SLICE_END) on their thread's track; logs as instants there, named
 *       by their category, with the message and task as debug annotations;
 *   <li>each task as a slice on a track of its own, nested under its parent task's track when the parent is
 *       open (the UI merges sibling tracks of the same name into one row); a flow arrow goes from the
 *       task's begin to each of its regions on other threads and ends at an instant "task end" on the
 *       thread that ended it, when that is another thread;
 *   <li>Park, MonitorBlocked, Sleep and VirtualThreadPinned as slices at their true time (the event's
 *       {@code start}) on a track per thread and kind beside the thread's track; GC pauses and phases on
 *       two process-wide tracks; CPU and allocation samples as instants on a per-thread samples track;
 *   <li>counter tracks for Counter events, for HeapSummary (heap used, committed) and for the heap in use
 *       computed from the alloc/free events.
 * </ul>
 *
 * <p>Clock: timestamps are the trace's ticks (nanoseconds of the recording JVM's System.nanoTime()) as
 * they are, in Perfetto's default trace clock. One ClockSnapshot per generation pairs them with the wall
 * clock (REALTIME), so the UI can show the time of day.
 *
 * <p>Order: runtime events arrive late, so their packets stand after packets with later timestamps.
 * Trace processor sorts all packets of a file by timestamp (it only flushes early on the tracing
 * service's flush events, which this file has none of), and timestamps are absolute, never deltas, so the
 * order in the file does not matter. Slices on one track must nest: runtime events are sorted per
 * generation and a slice that overlaps an earlier one of the same thread and kind goes to a second track
 * ("Park (2)").
 *
 * <p>Streaming: one generation of the trace is in memory. Interned names and track descriptors start over
 * with every generation (SEQ_INCREMENTAL_STATE_CLEARED); otherwise memory holds open tasks and regions,
 * counter names, live allocations and the runtime tracks of the last two generations, never all events.
 */
public final class PerfettoExporter {
    /** What one export wrote. */
    public record Result(long packets, long tracks, long regionSlices, long taskSlices, long runtimeSlices,
            long instants, long counterValues, long flowSteps, long regionEndsWithoutBegin,
            long taskEndsWithoutBegin, ReadReport report) {}

    /** The pid given to the recorded JVM's process track. */
    public static final int PID = 1;
    /** trusted_packet_sequence_id of every packet: one writer, one sequence. */
    static final int SEQUENCE = 1;

    // Field numbers from Perfetto's protos (protos/perfetto/trace/...).
    private static final int TRACE_PACKET = 1; // Trace.packet
    private static final int P_CLOCK_SNAPSHOT = 6;
    private static final int P_TIMESTAMP = 8;
    private static final int P_SEQUENCE_ID = 10;
    private static final int P_TRACK_EVENT = 11;
    private static final int P_INTERNED_DATA = 12;
    private static final int P_SEQUENCE_FLAGS = 13;
    private static final int P_TRACK_DESCRIPTOR = 60;
    private static final int SEQ_INCREMENTAL_STATE_CLEARED = 1;
    private static final int SEQ_NEEDS_INCREMENTAL_STATE = 2;
    private static final int CS_CLOCKS = 1;
    private static final int CLOCK_ID = 1;
    private static final int CLOCK_TIMESTAMP = 2;
    private static final int BUILTIN_CLOCK_REALTIME = 1;
    private static final int BUILTIN_CLOCK_BOOTTIME = 6;
    private static final int TD_UUID = 1;
    private static final int TD_NAME = 2;
    private static final int TD_PROCESS = 3;
    private static final int TD_THREAD = 4;
    private static final int TD_PARENT_UUID = 5;
    private static final int TD_COUNTER = 8;
    private static final int PD_PID = 1;
    private static final int PD_PROCESS_NAME = 6;
    private static final int THD_PID = 1;
    private static final int THD_TID = 2;
    private static final int THD_THREAD_NAME = 5;
    private static final int CD_UNIT = 3;
    private static final int UNIT_SIZE_BYTES = 3;
    private static final int TE_CATEGORY_IIDS = 3;
    private static final int TE_DEBUG_ANNOTATIONS = 4;
    private static final int TE_TYPE = 9;
    private static final int TE_NAME_IID = 10;
    private static final int TE_TRACK_UUID = 11;
    private static final int TE_COUNTER_VALUE = 30;
    private static final int TE_FLOW_IDS = 47;
    private static final int TE_TERMINATING_FLOW_IDS = 48;
    private static final int TYPE_SLICE_BEGIN = 1;
    private static final int TYPE_SLICE_END = 2;
    private static final int TYPE_INSTANT = 3;
    private static final int TYPE_COUNTER = 4;
    private static final int DA_NAME_IID = 1;
    private static final int DA_INT_VALUE = 4;
    private static final int DA_STRING_VALUE = 6;
    private static final int ID_EVENT_CATEGORIES = 1;
    private static final int ID_EVENT_NAMES = 2;
    private static final int ID_DEBUG_ANNOTATION_NAMES = 3;
    private static final int INTERNED_IID = 1;
    private static final int INTERNED_NAME = 2;

    // Track uuids are (id << 8 | lane << 4 | kind), small varints; ids too large for that are hashed into
    // the upper half of the space.
    private static final int K_PROCESS = 1;
    private static final int K_THREAD = 2;
    private static final int K_TASK = 3;
    private static final int K_PARK = 4;
    private static final int K_MONITOR = 5;
    private static final int K_SLEEP = 6;
    private static final int K_PINNED = 7;
    private static final int K_SAMPLES = 8;
    private static final int K_GC = 9;
    private static final int K_COUNTER = 10;
    private static final int MAX_LANES = 16;
    static final long PROCESS_UUID = uuid(0, 0, K_PROCESS);

    private final CodedOutputStream file;
    private final ProtoBuilder packet = new ProtoBuilder();
    private final String processName;
    private long packets;
    private long tracks;
    private long regionSlices;
    private long taskSlices;
    private long runtimeSlices;
    private long instants;
    private long counterValues;
    private long flowSteps;
    private long regionEndsWithoutBegin;
    private long taskEndsWithoutBegin;

    // incremental state of the current generation
    private boolean clearPending = true;
    private final Map<String, Long> names = new HashMap<>();
    private final Map<String, Long> categories = new HashMap<>();
    private final Map<String, Long> annotationNames = new HashMap<>();
    private final List<String> newNames = new ArrayList<>();
    private final List<String> newCategories = new ArrayList<>();
    private final List<String> newAnnotationNames = new ArrayList<>();
    private final Set<Long> described = new HashSet<>();
    private Map<Long, ThreadInfo> threadTable = Map.of();
    private long lastClockTicks = Long.MIN_VALUE;
    private long lastClockWall = Long.MIN_VALUE;

    // state across generations, bounded by what is open or named
    private record OpenTask(long thread, boolean crossed) {}

    private record OpenRegion(long task, String name) {}

    private final Map<Long, OpenTask> openTasks = new HashMap<>();
    private final Map<Long, ArrayDeque<OpenRegion>> openRegions = new HashMap<>();
    private final Map<Long, String> startedThreadNames = new HashMap<>();
    private final Map<String, Long> counterTracks = new HashMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private final Map<Long, Long> liveBuffers = new HashMap<>();
    private long liveBytes;
    private long liveBufferBytes;
    /** Per runtime track family (lane 0's uuid): the end of the last slice on each lane, and when used. */
    private final Map<Long, long[]> laneEnds = new HashMap<>();
    private long generationIndex;

    /** One TrackEvent's annotations, at most a few: keys and either a string or a number each. */
    private final String[] annKeys = new String[6];
    private final String[] annStrings = new String[6];
    private final long[] annNumbers = new long[6];
    private int annCount;

    private PerfettoExporter(CodedOutputStream file, String processName) {
        this.file = file;
        this.processName = processName;
    }

    /** Exports {@code in} to {@code out}; {@code progress} (may be null) receives the bytes read so far. */
    public static Result export(Path in, Path out, LongConsumer progress) throws IOException {
        try (TraceReader r = ExportFiles.openTrace(in); OutputStream os = ExportFiles.create(out)) {
            CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
            PerfettoExporter x = new PerfettoExporter(cos, "jtrace " + in.getFileName());
            try {
                Generation g;
                while ((g = r.nextGeneration()) != null) {
                    x.generation(g);
                    if (progress != null) {
                        progress.accept(r.position());
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            cos.flush();
            return new Result(x.packets, x.tracks, x.regionSlices, x.taskSlices, x.runtimeSlices, x.instants,
                    x.counterValues, x.flowSteps, x.regionEndsWithoutBegin, x.taskEndsWithoutBegin, r.report());
        }
    }

    // ------------------------------------------------------------------------------------------ generation

    private record Span(long family, String trackName, Event event, long start, long duration) {}

    private void generation(Generation g) throws IOException {
        generationIndex++;
        clearPending = true;
        names.clear();
        categories.clear();
        annotationNames.clear();
        described.clear();
        threadTable = g.threads();
        clockSnapshot(g);
        if (generationIndex == 1) {
            describe(PROCESS_UUID, g.startTicks(), d -> d.begin(TD_PROCESS).int64(PD_PID, PID)
                    .string(PD_PROCESS_NAME, processName).end());
        }
        for (ThreadInfo t : g.threads().values()) {
            threadTrack(t.id(), g.startTicks());
        }
        List<Span> spans = new ArrayList<>();
        for (Event e : g.events()) {
            event(e, spans);
        }
        spans.sort(Comparator.comparingLong(Span::start));
        for (Span s : spans) {
            span(s);
        }
        // runtime tracks not used for two generations will not see an overlapping late event any more
        laneEnds.values().removeIf(l -> l[MAX_LANES] < generationIndex - 1);
    }

    private void clockSnapshot(Generation g) throws IOException {
        long ticks = g.startTicks();
        long wall = g.startWallNanos();
        // trace processor wants every clock of successive snapshots to move forward
        if (ticks <= lastClockTicks || wall <= lastClockWall) {
            return;
        }
        lastClockTicks = ticks;
        lastClockWall = wall;
        ProtoBuilder p = startPacket(ticks, false);
        p.begin(P_CLOCK_SNAPSHOT)
                .begin(CS_CLOCKS).uint64(CLOCK_ID, BUILTIN_CLOCK_BOOTTIME).uint64(CLOCK_TIMESTAMP, ticks).end()
                .begin(CS_CLOCKS).uint64(CLOCK_ID, BUILTIN_CLOCK_REALTIME).uint64(CLOCK_TIMESTAMP, wall).end()
                .end();
        writePacket();
    }

    private static long threadOf(Event e) {
        EventSpec t = e.type();
        int i = t.indexOf("thread");
        return i >= 0 && t.args().get(i).kind() == ArgKind.THREAD ? e.arg(i) : e.threadId();
    }

    private void event(Event e, List<Span> spans) throws IOException {
        String type = e.type().name();
        long thread = threadOf(e);
        long ts = e.trueTicks();
        switch (type) {
            case "TaskBegin" -> taskBegin(e, thread, ts);
            case "TaskEnd" -> taskEnd(e, thread, ts);
            case "RegionBegin" -> regionBegin(e, thread, ts);
            case "RegionEnd" -> regionEnd(e, thread, ts);
            case "Log" -> {
                String cat = e.string("category");
                annotation("message", e.string("message"));
                task(e.arg("task"));
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, cat == null ? "log" : cat, "log", 0, 0);
                instants++;
            }
            case "Counter" -> counter(e.string("name"), false, ts, e.arg("value"));
            case "Park" -> spans.add(new Span(uuid(thread, 0, K_PARK), "Park", e, ts, e.arg("duration")));
            case "MonitorBlocked" -> spans.add(new Span(uuid(thread, 0, K_MONITOR), "MonitorBlocked", e, ts,
                    e.arg("duration")));
            case "Sleep" -> spans.add(new Span(uuid(thread, 0, K_SLEEP), "Sleep", e, ts, e.arg("duration")));
            case "VirtualThreadPinned" -> spans.add(new Span(uuid(thread, 0, K_PINNED), "VirtualThreadPinned", e,
                    ts, e.arg("duration")));
            case "GCPause" -> spans.add(new Span(uuid(0, 0, K_GC), "GC pauses", e, ts, e.arg("duration")));
            case "GCPhase" -> spans.add(new Span(uuid(1, 0, K_GC), "GC phases", e, ts, e.arg("duration")));
            case "HeapSummary" -> {
                counter("heap used", true, ts, e.arg("used"));
                counter("heap committed", true, ts, e.arg("committed"));
            }
            case "ThreadStart" -> {
                String name = e.string("name");
                if (name != null && !name.isEmpty() && !threadTable.containsKey(thread)) {
                    startedThreadNames.put(thread, threadName(thread, name, e.arg("virtual") != 0));
                    described.remove(uuid(thread, 0, K_THREAD));
                }
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, "ThreadStart", "runtime", 0, 0);
                instants++;
            }
            case "ThreadEnd" -> {
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, "ThreadEnd", "runtime", 0, 0);
                startedThreadNames.remove(thread);
                instants++;
            }
            case "CPUSample", "AllocSample" -> {
                top(e.stack("stack"));
                if (type.equals("AllocSample")) {
                    annotation("class", e.string("class"));
                    annotation("weight", e.arg("weight"));
                }
                long track = childTrack(thread, K_SAMPLES, 0, "samples", ts);
                trackEvent(ts, track, TYPE_INSTANT, type, "sample", 0, 0);
                instants++;
            }
            case "Alloc" -> {
                boolean own = "jtrace.Buffer".equals(e.string("type"));
                Long prev = (own ? liveBuffers : live).put(e.arg("id"), e.arg("size"));
                long delta = e.arg("size") - (prev == null ? 0 : prev);
                if (own) {
                    liveBufferBytes += delta;
                    counter("jtrace buffers (alloc/free)", true, ts, liveBufferBytes);
                } else {
                    liveBytes += delta;
                    counter("heap in use (alloc/free)", true, ts, liveBytes);
                }
            }
            case "Free" -> {
                Long size = live.remove(e.arg("id"));
                if (size != null) {
                    liveBytes -= size;
                    counter("heap in use (alloc/free)", true, ts, liveBytes);
                } else if ((size = liveBuffers.remove(e.arg("id"))) != null) {
                    liveBufferBytes -= size;
                    counter("jtrace buffers (alloc/free)", true, ts, liveBufferBytes);
                }
            }
            default -> {
                // a type this exporter does not know (a newer minor version): an instant with its name
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, type,
                        e.type().experimental() ? "experimental" : "other", 0, 0);
                instants++;
            }
        }
    }

    private void taskBegin(Event e, long thread, long ts) throws IOException {
        long task = e.arg("task");
        long parent = e.arg("parent");
        String name = e.string("name");
        long track = uuid(task, 0, K_TASK);
        long parentTrack = parent != 0 && openTasks.containsKey(parent) ? uuid(parent, 0, K_TASK) : PROCESS_UUID;
        describe(track, ts, d -> d.uint64(TD_PARENT_UUID, parentTrack).string(TD_NAME, name == null ? "task" : name));
        task(task);
        if (parent != 0) {
            annotation("parent", parent);
        }
        annotation("thread", thread);
        trackEvent(ts, track, TYPE_SLICE_BEGIN, name == null ? "task" : name, "task", task, 0);
        openTasks.put(task, new OpenTask(thread, false));
        taskSlices++;
    }

    private void taskEnd(Event e, long thread, long ts) throws IOException {
        long task = e.arg("task");
        OpenTask o = openTasks.remove(task);
        if (o == null) {
            taskEndsWithoutBegin++;
            return;
        }
        annotation("thread", thread);
        trackEvent(ts, uuid(task, 0, K_TASK), TYPE_SLICE_END, null, null, 0, 0);
        if (o.crossed() || o.thread() != thread) {
            task(task);
            trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, "task end", "task", 0, task);
            instants++;
            flowSteps++;
        }
    }

    private void regionBegin(Event e, long thread, long ts) throws IOException {
        long task = e.arg("task");
        String name = e.string("name");
        long flow = 0;
        OpenTask o = task == 0 ? null : openTasks.get(task);
        if (o != null && o.thread() != thread) {
            flow = task;
            if (!o.crossed()) {
                openTasks.put(task, new OpenTask(o.thread(), true));
            }
            flowSteps++;
        }
        task(task);
        trackEvent(ts, threadTrack(thread, ts), TYPE_SLICE_BEGIN, name == null ? "region" : name, "region", flow, 0);
        openRegions.computeIfAbsent(thread, k -> new ArrayDeque<>()).push(new OpenRegion(task, name));
        regionSlices++;
    }

    private void regionEnd(Event e, long thread, long ts) throws IOException {
        long task = e.arg("task");
        String name = e.string("name");
        ArrayDeque<OpenRegion> stack = openRegions.get(thread);
        if (stack != null) {
            for (Iterator<OpenRegion> it = stack.iterator(); it.hasNext();) {
                OpenRegion o = it.next();
                if (o.task() == task && java.util.Objects.equals(o.name(), name)) {
                    // regions opened above the one that ends were never closed: they end with it
                    long track = threadTrack(thread, ts);
                    OpenRegion top;
                    do {
                        top = stack.pop();
                        trackEvent(ts, track, TYPE_SLICE_END, null, null, 0, 0);
                    } while (top != o);
                    if (stack.isEmpty()) {
                        openRegions.remove(thread);
                    }
                    return;
                }
            }
        }
        regionEndsWithoutBegin++;
    }

    private void span(Span s) throws IOException {
        long[] ends = laneEnds.computeIfAbsent(s.family(), k -> {
            long[] l = new long[MAX_LANES + 1];
            java.util.Arrays.fill(l, 0, MAX_LANES, Long.MIN_VALUE);
            return l;
        });
        ends[MAX_LANES] = generationIndex;
        int lane = 0;
        while (lane < MAX_LANES - 1 && ends[lane] > s.start()) {
            lane++;
        }
        long end = s.start() + s.duration();
        ends[lane] = Math.max(ends[lane], end);
        long kind = s.family() & 0xF;
        Event e = s.event();
        long track;
        String name;
        String trackName = lane == 0 ? s.trackName() : s.trackName() + " (" + (lane + 1) + ")";
        if (kind == K_GC) {
            track = s.family() + ((long) lane << 4);
            describe(track, s.start(), d -> d.uint64(TD_PARENT_UUID, PROCESS_UUID).string(TD_NAME, trackName));
            String n = e.string("name");
            name = n == null ? e.type().name() : n;
            annotation("gc", e.arg("gc"));
            if (e.has("cause")) {
                annotation("cause", e.string("cause"));
            }
        } else {
            long thread = threadOf(e);
            track = childTrack(thread, (int) kind, lane, trackName, s.start());
            name = s.trackName();
            if (e.has("blocker")) {
                annotation("blocker", e.string("blocker"));
            }
            if (e.has("monitorClass")) {
                annotation("monitor class", e.string("monitorClass"));
            }
            top(e.stack("stack"));
        }
        trackEvent(s.start(), track, TYPE_SLICE_BEGIN, name, kind == K_GC ? "gc" : "runtime", 0, 0);
        trackEvent(end, track, TYPE_SLICE_END, null, null, 0, 0);
        runtimeSlices++;
    }

    // ------------------------------------------------------------------------------------------ tracks

    static long uuid(long id, int lane, int kind) {
        if ((id >>> 55) != 0) {
            long h = id * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 32;
            return Long.MIN_VALUE | (h & ~0xFFL) | ((long) lane << 4) | kind;
        }
        return (id << 8) | ((long) lane << 4) | kind;
    }

    @FunctionalInterface
    private interface Fields {
        void write(ProtoBuilder descriptor);
    }

    /** Writes a TrackDescriptor for {@code uuid} unless this generation has one. */
    private void describe(long uuid, long ts, Fields fields) throws IOException {
        if (!described.add(uuid)) {
            return;
        }
        ProtoBuilder d = startPacket(ts, false).begin(P_TRACK_DESCRIPTOR).uint64(TD_UUID, uuid);
        fields.write(d);
        d.end();
        writePacket();
        tracks++;
    }

    private static String threadName(long id, String name, boolean virtual) {
        if (name == null || name.isEmpty()) {
            return (virtual ? "virtual thread " : "thread ") + id;
        }
        return virtual ? name + " (virtual)" : name;
    }

    private long threadTrack(long thread, long ts) throws IOException {
        long uuid = uuid(thread, 0, K_THREAD);
        if (!described.contains(uuid)) {
            ThreadInfo t = threadTable.get(thread);
            String name = t != null ? threadName(thread, t.name(), t.virtual()) : startedThreadNames.get(thread);
            describe(uuid, ts, d -> {
                d.uint64(TD_PARENT_UUID, PROCESS_UUID);
                ProtoBuilder th = d.begin(TD_THREAD).int64(THD_PID, PID).int64(THD_TID, thread);
                if (name != null) {
                    th.string(THD_THREAD_NAME, name);
                }
                th.end();
            });
        }
        return uuid;
    }

    /** A track beside the thread's (trace processor associates it with the thread). */
    private long childTrack(long thread, int kind, int lane, String name, long ts) throws IOException {
        long parent = threadTrack(thread, ts);
        long uuid = uuid(thread, lane, kind);
        describe(uuid, ts, d -> d.uint64(TD_PARENT_UUID, parent).string(TD_NAME, name));
        return uuid;
    }

    private void counter(String name, boolean bytes, long ts, long value) throws IOException {
        String n = name == null ? "counter" : name;
        // the application's counters and the runtime's byte counters never share a track, even by name
        String key = (bytes ? "B" : "C") + n;
        Long known = counterTracks.get(key);
        long uuid = known != null ? known : uuid(counterTracks.size(), 0, K_COUNTER);
        if (known == null) {
            counterTracks.put(key, uuid);
        }
        describe(uuid, ts, d -> {
            d.uint64(TD_PARENT_UUID, PROCESS_UUID).string(TD_NAME, n);
            ProtoBuilder c = d.begin(TD_COUNTER);
            if (bytes) {
                c.uint64(CD_UNIT, UNIT_SIZE_BYTES);
            }
            c.end();
        });
        ProtoBuilder p = startPacket(ts, false);
        p.begin(P_TRACK_EVENT).uint64(TE_TYPE, TYPE_COUNTER).uint64(TE_TRACK_UUID, uuid)
                .int64(TE_COUNTER_VALUE, value).end();
        writePacket();
        counterValues++;
    }

    // ------------------------------------------------------------------------------------------ events

    private void annotation(String key, String value) {
        if (value != null) {
            annKeys[annCount] = key;
            annStrings[annCount] = value;
            annCount++;
        }
    }

    private void annotation(String key, long value) {
        annKeys[annCount] = key;
        annStrings[annCount] = null;
        annNumbers[annCount] = value;
        annCount++;
    }

    private void task(long task) {
        if (task != 0) {
            annotation("task", task);
        }
    }

    private void top(StackTrace st) {
        if (st != null && st.top() != null) {
            annotation("frame", st.top().toString());
        }
    }

    private static long intern(Map<String, Long> table, List<String> fresh, String s) {
        Long iid = table.get(s);
        if (iid == null) {
            iid = (long) table.size() + 1;
            table.put(s, iid);
            fresh.add(s);
        }
        return iid;
    }

    /**
     * Writes one TrackEvent with the annotations collected since the last one. {@code name} and
     * {@code category} null for a SLICE_END; {@code flow} starts or continues a flow, {@code endFlow} ends
     * one (0 for none).
     */
    private void trackEvent(long ts, long track, int type, String name, String category, long flow, long endFlow)
            throws IOException {
        long nameIid = name == null ? 0 : intern(names, newNames, name);
        long categoryIid = category == null ? 0 : intern(categories, newCategories, category);
        long[] keyIids = new long[annCount];
        for (int i = 0; i < annCount; i++) {
            keyIids[i] = intern(annotationNames, newAnnotationNames, annKeys[i]);
        }
        boolean interned = nameIid != 0 || categoryIid != 0 || annCount > 0;
        ProtoBuilder te = startPacket(ts, interned).begin(P_TRACK_EVENT).uint64(TE_TYPE, type)
                .uint64(TE_TRACK_UUID, track);
        if (categoryIid != 0) {
            te.uint64(TE_CATEGORY_IIDS, categoryIid);
        }
        if (nameIid != 0) {
            te.uint64(TE_NAME_IID, nameIid);
        }
        if (flow != 0) {
            te.fixed64(TE_FLOW_IDS, flow);
        }
        if (endFlow != 0) {
            te.fixed64(TE_TERMINATING_FLOW_IDS, endFlow);
        }
        for (int i = 0; i < annCount; i++) {
            ProtoBuilder da = te.begin(TE_DEBUG_ANNOTATIONS).uint64(DA_NAME_IID, keyIids[i]);
            if (annStrings[i] != null) {
                da.string(DA_STRING_VALUE, annStrings[i]);
            } else {
                da.int64(DA_INT_VALUE, annNumbers[i]);
            }
            da.end();
        }
        annCount = 0;
        ProtoBuilder p = te.end();
        if (!newNames.isEmpty() || !newCategories.isEmpty() || !newAnnotationNames.isEmpty()) {
            ProtoBuilder id = p.begin(P_INTERNED_DATA);
            internedEntries(id, ID_EVENT_CATEGORIES, categories, newCategories);
            internedEntries(id, ID_EVENT_NAMES, names, newNames);
            internedEntries(id, ID_DEBUG_ANNOTATION_NAMES, annotationNames, newAnnotationNames);
            id.end();
        }
        writePacket();
    }

    private static void internedEntries(ProtoBuilder id, int field, Map<String, Long> table, List<String> fresh) {
        for (String s : fresh) {
            id.begin(field).uint64(INTERNED_IID, table.get(s)).string(INTERNED_NAME, s).end();
        }
        fresh.clear();
    }

    private ProtoBuilder startPacket(long ts, boolean needsState) {
        ProtoBuilder p = packet.reset();
        p.uint64(P_TIMESTAMP, ts).uint64(P_SEQUENCE_ID, SEQUENCE);
        int flags = (clearPending ? SEQ_INCREMENTAL_STATE_CLEARED : 0) | (needsState ? SEQ_NEEDS_INCREMENTAL_STATE : 0);
        clearPending = false;
        if (flags != 0) {
            p.uint64(P_SEQUENCE_FLAGS, flags);
        }
        return p;
    }

    private void writePacket() throws IOException {
        packet.writeAsField(file, TRACE_PACKET);
        packets++;
    }
}
