package dev.jtrace.analysis;

import com.google.protobuf.CodedOutputStream;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.EventKind;
import dev.jtrace.model.GcCycle;
import dev.jtrace.model.GcPause;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.ModelThread;
import dev.jtrace.model.Span;
import dev.jtrace.model.ThreadState;
import dev.jtrace.model.TraceModel;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LongMap;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Writes a trace as a Perfetto trace: the {@code Trace} protobuf (a stream of {@code TracePacket}s)
 * using Perfetto's TrackEvent API, which ui.perfetto.dev and trace_processor read. What it draws comes from
 * the {@link TraceModel}, as in every other tool:
 *
 * <ul>
 *   <li>one process track for the recorded JVM and a thread track per thread the model knows, named as
 *       every export names it ({@link ModelThread#label()});
 *   <li>regions as slices (SLICE_BEGIN/SLICE_END) on their thread's track, paired by the model's span
 *       matcher; a region without begin on a track of its own beside the thread's; logs as instants, named
 *       by their category, with the message and task as debug annotations;
 *   <li>each task as a slice on a track of its own, nested under its parent task's track when the parent is
 *       open (the UI merges sibling tracks of the same name into one row); a flow arrow goes from the
 *       task's begin to each of its regions on other threads and ends at an instant "task end" on the
 *       thread that ended it, when that is another thread;
 *   <li>Park, MonitorBlocked, Sleep and VirtualThreadPinned as slices at their true time on a track per
 *       thread and kind beside the thread's track, with the call site, the innermost frame and the full
 *       stack as annotations; each thread's states from the model's state machine on a "states" track;
 *       GC pauses (at their own start) and GC cycles on two process-wide tracks; CPU and allocation samples
 *       as instants with their stacks on a per-thread samples track;
 *   <li>counter tracks for Counter events, for HeapSummary (heap used, committed) and for the live heap of
 *       the alloc/free experiment;
 *   <li>from the scheduler events: their blocks (Park, Wait, Sleep) as the runtime's blocking slices; each
 *       wake-up edge ({@link Wakeup}) as a flow arrow from an instant on the waker's track ("unpark",
 *       "notify", "notifyAll", "submit") to a slice on the wakee's "wake-ups" track (or, for a virtual
 *       thread's submit, its "waiting for a carrier" track) that spans the wait from wake-up to running and
 *       terminates the flow; each stretch a virtual thread ran on a carrier ({@link CarrierRun}) as a slice
 *       named after the virtual thread on the carrier's "virtual threads" track; Yield as an instant.
 * </ul>
 *
 * <p>Clock: timestamps are the trace's ticks (nanoseconds of the recording JVM's System.nanoTime()) as
 * they are, in Perfetto's default trace clock. One ClockSnapshot per generation pairs them with the wall
 * clock (REALTIME), so the UI can show the time of day.
 *
 * <p>Order: runtime events arrive late, so their packets stand after packets with later timestamps.
 * Trace processor sorts all packets of a file by timestamp (it only flushes early on the tracing
 * service's flush events, which this file has none of), and timestamps are absolute, never deltas, so the
 * order in the file does not matter. Slices on one track must nest: runtime slices are sorted per
 * generation and a slice that overlaps an earlier one of the same thread and kind goes to a second track
 * ("Park (2)").
 *
 * <p>Streaming: one generation of the trace is in memory. Interned names and track descriptors start over
 * with every generation (SEQ_INCREMENTAL_STATE_CLEARED); otherwise memory holds the model's state, counter
 * names and the runtime tracks of the last two generations, never all events.
 */
public final class PerfettoExporter implements ModelListener {
    /** What one export wrote. */
    public record Result(long packets, long tracks, long regionSlices, long taskSlices, long runtimeSlices,
            long instants, long counterValues, long flowSteps, long regionEndsWithoutBegin,
            long taskEndsWithoutBegin, long wakeFlows, long carrierSlices, ReadReport report) {}

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
    private static final int K_STATE = 11;
    private static final int K_NO_BEGIN = 12;
    private static final int K_WAKE = 13;
    private static final int K_CARRIER = 14;
    private static final int K_WAIT = 15;
    /** Blocking I/O: the last free kind (the four bits are all taken); its uuids are never 0 (a thread id). */
    private static final int K_IO = 0;
    /** Flow ids of wake-ups: apart from task ids (the flows of tasks), which are far below 2^62. */
    static final long WAKE_FLOW_BASE = 0xC000_0000_0000_0000L;
    private static final int MAX_LANES = 16;
    static final long PROCESS_UUID = uuid(0, 0, K_PROCESS);

    private final CodedOutputStream file;
    private final ProtoBuilder packet = new ProtoBuilder();
    private final String processName;
    private TraceModel model;
    private long packets;
    private long tracks;
    private long regionSlices;
    private long taskSlices;
    private long runtimeSlices;
    private long instants;
    private long counterValues;
    private long flowSteps;
    private long wakeFlows;
    private long carrierSlices;

    // incremental state of the current generation
    private boolean clearPending = true;
    private final Map<String, Long> names = new HashMap<>();
    private final Map<String, Long> categories = new HashMap<>();
    private final Map<String, Long> annotationNames = new HashMap<>();
    private final List<String> newNames = new ArrayList<>();
    private final List<String> newCategories = new ArrayList<>();
    private final List<String> newAnnotationNames = new ArrayList<>();
    /** Tracks described in the current incremental state (a primitive set: hundreds of thousands a generation). */
    private LongMap described = new LongMap();
    private long lastClockTicks = Long.MIN_VALUE;
    private long lastClockWall = Long.MIN_VALUE;
    private long generationStart;

    /** Open tasks whose flow has reached another thread (bounded by open tasks). */
    private final Set<Long> crossed = new HashSet<>();
    private final Map<String, Long> counterTracks = new HashMap<>();
    private long lastApplicationBytes;
    private long lastBufferBytes;
    /** Per runtime track family (lane 0's uuid): the end of the last slice on each lane, and when used. */
    private final Map<Long, long[]> laneEnds = new HashMap<>();
    private long generationIndex;
    /** Slices of the current generation waiting to be given lanes (they arrive out of order). */
    private final List<Pending> pending = new ArrayList<>();

    /** One TrackEvent's annotations, at most a few: keys and either a string or a number each. */
    private final String[] annKeys = new String[10];
    private final String[] annStrings = new String[10];
    private final long[] annNumbers = new long[10];
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
            TraceModel m = new TraceModel(x);
            x.model = m;
            try {
                m.readAll(r, progress);
                x.flushPending();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            cos.flush();
            var s = m.summary();
            return new Result(x.packets, x.tracks, x.regionSlices, x.taskSlices, x.runtimeSlices, x.instants,
                    x.counterValues, x.flowSteps, s.regionBeginMissing(), s.taskBeginMissing(), x.wakeFlows,
                    x.carrierSlices, r.report());
        }
    }

    // ------------------------------------------------------------------------------------------ generation

    /** A slice given a lane at the generation's end: runtime, GC, or a region without begin. */
    private record Pending(long family, String trackName, String name, String category, long start, long duration,
            Blocking blocking, GcPause pause, GcCycle cycle, Span span) {}

    @Override
    public void generationBegin(Generation g) {
        generationIndex++;
        clearPending = true;
        names.clear();
        categories.clear();
        annotationNames.clear();
        described = new LongMap();
        generationStart = g.startTicks();
        clockSnapshot(g);
        if (generationIndex == 1) {
            describe(PROCESS_UUID, g.startTicks(), d -> d.begin(TD_PROCESS).int64(PD_PID, PID)
                    .string(PD_PROCESS_NAME, processName).end());
        }
        for (long id : g.threads().keySet()) {
            if (model.threads().contains(id)) {
                threadTrack(id, g.startTicks());
            }
        }
    }

    @Override
    public void generationEnd(Generation g) {
        flushPending();
        // runtime tracks not used for two generations will not see an overlapping late event any more
        laneEnds.values().removeIf(l -> l[MAX_LANES] < generationIndex - 1);
    }

    private void flushPending() {
        pending.sort(Comparator.comparingLong(Pending::start));
        for (Pending s : pending) {
            slice(s);
        }
        pending.clear();
    }

    private void clockSnapshot(Generation g) {
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

    @Override
    public void thread(ModelThread t) {
        // a name learnt (or changed) now: describe the track again in this generation's state
        described.remove(uuid(t.id(), 0, K_THREAD), 0);
        threadTrack(t.id(), generationStart);
    }

    @Override
    public void event(Event e, EventKind kind, long thread, long ts) {
        switch (kind) {
            case LOG -> {
                String cat = e.string("category");
                annotation("message", e.string("message"));
                task(e.arg("task"));
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, cat == null ? "log" : cat, "log", 0, 0);
                instants++;
            }
            case COUNTER -> counter(e.string("name"), false, ts, e.arg("value"));
            case THREAD_START, THREAD_END -> {
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, e.type().name(), "runtime", 0, 0);
                instants++;
            }
            case CPU_SAMPLE, ALLOC_SAMPLE -> {
                stack(e.stack("stack"));
                if (kind == EventKind.ALLOC_SAMPLE) {
                    annotation("class", e.string("class"));
                    annotation("weight", e.arg("weight"));
                }
                long track = childTrack(thread, K_SAMPLES, 0, "samples", ts);
                trackEvent(ts, track, TYPE_INSTANT, e.type().name(), "sample", 0, 0);
                instants++;
            }
            case YIELD -> {
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, "Yield", "sched", 0, 0);
                instants++;
            }
            case OTHER -> {
                // a type this exporter does not know (a newer minor version): an instant with its name
                trackEvent(ts, threadTrack(thread, ts), TYPE_INSTANT, e.type().name(),
                        e.type().experimental() ? "experimental" : "other", 0, 0);
                instants++;
            }
            default -> {
                // spans, blocking, GC and heap come from the model's callbacks
            }
        }
    }

    @Override
    public void spanBegin(Span s) {
        if (s.kind() == Span.Kind.TASK) {
            taskBegin(s);
            return;
        }
        long flow = 0;
        Span task = s.task() == 0 ? null : model.spans().openTask(s.task());
        if (task != null && task.thread() != s.thread()) {
            flow = s.task();
            crossed.add(s.task());
            flowSteps++;
        }
        task(s.task());
        trackEvent(s.start(), threadTrack(s.thread(), s.start()), TYPE_SLICE_BEGIN, s.name(), "region", flow, 0);
        regionSlices++;
    }

    @Override
    public void spanEnd(Span s) {
        if (s.kind() == Span.Kind.TASK) {
            taskEnd(s);
        } else if (s.beginMissing()) {
            pending.add(new Pending(uuid(s.thread(), 0, K_NO_BEGIN), "regions without begin", s.name(), "region",
                    s.start(), s.duration(), null, null, null, s));
            regionSlices++;
        } else {
            trackEvent(s.end(), threadTrack(s.thread(), s.end()), TYPE_SLICE_END, null, null, 0, 0);
        }
    }

    private void taskBegin(Span s) {
        long task = s.task();
        long parent = s.parent();
        long track = uuid(task, 0, K_TASK);
        long parentTrack = parent != 0 && model.spans().openTask(parent) != null ? uuid(parent, 0, K_TASK)
                : PROCESS_UUID;
        describe(track, s.start(), d -> d.uint64(TD_PARENT_UUID, parentTrack).string(TD_NAME, s.name()));
        task(task);
        if (parent != 0) {
            annotation("parent", parent);
        }
        annotation("thread", s.thread());
        trackEvent(s.start(), track, TYPE_SLICE_BEGIN, s.name(), "task", task, 0);
        taskSlices++;
    }

    private void taskEnd(Span s) {
        long task = s.task();
        long track = uuid(task, 0, K_TASK);
        if (s.beginMissing()) {
            describe(track, s.start(), d -> d.uint64(TD_PARENT_UUID, PROCESS_UUID).string(TD_NAME, s.name()));
            task(task);
            annotation("begin missing", 1);
            trackEvent(s.start(), track, TYPE_SLICE_BEGIN, s.name(), "task", 0, 0);
            taskSlices++;
        } else {
            // the task's track may have been described in an earlier generation only
            describe(track, s.end(), d -> d.uint64(TD_PARENT_UUID, PROCESS_UUID).string(TD_NAME, s.name()));
        }
        annotation("thread", s.endThread());
        if (s.endMissing()) {
            annotation("end missing", 1);
        }
        trackEvent(s.end(), track, TYPE_SLICE_END, null, null, 0, 0);
        boolean wasCrossed = crossed.remove(task);
        if (!s.beginMissing() && (wasCrossed || s.endThread() != s.thread())) {
            task(task);
            trackEvent(s.end(), threadTrack(s.endThread(), s.end()), TYPE_INSTANT, "task end", "task", 0, task);
            instants++;
            flowSteps++;
        }
    }

    @Override
    public void wakeup(Wakeup w) {
        long flow = WAKE_FLOW_BASE | ++wakeFlows;
        annotation("wakee", w.wakee());
        trackEvent(w.wakeTime(), threadTrack(w.waker(), w.wakeTime()), TYPE_INSTANT, w.kind().label, "sched", flow, 0);
        instants++;
        boolean submit = w.kind() == Wakeup.Kind.SUBMIT;
        long from = w.resumeTime() - w.latency();
        long track = childTrack(w.wakee(), K_WAKE, submit ? 1 : 0, submit ? "waiting for a carrier" : "wake-ups", from);
        annotation("waker", w.waker());
        annotation("kind", w.kind().label);
        if (w.permit()) {
            annotation("permit", 1);
        }
        String waker = model.threads().contains(w.waker()) ? model.threads().label(w.waker()) : "thread #" + w.waker();
        trackEvent(from, track, TYPE_SLICE_BEGIN, (submit ? "submitted by " : "woken by ") + waker, "sched", 0, flow);
        trackEvent(w.resumeTime(), track, TYPE_SLICE_END, null, null, 0, 0);
        flowSteps += 2;
    }

    @Override
    public void carrierRun(CarrierRun r) {
        long track = childTrack(r.carrier(), K_CARRIER, 0, "virtual threads", r.start());
        annotation("virtual thread", r.thread());
        if (r.endMissing()) {
            annotation("end missing", 1);
        }
        trackEvent(r.start(), track, TYPE_SLICE_BEGIN, model.threads().label(r.thread()), "carrier", 0, 0);
        trackEvent(r.end(), track, TYPE_SLICE_END, null, null, 0, 0);
        carrierSlices++;
    }

    @Override
    public void blocking(Blocking b) {
        int kind = switch (b.kind()) {
            case PARK, PARK_BEGIN -> K_PARK;
            case MONITOR_BLOCKED -> K_MONITOR;
            case SLEEP, SLEEP_BEGIN -> K_SLEEP;
            case WAIT_BEGIN -> K_WAIT;
            case SOCKET_READ, SOCKET_WRITE, FILE_READ, FILE_WRITE -> K_IO;
            default -> K_PINNED;
        };
        String name = b.sliceName();
        pending.add(new Pending(uuid(b.thread(), 0, kind), name, name, "runtime", b.start(), b.duration(), b, null,
                null, null));
    }

    @Override
    public void gcPause(GcPause p) {
        pending.add(new Pending(uuid(0, 0, K_GC), "GC pauses", p.name(), "gc", p.start(), p.duration(), null, p,
                null, null));
    }

    @Override
    public void gcCycle(GcCycle c) {
        pending.add(new Pending(uuid(1, 0, K_GC), "GC cycles", c.name(), "gc.cycle", c.start(), c.duration(), null,
                null, c, null));
    }

    @Override
    public void heapSummary(long time, long used, long committed) {
        counter("heap used", true, time, used);
        counter("heap committed", true, time, committed);
    }

    @Override
    public void liveHeap(long time, long applicationBytes, long recorderBufferBytes) {
        if (applicationBytes != lastApplicationBytes) {
            counter("heap in use (alloc/free)", true, time, applicationBytes);
            lastApplicationBytes = applicationBytes;
        }
        if (recorderBufferBytes != lastBufferBytes) {
            counter("jtrace buffers (alloc/free)", true, time, recorderBufferBytes);
            lastBufferBytes = recorderBufferBytes;
        }
    }

    @Override
    public void threadState(long thread, ThreadState s, long start, long end) {
        if (s == ThreadState.UNKNOWN) {
            return;
        }
        long track = childTrack(thread, K_STATE, 0, "states", start);
        trackEvent(start, track, TYPE_SLICE_BEGIN, s.label, "state", 0, 0);
        trackEvent(end, track, TYPE_SLICE_END, null, null, 0, 0);
    }

    private void slice(Pending s) {
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
        long track;
        String trackName = lane == 0 ? s.trackName() : s.trackName() + " (" + (lane + 1) + ")";
        if (kind == K_GC) {
            track = s.family() + ((long) lane << 4);
            describe(track, s.start(), d -> d.uint64(TD_PARENT_UUID, PROCESS_UUID).string(TD_NAME, trackName));
            if (s.pause() != null) {
                annotation("gc", s.pause().gcId());
            } else {
                annotation("gc", s.cycle().gcId());
                annotation("pauses", s.cycle().pauses());
                annotation("pause ns", s.cycle().pauseNanos());
                annotation("cause", s.cycle().cause());
            }
        } else if (s.span() != null) {
            track = childTrack(s.span().thread(), (int) kind, lane, trackName, s.start());
            task(s.span().task());
            annotation("begin missing", 1);
        } else {
            Blocking b = s.blocking();
            track = childTrack(b.thread(), (int) kind, lane, trackName, s.start());
            if (b.detail() != null) {
                annotation(b.kind() == EventKind.PARK || b.kind() == EventKind.PARK_BEGIN ? "blocker" : "monitor class",
                        b.detail());
            }
            annotation("state", b.state().label);
            annotation("call site", b.callSiteName());
            if (b.idle()) {
                annotation("idle pool wait", 1);
            }
            stack(b.stack());
        }
        trackEvent(s.start(), track, TYPE_SLICE_BEGIN, s.name(), s.category(), 0, 0);
        trackEvent(end, track, TYPE_SLICE_END, null, null, 0, 0);
        if (s.span() == null) {
            runtimeSlices++;
        }
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
    private void describe(long uuid, long ts, Fields fields) {
        if (described.containsKey(uuid)) {
            return;
        }
        described.put(uuid, 1, 0);
        ProtoBuilder d = startPacket(ts, false).begin(P_TRACK_DESCRIPTOR).uint64(TD_UUID, uuid);
        fields.write(d);
        d.end();
        writePacket();
        tracks++;
    }

    private long threadTrack(long thread, long ts) {
        long uuid = uuid(thread, 0, K_THREAD);
        if (!described.containsKey(uuid)) {
            String name = model.threads().contains(thread) ? model.threads().label(thread) : null;
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
    private long childTrack(long thread, int kind, int lane, String name, long ts) {
        long parent = threadTrack(thread, ts);
        long uuid = uuid(thread, lane, kind);
        describe(uuid, ts, d -> d.uint64(TD_PARENT_UUID, parent).string(TD_NAME, name));
        return uuid;
    }

    private void counter(String name, boolean bytes, long ts, long value) {
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
        if (value != null && annCount < annKeys.length) {
            annKeys[annCount] = key;
            annStrings[annCount] = value;
            annCount++;
        }
    }

    private void annotation(String key, long value) {
        if (annCount == annKeys.length) {
            return;
        }
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

    /** The innermost frame and the whole stack (one frame a line) as annotations. */
    private void stack(StackTrace st) {
        if (st != null && st.top() != null) {
            annotation("frame", st.top().toString());
            StringBuilder all = new StringBuilder();
            for (StackTrace.Frame f : st.frames()) {
                if (all.length() > 0) {
                    all.append('\n');
                }
                all.append(f);
            }
            annotation("stack", all.toString());
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
            {
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

    private void writePacket() {
        try {
            packet.writeAsField(file, TRACE_PACKET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        packets++;
    }
}
