package dev.jtrace.web;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;

/** Traces recorded by the tests, with what the tests know about them. */
final class TestTraces {
    private TestTraces() {}

    static final long MS = 1_000_000;

    /** What the viewer trace holds, for assertions. */
    record Viewer(Path file, long workerA, long workerB, long requestTask, long handoffTask) {}

    private static volatile long sink;

    /** The thread whose busy loops take CPU samples of themselves, and the samples: [time] and stack. */
    private static volatile Thread sampled;
    private static final List<long[]> sampleTimes = new ArrayList<>();
    private static final List<StackTraceElement[]> sampleStacks = new ArrayList<>();

    static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        long next = 0;
        long x = 0;
        long now;
        while ((now = System.nanoTime()) < end) {
            x++;
            // a CPU sample of the loop's own stack every millisecond (at most 40), as a sampler would see it
            if (Thread.currentThread() == sampled && now >= next && sampleTimes.size() < 40) {
                sampleTimes.add(new long[] {now});
                sampleStacks.add(new Throwable().getStackTrace());
                next = now + MS;
            }
        }
        sink += x;
    }

    /**
     * A small trace with every kind of item: nested regions (one of 30 ms, "slow-step"), a log inside it, a
     * task that ends on another thread, a region that spans two generation boundaries, runtime blocking events
     * and GC pauses about other threads at their true times (one inside worker-B's 6 ms park), a sleep reported generations late (its true time in
     * the first generation), virtual threads, and alloc/free.
     */
    static Viewer viewer(Path dir) throws Exception {
        Path f = dir.resolve("viewer.jtrace");
        JTrace.start(TraceConfig.builder().file(f).allocFree(true).stackTraces(true).build());
        long t0 = System.nanoTime();
        SynchronousQueue<Task> handoff = new SynchronousQueue<>();
        CountDownLatch longBegun = new CountDownLatch(1);
        CountDownLatch generationsAdvanced = new CountDownLatch(1);
        long[] ids = new long[2];
        Thread a = Thread.ofPlatform().name("worker-A").unstarted(() -> {
            try {
                Task req = JTrace.newTask(null, "request");
                ids[0] = req.id();
                try (Region h = JTrace.region(req, "handle")) {
                    try (Region p = JTrace.region(req, "parse")) {
                        busy(2 * MS);
                    }
                    try (Region s = JTrace.region(req, "slow-step")) {
                        busy(15 * MS);
                        JTrace.log(req, "progress", "halfway through the slow step");
                        busy(15 * MS);
                    }
                }
                Task h = JTrace.newTask(req, "handoff");
                ids[1] = h.id();
                handoff.put(h);
                req.end();
                for (int i = 0; i < 50; i++) {
                    Task small = JTrace.newTask(null, "small");
                    try (Region r = JTrace.region(small, "tiny")) {
                        busy(20_000);
                    }
                    small.end();
                }
                try (Region l = JTrace.region(null, "long-op")) {
                    longBegun.countDown();
                    generationsAdvanced.await();
                    busy(2 * MS);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread b = Thread.ofPlatform().name("worker-B").unstarted(() -> {
            try {
                Task h = handoff.take();
                try (Region r = JTrace.region(h, "finish")) {
                    busy(5 * MS);
                }
                h.end();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // worker-A's busy loops sample their own stacks: written later with their true times, as the agent
        // reports CPU samples (at most 40: the window tests count worker-A's events against their limits)
        sampleTimes.clear();
        sampleStacks.clear();
        sampled = a;
        a.start();
        b.start();
        longBegun.await();
        // runtime events as the agent writes them: about another thread, at their true times, reported a little
        // late (in the generation they belong to, which the model places in the thread states)
        while (System.nanoTime() < t0 + 46 * MS) {
            Thread.sleep(1);
        }
        ThreadContext c = ThreadContext.current();
        sampled = null;
        for (int i = 0; i < sampleTimes.size(); i++) {
            c.runtimeEvent(EventTypes.CPU_SAMPLE, a.threadId(), sampleTimes.get(i)[0], sampleStacks.get(i));
        }
        StackTraceElement[] lockStack = {new StackTraceElement("app.Cache", "lock", "Cache.java", 10)};
        StackTraceElement[] queueStack = {new StackTraceElement("app.Queue", "take", "Queue.java", 20)};
        c.runtimeEvent(EventTypes.PARK, a.threadId(), t0 + MS, 3 * MS, "app.Lock", lockStack);
        c.runtimeEvent(EventTypes.PARK, b.threadId(), t0 + 2 * MS, 6 * MS, "app.Queue", queueStack);
        c.runtimeEvent(EventTypes.MONITOR_BLOCKED, b.threadId(), t0 + 9 * MS, 2 * MS, "app.Cache", lockStack);
        // a young pause inside worker-B's park: the longest park, and the GC pause that stopped it
        c.runtimeEvent(EventTypes.GC_PAUSE, 4L, t0 + 5 * MS, MS, "G1 Young", "G1 Evacuation Pause");
        c.runtimeEvent(EventTypes.GC_PAUSE, 1L, t0 + 20 * MS, 2 * MS, "G1 Young", "G1 Evacuation Pause");
        c.runtimeEvent(EventTypes.GC_PAUSE, 2L, t0 + 40 * MS, 4 * MS, "G1 Young", "Allocation Failure");
        // a concurrent cycle: its two pauses 10 ms apart, then the cycle's own event (their sum as duration)
        c.runtimeEvent(EventTypes.GC_PHASE, 3L, t0 + 25 * MS, MS, "Pause Remark");
        c.runtimeEvent(EventTypes.GC_PHASE, 3L, t0 + 35 * MS, MS / 2, "Pause Cleanup");
        c.runtimeEvent(EventTypes.GC_PAUSE, 3L, t0 + 25 * MS, 3 * MS / 2, "G1 Old", "G1 Periodic Collection");
        JTrace.advanceGeneration();
        busy(MS);
        JTrace.advanceGeneration();
        generationsAdvanced.countDown();
        a.join();
        b.join();
        List<Thread> vts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            vts.add(Thread.ofVirtual().start(() -> {
                Task t = JTrace.newTask(null, "lookup");
                try (Region r = JTrace.region(t, "vt-work")) {
                    busy(200_000 + n * 10_000L);
                }
                t.end();
            }));
        }
        for (Thread v : vts) {
            v.join();
        }
        JTrace.alloc(1, "app.Obj", 100);
        JTrace.alloc(2, "app.Obj", 50);
        JTrace.alloc(3, "app.Obj", 25);
        JTrace.free(1);
        JTrace.free(3);
        // and one reported generations late (its true time lies in the first generation): the timeline shows it,
        // the thread states cannot place it any more (the model counts it as late)
        c.runtimeEvent(EventTypes.SLEEP, b.threadId(), t0 + 12 * MS, 4 * MS, null);
        JTrace.stop();
        return new Viewer(f, a.threadId(), b.threadId(), ids[0], ids[1]);
    }

    /**
     * A 100 us trace written event by event: thread 1 ("orders") runs a region "work" from 1,000 to 60,000 ns and
     * begins 12 tasks "order" 100 ns apart from 1,000 that all end after 50,000 (12 overlap); CPU samples of
     * thread 1 at 10,000, 20,000 and 30,000 ns in app.Orders.price; a counter "queue-depth" of 3 at 5,000, 7 at
     * 15,000 and 2 at 40,000; HeapSummary 1,000,000 of 4,000,000 bytes at 10,000 and 2,000,000 at 50,000.
     */
    static Path lanesSamplesCounters(Path file) throws Exception {
        dev.jtrace.model.TraceBuilder b = new dev.jtrace.model.TraceBuilder();
        var g = b.generation(0, 100_000).thread(1, "orders", false);
        g.event(1, 1, 1000, EventTypes.REGION_BEGIN, 0L, "work", null);
        for (int i = 0; i < 12; i++) {
            g.event(1, 1, 1000 + i * 100, EventTypes.TASK_BEGIN, (long) i + 1, 0L, "order", null);
        }
        g.event(1, 1, 5000, EventTypes.COUNTER, "queue-depth", 3L);
        g.event(1, 1, 15_000, EventTypes.COUNTER, "queue-depth", 7L);
        g.event(1, 1, 40_000, EventTypes.COUNTER, "queue-depth", 2L);
        for (int i = 0; i < 12; i++) {
            g.event(1, 1, 50_000 + i * 100, EventTypes.TASK_END, (long) i + 1);
        }
        g.event(1, 1, 60_000, EventTypes.REGION_END, 0L, "work");
        Object stack = g.stack("app.Orders.price", "app.Orders.handle", "app.Main.main");
        g.event(9, 99, 10_000, EventTypes.CPU_SAMPLE, 1L, 10_000L, stack);
        g.event(9, 99, 10_001, EventTypes.HEAP_SUMMARY, 10_000L, 1_000_000L, 4_000_000L);
        g.event(9, 99, 20_000, EventTypes.CPU_SAMPLE, 1L, 20_000L, stack);
        g.event(9, 99, 30_000, EventTypes.CPU_SAMPLE, 1L, 30_000L, stack);
        g.event(9, 99, 50_001, EventTypes.HEAP_SUMMARY, 50_000L, 2_000_000L, 4_000_000L);
        g.end();
        return b.write(file);
    }

    /**
     * The burst of {@link #allocSamples}: thread 2's samples from {@value #ALLOC_BURST_START} ns, 1 ns apart (more
     * than a window's 10,000 items: the page's first view merges them below a pixel).
     */
    static final int ALLOC_BURST = 12_000;
    static final long ALLOC_BURST_START = 60_000;

    /**
     * A 100 us trace written event by event: thread 1 ("allocator") runs a region "work" from 1,000 to 90,000 ns,
     * with CPU samples at 10,000 and 30,000 ns in app.Orders.price and allocation samples (written by the bridge
     * thread 99 with their true times, as the agent does) at 20,000 ns (app.Order, weight 4,096, in
     * app.Orders.newOrder < app.Orders.handle < app.Main.main) and 40,000 ns (byte[], 1,024, in app.Codec.encode <
     * app.Main.main); thread 2 ("burst") one of java.lang.String (48) at 25,000 ns and a burst of
     * {@link #ALLOC_BURST} of long[] from {@link #ALLOC_BURST_START} ns, 1 ns apart, the i-th weighing 100 + i
     * (in app.Burst.fill), which merge below a pixel in a window of the whole trace.
     */
    static Path allocSamples(Path file) throws Exception {
        dev.jtrace.model.TraceBuilder b = new dev.jtrace.model.TraceBuilder();
        var g = b.generation(0, 100_000).thread(1, "allocator", false).thread(2, "burst", false);
        g.event(1, 1, 1000, EventTypes.REGION_BEGIN, 0L, "work", null);
        g.event(1, 1, 90_000, EventTypes.REGION_END, 0L, "work");
        Object price = g.stack("app.Orders.price", "app.Orders.handle", "app.Main.main");
        Object newOrder = g.stack("app.Orders.newOrder", "app.Orders.handle", "app.Main.main");
        Object encode = g.stack("app.Codec.encode", "app.Main.main");
        Object fill = g.stack("app.Burst.fill", "app.Main.main");
        g.event(9, 99, 10_000, EventTypes.CPU_SAMPLE, 1L, 10_000L, price);
        g.event(9, 99, 20_000, EventTypes.ALLOC_SAMPLE, 1L, 20_000L, "app.Order", 4096L, newOrder);
        g.event(9, 99, 25_000, EventTypes.ALLOC_SAMPLE, 2L, 25_000L, "java.lang.String", 48L, null);
        g.event(9, 99, 30_000, EventTypes.CPU_SAMPLE, 1L, 30_000L, price);
        g.event(9, 99, 40_000, EventTypes.ALLOC_SAMPLE, 1L, 40_000L, "byte[]", 1024L, encode);
        for (int i = 0; i < ALLOC_BURST; i++) {
            long t = ALLOC_BURST_START + i;
            g.event(9, 99, t, EventTypes.ALLOC_SAMPLE, 2L, t, "long[]", 100L + i, fill);
        }
        g.end();
        return b.write(file);
    }

    /**
     * A 100 us trace for the timeline's legend, GC shade and virtual-thread order: "main" (1) in one region
     * "work" from 1,000 to 90,000 ns; virtual threads "vt-quiet" (10, one region), "vt-busy" (11, ten) and
     * "vt-middle" (12, three), so that by activity (events) they come 11, 12, 10, not in the order of their ids,
     * all of their regions between 10,000 and 40,000 ns; and a GC pause from 50,000 to 55,000 ns.
     */
    static Path virtualThreadsAndAPause(Path file) throws Exception {
        dev.jtrace.model.TraceBuilder b = new dev.jtrace.model.TraceBuilder();
        var g = b.generation(0, 100_000).thread(1, "main", false).thread(10, "vt-quiet", true)
                .thread(11, "vt-busy", true).thread(12, "vt-middle", true);
        g.event(1, 1, 1000, EventTypes.REGION_BEGIN, 0L, "work", null);
        long[][] vts = {{10, 1}, {11, 10}, {12, 3}};
        for (long[] v : vts) {
            for (int i = 0; i < v[1]; i++) {
                long t = 10_000 + i * 3_000;
                g.event(v[0], v[0], t, EventTypes.REGION_BEGIN, 0L, "vt-step", null);
                g.event(v[0], v[0], t + 2_000, EventTypes.REGION_END, 0L, "vt-step");
            }
        }
        g.event(9, 99, 56_000, EventTypes.GC_PAUSE, 1L, 50_000L, 5_000L, "G1 Young", "G1 Evacuation Pause");
        g.event(1, 1, 90_000, EventTypes.REGION_END, 0L, "work");
        g.end();
        return b.write(file);
    }

    /** The thread ids, names and CPU sample periods (ns) of {@link #threadsAndSteps}. */
    static final long[] STEP_THREADS = {1, 2, 3};
    static final String[] STEP_NAMES = {"alpha", "beta", "gamma"};
    static final long[] SAMPLE_PERIODS = {10_000, 25_000, 50_000};

    /**
     * A 12 ms trace written event by event, dense enough that the timeline's first view merges slices below a
     * pixel: threads 1, 2, 3 ("alpha", "beta", "gamma") each run a region NAME-work from 10,000 to 12,010,000 ns
     * holding 4,000 regions "step" every 3,000 ns from 11,000, each 100 to 2,102 ns long (distinct lengths among
     * any 2,003 consecutive steps); and CPU samples of each thread every {@link #SAMPLE_PERIODS} ns from 15,000
     * (1,200, 480 and 240 of them) in app.Alpha/Beta/Gamma.compute (every third of alpha's in app.Alpha.parse),
     * written by a bridge thread (99) as the agent does.
     */
    static Path threadsAndSteps(Path file) throws Exception {
        dev.jtrace.model.TraceBuilder b = new dev.jtrace.model.TraceBuilder();
        var g = b.generation(0, 12_100_000);
        for (int k = 0; k < STEP_THREADS.length; k++) {
            long t = STEP_THREADS[k];
            String name = STEP_NAMES[k];
            g.thread(t, name, false);
            g.event(t, t, 10_000, EventTypes.REGION_BEGIN, 0L, name + "-work", null);
            for (int i = 0; i < 4000; i++) {
                long start = 11_000 + i * 3000L;
                g.event(t, t, start, EventTypes.REGION_BEGIN, 0L, "step", null);
                g.event(t, t, start + stepLength(k, i), EventTypes.REGION_END, 0L, "step");
            }
            g.event(t, t, 12_010_000, EventTypes.REGION_END, 0L, name + "-work");
        }
        List<long[]> samples = new ArrayList<>(); // [time, thread index, n]
        for (int k = 0; k < STEP_THREADS.length; k++) {
            int n = 0;
            for (long time = 15_000; time < 12_000_000; time += SAMPLE_PERIODS[k]) {
                samples.add(new long[] {time, k, n++});
            }
        }
        samples.sort(java.util.Comparator.comparingLong((long[] x) -> x[0]).thenComparingLong(x -> x[1]));
        for (long[] x : samples) {
            int k = (int) x[1];
            String cls = "app." + Character.toUpperCase(STEP_NAMES[k].charAt(0)) + STEP_NAMES[k].substring(1);
            Object stack = k == 0 && x[2] % 3 == 0 ? g.stack(cls + ".parse", cls + ".run", "app.Main.main")
                    : g.stack(cls + ".compute", cls + ".run", "app.Main.main");
            g.event(9, 99, x[0], EventTypes.CPU_SAMPLE, STEP_THREADS[k], x[0], stack);
        }
        g.end();
        return b.write(file);
    }

    /** The length of step {@code i} of thread index {@code k} of {@link #threadsAndSteps}. */
    static long stepLength(int k, int i) {
        return 100 + (i * 7919L + k * 13L) % 2003;
    }

    /**
     * {@code threads} platform threads doing {@code ops} operations each (a task, a region around a nested
     * region and a log: 7 events), in generations of at most {@code genBytes}.
     */
    static Path many(Path dir, int threads, int ops, long genBytes) throws Exception {
        Path f = dir.resolve("many-" + threads + "x" + ops + ".jtrace");
        load(TraceConfig.builder().file(f).generationMaxBytes(genBytes).bufferSize(4096)
                .generationPeriod(java.time.Duration.ofMillis(50)).build(), threads, ops);
        return f;
    }

    /**
     * Records {@code ops} operations on each of {@code threads} platform threads: a task with two nested
     * regions and a log, 7 events an operation.
     */
    static void load(TraceConfig config, int threads, long ops) throws Exception {
        JTrace.start(config);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                for (long i = 0; i < ops; i++) {
                    Task task = JTrace.newTask(null, i % 3 == 0 ? "op-a" : "op-b");
                    try (Region r = JTrace.region(task, "outer")) {
                        try (Region in = JTrace.region(task, "inner")) {
                            JTrace.log(task, "n", "op");
                        }
                    }
                    task.end();
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        JTrace.stop();
    }
}
