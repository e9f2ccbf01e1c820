package dev.jtrace.analysis;

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
import dev.jtrace.reader.TraceReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Writes a trace in the Chrome trace event format (JSON), which chrome://tracing, the Perfetto UI and
 * speedscope open, from the {@link TraceModel}:
 *
 * <ul>
 *   <li>process 1, the recorded JVM: a track per thread named after it ({@code thread_name} metadata for
 *       every thread the model knows, virtual ones marked); regions as B/E slices (B without arguments, so
 *       that speedscope shows one frame per region name; the task id is on the E); a region without begin
 *       as an async slice of its own; tasks as async b/e slices whose two halves share name, category and
 *       id, so that every importer closes them; logs as instants, counters; the runtime's blocking events
 *       (Park, MonitorBlocked, Sleep, VirtualThreadPinned) as complete slices at their true time; GC pauses
 *       at their own start on track 0, GC cycles as async slices; the heap (HeapSummary and the live heap of
 *       the alloc/free experiment) as counters;
 *   <li>a task that ends on another thread gets a flow arrow from a short "task begin" slice on the thread
 *       that began it to a "task end" slice on the thread that ended it: importers bind a flow to the slice
 *       that encloses it on its thread, so each flow event lies strictly inside its anchor;
 *   <li>process 2, thread states: each thread's states from the model's state machine, as complete slices
 *       that tile its lifetime (unknown stretches are left empty);
 *   <li>wake-ups from the scheduler events as flow arrows (category "wakeup") from a short anchor slice
 *       named after the wake-up's kind on the waker to a "woken by" anchor on the wakee when it resumes;
 *   <li>process 3, carriers: a track per carrier thread with a complete slice per stretch a virtual thread
 *       ran on it, named after the virtual thread (apart from the carrier's own slices, which need not nest
 *       with them).
 * </ul>
 *
 * <p>Streams: the model holds open spans and per-thread columns, never events.
 */
public final class ChromeExporter implements ModelListener {
    private static final int PID = 1;
    private static final int STATES_PID = 2;
    private static final int CARRIERS_PID = 3;
    /** Track of the GC's pauses (process-wide events). */
    private static final long GC_TID = 0;
    /** Anchor slices of flows last 2 ns; the flow event sits 1 ns into them. */
    private static final double ANCHOR_US = 0.002;
    private static final double INSIDE_US = 0.001;

    private final JsonWriter j;
    private long origin = Long.MIN_VALUE;
    private long written;
    private long wakeFlows;
    private TraceModel model;

    private ChromeExporter(JsonWriter j) {
        this.j = j;
    }

    /** Exports {@code in} to {@code out}; returns the number of trace events written. */
    public static long export(Path in, Path out, LongConsumer progress) throws IOException {
        try (TraceReader r = ExportFiles.openTrace(in);
                Writer w = new BufferedWriter(new OutputStreamWriter(ExportFiles.create(out), StandardCharsets.UTF_8),
                        1 << 16)) {
            JsonWriter j = new JsonWriter(w);
            j.beginObject().field("displayTimeUnit", "ns").name("traceEvents").beginArray();
            ChromeExporter x = new ChromeExporter(j);
            TraceModel m = new TraceModel(x);
            x.model = m;
            try {
                m.readAll(r, progress);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            j.endArray().endObject();
            j.flush();
            return x.written;
        }
    }

    private double us(long ticks) {
        return (ticks - origin) / 1000.0;
    }

    private JsonWriter begin(String ph, String name, String cat, int pid, long tid, double ts) {
        written++;
        return j.beginObject().field("ph", ph).field("name", name).field("cat", cat).field("pid", pid)
                .field("tid", tid).field("ts", ts);
    }

    private void meta(String what, int pid, long tid, String name) {
        written++;
        j.beginObject().field("ph", "M").field("name", what).field("pid", pid).field("tid", tid).name("args")
                .beginObject().field("name", name).endObject().endObject();
    }

    @Override
    public void generationBegin(Generation g) {
        if (origin == Long.MIN_VALUE) {
            origin = g.startTicks();
            meta("process_name", PID, 0, "JVM");
            meta("process_name", STATES_PID, 0, "thread states");
            meta("process_name", CARRIERS_PID, 0, "carriers");
            meta("thread_name", PID, GC_TID, "GC");
        }
    }

    @Override
    public void thread(ModelThread t) {
        meta("thread_name", PID, t.id(), t.label());
        meta("thread_name", STATES_PID, t.id(), t.label());
        if (carriers.contains(t.id())) {
            meta("thread_name", CARRIERS_PID, t.id(), t.label());
        }
    }

    /** Carriers named in process 3 so far (bounded by platform threads). */
    private final java.util.Set<Long> carriers = new java.util.HashSet<>();
    /** Wake-up flow ids start here: apart from the span serials of task flows. */
    private static final long WAKE_FLOW_BASE = 1L << 40;

    @Override
    public void wakeup(Wakeup w) {
        long id = WAKE_FLOW_BASE + ++wakeFlows;
        double from = us(w.wakeTime());
        double to = us(w.resumeTime());
        String name = w.kind().label;
        begin("X", name, "wakeup", PID, w.waker(), from).field("dur", ANCHOR_US).name("args").beginObject()
                .field("wakee", w.wakee()).endObject().endObject();
        begin("s", name, "wakeup", PID, w.waker(), from + INSIDE_US).field("id", id).endObject();
        begin("X", "woken: " + name, "wakeup", PID, w.wakee(), to).field("dur", ANCHOR_US).name("args").beginObject()
                .field("waker", w.waker()).field("latencyNanos", w.latency()).endObject().endObject();
        begin("f", name, "wakeup", PID, w.wakee(), to + INSIDE_US).field("id", id).field("bp", "e").endObject();
    }

    @Override
    public void carrierRun(CarrierRun r) {
        if (carriers.add(r.carrier())) {
            meta("thread_name", CARRIERS_PID, r.carrier(), model.threads().label(r.carrier()));
        }
        begin("X", model.threads().label(r.thread()), "carrier", CARRIERS_PID, r.carrier(), us(r.start()))
                .field("dur", r.duration() / 1000.0).name("args").beginObject().field("thread", r.thread())
                .field("endMissing", r.endMissing() ? 1 : 0).endObject().endObject();
    }

    @Override
    public void spanBegin(Span s) {
        if (s.kind() == Span.Kind.REGION) {
            begin("B", s.name(), "region", PID, s.thread(), us(s.start())).endObject();
        } else {
            begin("b", s.name(), "task", PID, s.thread(), us(s.start())).field("id", s.serial()).name("args")
                    .beginObject().field("task", s.task()).field("parent", s.parent()).endObject().endObject();
        }
    }

    @Override
    public void spanEnd(Span s) {
        if (s.kind() == Span.Kind.REGION) {
            if (s.beginMissing()) {
                // not on the thread's stack: an async slice of its own, both halves here
                begin("b", s.name(), "region (no begin)", PID, s.thread(), us(s.start())).field("id", s.serial())
                        .endObject();
                begin("e", s.name(), "region (no begin)", PID, s.thread(), us(s.end())).field("id", s.serial())
                        .endObject();
            } else {
                begin("E", s.name(), "region", PID, s.thread(), us(s.end())).name("args").beginObject()
                        .field("task", s.task()).field("endMissing", s.endMissing() ? 1 : 0).endObject().endObject();
            }
            return;
        }
        if (s.beginMissing()) {
            begin("b", s.name(), "task", PID, s.endThread(), us(s.start())).field("id", s.serial()).name("args")
                    .beginObject().field("task", s.task()).field("beginMissing", 1).endObject().endObject();
        }
        begin("e", s.name(), "task", PID, s.endThread(), us(s.end())).field("id", s.serial()).name("args")
                .beginObject().field("endMissing", s.endMissing() ? 1 : 0).endObject().endObject();
        if (s.crossesThreads() && !s.beginMissing() && !s.endMissing()) {
            double from = us(s.start());
            double to = us(s.end());
            begin("X", "task begin: " + s.name(), "task", PID, s.thread(), from).field("dur", ANCHOR_US).endObject();
            begin("s", s.name(), "flow", PID, s.thread(), from + INSIDE_US).field("id", s.serial()).endObject();
            begin("X", "task end: " + s.name(), "task", PID, s.endThread(), to).field("dur", ANCHOR_US).endObject();
            begin("f", s.name(), "flow", PID, s.endThread(), to + INSIDE_US).field("id", s.serial()).field("bp", "e")
                    .endObject();
        }
    }

    @Override
    public void event(Event e, EventKind kind, long thread, long time) {
        double ts = us(time);
        switch (kind) {
            case TASK_BEGIN, TASK_END, REGION_BEGIN, REGION_END, PARK, MONITOR_BLOCKED, SLEEP, VIRTUAL_THREAD_PINNED,
                    GC_PAUSE, GC_PHASE, HEAP_SUMMARY, ALLOC, FREE, PARK_BEGIN, WAIT_BEGIN, SLEEP_BEGIN, BLOCK_END,
                    UNPARK, NOTIFY, VIRTUAL_THREAD_MOUNT, VIRTUAL_THREAD_UNMOUNT, VIRTUAL_THREAD_SUBMIT, SOCKET_READ,
                    SOCKET_WRITE, FILE_READ, FILE_WRITE -> {
                // from the model's callbacks
            }
            case LOG -> {
                String cat = e.string("category");
                begin("i", (cat == null ? "" : cat + ": ") + e.string("message"), "log", PID, thread, ts)
                        .field("s", "t").name("args").beginObject().field("task", e.arg("task")).endObject()
                        .endObject();
            }
            case COUNTER -> {
                String n = e.string("name");
                begin("C", n == null ? "counter" : n, "counter", PID, thread, ts).name("args").beginObject()
                        .field("value", e.arg("value")).endObject().endObject();
            }
            default -> begin("i", e.type().name(), e.type().experimental() ? "experimental" : "runtime", PID, thread,
                    ts).field("s", "t").endObject();
        }
    }

    @Override
    public void blocking(Blocking b) {
        String name = b.sliceName();
        JsonWriter w = begin("X", name, "runtime", PID, b.thread(), us(b.start())).field("dur", b.duration() / 1000.0)
                .name("args").beginObject().field("state", b.state().label).field("callSite", b.callSiteName())
                .field("idle", b.idle() ? 1 : 0);
        if (b.detail() != null) {
            w.field("detail", b.detail());
        }
        w.endObject().endObject();
    }

    @Override
    public void gcPause(GcPause p) {
        begin("X", "GC pause: " + p.name(), "gc", PID, GC_TID, us(p.start())).field("dur", p.duration() / 1000.0)
                .name("args").beginObject().field("gc", p.gcId()).endObject().endObject();
    }

    @Override
    public void gcCycle(GcCycle c) {
        begin("b", "GC cycle: " + c.name(), "gc.cycle", PID, GC_TID, us(c.start())).field("id", c.gcId()).name("args")
                .beginObject().field("gc", c.gcId()).field("pauses", c.pauses()).field("pauseNanos", c.pauseNanos())
                .field("cause", c.cause() == null ? "" : c.cause()).endObject().endObject();
        begin("e", "GC cycle: " + c.name(), "gc.cycle", PID, GC_TID, us(c.end())).field("id", c.gcId()).endObject();
    }

    @Override
    public void heapSummary(long time, long used, long committed) {
        begin("C", "heap", "gc", PID, GC_TID, us(time)).name("args").beginObject().field("used", used)
                .field("committed", committed).endObject().endObject();
    }

    @Override
    public void liveHeap(long time, long applicationBytes, long recorderBufferBytes) {
        begin("C", "heap in use (alloc/free)", "heap", PID, GC_TID, us(time)).name("args").beginObject()
                .field("application", applicationBytes).field("recorder buffers", recorderBufferBytes).endObject()
                .endObject();
    }

    @Override
    public void threadState(long thread, ThreadState s, long start, long end) {
        if (s != ThreadState.UNKNOWN) {
            begin("X", s.label, "state", STATES_PID, thread, us(start)).field("dur", (end - start) / 1000.0).endObject();
        }
    }
}
