package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * End-to-end overhead on a realistic multi-threaded workload: a request handler (parse, hash, render)
 * on a pool of 4 platform threads plus virtual-thread fan-out, instrumented like an application would be
 * (a task per request, 4 regions, 2 logs, a sub-task on a virtual thread). Throughput with tracing off
 * and on, alternating, repeated; reports the overhead with its spread.
 */
public final class EndToEnd {
    private static final int REQUESTS = 20_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        run(false); // warm-up, JIT
        run(true);
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            off.add(run(false));
            on.add(run(true));
        }
        List<Double> overhead = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            overhead.add(100.0 * (off.get(i) - on.get(i)) / off.get(i));
        }
        System.out.printf("%nend-to-end: %d requests per run, %d runs each, alternating off/on%n%n", REQUESTS, rounds);
        System.out.println("| tracing | requests/s (mean) | stddev |");
        System.out.println("| --- | --- | --- |");
        System.out.printf("| off | %,.0f | %,.0f |%n", mean(off), sd(off));
        System.out.printf("| on (file) | %,.0f | %,.0f |%n", mean(on), sd(on));
        System.out.printf("%noverhead: %.1f%% +- %.1f%% (mean +- stddev of the %d paired runs)%n", mean(overhead),
                sd(overhead), rounds);
    }

    private static double run(boolean tracing) throws Exception {
        Path f = Files.createTempFile("e2e", ".jtrace");
        if (tracing) {
            JTrace.start(TraceConfig.builder().file(f).build());
        }
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(4);
                ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int req = i;
                fs.add(pool.submit(() -> handle(req, vts)));
            }
            for (Future<?> x : fs) {
                x.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (tracing) {
            JTrace.stop();
        }
        Files.deleteIfExists(f);
        return REQUESTS / seconds;
    }

    private static Object handle(int req, ExecutorService vts) throws Exception {
        Task t = JTrace.newTask(null, "request");
        byte[] body;
        try (Region r = JTrace.region(t, "parse")) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                sb.append(req).append(',').append(i).append(';');
            }
            body = sb.toString().getBytes();
            JTrace.log(t, "request", "parsed");
        }
        byte[] digest;
        try (Region r = JTrace.region(t, "hash")) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < 8; i++) {
                md.update(body);
            }
            digest = md.digest();
        }
        Future<Integer> side = vts.submit(() -> {
            Task sub = JTrace.newTask(t, "audit");
            try (Region r = JTrace.region(sub, "audit")) {
                return digest[0] + 1;
            } finally {
                sub.end();
            }
        });
        String out;
        try (Region r = JTrace.region(t, "render")) {
            out = java.util.HexFormat.of().formatHex(digest) + side.get();
            JTrace.log(t, "response", "rendered");
        }
        t.end();
        return out;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double sd(List<Double> xs) {
        double m = mean(xs);
        return Math.sqrt(xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / Math.max(1, xs.size() - 1));
    }
}
