package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.BLOCK_END;
import static dev.jtrace.format.EventTypes.NOTIFY;
import static dev.jtrace.format.EventTypes.PARK;
import static dev.jtrace.format.EventTypes.PARK_BEGIN;
import static dev.jtrace.format.EventTypes.SLEEP;
import static dev.jtrace.format.EventTypes.SLEEP_BEGIN;
import static dev.jtrace.format.EventTypes.THREAD_SWITCH;
import static dev.jtrace.format.EventTypes.UNPARK;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_MOUNT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_SUBMIT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_UNMOUNT;
import static dev.jtrace.format.EventTypes.WAIT_BEGIN;
import static dev.jtrace.format.EventTypes.YIELD;

import java.nio.file.Path;

/**
 * Traces of the scheduler events (format 2.2, types 27 to 36) with their model worked out by hand
 * (SchedulerTest checks it; the tools' tests reuse them from the test-jar).
 */
public final class SchedulerCorpus {
    private SchedulerCorpus() {}

    /**
     * Platform threads 1 (worker), 2 (waker), 3 and 4: a park ended by an unpark, an unpark before the
     * park (a permit), two waiters of monitor 77 woken by a notify and a notifyAll, a third waiter of another
     * class under the same hash that times out, a sleep, an idle pool worker's timed park, and JFR's Park and
     * Sleep for blocks the hooks recorded. Edges: unpark 2->1 (300 to 350), unpark 2->1 as a permit (1000,
     * park 1200 to 1201), notify 2->3 (2500 to 2600), notifyAll 2->1 (3000 to 3100).
     */
    public static Path platform(Path file) throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 10_000).thread(1, "worker", false).thread(2, "waker", false)
                .thread(3, "w3", false).thread(4, "w4", false).thread(5, "pool-1-thread-1", false);
        g.event(1, 1, 100, PARK_BEGIN, "app.Lock", 0L);
        g.event(2, 2, 300, UNPARK, 1L);
        g.event(1, 1, 350, BLOCK_END, g.stack("jdk.internal.misc.Unsafe.park",
                "java.util.concurrent.locks.LockSupport.park", "dev.jtrace.agent.Hooks.park", "app.Service.call",
                "app.Main.main"));
        g.event(2, 2, 1000, UNPARK, 1L); // before the park: a permit
        g.event(1, 1, 1200, PARK_BEGIN, "app.Lock", 0L);
        g.event(1, 1, 1201, BLOCK_END, 0L); // returned at once: no stack
        g.event(1, 1, 2000, WAIT_BEGIN, "app.Queue", 77L, 0L);
        g.event(4, 4, 2050, WAIT_BEGIN, "app.Other", 77L, 1L); // same identity hash, another class
        g.event(3, 3, 2100, WAIT_BEGIN, "app.Queue", 77L, 0L);
        g.event(2, 2, 2500, NOTIFY, 77L, 0L);
        g.event(3, 3, 2600, BLOCK_END, g.stack("java.lang.Object.wait0", "java.lang.Object.wait", "app.Queue.take"));
        g.event(2, 2, 3000, NOTIFY, 77L, 1L);
        g.event(1, 1, 3100, BLOCK_END, g.stack("java.lang.Object.wait0", "java.lang.Object.wait", "app.Queue.take"));
        g.event(4, 4, 4000, BLOCK_END, g.stack("java.lang.Object.wait0", "java.lang.Object.wait", "app.Other.poll"));
        g.event(3, 3, 5000, SLEEP_BEGIN, 500L);
        g.event(3, 3, 5500, BLOCK_END, g.stack("java.lang.Thread.sleep", "app.Main.pause"));
        // an idle pool worker waiting for its next task (no unpark: it timed out)
        g.event(5, 5, 6000, PARK_BEGIN, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", 0L);
        g.event(5, 5, 8000, BLOCK_END, g.stack("jdk.internal.misc.Unsafe.park",
                "java.util.concurrent.locks.LockSupport.parkNanos", "java.util.concurrent.LinkedBlockingQueue.poll",
                "java.util.concurrent.ThreadPoolExecutor.getTask", "java.util.concurrent.ThreadPoolExecutor.runWorker",
                "java.lang.Thread.run"));
        // JFR's view of the first park and the sleep, reported late by the bridge: the same blocks again
        g.event(9, 99, 6000, PARK, 1L, 100L, 250L, "app.Lock", 0L);
        g.event(9, 99, 6001, SLEEP, 3L, 5000L, 500L, 0L);
        g.end();
        return b.write(file);
    }

    /**
     * Virtual thread 100 on carriers 10 and 11: submitted (and retried) by main, mounted, parks and is
     * unmounted, unparked and submitted by main, mounted elsewhere, returns from the park, yields (the
     * carrier resubmits it), mounted again, finishes. Meanwhile "vt-req-2" (101) runs on carrier 11 from
     * 350 to 450 (submitted at 300) and an unnamed one (102) from 460 to 560 (submitted at 400).
     */
    public static Path virtual(Path file) throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000).thread(1, "main", false).thread(10, "ForkJoinPool-1-worker-1", false)
                .thread(11, "ForkJoinPool-1-worker-2", false).thread(100, "vt-req-1", true)
                .thread(101, "vt-req-2", true).thread(102, "", true);
        g.event(1, 1, 300, VIRTUAL_THREAD_SUBMIT, 101L);
        g.event(11, 11, 350, VIRTUAL_THREAD_MOUNT, 101L);
        g.event(1, 1, 400, VIRTUAL_THREAD_SUBMIT, 102L);
        g.event(11, 11, 450, VIRTUAL_THREAD_UNMOUNT, 101L);
        g.event(11, 11, 460, VIRTUAL_THREAD_MOUNT, 102L);
        g.event(11, 11, 560, VIRTUAL_THREAD_UNMOUNT, 102L);
        g.event(1, 1, 100, VIRTUAL_THREAD_SUBMIT, 100L);
        g.event(1, 1, 120, VIRTUAL_THREAD_SUBMIT, 100L); // a retry
        g.event(10, 10, 200, VIRTUAL_THREAD_MOUNT, 100L);
        g.event(5, 0, 290, THREAD_SWITCH, 100L, "vt-req-1");
        g.event(5, 0, 300, PARK_BEGIN, "java.util.concurrent.CompletableFuture$Signaller", 0L);
        g.event(10, 10, 310, VIRTUAL_THREAD_UNMOUNT, 100L);
        g.event(1, 1, 500, UNPARK, 100L);
        g.event(1, 1, 510, VIRTUAL_THREAD_SUBMIT, 100L);
        g.event(11, 11, 600, VIRTUAL_THREAD_MOUNT, 100L);
        g.event(5, 0, 610, BLOCK_END, g.stack("java.lang.VirtualThread.park", "app.Handler.await"));
        g.event(5, 0, 700, YIELD);
        g.event(11, 11, 710, VIRTUAL_THREAD_UNMOUNT, 100L);
        g.event(11, 11, 720, VIRTUAL_THREAD_SUBMIT, 100L);
        g.event(10, 10, 800, VIRTUAL_THREAD_MOUNT, 100L);
        g.event(10, 10, 900, VIRTUAL_THREAD_UNMOUNT, 100L);
        g.end();
        return b.write(file);
    }

}
