import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The workload of docs/sql.md's queries on blocking, GC and wake-ups, recorded under the agent:
 * requests on a pool of four workers, each a task with regions, contending on one lock, handing work to a
 * writer thread through a queue (unpark wake-ups) and allocating enough to collect.
 * Run: jtrace record -o /tmp/sqlagent.jtrace -- java -cp cli/target/jtrace.jar docs/sql/SqlDemo.java
 */
public class SqlDemo {
    static final ReentrantLock lock = new ReentrantLock();
    static final Object monitor = new Object();
    static final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4);
    static volatile List<byte[]> keep = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Thread writer = Thread.ofPlatform().name("writer").start(() -> {
            try {
                while (true) {
                    byte[] b = queue.take();
                    if (b.length == 0) {
                        return;
                    }
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 400; i++) {
            int n = i;
            pool.submit(() -> request(n));
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        queue.put(new byte[0]);
        writer.join();
    }

    static void request(int n) {
        Task t = JTrace.newTask(null, "request");
        try (Region r = JTrace.region(t, "handle")) {
            try (Region p = JTrace.region(t, "parse")) {
                List<byte[]> garbage = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    garbage.add(new byte[16 * 1024]);
                }
                keep = garbage;
            }
            lock.lock();
            try (Region c = JTrace.region(t, "cache")) {
                Thread.sleep(n % 10 == 0 ? 8 : 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
            synchronized (monitor) {
                busy(200_000);
            }
            try (Region w = JTrace.region(t, "write")) {
                queue.put(new byte[n + 1]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        t.end();
    }

    static long sink;

    static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            sink++;
        }
    }
}
