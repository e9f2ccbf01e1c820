package dev.jtrace.model;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.Format;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The execution model of a trace: what each event means, decided once, for every tool. Fed generation by
 * generation in file order ({@link #add}, then {@link #complete}), it pairs spans ({@link SpanMatcher}),
 * names threads ({@link Threads}), splits each thread's life into states ({@link StateMachine}), tells GC
 * cycles from their pauses ({@link GcModel}), tracks the live heap ({@link HeapModel}) and sums the trace
 * up ({@link TraceSummary}), handing its conclusions to a {@link ModelListener} as it goes.
 *
 * <p>Bounded memory: per thread a few columns, plus what is open (spans, GC cycles, live allocations) and
 * the state inputs of the last generation or two; no event is retained.
 */
public final class TraceModel {
    private final ModelListener out;
    private final boolean full;
    private final Threads threads;
    private final GcModel gc;
    private final HeapModel heap = new HeapModel();
    private final StateMachine states;
    private final SpanMatcher spans;
    private final Scheduler scheduler;
    /** Threads (rows) with scheduler blocks: their JFR Park and Sleep events are the same blocks again. */
    private final java.util.BitSet hooked = new java.util.BitSet();
    private long supersededBlocking;

    private long generations;
    private long events;
    private final long[] countByType = new long[256];
    private final String[] typeNames = new String[256];
    private final Map<String, Long> otherTypes = new TreeMap<>();
    private long startNanos = Long.MIN_VALUE;
    private long endNanos = Long.MIN_VALUE;
    private long skippedReentrant;
    private long lostEvents;
    private long degraded;
    private final Map<String, Long> lossByReason = new TreeMap<>();
    private long malformed;
    private double rawTicksPerSecond = Double.NaN;
    private long longestGeneration = -1;
    private ReadReport report;
    private TraceSummary summary;

    private Generation generation;
    private final Spec[] specs = new Spec[256];
    private final boolean[] created = new boolean[1];

    /** A model reporting to {@code listener} (may be null). */
    public TraceModel(ModelListener listener) {
        this(listener, true);
    }

    /**
     * A model that only counts: the same summary (spans, threads, loss, GC, heap) without thread identity
     * or states, in a few bytes a thread (for {@code jtrace stats} on traces of millions of threads).
     */
    public static TraceModel counting() {
        return new TraceModel(null, false);
    }

    /**
     * A counting model that still reports to {@code listener} everything but thread identity and states
     * ({@link ModelListener#thread} and {@link ModelListener#threadState} are not called): for tools that
     * need spans, blocking, GC or heap only (the pprof export).
     */
    public static TraceModel counting(ModelListener listener) {
        return new TraceModel(listener, false);
    }

    private TraceModel(ModelListener listener, boolean full) {
        this.full = full;
        this.threads = new Threads(full);
        ModelListener l = listener == null ? new ModelListener() {} : listener;
        this.out = l;
        this.gc = new GcModel(l);
        this.states = new StateMachine(threads, gc, l);
        this.scheduler = new Scheduler(new Scheduler.Host() {
            @Override
            public boolean isVirtual(long thread) {
                return threads.isVirtual(thread);
            }

            @Override
            public void state(long thread, long t, ThreadState s) {
                if (full) {
                    thread(thread);
                    if (states.lastTransition(thread) != s) {
                        states.transition(thread, t, s);
                    }
                }
            }

            @Override
            public void mounted(long thread, long carrier) {
                int row = thread(thread);
                boolean changed = threads.markVirtual(row);
                if (full) {
                    // a new carrier alone is no identity change: carrierRun reports every mount, and a virtual
                    // thread moving between carriers would re-describe its track at each one
                    threads.carrier(row, carrier);
                    if (changed) {
                        out.thread(threads.snapshot(row));
                    }
                }
            }

            @Override
            public void cause(Blocking b) {
                if (full) {
                    states.cause(b);
                }
            }

            @Override
            public void cause(Wakeup w) {
                if (full) {
                    states.cause(w);
                }
            }
        }, l);
        this.spans = new SpanMatcher(new SpanListener() {
            @Override
            public void spanBegin(Span s) {
                if (full && s.kind == Span.Kind.REGION) {
                    states.regionEnter(threads.row(s.beginThread), s.start);
                }
                l.spanBegin(s);
            }

            @Override
            public void spanEnd(Span s) {
                if (full && s.kind == Span.Kind.REGION && !s.beginMissing()) {
                    states.regionExit(threads.row(s.beginThread), s.end, !s.endMissing());
                }
                l.spanEnd(s);
            }
        });
    }

    /** Reads {@code file} completely through a model reporting to {@code listener}. */
    public static TraceModel read(Path file, ModelListener listener, LongConsumer progress) throws IOException {
        return new TraceModel(listener).readAll(file, progress);
    }

    /** Reads {@code file} completely into this model (new, nothing added yet) and completes it. */
    public TraceModel readAll(Path file, LongConsumer progress) throws IOException {
        try (TraceReader r = TraceReader.open(file)) {
            return readAll(r, progress);
        }
    }

    /**
     * Adds every remaining generation of {@code r} to this model and completes it; {@code progress} (may be
     * null) receives the bytes read so far. Holds one generation at a time.
     */
    public TraceModel readAll(TraceReader r, LongConsumer progress) throws IOException {
        Generation g;
        while ((g = r.nextGeneration()) != null) {
            add(g);
            g = null; // the reader builds the next generation while this one would still be held
            if (progress != null) {
                progress.accept(r.position());
            }
        }
        complete(r.report());
        return this;
    }

    /** What the model needs of one event type of the current generation's table. */
    private static final class Spec {
        EventKind kind;
        int thread = -1;
        int time = -1;
        int task;
        int parent;
        int name;
        int stack;
        int duration;
        int detail;
        int gc;
        int cause;
        int a;
        int b;
        int virtual;
    }

    private Spec spec(EventSpec t) {
        int id = t.id();
        Spec s = id >= 0 && id < specs.length ? specs[id] : null;
        if (s != null) {
            return s;
        }
        s = new Spec();
        s.kind = EventKind.of(t);
        int th = t.indexOf("thread");
        s.thread = th >= 0 && t.args().get(th).kind() == ArgKind.THREAD ? th : -1;
        for (int i = 0; i < t.args().size(); i++) {
            if (t.args().get(i).kind() == ArgKind.TIME) {
                s.time = i;
                break;
            }
        }
        boolean ok = switch (s.kind) {
            case TASK_BEGIN -> (s.task = t.indexOf("task")) >= 0 & (s.parent = t.indexOf("parent")) >= 0
                    & (s.name = t.indexOf("name")) >= 0 & (s.stack = t.indexOf("stack")) >= -1;
            case TASK_END -> (s.task = t.indexOf("task")) >= 0;
            case REGION_BEGIN -> (s.task = t.indexOf("task")) >= 0 & (s.name = t.indexOf("name")) >= 0
                    & (s.stack = t.indexOf("stack")) >= -1;
            case REGION_END -> (s.task = t.indexOf("task")) >= 0 & (s.name = t.indexOf("name")) >= 0;
            case THREAD_START -> s.thread >= 0 & (s.name = t.indexOf("name")) >= 0
                    & (s.virtual = t.indexOf("virtual")) >= -1;
            case THREAD_END -> s.thread >= 0;
            case PARK, MONITOR_BLOCKED, SLEEP, VIRTUAL_THREAD_PINNED -> s.thread >= 0 & s.time >= 0
                    & (s.duration = t.indexOf("duration")) >= 0 & (s.stack = t.indexOf("stack")) >= -1
                    & (s.detail = t.indexOf(s.kind == EventKind.PARK ? "blocker" : "monitorClass")) >= -1;
            case SOCKET_READ, SOCKET_WRITE, FILE_READ, FILE_WRITE -> s.thread >= 0 & s.time >= 0
                    & (s.duration = t.indexOf("duration")) >= 0 & (s.stack = t.indexOf("stack")) >= -1
                    & (s.detail = t.indexOf(s.kind == EventKind.SOCKET_READ || s.kind == EventKind.SOCKET_WRITE
                            ? "endpoint" : "path")) >= -1;
            case GC_PAUSE, GC_PHASE -> (s.gc = t.indexOf("gc")) >= 0 & s.time >= 0
                    & (s.duration = t.indexOf("duration")) >= 0 & (s.name = t.indexOf("name")) >= -1
                    & (s.cause = t.indexOf("cause")) >= -1;
            case HEAP_SUMMARY -> (s.a = t.indexOf("used")) >= 0 & (s.b = t.indexOf("committed")) >= 0;
            case ALLOC -> (s.a = t.indexOf("id")) >= 0 & (s.b = t.indexOf("size")) >= 0
                    & (s.name = t.indexOf("type")) >= -1;
            case FREE -> (s.a = t.indexOf("id")) >= 0;
            case ALLOC_SAMPLE, CPU_SAMPLE -> s.thread >= 0;
            case PARK_BEGIN -> (s.detail = t.indexOf("blocker")) >= -1;
            case WAIT_BEGIN -> (s.detail = t.indexOf("monitorClass")) >= -1 & (s.a = t.indexOf("monitor")) >= 0;
            case BLOCK_END -> (s.stack = t.indexOf("stack")) >= -1;
            case UNPARK -> (s.a = threadArg(t, "target")) >= 0;
            case NOTIFY -> (s.a = t.indexOf("monitor")) >= 0 & (s.b = t.indexOf("all")) >= -1;
            case VIRTUAL_THREAD_MOUNT, VIRTUAL_THREAD_UNMOUNT, VIRTUAL_THREAD_SUBMIT -> (s.a = threadArg(t, "thread")) >= 0;
            default -> true;
        };
        if (s.kind.isScheduler()) {
            // written by the thread they are about: a "thread" argument names the other side (the virtual thread)
            s.thread = -1;
        }
        if (!ok) {
            s.kind = EventKind.OTHER;
            s.time = -2; // marks the type malformed
        }
        if (id >= 0 && id < specs.length) {
            specs[id] = s;
            typeNames[id] = t.name();
        }
        return s;
    }

    private static int threadArg(EventSpec t, String name) {
        int i = t.indexOf(name);
        return i >= 0 && t.args().get(i).kind() == ArgKind.THREAD ? i : -1;
    }

    /** Adds the next generation of the trace. */
    public void add(Generation g) {
        generation = g;
        java.util.Arrays.fill(specs, null);
        if (generations++ == 0) {
            startNanos = g.startTicks();
            if (!resumed) {
                recordingSince = startNanos;
            }
            spans.traceStart(startNanos);
            states.traceStart(startNanos);
        }
        endNanos = Math.max(endNanos, g.endTicks());
        long length = g.endTicks() - g.startTicks();
        if (length > longestGeneration && !Double.isNaN(g.rawTicksPerSecond())) {
            longestGeneration = length;
            rawTicksPerSecond = g.rawTicksPerSecond();
        }
        out.generationBegin(g);
        for (ThreadInfo t : g.threads().values()) {
            int row = threads.row(t.id());
            if (row >= 0) {
                boolean changed = threads.name(row, t.name());
                if (t.virtual()) {
                    changed |= threads.markVirtual(row);
                }
                if (changed && full) {
                    out.thread(threads.snapshot(row));
                }
            }
        }
        for (Event e : g.events()) {
            event(e);
        }
        for (LossRecord l : g.losses()) {
            lossByReason.merge(l.reasonName(), l.count(), Long::sum);
            if (l.reason() == Format.LOSS_SKIPPED_REENTRANT) {
                skippedReentrant += l.count();
            } else if (Format.lossCountsEvents(l.reason())) {
                lostEvents += l.count();
            } else {
                degraded += l.count();
            }
        }
        gc.generationEnd(generations, false);
        scheduler.generationEnd();
        if (full) {
            states.advance(g.startTicks() - lagNanos());
        }
        out.generationEnd(g);
        generation = null;
    }

    private int thread(long id) {
        int row = threads.rowOf(id, created);
        if (created[0]) {
            ThreadInfo t = generation == null ? null : generation.threads().get(id);
            if (t != null) {
                threads.name(row, t.name());
                if (t.virtual()) {
                    threads.markVirtual(row);
                }
            }
            if (full) {
                out.thread(threads.snapshot(row));
            }
        }
        return row;
    }

    /** The STRING argument at index {@code i} (-1: the type has none), resolved; null for none. */
    private static String str(Event e, int i) {
        return i < 0 ? null : e.string(e.type().args().get(i).name());
    }

    private static StackTrace stackOf(Event e, int i) {
        return i < 0 ? null : e.stack(e.type().args().get(i).name());
    }

    private void event(Event e) {
        events++;
        EventSpec type = e.type();
        Spec s = spec(type);
        int id = type.id();
        if (id >= 0 && id < countByType.length) {
            countByType[id]++;
        } else {
            otherTypes.merge(type.name(), 1L, Long::sum);
        }
        if (s.time == -2) {
            malformed++;
        }
        EventKind kind = s.kind;
        long t = s.time >= 0 ? e.arg(s.time) : e.ticks();
        if (generations == 1 && !resumed && e.ticks() < recordingSince) {
            recordingSince = e.ticks(); // events come in time order: the first generation's first one
        }
        if (s.time >= 0 && t < recordingSince && kind != EventKind.THREAD_START && kind != EventKind.THREAD_END
                && kind != EventKind.OTHER && (!kind.isBlocking() || t + Math.max(0, e.arg(s.duration)) <= startNanos)) {
            // A runtime event about a time before the trace's first generation (JFR delivers a second or more
            // late): before its GEN_BEGIN and before its first event (GEN_BEGIN's clock stamp may be read a
            // few milliseconds after the first events were written). Only some of that time's events are in the trace: those that arrived after the first
            // generation began (a flight window's oldest generation lost the earlier arrivals with the
            // generation before it). So the trace starts cleanly at its first generation: they are left out,
            // and counted. A span that reaches into the trace is cut at its start instead (below).
            runtimeBeforeStart++;
            return;
        }
        long thread = kind.isProcessWide() ? 0 : s.thread >= 0 ? e.arg(s.thread) : e.threadId();
        int row = -1;
        if (thread != 0 || !kind.isProcessWide()) {
            row = thread(thread);
            if (kind == EventKind.THREAD_START) {
                boolean changed = threads.name(row, str(e, s.name));
                if (s.virtual >= 0 && e.arg(s.virtual) != 0) {
                    changed |= threads.markVirtual(row);
                }
                if (changed && full) {
                    out.thread(threads.snapshot(row));
                }
            }
        }
        out.event(e, kind, thread, t);
        switch (kind) {
            case TASK_BEGIN -> {
                instant(row, t);
                spans.taskBegin(thread, e.arg(s.task), e.arg(s.parent), str(e, s.name), stackOf(e, s.stack), t);
            }
            case TASK_END -> {
                instant(row, t);
                spans.taskEnd(thread, e.arg(s.task), t);
            }
            case REGION_BEGIN -> spans.regionBegin(thread, e.arg(s.task), str(e, s.name), stackOf(e, s.stack), t);
            case REGION_END -> {
                instant(row, t);
                spans.regionEnd(thread, e.arg(s.task), str(e, s.name), t);
            }
            case PARK, MONITOR_BLOCKED, SLEEP, VIRTUAL_THREAD_PINNED, SOCKET_READ, SOCKET_WRITE, FILE_READ,
                    FILE_WRITE -> {
                if ((kind == EventKind.PARK || kind == EventKind.SLEEP) && hooked.get(row)) {
                    // the scheduler events of this thread already gave this block (the agent turns these off
                    // with its hooks on; a trace that has both must not count it twice)
                    supersededBlocking++;
                    break;
                }
                long d = Math.max(0, e.arg(s.duration));
                if (t < recordingSince) {
                    d -= recordingSince - t; // reaches into the trace from before it: its part inside
                    t = recordingSince;
                }
                StackTrace st = stackOf(e, s.stack);
                ThreadState state = switch (kind) {
                    case PARK -> Stacks.parkState(st);
                    case MONITOR_BLOCKED -> ThreadState.BLOCKED;
                    case SLEEP -> ThreadState.SLEEPING;
                    case SOCKET_READ, SOCKET_WRITE, FILE_READ, FILE_WRITE -> ThreadState.IO;
                    default -> ThreadState.PARKED;
                };
                if (full) {
                    late(e, t + d);
                    states.interval(row, state, t, t + d);
                }
                Blocking b = new Blocking(kind, state, thread, t, d, st, str(e, s.detail), Stacks.isIdlePoolWait(st),
                        Stacks.callSite(st));
                if (full) {
                    states.cause(b);
                }
                out.blocking(b);
            }
            case GC_PHASE -> gc.phase(e.arg(s.gc), t, Math.max(0, e.arg(s.duration)), str(e, s.name), generations);
            case GC_PAUSE -> gc.cycle(e.arg(s.gc), t, Math.max(0, e.arg(s.duration)), str(e, s.name), str(e, s.cause),
                    generations);
            case HEAP_SUMMARY -> {
                heap.summary(e.arg(s.a), e.arg(s.b));
                out.heapSummary(t, e.arg(s.a), e.arg(s.b));
            }
            case ALLOC -> {
                instant(row, t);
                heap.alloc(e.arg(s.a), str(e, s.name), e.arg(s.b));
                out.liveHeap(t, heap.liveBytes(), heap.liveBufferBytes());
            }
            case FREE -> {
                instant(row, t);
                if (heap.free(e.arg(s.a))) {
                    out.liveHeap(t, heap.liveBytes(), heap.liveBufferBytes());
                }
            }
            case CPU_SAMPLE -> {
                instant(row, t);
                threads.cpuSample(row);
            }
            case ALLOC_SAMPLE -> {
                instant(row, t);
                threads.allocSample(row);
            }
            case PARK_BEGIN, WAIT_BEGIN, SLEEP_BEGIN -> {
                instant(row, t);
                hooked.set(row);
                scheduler.blockBegin(kind, thread, t, str(e, s.detail), kind == EventKind.WAIT_BEGIN ? e.arg(s.a) : 0);
            }
            case BLOCK_END -> {
                instant(row, t);
                scheduler.blockEnd(thread, t, stackOf(e, s.stack));
            }
            case UNPARK -> {
                instant(row, t);
                long target = e.arg(s.a);
                if (target != 0) {
                    thread(target);
                    scheduler.unpark(thread, t, target);
                }
            }
            case NOTIFY -> {
                instant(row, t);
                scheduler.notify(thread, t, e.arg(s.a), s.b >= 0 && e.arg(s.b) != 0);
            }
            case VIRTUAL_THREAD_MOUNT, VIRTUAL_THREAD_UNMOUNT, VIRTUAL_THREAD_SUBMIT -> {
                instant(row, t);
                long vt = e.arg(s.a);
                if (vt != 0) {
                    thread(vt);
                    instant(threads.row(vt), t);
                    switch (kind) {
                        case VIRTUAL_THREAD_MOUNT -> scheduler.mount(thread, t, vt);
                        case VIRTUAL_THREAD_UNMOUNT -> scheduler.unmount(thread, t, vt);
                        default -> scheduler.submit(thread, t, vt);
                    }
                }
            }
            default -> {
                if (row >= 0) {
                    instant(row, t);
                }
            }
        }
    }

    /** The latest a runtime event came after the end of what it reports (emission time minus true end). */
    private long maxLateness;
    /** Runtime events about a time before the first generation, left out (see {@link #event}). */
    private long runtimeBeforeStart;
    /** The earlier of the first GEN_BEGIN and the first event written: from then on the trace is complete. */
    private long recordingSince = Long.MIN_VALUE;
    /** Set by {@link #resumeAt}: this model reads a later part of a trace, whose start is known. */
    private boolean resumed;

    /**
     * The time from which the trace holds every runtime event (the earlier of its first GEN_BEGIN and its
     * first event): runtime events about earlier times are left out ({@link TraceSummary#runtimeBeforeStart}).
     */
    public long recordingSince() {
        return recordingSince;
    }

    /**
     * For a model that reads a trace from a later generation on (a viewer decoding one generation): the
     * whole trace's {@link #recordingSince}, so that this model does not take its own first generation for
     * the trace's start and leave out that generation's late runtime events.
     */
    public void resumeAt(long recordingSince) {
        this.recordingSince = recordingSince;
        this.resumed = true;
    }

    /** Least and most the state sweep lags behind the generation just read (see StateMachine). */
    static final long MIN_LAG_NANOS = 1_000_000_000L;
    static final long MAX_LAG_NANOS = 10_000_000_000L;

    /**
     * How far behind the start of the generation just read the thread states are swept: twice the worst
     * lateness of a runtime event seen so far, at least 1 s (JFR's stream delivers about once a second), at
     * most 10 s (memory holds the inputs of that stretch).
     */
    private long lagNanos() {
        return Math.max(MIN_LAG_NANOS, Math.min(MAX_LAG_NANOS, 2 * maxLateness));
    }

    private void late(Event e, long trueEnd) {
        long l = e.ticks() - trueEnd;
        if (l > maxLateness) {
            maxLateness = l;
        }
    }

    private void instant(int row, long t) {
        if (full) {
            states.instant(row, t);
        }
    }

    /** Ends the trace: closes what is open, sweeps every thread to its end; {@code report} is the reader's. */
    public TraceModel complete(ReadReport report) {
        this.report = report;
        if (startNanos == Long.MIN_VALUE) {
            startNanos = 0;
            endNanos = 0;
        }
        spans.finish(endNanos);
        scheduler.finish(endNanos);
        gc.generationEnd(generations, true);
        if (full) {
            states.finish();
        }
        Map<String, Long> byType = new TreeMap<>(otherTypes);
        for (int i = 0; i < countByType.length; i++) {
            if (countByType[i] > 0) {
                byType.merge(typeNames[i] == null ? "type" + i : typeNames[i], countByType[i], Long::sum);
            }
        }
        summary = new TraceSummary(generations, events, byType, startNanos, endNanos, threads.size(),
                threads.platformCount(), threads.virtualCount(), spans.regions(), spans.tasks(),
                spans.regionBeginMissing(), spans.regionEndMissing(), spans.taskBeginMissing(),
                spans.taskEndMissing(), heap.allocWithoutFree(), heap.freeWithoutAlloc(), skippedReentrant,
                lostEvents, lossByReason, degraded, states.lateNanos(), states.invalidTransitions(), malformed,
                gc.pauses().size(), gc.cycles().size(), scheduler.wakeups(), scheduler.wakeupsByKind(),
                scheduler.carrierRuns(), scheduler.blockEndsWithoutBegin(), scheduler.unendedBlocks(),
                scheduler.unmatchedUnmounts(), supersededBlocking, runtimeBeforeStart, rawTicksPerSecond,
                report);
        return this;
    }

    /** The summary; only after {@link #complete}. */
    public TraceSummary summary() {
        if (summary == null) {
            throw new IllegalStateException("the trace is not complete yet: call complete() first");
        }
        return summary;
    }

    /** The trace's start so far (first GEN_BEGIN), or Long.MIN_VALUE before the first generation. */
    public long startNanos() {
        return startNanos;
    }

    /** The trace's end so far (last GEN_END). */
    public long endNanos() {
        return endNanos;
    }

    public Threads threads() {
        return threads;
    }

    public GcModel gc() {
        return gc;
    }

    public HeapModel heap() {
        return heap;
    }

    /** The transition API, for events that establish thread states (see {@link StateMachine}). */
    public StateMachine states() {
        if (!full) {
            throw new IllegalStateException("a counting model has no thread states");
        }
        return states;
    }

    /** Threads the scheduler events left something open for (bounded memory, for tests). */
    int schedulerOpenThreads() {
        return scheduler.openThreads();
    }

    public SpanMatcher spans() {
        return spans;
    }
}
