package dev.jtrace.analysis;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records a large trace for the bounded-memory export runs of docs/exports.md (not a test: it runs for
 * minutes). Four platform workers and a stream of virtual threads run tasks with nested regions, logs and
 * counters, tasks cross threads, and a "runtime" thread emits park, monitor, sleep, GC, heap, CPU and
 * allocation sample events with stacks at true times in the past, as the agent does.
 *
 * <pre>java -cp analysis/target/test-classes:recorder/target/classes:format/target/classes \
 *     dev.jtrace.analysis.LargeTraceGenerator OUT.jtrace MEGABYTES</pre>
 */
public final class LargeTraceGenerator {
    private LargeTraceGenerator() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        long target = Long.parseLong(args[1]) << 20;
        JTrace.start(TraceConfig.builder().file(out).build());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            threads.add(Thread.ofPlatform().name("worker-" + w).start(() -> work(worker, stop)));
        }
        threads.add(Thread.ofPlatform().name("virtual-spawner").start(() -> {
            while (!stop.get()) {
                Thread v = Thread.ofVirtual().name("lookup").start(() -> {
                    Task t = JTrace.newTask(null, "lookup");
                    try (Region r = JTrace.region(t, "cache")) {
                        JTrace.log(t, "cache", "miss");
                    }
                    t.end();
                });
                try {
                    v.join();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }));
        threads.add(Thread.ofPlatform().name("runtime").start(() -> runtime(stop)));
        for (int i = 0; i < 2; i++) {
            Thread notifier = Thread.ofPlatform().name("notifier-" + i).daemon().start(() -> {
                while (true) {
                    try {
                        NOTIFY.take().end();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            threads.add(notifier);
        }
        long t0 = System.nanoTime();
        while (Files.size(out) < target) {
            Thread.sleep(200);
            System.err.printf("\r%,d MB", Files.size(out) >> 20);
        }
        stop.set(true);
        for (Thread t : threads) {
            if (!t.isDaemon()) {
                t.join();
            }
        }
        while (!NOTIFY.isEmpty()) {
            Thread.sleep(10);
        }
        JTrace.stop();
        System.err.printf("%nwrote %,d bytes in %.1f s%n", Files.size(out), (System.nanoTime() - t0) / 1e9);
    }

    private static final BlockingQueue<Task> NOTIFY = new ArrayBlockingQueue<>(1024);

    private static void work(int worker, AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            Task order = JTrace.newTask(null, "order");
            try (Region r = JTrace.region(order, "handle")) {
                try (Region p = JTrace.region(order, "parse")) {
                    JTrace.log(order, "http", "POST /orders/" + (n % 1000));
                }
                try (Region s = JTrace.region(order, "store")) {
                    JTrace.counter("orders", n);
                }
            }
            if (n % 2 == 0) {
                try {
                    NOTIFY.put(JTrace.newTask(order, "notify")); // ended by a notifier thread: a flow
                } catch (InterruptedException e) {
                    return;
                }
            }
            order.end();
            n++;
            if (n % 64 == 0) {
                Thread.yield();
            }
        }
    }

    private static StackTraceElement[] stack(int variant) {
        StackTraceElement[] s = new StackTraceElement[12];
        for (int i = 0; i < s.length; i++) {
            s[i] = new StackTraceElement("app.Layer" + i, "call" + ((variant + i) % 7), "Layer" + i + ".java",
                    10 + i * 3 + variant % 5);
        }
        return s;
    }

    private static void runtime(AtomicBoolean stop) {
        ThreadContext c = ThreadContext.current();
        long main = Thread.currentThread().threadId();
        long i = 0;
        while (!stop.get()) {
            long now = System.nanoTime();
            long past = now - 2_000_000L; // reported late, like JFR's events
            int v = (int) (i % 40);
            c.runtimeEvent(EventTypes.PARK, main, past, 500_000L, "java.util.concurrent.locks.ReentrantLock", stack(v));
            c.runtimeEvent(EventTypes.CPU_SAMPLE, main, past + 600_000L, stack(v + 1));
            if (i % 4 == 0) {
                c.runtimeEvent(EventTypes.MONITOR_BLOCKED, main, past + 700_000L, 100_000L, "app.Cache", stack(v + 2));
                c.runtimeEvent(EventTypes.ALLOC_SAMPLE, main, past + 800_000L, "byte[]", 4096L, stack(v + 3));
            }
            if (i % 100 == 0) {
                c.runtimeEvent(EventTypes.GC_PAUSE, i, past, 300_000L, "G1 Young", "G1 Evacuation Pause");
                c.runtimeEvent(EventTypes.HEAP_SUMMARY, past, 1L << 28, 1L << 30);
            }
            i++;
            while (System.nanoTime() < now + 1_000_000L) {
                Thread.onSpinWait();
            }
        }
    }
}
