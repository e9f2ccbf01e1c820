package dev.jtrace.analysis;

import dev.jtrace.format.ArgKind;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes a trace in the Chrome trace event format (JSON), which chrome://tracing and the Perfetto UI
 * open: a track per thread, regions as B/E slices, tasks as async b/e spans with flow arrows when they
 * end on another thread, logs as instants, counters, and runtime events (park, monitor, sleep, GC) as
 * complete slices at their true time. Streams: one generation in memory, open tasks only otherwise (thread
 * names are written again with every generation).
 */
public final class ChromeExporter {
    private static final int PID = 1;

    private ChromeExporter() {}

    /** Exports {@code in} to {@code out}; returns the number of trace events written. */
    public static long export(Path in, Path out, LongConsumer progress) throws IOException {
        try (TraceReader r = ExportFiles.openTrace(in);
                Writer w = new BufferedWriter(new OutputStreamWriter(ExportFiles.create(out), StandardCharsets.UTF_8),
                        1 << 16)) {
            JsonWriter j = new JsonWriter(w);
            j.beginObject().field("displayTimeUnit", "ns").name("traceEvents").beginArray();
            long written = 0;
            long origin = Long.MIN_VALUE;
            Map<Long, Long> taskThread = new HashMap<>();
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                if (origin == Long.MIN_VALUE) {
                    origin = g.startTicks();
                }
                // Names again in every generation, rather than a set of every thread named so far: memory must
                // not grow with the threads of a long trace (a thread outside the table keeps its last name).
                for (ThreadInfo t : g.threads().values()) {
                    meta(j, t.id(), t.name().isEmpty() ? (t.virtual() ? "virtual " : "thread ") + t.id() : t.name());
                    written++;
                }
                for (Event e : g.events()) {
                    written += event(j, e, origin, taskThread);
                }
                if (progress != null) {
                    progress.accept(r.position());
                }
            }
            j.endArray().endObject();
            j.flush();
            return written;
        }
    }

    private static void meta(JsonWriter j, long tid, String name) {
        j.beginObject().field("ph", "M").field("name", "thread_name").field("pid", PID).field("tid", tid)
                .name("args").beginObject().field("name", name).endObject().endObject();
    }

    private static double us(long ticks, long origin) {
        return (ticks - origin) / 1000.0;
    }

    private static JsonWriter begin(JsonWriter j, String ph, String name, String cat, long tid, double ts) {
        return j.beginObject().field("ph", ph).field("name", name).field("cat", cat).field("pid", PID)
                .field("tid", tid).field("ts", ts);
    }

    private static int event(JsonWriter j, Event e, long origin, Map<Long, Long> taskThread) {
        String type = e.type().name();
        long tid = e.has("thread") && e.type().args().get(e.type().indexOf("thread")).kind() == ArgKind.THREAD
                ? e.arg("thread") : e.threadId();
        double ts = us(e.trueTicks(), origin);
        switch (type) {
            case "RegionBegin" -> {
                begin(j, "B", e.string("name"), "region", tid, ts).name("args").beginObject()
                        .field("task", e.arg("task")).endObject().endObject();
                return 1;
            }
            case "RegionEnd" -> {
                begin(j, "E", e.string("name"), "region", tid, ts).endObject();
                return 1;
            }
            case "TaskBegin" -> {
                long task = e.arg("task");
                taskThread.put(task, tid);
                begin(j, "b", e.string("name"), "task", tid, ts).field("id", task).name("args").beginObject()
                        .field("parent", e.arg("parent")).endObject().endObject();
                begin(j, "s", "task " + task, "flow", tid, ts).field("id", task).endObject();
                return 2;
            }
            case "TaskEnd" -> {
                long task = e.arg("task");
                Long from = taskThread.remove(task);
                begin(j, "e", "task", "task", tid, ts).field("id", task).endObject();
                if (from != null && from != tid) {
                    // the arrow from the thread that began the task to the one that ended it
                    begin(j, "f", "task " + task, "flow", tid, ts).field("id", task).field("bp", "e").endObject();
                    return 2;
                }
                return 1;
            }
            case "Log" -> {
                String cat = e.string("category");
                begin(j, "i", (cat == null ? "" : cat + ": ") + e.string("message"), "log", tid, ts)
                        .field("s", "t").name("args").beginObject().field("task", e.arg("task")).endObject()
                        .endObject();
                return 1;
            }
            case "Counter" -> {
                begin(j, "C", e.string("name"), "counter", tid, ts).name("args").beginObject()
                        .field("value", e.arg("value")).endObject().endObject();
                return 1;
            }
            case "Park", "MonitorBlocked", "Sleep", "VirtualThreadPinned" -> {
                begin(j, "X", type, "runtime", tid, ts).field("dur", e.arg("duration") / 1000.0).endObject();
                return 1;
            }
            case "GCPause", "GCPhase" -> {
                begin(j, "X", type + " " + e.string("name"), "gc", 0, ts).field("dur", e.arg("duration") / 1000.0)
                        .endObject();
                return 1;
            }
            case "HeapSummary" -> {
                begin(j, "C", "heap", "gc", 0, ts).name("args").beginObject().field("used", e.arg("used"))
                        .field("committed", e.arg("committed")).endObject().endObject();
                return 1;
            }
            default -> {
                // ThreadStart/End, samples, alloc/free and unknown types: an instant with the event's name
                begin(j, "i", type, e.type().experimental() ? "experimental" : "runtime", tid, ts).field("s", "t")
                        .endObject();
                return 1;
            }
        }
    }
}
