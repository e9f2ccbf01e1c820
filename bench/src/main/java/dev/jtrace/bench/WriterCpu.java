package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import dev.jtrace.bench.server.InterleavedCpu;
import dev.jtrace.internal.Session;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The recorder's own thread: the CPU the {@code jtrace-writer} thread spends per second, and how often it
 * wakes, in a recording with the default configuration that gets no event at all, then a steady 5,080 and
 * 50,800 events a second (bursts of 11 log events, as a request of the Jetty benchmark's). A tracer whose
 * writer costs the same at every rate pays per wake-up, not per event: that is what this measures. CPU from
 * {@link ThreadMXBean}, wake-ups from Linux's {@code /proc/self/task/TID/schedstat} (its third field, the
 * times the thread ran). Argument: seconds per rate (default 20).
 */
public final class WriterCpu {
    private static final int[] RATES = {0, 5_080, 50_800};
    private static final int BURST = 11;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.printf("%nthe writer thread's CPU and wake-ups, default configuration, %d s per rate%n%n", seconds);
        System.out.println("| events/s | jtrace-writer CPU ms/s | wake-ups/s | generations | events recorded |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (int rate : RATES) {
            row(rate, seconds);
        }
    }

    private static void row(int rate, int seconds) throws Exception {
        Path file = Files.createTempFile("writer-cpu", ".jtrace");
        try {
            JTrace.start(TraceConfig.builder().file(file).build());
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Thread.sleep(2_000); // past the start and the first generations
            Thread writer = writerThread();
            int task = writerTask(threads());
            long c0 = mx.getThreadCpuTime(writer.threadId());
            long w0 = runs(threads(), task);
            long g0 = Session.active().generationsWritten();
            long t0 = System.nanoTime();
            long end = t0 + seconds * 1_000_000_000L;
            long gap = rate == 0 ? 100_000_000L : BURST * 1_000_000_000L / rate;
            long next = t0;
            long events = 0;
            while (System.nanoTime() < end) {
                if (rate > 0) {
                    for (int i = 0; i < BURST; i++) {
                        JTrace.log(null, "req", "m");
                    }
                    events += BURST;
                }
                // paced to a schedule, not a sleep after each burst: a late wake-up does not lower the rate
                next += gap;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            long cpu = mx.getThreadCpuTime(writer.threadId()) - c0;
            long wakes = task < 0 ? -1 : runs(threads(), task) - w0;
            long gens = Session.active().generationsWritten() - g0;
            JTrace.stop();
            System.out.printf("| %,d | %.3f | %s | %d | %,d |%n", rate, cpu / 1e6 / s,
                    wakes < 0 ? "n/a" : String.format("%.1f", wakes / s), gens, events);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Thread writerThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("jtrace-writer")) {
                return t;
            }
        }
        throw new IllegalStateException("no jtrace-writer thread in a running session");
    }

    /** This JVM's threads from /proc, or none where there is no /proc. */
    private static Map<Integer, InterleavedCpu.ThreadRun> threads() {
        try {
            return InterleavedCpu.threads(ProcessHandle.current().pid());
        } catch (java.io.IOException noProc) {
            return Map.of();
        }
    }

    /** The Linux thread id of the one {@code jtrace-writer} thread, or -1 without /proc. */
    private static int writerTask(Map<Integer, InterleavedCpu.ThreadRun> threads) {
        for (Map.Entry<Integer, InterleavedCpu.ThreadRun> e : threads.entrySet()) {
            if (e.getValue().comm().equals("jtrace-writer")) {
                return e.getKey();
            }
        }
        return -1;
    }

    /** How many times the thread ran (schedstat's third field), or 0 if it is not there. */
    private static long runs(Map<Integer, InterleavedCpu.ThreadRun> threads, int task) {
        InterleavedCpu.ThreadRun r = threads.get(task);
        return r == null ? 0 : r.runs();
    }
}
