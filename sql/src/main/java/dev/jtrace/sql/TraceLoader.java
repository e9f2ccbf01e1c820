package dev.jtrace.sql;

import dev.jtrace.format.Format;
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
import dev.jtrace.model.TraceSummary;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LostData;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * One trace's pass into the tables: a {@link ModelListener} that appends a row for each conclusion of the
 * model (spans, blocking, wake-ups, states, GC, ...) through DuckDB's appenders. Nothing is decided here
 * that the model decides; the only joins made are of the model's own outputs (a state interval with the
 * blocking interval and wake-up of the same thread that it overlaps).
 *
 * <p>Memory: the appenders' buffers, the interned stacks and frames of the trace, per thread the depth
 * stack of open region ids, and per thread the blocking intervals and wake-ups its state sweep has not
 * passed yet (the model's lag, about a second).
 */
final class TraceLoader implements ModelListener {
    /** What an SQL failure inside a listener callback is wrapped in (callbacks cannot throw it). */
    static final class LoadFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LoadFailure(SQLException e) {
            super(e);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    /**
     * What a loss reason of the recorder counts, by its name: events, arguments replaced (degraded), or
     * back-pressure waits (nothing lost).
     */
    private static final Map<String, String> RECORDER_UNITS = new HashMap<>();

    static {
        for (int reason = 0; reason < 64; reason++) {
            String name = Format.lossReasonName(reason);
            if (!name.startsWith("reason")) {
                RECORDER_UNITS.put(name, Format.lossCountsEvents(reason) ? "events"
                        : reason == Format.LOSS_BACKPRESSURE_WAIT ? "waits" : "arguments");
            }
        }
    }

    private final DuckDBConnection conn;
    private final Path file;
    private final long fileBytes;
    TraceModel model;
    private String traceId;
    /** The recording process, from the first generation (format 2.3; null and 0 before). */
    private String host;
    private long pid;
    private String jvm;
    private long startWallNanos = Long.MIN_VALUE;
    private final Map<String, DuckDBAppender> appenders = new HashMap<>();
    private DuckDBAppender slice;
    private DuckDBAppender threadState;
    private DuckDBAppender blocking;
    private DuckDBAppender flow;
    private DuckDBAppender carrierRun;
    private DuckDBAppender counter;
    private DuckDBAppender log;
    private DuckDBAppender instant;
    private DuckDBAppender gc;
    private DuckDBAppender alloc;
    private DuckDBAppender cpuSample;
    private DuckDBAppender args;
    private DuckDBAppender stackFrame;
    private DuckDBAppender stack;

    private final Map<List<StackTrace.Frame>, Long> stacks = new HashMap<>();
    private final Map<StackTrace.Frame, Long> frames = new HashMap<>();
    /** Per thread, the ids of its open regions by depth (the model gives each region its depth). */
    private final Map<Long, long[]> regionIds = new HashMap<>();
    private long argSets;
    private long rows;
    private long lastApplicationBytes;
    private long lastBufferBytes;

    TraceLoader(DuckDBConnection conn, Path file, long fileBytes) {
        this.conn = conn;
        this.file = file;
        this.fileBytes = fileBytes;
    }

    String traceId() {
        return traceId;
    }

    /** The recording's host as its first generation gives it (format 2.3), or null. */
    String host() {
        return host;
    }

    long rows() {
        return rows;
    }

    /**
     * The id of a trace: stable for a recording, so that loading or exporting the same file again gives the
     * same id (and replaces its rows or its partition). What identifies the recording is its first
     * generation: number, wall clock and monotonic clock at its start (files before format 2.3 record neither
     * host nor pid, and the id must not change with the format).
     */
    static String traceId(long generation, long startWallNanos, long startTicks) {
        return hash(generation + ":" + startWallNanos + ":" + startTicks);
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            // "t" and 11 hex digits (44 bits): DuckDB stores strings of up to 12 bytes inline, and every row
            // carries it; the letter keeps it a string where engines infer Hive partition types (Spark, and
            // DuckDB's hive_types_autocast, would read an all-digit id as a number and drop leading zeros)
            return "t" + HexFormat.of().formatHex(d, 0, 6).substring(0, 11);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void start(String id) {
        traceId = id;
        try (Statement st = conn.createStatement()) {
            // loading a trace again replaces it, as re-exporting it replaces its partition
            for (String t : Schema.TABLES.keySet()) {
                st.execute("DELETE FROM " + t + " WHERE trace_id = '" + id + "'");
            }
            for (String t : Schema.TABLES.keySet()) {
                appenders.put(t, conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, t));
            }
        } catch (SQLException e) {
            throw new LoadFailure(e);
        }
        slice = appenders.get("slice");
        threadState = appenders.get("thread_state");
        blocking = appenders.get("blocking");
        flow = appenders.get("flow");
        carrierRun = appenders.get("carrier_run");
        counter = appenders.get("counter");
        log = appenders.get("log");
        instant = appenders.get("instant");
        gc = appenders.get("gc");
        alloc = appenders.get("alloc");
        cpuSample = appenders.get("cpu_sample");
        args = appenders.get("args");
        stackFrame = appenders.get("stack_frame");
        stack = appenders.get("stack");
    }

    private DuckDBAppender row(DuckDBAppender a) throws SQLException {
        rows++;
        return a.beginRow().append(traceId);
    }

    private static DuckDBAppender str(DuckDBAppender a, String s) throws SQLException {
        return s == null ? a.appendNull() : a.append(s);
    }

    /** A thread column: 0 (about no thread) is NULL. */
    private static DuckDBAppender utid(DuckDBAppender a, long thread) throws SQLException {
        return thread == 0 ? a.appendNull() : a.append(thread);
    }

    private static DuckDBAppender opt(DuckDBAppender a, long v, boolean present) throws SQLException {
        return present ? a.append(v) : a.appendNull();
    }

    /** The id of {@code st} in the stack table (appending it and its new frames), or -1 for none. */
    private long stackId(StackTrace st) throws SQLException {
        if (st == null || st.frames().isEmpty()) {
            return -1;
        }
        Long known = stacks.get(st.frames());
        if (known != null) {
            return known;
        }
        long id = stacks.size() + 1;
        stacks.put(st.frames(), id);
        int depth = 0;
        for (StackTrace.Frame f : st.frames()) {
            Long fid = frames.get(f);
            if (fid == null) {
                fid = (long) frames.size() + 1;
                frames.put(f, fid);
                row(stackFrame).append(fid).append(f.toString());
                str(stackFrame, f.className());
                str(stackFrame, f.methodName());
                str(stackFrame, f.fileName());
                opt(stackFrame, (long) f.line(), f.line() >= 0).endRow();
            }
            row(stack).append(id).append((long) depth++).append(fid).endRow();
        }
        return id;
    }

    private DuckDBAppender stackColumn(DuckDBAppender a, StackTrace st) throws SQLException {
        long id = stackId(st);
        return opt(a, id, id > 0);
    }

    // ------------------------------------------------------------------------------------------ callbacks

    @Override
    public void generationBegin(Generation g) {
        if (traceId == null) {
            startWallNanos = g.startWallNanos();
            host = g.host();
            pid = g.pid();
            jvm = g.jvm();
            start(traceId(g.number(), g.startWallNanos(), g.startTicks()));
        }
    }

    @Override
    public void event(Event e, EventKind kind, long thread, long time) {
        try {
            switch (kind) {
                case LOG -> {
                    row(log).append(time);
                    utid(log, thread);
                    str(log, e.string("category"));
                    str(log, e.string("message"));
                    long task = e.arg("task");
                    opt(log, task, task != 0);
                    stackColumn(log, e.stack("stack")).endRow();
                }
                case COUNTER -> {
                    row(counter).append(time);
                    String n = e.string("name");
                    counter.append(n == null ? "counter" : n).append(e.arg("value")).appendNull().endRow();
                }
                case CPU_SAMPLE -> {
                    row(cpuSample).append(time);
                    utid(cpuSample, thread);
                    stackColumn(cpuSample, e.has("stack") ? e.stack("stack") : null).endRow();
                }
                case ALLOC_SAMPLE -> {
                    row(alloc).append(time);
                    utid(alloc, thread).append("sample");
                    str(alloc, e.has("class") ? e.string("class") : null);
                    opt(alloc, e.has("weight") ? e.arg("weight") : 0, e.has("weight")).appendNull();
                    stackColumn(alloc, e.has("stack") ? e.stack("stack") : null).endRow();
                }
                case ALLOC -> {
                    row(alloc).append(time);
                    utid(alloc, thread).append("alloc");
                    str(alloc, e.has("type") ? e.string("type") : null).append(e.arg("size")).append(e.arg("id"));
                    stackColumn(alloc, e.has("stack") ? e.stack("stack") : null).endRow();
                }
                case FREE -> {
                    row(alloc).append(time);
                    utid(alloc, thread).append("free").appendNull().appendNull().append(e.arg("id")).appendNull()
                            .endRow();
                }
                case THREAD_START, THREAD_END -> instant(time, thread, e.type().name(), "runtime");
                case YIELD -> instant(time, thread, "Yield", "sched");
                case OTHER -> instant(time, thread, e.type().name(), e.type().experimental() ? "experimental" : "other");
                default -> {
                    // spans, blocking, wake-ups, GC and heap come from the model's callbacks
                }
            }
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    private void instant(long time, long thread, String name, String category) throws SQLException {
        row(instant).append(time);
        utid(instant, thread);
        str(instant, name).append(category).endRow();
    }

    @Override
    public void spanBegin(Span s) {
        if (s.kind() != Span.Kind.REGION) {
            return;
        }
        long[] ids = regionIds.get(s.thread());
        if (ids == null || ids.length <= s.depth()) {
            long[] grown = new long[Math.max(8, s.depth() * 2 + 1)];
            if (ids != null) {
                System.arraycopy(ids, 0, grown, 0, ids.length);
            }
            ids = grown;
            regionIds.put(s.thread(), ids);
        }
        ids[s.depth()] = s.serial();
        Span task = s.task() == 0 ? null : model.spans().openTask(s.task());
        if (task != null && task.thread() != s.thread()) {
            try {
                row(flow).append("task_region").append(task.serial()).append(s.serial()).append(task.thread())
                        .append(s.thread()).append(task.start()).append(s.start()).appendNull().appendNull()
                        .appendNull().endRow();
            } catch (SQLException x) {
                throw new LoadFailure(x);
            }
        }
    }

    @Override
    public void spanEnd(Span s) {
        try {
            boolean region = s.kind() == Span.Kind.REGION;
            long parent = 0;
            if (region && s.depth() > 0) {
                long[] ids = regionIds.get(s.thread());
                parent = ids != null && ids.length >= s.depth() ? ids[s.depth() - 1] : 0;
            } else if (!region && s.parent() != 0) {
                Span p = model.spans().openTask(s.parent());
                parent = p == null ? 0 : p.serial();
            }
            if (region && s.depth() == 0) {
                // the thread's outermost region ended: nothing is open on it (a million threads would keep
                // a million arrays otherwise)
                regionIds.remove(s.thread());
            }
            long argSet = 0;
            if (region && s.task() != 0 || !region && s.parent() != 0) {
                argSet = ++argSets;
                String key = region ? "task" : "parent_task";
                row(args).append(argSet).append(key).append(key).append(region ? s.task() : s.parent()).appendNull()
                        .append("int").endRow();
            }
            row(slice).append(s.serial()).append(s.start()).append(s.duration()).append(s.name())
                    .append(region ? "region" : "task").append(region ? (long) s.depth() : 0L);
            opt(slice, parent, parent != 0).append(s.thread()).append(s.endThread());
            opt(slice, s.task(), s.task() != 0).append(region ? "thread:" + s.thread() : "task:" + s.task())
                    .append(s.beginMissing()).append(s.endMissing());
            stackColumn(slice, s.stack());
            opt(slice, argSet, argSet != 0).endRow();
            if (!region && !s.beginMissing() && s.endThread() != s.thread()) {
                row(flow).append("task_end").append(s.serial()).appendNull().append(s.thread()).append(s.endThread())
                        .append(s.start()).append(s.end()).appendNull().appendNull().appendNull().endRow();
            }
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void blocking(Blocking b) {
        try {
            row(blocking).append(b.start()).append(b.duration());
            utid(blocking, b.thread()).append(b.kindName()).append(b.sliceName()).append(b.state().label);
            str(blocking, b.detail()).append(b.callSiteName()).append(b.idle()).append(b.scheduler());
            stackColumn(blocking, b.stack()).endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void wakeup(Wakeup w) {
        try {
            row(flow).append(w.kind().label).appendNull().appendNull().append(w.waker()).append(w.wakee())
                    .append(w.wakeTime()).append(w.resumeTime()).append(w.latency()).append(w.permit());
            opt(flow, w.blockStart(), w.blockStart() != Long.MIN_VALUE).endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void carrierRun(CarrierRun r) {
        try {
            row(carrierRun).append(r.carrier()).append(r.thread()).append(r.start()).append(r.duration())
                    .append(r.endMissing()).endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void gcPause(GcPause p) {
        try {
            row(gc).append(p.gcId()).append("pause").append(p.start()).append(p.duration());
            str(gc, p.name());
            str(gc, p.cycleName()).appendNull().append(1L).append(p.duration()).endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void gcCycle(GcCycle c) {
        try {
            row(gc).append(c.gcId()).append("cycle").append(c.start()).append(c.duration());
            str(gc, c.name());
            str(gc, c.name());
            str(gc, c.cause()).append((long) c.pauses()).append(c.pauseNanos()).endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void heapSummary(long time, long used, long committed) {
        counter(time, "heap used", used);
        counter(time, "heap committed", committed);
    }

    @Override
    public void liveHeap(long time, long applicationBytes, long recorderBufferBytes) {
        // the model reports every alloc and free; a counter changes only when the value does
        if (applicationBytes != lastApplicationBytes) {
            counter(time, "heap in use (alloc/free)", applicationBytes);
            lastApplicationBytes = applicationBytes;
        }
        if (recorderBufferBytes != lastBufferBytes) {
            counter(time, "jtrace buffers (alloc/free)", recorderBufferBytes);
            lastBufferBytes = recorderBufferBytes;
        }
    }

    private void counter(long time, String name, long value) {
        try {
            row(counter).append(time).append(name).append(value).append("bytes").endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    @Override
    public void threadState(long thread, ThreadState s, long start, long end, Blocking b, Wakeup w) {
        // the model says which blocking and wake-up explain the state: a waiting state's blocker and call site,
        // a runnable wait's waker
        Wakeup waker = s == ThreadState.RUNNABLE ? w : null;
        try {
            row(threadState).append(thread).append(start).append(end - start).append(s.label);
            if (b != null) {
                str(threadState, b.detail()).append(b.callSiteName()).append(b.kindName());
            } else {
                threadState.appendNull().appendNull().appendNull();
            }
            if (waker != null) {
                threadState.append(waker.waker()).append(waker.kind().label);
            } else {
                threadState.appendNull().appendNull();
            }
            threadState.endRow();
        } catch (SQLException x) {
            throw new LoadFailure(x);
        }
    }

    // ------------------------------------------------------------------------------------------ end

    /** After the model completed: the trace, thread and loss rows; flushes and closes the appenders. */
    void finish(TraceSummary s, String jtraceVersion) throws SQLException {
        if (traceId == null) {
            // no generation: a file with nothing readable still gets its row, and its losses
            start("empty-" + hash(file.toAbsolutePath().toString()));
        }
        DuckDBAppender trace = appenders.get("trace");
        ReadReport r = s.report();
        row(trace).append(file.toString());
        str(trace, host);
        opt(trace, pid, pid != 0);
        str(trace, jvm);
        if (startWallNanos != Long.MIN_VALUE) {
            trace.appendEpochMicros(Math.floorDiv(startWallNanos, 1000)).append(startWallNanos);
        } else {
            trace.appendNull().appendNull();
        }
        trace.append(s.startNanos()).append(s.endNanos()).append(s.durationNanos()).append(s.clockDescription());
        str(trace, r == null ? null : r.version());
        str(trace, jtraceVersion).append(s.generations()).append(s.events()).append(fileBytes).append(s.threads())
                .append(s.regions()).append(s.tasks()).append(model.gc().totalPauseNanos()).append(s.lostEvents())
                .append(r != null && r.cutOff()).endRow();

        DuckDBAppender thread = appenders.get("thread");
        for (ModelThread t : model.threads()) {
            row(thread).append(t.id()).append(t.id()).append(t.label());
            str(thread, t.name()).append(t.virtual());
            opt(thread, t.carrier(), t.carrier() != 0).append(t.first()).append(t.last()).append(t.lifetime());
            for (ThreadState st : new ThreadState[] {ThreadState.RUNNING, ThreadState.RUNNABLE, ThreadState.PARKED,
                    ThreadState.BLOCKED, ThreadState.WAITING, ThreadState.SLEEPING, ThreadState.IO,
                    ThreadState.GC_PAUSE, ThreadState.UNKNOWN}) {
                thread.append(t.nanos(st));
            }
            thread.append(t.cpuSamples()).append(t.allocSamples()).endRow();
        }

        DuckDBAppender loss = appenders.get("loss");
        for (Map.Entry<String, Long> e : s.lossByReason().entrySet()) {
            loss(loss, "recorder", e.getKey(), e.getValue(), RECORDER_UNITS.getOrDefault(e.getKey(), "events"));
        }
        if (r != null) {
            for (LostData d : r.lost()) {
                row(loss).append("reader").append(d.reason());
                opt(loss, d.events(), d.events() >= 0).append("events").append(d.bytes());
                opt(loss, d.generation(), d.generation() >= 0).append(d.offset()).endRow();
            }
            if (r.lostTailReason() != null) {
                row(loss).append("reader").append("tail: " + r.lostTailReason()).append(r.lostTailEvents())
                        .append("events").append(r.lostTailBytes()).appendNull().append(r.lostTailOffset()).endRow();
            }
            loss(loss, "reader", "skippedGenerations", r.skippedGenerations(), "generations");
        }
        loss(loss, "model", "malformedEvents", s.malformedEvents(), "events");
        loss(loss, "model", "regionBeginMissing", s.regionBeginMissing(), "spans");
        loss(loss, "model", "regionEndMissing", s.regionEndMissing(), "spans");
        loss(loss, "model", "taskBeginMissing", s.taskBeginMissing(), "spans");
        loss(loss, "model", "taskEndMissing", s.taskEndMissing(), "spans");
        loss(loss, "model", "blockEndsWithoutBegin", s.blockEndsWithoutBegin(), "blocks");
        loss(loss, "model", "blocksWithoutEnd", s.blocksWithoutEnd(), "blocks");
        loss(loss, "model", "unmatchedUnmounts", s.unmatchedUnmounts(), "events");
        loss(loss, "model", "invalidTransitions", s.invalidTransitions(), "transitions");
        loss(loss, "model", "runtimeBeforeStart", s.runtimeBeforeStart(), "events");
        loss(loss, "model", "freeWithoutAlloc", s.freeWithoutAlloc(), "objects");
        loss(loss, "model", "allocWithoutFree", s.allocWithoutFree(), "objects");
        loss(loss, "model", "lateStateNanos", s.lateStateNanos(), "ns");
        close();
    }

    private void loss(DuckDBAppender loss, String source, String reason, long count, String unit) throws SQLException {
        if (count != 0) {
            row(loss).append(source).append(reason).append(count).append(unit).appendNull().appendNull().appendNull()
                    .endRow();
        }
    }

    /** Flushes and closes every appender (also after a failure: what was appended stays consistent). */
    void close() throws SQLException {
        SQLException first = null;
        for (DuckDBAppender a : appenders.values()) {
            try {
                a.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        appenders.clear();
        if (first != null) {
            throw first;
        }
    }
}
