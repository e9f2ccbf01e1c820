package dev.jtrace.cli.demo;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in demo: a small "order service" that exercises every feature of the recorder. Platform
 * workers and virtual threads handle requests as tasks with nested regions and logs; a checkout task is
 * begun on one thread and ended on another; a log message whose {@code toString()} itself logs (reentrant
 * emission); and the alloc/free experiment over a toy object cache, with some objects never freed.
 */
public final class DemoWorkload {
    /** What the workload asked the recorder to record. */
    public record Emitted(long tasks, long regions, long logs, long allocs, long frees, long reentrantLogs) {}

    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong regions = new AtomicLong();
    private final AtomicLong logs = new AtomicLong();
    private final AtomicLong allocs = new AtomicLong();
    private final AtomicLong frees = new AtomicLong();
    private final AtomicLong reentrant = new AtomicLong();
    private final AtomicLong objectIds = new AtomicLong();

    /** A message whose rendering is traced too: the recorder calls toString() while it is recording. */
    private final class Receipt {
        private final long order;

        Receipt(long order) {
            this.order = order;
        }

        @Override
        public String toString() {
            JTrace.log(null, "receipt", "rendering receipt " + order);
            reentrant.incrementAndGet();
            logs.incrementAndGet();
            return "receipt #" + order;
        }
    }

    /** Records the demo to {@code out}; {@code requests} scales the work. */
    public Emitted run(Path out, int requests) throws IOException, InterruptedException {
        TraceConfig config = TraceConfig.builder()
                .file(out)
                .generationPeriod(Duration.ofMillis(100))
                .allocFree(true)
                .build();
        JTrace.start(config);
        try {
            BlockingQueue<Task> checkout = new ArrayBlockingQueue<>(1024);
            Thread payments = Thread.ofPlatform().name("payments").start(() -> settle(checkout, requests));
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int worker = w;
                workers.add(Thread.ofPlatform().name("worker-" + w).start(() -> {
                    for (int i = worker; i < requests; i += 3) {
                        handle(i, checkout);
                    }
                }));
            }
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < requests; i++) {
                    int req = i;
                    vts.submit(() -> lookup(req));
                }
                vts.shutdown();
                vts.awaitTermination(1, TimeUnit.MINUTES);
            }
            for (Thread t : workers) {
                t.join();
            }
            payments.join();
        } finally {
            JTrace.stop();
        }
        return new Emitted(tasks.get(), regions.get(), logs.get(), allocs.get(), frees.get(), reentrant.get());
    }

    private void handle(int req, BlockingQueue<Task> checkout) {
        Task order = JTrace.newTask(null, "order");
        tasks.incrementAndGet();
        try (Region r = JTrace.region(order, "handle")) {
            regions.incrementAndGet();
            try (Region p = JTrace.region(order, "parse")) {
                regions.incrementAndGet();
                JTrace.log(order, "request", "order " + req);
                logs.incrementAndGet();
                spin(100_000);
            }
            long id = objectIds.incrementAndGet();
            JTrace.alloc(id, "demo.Order", 48);
            allocs.incrementAndGet();
            try (Region p = JTrace.region(order, "price")) {
                regions.incrementAndGet();
                spin(200_000);
                JTrace.counter("open-orders", id % 17);
            }
            if (req % 5 != 0) { // every fifth order object leaks: alloc without free
                JTrace.free(id);
                frees.incrementAndGet();
            }
            if (req % 4 == 0) {
                JTrace.log(order, "receipt", new Receipt(req));
                logs.incrementAndGet();
            }
        }
        Task pay = JTrace.newTask(order, "checkout");
        tasks.incrementAndGet();
        try {
            checkout.put(pay); // ended by the payments thread: a task that crosses threads
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        order.end();
    }

    private void settle(BlockingQueue<Task> checkout, int requests) {
        for (int i = 0; i < requests; i++) {
            try {
                Task pay = checkout.take();
                try (Region r = JTrace.region(pay, "settle")) {
                    regions.incrementAndGet();
                    spin(10_000);
                    JTrace.log(pay, "payment", "settled");
                    logs.incrementAndGet();
                }
                pay.end();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void lookup(int req) {
        Task t = JTrace.newTask(null, "lookup");
        tasks.incrementAndGet();
        try (Region r = JTrace.region(t, "cache")) {
            regions.incrementAndGet();
            try (Region db = JTrace.region(t, "db")) {
                regions.incrementAndGet();
                try {
                    Thread.sleep(1 + req % 3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            JTrace.log(t, "cache", req % 2 == 0 ? "hit" : "miss");
            logs.incrementAndGet();
        }
        t.end();
    }

    private static long sink;

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            x++;
        }
        sink += x;
    }
}
