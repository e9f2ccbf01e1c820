package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The recorder under overload ({@code bench/run --overload}): 1, 2, 8, 32 and 256 platform threads call
 * {@code JTrace.log} flat out for a few seconds with the default configuration, each count in a fresh JVM.
 * Prints per count: events emitted, recorded and dropped per second, the largest generation in bytes and
 * seconds, the JVM's peak RSS, and the cost of one call (p50, p99: every 64th call is timed with
 * {@code System.nanoTime()} around it, so the numbers include one clock read, about 20 ns).
 */
public final class Overload {
    private static final int[] THREADS = {1, 2, 8, 32, 256};

    private Overload() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Integer.parseInt(args[1]), Long.parseLong(args[2]), Path.of(args[3]));
            return;
        }
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        int[] counts = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : THREADS;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Path dir = Files.createTempDirectory("jtrace-overload");
        List<String> rows = new ArrayList<>();
        for (int t : counts) {
            Path file = dir.resolve("overload-" + t + ".jtrace");
            Process p = new ProcessBuilder(java, "-Xmx2g", "-Djtrace.clock=nanotime", "-cp", cp, Overload.class.getName(),
                    "child", Integer.toString(t), Long.toString(seconds), file.toString())
                    .redirectErrorStream(true).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("| ")) {
                        rows.add(line);
                    } else {
                        System.err.println("overload(" + t + "): " + line);
                    }
                }
            }
            p.waitFor();
            Files.deleteIfExists(file);
        }
        Files.deleteIfExists(dir);
        System.out.println("Overload, default config (period=1s, genbytes=16m, buffer=64k, budget=64m), " + seconds
                + " s per row, " + Runtime.getRuntime().availableProcessors() + " CPUs:");
        System.out.println();
        System.out.println("| threads | emitted/s | recorded/s | dropped/s (counted) | largest generation | longest generation"
                + " | peak RSS | log() p50 | log() p99 |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }

    private static void child(int threads, long seconds, Path file) throws Exception {
        JTrace.start(TraceConfig.builder().file(file).build());
        long[] counts = new long[threads];
        long[][] samples = new long[threads][];
        int[] sampled = new int[threads];
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(threads);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            samples[id] = new long[Math.max(4096, (1 << 21) / threads)]; // 16 MiB of samples in all
            all.add(Thread.ofPlatform().start(() -> {
                ready.countDown();
                long n = 0;
                long[] s = samples[id];
                int k = 0;
                while (!stop.get()) {
                    if ((n & 63) == 0 && k < s.length) {
                        long a = System.nanoTime();
                        JTrace.log(null, "load", "m");
                        s[k++] = System.nanoTime() - a;
                    } else {
                        JTrace.log(null, "load", "m");
                    }
                    n++;
                }
                counts[id] = n;
                sampled[id] = k;
            }));
        }
        ready.await();
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000);
        stop.set(true);
        for (Thread t : all) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        JTrace.stop();
        long rss = peakRssKb();
        int total = 0;
        for (int k : sampled) {
            total += k;
        }
        long[] lat = new long[total];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(samples[t], 0, lat, at, sampled[t]);
            at += sampled[t];
            samples[t] = null;
        }
        Arrays.sort(lat);
        long emitted = Arrays.stream(counts).sum();
        long recorded = 0;
        long dropped = 0;
        long largest = 0;
        double longest = 0;
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (var e : g.events()) {
                    if (e.type().id() == dev.jtrace.format.EventTypes.LOG) {
                        recorded++;
                    }
                }
                for (LossRecord l : g.losses()) {
                    if (Format.lossCountsEvents(l.reason())) {
                        dropped += l.count();
                    }
                }
                largest = Math.max(largest, r.position() - g.fileOffset());
                longest = Math.max(longest, (g.endWallNanos() - g.startWallNanos()) / 1e9);
            }
        }
        System.out.printf("| %d | %.2f M | %.2f M | %.0f | %.1f MiB | %.2f s | %d MiB | %d ns | %d ns |%n", threads,
                emitted / elapsed / 1e6, recorded / elapsed / 1e6, dropped / elapsed, largest / 1048576.0, longest,
                rss / 1024, lat.length == 0 ? 0 : lat[lat.length / 2], lat.length == 0 ? 0 : lat[(int) (lat.length * 0.99)]);
        if (emitted != recorded + dropped) {
            System.out.println("accounting mismatch: emitted " + emitted + " recorded " + recorded + " dropped " + dropped);
        }
    }

    private static long peakRssKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
