package dev.jtrace.bench.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end overhead on a real server: {@link BenchServer} (Jetty 12 from Maven Central) in a child JVM,
 * driven over loopback by concurrent HTTP clients for a fixed time, with the jtrace agent off and on
 * (recording to a file, every event family), alternating, repeated. Reports requests per second and the
 * overhead with its spread. Arguments: {@code AGENT_JAR [rounds] [seconds per run]}.
 */
public final class ServerEndToEnd {
    private static final int CLIENTS = 8;

    private ServerEndToEnd() {}

    public static void main(String[] args) throws Exception {
        Path agent = Path.of(args[0]);
        if (!Files.isRegularFile(agent)) {
            throw new IllegalArgumentException("no agent jar at " + agent + " (build with mvn install)");
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        run(agent, false, 3); // warm-up of the machine and the page cache
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        long traceBytes = 0;
        for (int i = 0; i < rounds; i++) {
            off.add(run(agent, false, seconds)[0]);
            double[] r = run(agent, true, seconds);
            on.add(r[0]);
            traceBytes += (long) r[1];
            System.err.printf("round %d: off %,.0f req/s, on %,.0f req/s%n", i + 1, off.get(i), on.get(i));
        }
        List<Double> overhead = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            overhead.add(100.0 * (off.get(i) - on.get(i)) / off.get(i));
        }
        System.out.printf("%nserver end-to-end: Jetty 12, %d clients on loopback, %d s per run, %d runs each,"
                + " alternating off/on%n%n", CLIENTS, seconds, rounds);
        System.out.println("| agent | requests/s (mean) | stddev |");
        System.out.println("| --- | --- | --- |");
        System.out.printf("| off | %,.0f | %,.0f |%n", mean(off), sd(off));
        System.out.printf("| on (file, all event families) | %,.0f | %,.0f |%n", mean(on), sd(on));
        System.out.printf("%noverhead: %.1f%% +- %.1f%% (mean +- stddev of the %d paired runs); trace %.1f MB per"
                + " run%n", mean(overhead), sd(overhead), rounds, traceBytes / (double) rounds / 1e6);
    }

    /** One run: {requests per second, trace bytes}. */
    private static double[] run(Path agent, boolean tracing, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("e2e-server");
        Path portFile = dir.resolve("port");
        Path trace = dir.resolve("server.jtrace");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        if (tracing) {
            cmd.add("-javaagent:" + agent + "=file=" + trace);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                portFile.toString()));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(portFile) || Files.readString(portFile).isBlank()) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server did not start: " + Files.readString(dir.resolve("server.log")));
                }
                Thread.sleep(20);
            }
            String base = "http://127.0.0.1:" + Files.readString(portFile).trim();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            load(client, base, 1); // JIT warm-up of both sides, not counted
            double rate = load(client, base, seconds);
            client.send(HttpRequest.newBuilder(URI.create(base + "/stop")).build(), HttpResponse.BodyHandlers.discarding());
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server did not stop");
            }
            return new double[] {rate, tracing && Files.exists(trace) ? Files.size(trace) : 0};
        } finally {
            server.destroyForcibly();
        }
    }

    private static double load(HttpClient client, String base, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int id = c;
            clients.add(Thread.ofPlatform().start(() -> {
                long n = 0;
                while (!stop.get()) {
                    try {
                        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + "/work?user=" + id
                                + "&n=" + n++)).build(), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static double sd(List<Double> xs) {
        double m = mean(xs);
        return Math.sqrt(xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / Math.max(1, xs.size() - 1));
    }
}
