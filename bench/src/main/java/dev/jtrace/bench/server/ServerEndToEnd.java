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
 * driven over loopback by concurrent HTTP clients for a fixed time, in three modes taken in turn: tracing
 * off; the recorder alone (the server's own tasks, regions and logs to a file); and the agent (the same plus
 * the JVM's events from JFR's stream, every family). Reports requests per second and the overhead of each
 * mode against the off run of the same round, with its spread. Arguments:
 * {@code AGENT_JAR [rounds] [seconds per run]}.
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
        run(agent, Mode.OFF, seconds); // warm-up of the machine and the page cache, not counted
        Mode[] modes = Mode.values();
        List<List<Double>> rates = new ArrayList<>();
        long[] traceBytes = new long[modes.length];
        for (Mode m : modes) {
            rates.add(new ArrayList<>());
        }
        for (int i = 0; i < rounds; i++) {
            StringBuilder line = new StringBuilder("round " + (i + 1) + ":");
            for (Mode m : modes) {
                double[] r = run(agent, m, seconds);
                rates.get(m.ordinal()).add(r[0]);
                traceBytes[m.ordinal()] += (long) r[1];
                line.append(String.format(" %s %,.0f req/s", m.label, r[0]));
            }
            System.err.println(line);
        }
        System.out.printf("%nserver end-to-end: Jetty 12, %d clients on loopback, %d s per run, %d rounds of the"
                + " three modes in turn%n%n", CLIENTS, seconds, rounds);
        System.out.println("| mode | requests/s (mean) | stddev | overhead vs off (mean +- stddev of the rounds) |"
                + " trace per run |");
        System.out.println("| --- | --- | --- | --- | --- |");
        List<Double> off = rates.get(Mode.OFF.ordinal());
        for (Mode m : modes) {
            List<Double> r = rates.get(m.ordinal());
            List<Double> overhead = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                overhead.add(100.0 * (off.get(i) - r.get(i)) / off.get(i));
            }
            System.out.printf("| %s | %,.0f | %,.0f | %s | %s |%n", m.label, mean(r), sd(r),
                    m == Mode.OFF ? "-" : String.format("%.1f%% +- %.1f%%", mean(overhead), sd(overhead)),
                    m == Mode.OFF ? "-" : String.format("%.1f MB", traceBytes[m.ordinal()] / (double) rounds / 1e6));
        }
    }

    /** How the server runs. */
    enum Mode {
        OFF("off"),
        RECORDER("recorder only (the server's tasks, regions, logs)"),
        AGENT("agent (the same + JVM events from JFR, all families)");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** One run: {requests per second, trace bytes}. */
    private static double[] run(Path agent, Mode mode, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("e2e-server");
        Path portFile = dir.resolve("port");
        Path trace = dir.resolve("server.jtrace");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        if (mode == Mode.AGENT) {
            cmd.add("-javaagent:" + agent + "=file=" + trace);
        } else if (mode == Mode.RECORDER) {
            cmd.add("-Dbench.trace=" + trace);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                portFile.toString()));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            int port = BenchServer.awaitPort(server, portFile, dir.resolve("server.log"));
            String base = "http://127.0.0.1:" + port;
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            load(client, base, 1); // JIT warm-up of both sides, not counted
            double rate = load(client, base, seconds);
            client.send(HttpRequest.newBuilder(URI.create(base + "/stop")).build(), HttpResponse.BodyHandlers.discarding());
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server did not stop");
            }
            return new double[] {rate, Files.exists(trace) ? Files.size(trace) : 0};
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
