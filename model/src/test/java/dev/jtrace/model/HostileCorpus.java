package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.ALLOC;
import static dev.jtrace.format.EventTypes.ALLOC_SAMPLE;
import static dev.jtrace.format.EventTypes.COUNTER;
import static dev.jtrace.format.EventTypes.CPU_SAMPLE;
import static dev.jtrace.format.EventTypes.FREE;
import static dev.jtrace.format.EventTypes.GC_PAUSE;
import static dev.jtrace.format.EventTypes.GC_PHASE;
import static dev.jtrace.format.EventTypes.HEAP_SUMMARY;
import static dev.jtrace.format.EventTypes.LOG;
import static dev.jtrace.format.EventTypes.MONITOR_BLOCKED;
import static dev.jtrace.format.EventTypes.PARK;
import static dev.jtrace.format.EventTypes.REGION_BEGIN;
import static dev.jtrace.format.EventTypes.REGION_END;
import static dev.jtrace.format.EventTypes.SLEEP;
import static dev.jtrace.format.EventTypes.TASK_BEGIN;
import static dev.jtrace.format.EventTypes.TASK_END;
import static dev.jtrace.format.EventTypes.THREAD_END;
import static dev.jtrace.format.EventTypes.THREAD_START;
import static dev.jtrace.format.EventTypes.THREAD_SWITCH;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_PINNED;

import dev.jtrace.format.Format;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One hostile trace for every consumer (stats, analyze, each export, the viewer): every event kind, both
 * kinds of missing halves, null and empty names, a region ended by its enclosing region's end, a task
 * crossing threads, threads known only from ThreadSwitch, ThreadStart or allocation samples, a bridge
 * thread that writes runtime events about others, runtime events arriving late, a park overlapping a GC
 * pause, a concurrent-style GC cycle whose GCPause comes before its phase, an idle pool wait, an
 * Object.wait park, losses. Two generations, [1 ms, 11 ms] and [11 ms, 21 ms].
 *
 * <p>The constants are what a correct model concludes; tools must agree with them (docs/model.md).
 */
public final class HostileCorpus {
    private HostileCorpus() {}

    public static final long START = 1_000_000;
    public static final long END = 21_000_000;
    /** First GEN_BEGIN to last GEN_END. */
    public static final long DURATION = END - START;
    /** handle, (unnamed), orphan (no begin), outer, inner-unclosed, never-ends; handle-remote, busy; query. */
    public static final long REGIONS = 9;
    public static final long REGIONS_WITHOUT_BEGIN = 1;
    public static final long REGIONS_WITHOUT_END = 2;
    /** order (crosses threads), 99 (no begin), "" (never ends). */
    public static final long TASKS = 3;
    public static final long TASKS_WITHOUT_BEGIN = 1;
    public static final long TASKS_WITHOUT_END = 1;
    /** Threads events are about: the bridge (50) only writes events about others. */
    public static final Map<Long, String> THREAD_LABELS = Map.of(1L, "main", 2L, "worker", 100L, "vt-a (virtual)",
            101L, "virtual thread #101", 102L, "pool-1", 103L, "vt-b (virtual)", 104L, "thread #104");
    public static final long THREADS = 7;
    public static final long VIRTUAL_THREADS = 3;
    public static final long MAIN = 1;
    public static final long WORKER = 2;
    public static final long BRIDGE = 50;
    public static final long POOL = 102;
    public static final long SAMPLED_ONLY = 104;
    /** Events lost (generation full); strings dropped are degraded arguments, not events. */
    public static final long LOST_EVENTS = 2;

    static final String[] LOCK = {"jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park",
        "app.Cache.lock", "app.Server.handle"};
    static final String[] IDLE = {"jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park",
        "java.util.concurrent.LinkedBlockingQueue.take", "java.util.concurrent.ThreadPoolExecutor.getTask",
        "java.util.concurrent.ThreadPoolExecutor.runWorker", "java.lang.Thread.run"};
    static final String[] WAIT = {"java.lang.Object.wait0", "java.lang.Object.wait", "app.Mailbox.take"};
    static final String[] HOT = {"app.Codec.encode", "app.Server.handle"};

    /** Writes the corpus to {@code file}. */
    public static Path write(Path file) throws IOException {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(START, 11_000_000).thread(MAIN, "main", false).thread(WORKER, "worker", false)
                .thread(BRIDGE, "jtrace-jfr-bridge", false);
        g.event(1, MAIN, 1_100_000, TASK_BEGIN, 1L, 0L, "order", g.stack(HOT))
                .event(1, MAIN, 1_200_000, REGION_BEGIN, 1L, "handle", 0L)
                .event(1, MAIN, 1_300_000, REGION_BEGIN, 1L, null, 0L)
                .event(1, MAIN, 1_400_000, LOG, 1L, "http", "GET /", 0L)
                .event(1, MAIN, 1_500_000, REGION_END, 1L, "")
                .event(1, MAIN, 1_600_000, COUNTER, "queue", -3L)
                .event(1, MAIN, 1_700_000, REGION_END, 1L, "handle")
                .event(1, MAIN, 1_800_000, REGION_END, 0L, "orphan")
                .event(1, MAIN, 1_900_000, REGION_BEGIN, 0L, "outer", 0L)
                .event(1, MAIN, 2_000_000, REGION_BEGIN, 0L, "inner-unclosed", 0L)
                .event(1, MAIN, 2_100_000, REGION_END, 0L, "outer")
                .event(1, MAIN, 2_200_000, REGION_BEGIN, 0L, "never-ends", 0L)
                .event(1, MAIN, 2_300_000, ALLOC, 5L, "app.Obj", 64L, 0L)
                .event(1, MAIN, 2_400_000, FREE, 6L);
        g.event(2, WORKER, 3_000_000, REGION_BEGIN, 1L, "handle-remote", 0L)
                .event(2, WORKER, 3_500_000, REGION_END, 1L, "handle-remote")
                .event(2, WORKER, 4_000_000, TASK_END, 1L)
                .event(2, WORKER, 4_100_000, TASK_END, 99L)
                .event(2, WORKER, 4_200_000, TASK_BEGIN, 2L, 1L, "", 0L)
                .event(2, WORKER, 9_000_000, REGION_BEGIN, 0L, "busy", 0L);
        g.event(3, 0, 5_000_000, THREAD_SWITCH, 100L, "vt-a")
                .event(3, 0, 5_000_000, REGION_BEGIN, 0L, "query", 0L)
                .event(3, 0, 5_500_000, REGION_END, 0L, "query")
                .event(3, 0, 5_600_000, THREAD_SWITCH, 101L, "")
                .event(3, 0, 5_600_000, LOG, 0L, null, "no category", 0L);
        g.event(4, BRIDGE, 6_000_000, THREAD_START, POOL, "pool-1", 0L, 5_900_000L)
                .event(4, BRIDGE, 6_000_100, THREAD_START, 103L, "vt-b", 1L, 5_950_000L)
                .event(4, BRIDGE, 6_100_000, PARK, WORKER, 3_600_000L, 1_000_000L,
                        "java.util.concurrent.locks.ReentrantLock", g.stack(LOCK))
                .event(4, BRIDGE, 6_200_000, GC_PAUSE, 7L, 3_900_000L, 300_000L, "G1New", "G1 Evacuation Pause")
                .event(4, BRIDGE, 6_300_000, GC_PHASE, 7L, 4_000_000L, 300_000L, "Pause Young")
                .event(4, BRIDGE, 6_400_000, MONITOR_BLOCKED, MAIN, 2_500_000L, 200_000L, "app.Cache", g.stack(LOCK))
                .event(4, BRIDGE, 6_500_000, SLEEP, 100L, 5_100_000L, 100_000L, 0L)
                .event(4, BRIDGE, 6_600_000, VIRTUAL_THREAD_PINNED, 100L, 5_200_000L, 50_000L, g.stack(LOCK))
                .event(4, BRIDGE, 6_700_000, HEAP_SUMMARY, 6_650_000L, 1L << 20, 1L << 22)
                .event(4, BRIDGE, 6_800_000, ALLOC_SAMPLE, SAMPLED_ONLY, 6_000_000L, "byte[]", 4096L, g.stack(HOT))
                .event(4, BRIDGE, 6_900_000, ALLOC_SAMPLE, SAMPLED_ONLY, 8_000_000L, "byte[]", 4096L, g.stack(HOT))
                .event(4, BRIDGE, 7_000_000, CPU_SAMPLE, WORKER, 6_950_000L, g.stack(HOT))
                .event(4, BRIDGE, 7_100_000, PARK, POOL, 6_000_000L, 500_000L, null, g.stack(IDLE))
                .event(4, BRIDGE, 7_200_000, THREAD_END, POOL, 7_150_000L);
        g.loss(1, MAIN, Format.LOSS_GENERATION_FULL, 2).loss(3, 0, Format.LOSS_STRINGS_DROPPED, 1);
        g.end();
        var h = b.generation(11_000_000, END).thread(MAIN, "main", false).thread(WORKER, "worker", false)
                .thread(BRIDGE, "jtrace-jfr-bridge", false);
        h.event(2, WORKER, 12_000_000, REGION_END, 0L, "busy")
                .event(1, MAIN, 13_000_000, FREE, 5L)
                // one generation late, across the boundary: a park in Object.wait
                .event(4, BRIDGE, 12_500_000, PARK, MAIN, 10_500_000L, 1_000_000L, null, h.stack(WAIT));
        h.end();
        return b.write(file);
    }
}
