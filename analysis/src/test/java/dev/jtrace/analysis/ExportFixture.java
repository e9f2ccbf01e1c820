package dev.jtrace.analysis;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Records the trace the export tests read back: tasks that cross platform and virtual threads and
 * generations, nested regions, logs, counters, alloc/free, and runtime events (park, monitor, sleep,
 * pinning, GC, heap, CPU and allocation samples) emitted late, out of order and overlapping, as the agent
 * emits them.
 */
final class ExportFixture {
    static final long MS = 1_000_000;

    static final StackTraceElement[] LOCK = {
        new StackTraceElement("app.Cache", "lock", "Cache.java", 10),
        new StackTraceElement("app.Cache", "get", "Cache.java", 42),
        new StackTraceElement("app.Server", "handle", "Server.java", 7)};
    static final StackTraceElement[] QUEUE = {
        new StackTraceElement("app.Queue", "take", "Queue.java", 20),
        new StackTraceElement("app.Server", "handle", "Server.java", 9)};
    static final StackTraceElement[] HOT = {
        new StackTraceElement("app.Codec", "encode", "Codec.java", 99),
        new StackTraceElement("app.Server", "handle", "Server.java", 12)};
    static final StackTraceElement[] WARM = {
        new StackTraceElement("app.Codec", "decode", null, -1),
        new StackTraceElement("app.Server", "handle", "Server.java", 11)};

    private ExportFixture() {}

    /** Records the trace into {@code dir} and returns its path. */
    static Path record(Path dir) throws Exception {
        Path f = dir.resolve("export.jtrace");
        JTrace.start(TraceConfig.builder().file(f).allocFree(true).build());
        long t0 = System.nanoTime();
        long main = Thread.currentThread().threadId();

        Task request = JTrace.newTask(null, "request");
        try (Region parse = JTrace.region(request, "parse")) {
            try (Region lex = JTrace.region(request, "lex")) {
                JTrace.log(request, "http", "GET /orders?id=\u00e9t\u00e9");
            }
            JTrace.counter("queue", 3);
        }
        JTrace.counter("queue", 5);
        long[] worker = new long[1];
        long[] vthread = new long[2];
        Thread w = Thread.ofPlatform().name("worker").start(() -> {
            worker[0] = Thread.currentThread().threadId();
            try (Region handle = JTrace.region(request, "handle")) {
                try (Region inner = JTrace.region(null, "encode")) {
                    JTrace.log(null, null, "no category");
                }
            }
            Task db = JTrace.newTask(request, "db");
            Thread v = Thread.ofVirtual().name("vt-query").start(() -> {
                vthread[0] = Thread.currentThread().threadId();
                try (Region q = JTrace.region(db, "query")) {
                    JTrace.log(db, "sql", "select 1");
                }
                db.end(); // begun on the worker, ended on a virtual thread
            });
            join(v);
            JTrace.counter("queue", 1);
        });
        w.join();
        Thread anon = Thread.ofVirtual().start(() -> {
            vthread[1] = Thread.currentThread().threadId();
            JTrace.log(null, "vt", "unnamed virtual thread");
        });
        anon.join();
        JTrace.alloc(1, "app.Obj", 100);
        JTrace.alloc(2, "app.Obj", 50);
        JTrace.free(1);
        JTrace.advanceGeneration();
        // second generation: the request ends here, and the runtime events of the first arrive late
        request.end();
        ThreadContext c = ThreadContext.current();
        c.runtimeEvent(EventTypes.THREAD_START, worker[0], "worker", 0L, t0 + 1 * MS);
        c.runtimeEvent(EventTypes.PARK, worker[0], t0 + 2 * MS, 3 * MS, "java.util.concurrent.locks.ReentrantLock", LOCK);
        // overlaps the park above (clock error between JFR and the recorder): must go to a second track
        c.runtimeEvent(EventTypes.PARK, worker[0], t0 + 4 * MS, 2 * MS, "java.util.concurrent.locks.ReentrantLock", LOCK);
        c.runtimeEvent(EventTypes.PARK, main, t0 + 3 * MS, 7 * MS, null, QUEUE);
        c.runtimeEvent(EventTypes.MONITOR_BLOCKED, worker[0], t0 + 8 * MS, 1 * MS, "app.Cache", LOCK);
        c.runtimeEvent(EventTypes.SLEEP, vthread[0], t0 + 9 * MS, 5 * MS, QUEUE);
        c.runtimeEvent(EventTypes.SLEEP, main, t0 + 1 * MS, 2 * MS, null);
        c.runtimeEvent(EventTypes.VIRTUAL_THREAD_PINNED, vthread[0], t0 + 10 * MS, 1 * MS, LOCK);
        c.runtimeEvent(EventTypes.GC_PAUSE, 7L, t0 + 5 * MS, 2 * MS, "G1 Young", "G1 Evacuation Pause");
        c.runtimeEvent(EventTypes.GC_PHASE, 7L, t0 + 5 * MS, 1 * MS, "Evacuate");
        c.runtimeEvent(EventTypes.GC_PHASE, 7L, t0 + 6 * MS, 1 * MS, "Cleanup");
        c.runtimeEvent(EventTypes.HEAP_SUMMARY, t0 + 5 * MS, 64L << 20, 128L << 20);
        c.runtimeEvent(EventTypes.HEAP_SUMMARY, t0 + 7 * MS, 32L << 20, 128L << 20);
        for (int i = 0; i < 5; i++) {
            c.runtimeEvent(EventTypes.CPU_SAMPLE, worker[0], t0 + i * MS, HOT);
        }
        for (int i = 0; i < 2; i++) {
            c.runtimeEvent(EventTypes.CPU_SAMPLE, main, t0 + i * MS, WARM);
        }
        c.runtimeEvent(EventTypes.CPU_SAMPLE, vthread[0], t0 + 9 * MS, null);
        c.runtimeEvent(EventTypes.ALLOC_SAMPLE, worker[0], t0 + 2 * MS, "byte[]", 4096L, HOT);
        c.runtimeEvent(EventTypes.ALLOC_SAMPLE, worker[0], t0 + 3 * MS, "byte[]", 1024L, HOT);
        c.runtimeEvent(EventTypes.ALLOC_SAMPLE, main, t0 + 3 * MS, "java.lang.String", 512L, WARM);
        c.runtimeEvent(EventTypes.THREAD_END, worker[0], t0 + 11 * MS);
        JTrace.free(2);
        JTrace.stop();
        return f;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Every event of {@code f}, generation by generation (the tests' fixtures are small). */
    static List<Event> events(Path f) throws IOException {
        List<Event> all = new ArrayList<>();
        forEachGeneration(f, g -> all.addAll(g.events()));
        return all;
    }

    static void forEachGeneration(Path f, Consumer<Generation> c) throws IOException {
        try (TraceReader r = TraceReader.open(f)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                c.accept(g);
            }
            if (!r.report().errors().isEmpty()) {
                throw new AssertionError("the fixture trace has errors: " + r.report().errors());
            }
        }
    }

    /** The thread an event is about: its THREAD argument {@code thread} if it has one, else its writer. */
    static long threadOf(Event e) {
        return e.has("thread") && e.type().args().get(e.type().indexOf("thread")).kind()
                == dev.jtrace.format.ArgKind.THREAD ? e.arg("thread") : e.threadId();
    }
}
