package dev.jtrace.bench.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CpuPerRequestTest {
    @Test
    void statTicksCountsFieldsFromTheLastParenthesis() {
        // A thread name may hold spaces and ')': utime 25 and stime 17 must still be fields 14 and 15.
        String stat = "4242 (C2 Compiler) x) S 1 4242 4242 0 -1 4194368 100 0 0 0 25 17 0 0 20 0 1 0 500 0 0";
        assertThat(CpuPerRequest.statTicks(stat)).isEqualTo(42);
    }

    @Test
    void threadsAreGroupedByTheNameLinuxKeeps() {
        assertThat(CpuPerRequest.group("jetty-23")).isEqualTo("Jetty (application)");
        assertThat(CpuPerRequest.group("jtrace-writer")).isEqualTo("jtrace-writer");
        // Linux cuts a thread's name to 15 bytes.
        assertThat(CpuPerRequest.group("jtrace-jfr-brid")).isEqualTo("jtrace-jfr-bridge");
        assertThat(CpuPerRequest.group("jtrace-jfr-stop")).isEqualTo("jtrace (other)");
        assertThat(CpuPerRequest.group("JFR Recorder Th")).isEqualTo("JFR threads");
        assertThat(CpuPerRequest.group("GC Thread#1")).isEqualTo("GC threads");
        assertThat(CpuPerRequest.group("G1 Conc#0")).isEqualTo("GC threads");
        assertThat(CpuPerRequest.group("C2 CompilerThre")).isEqualTo("JIT compilers");
        assertThat(CpuPerRequest.group("C1 CompilerThre")).isEqualTo("JIT compilers");
        assertThat(CpuPerRequest.group("VM Thread")).isEqualTo("VM Thread");
        assertThat(CpuPerRequest.group("Common-Cleaner")).isEqualTo("other");
    }

    /** A run of 1,000 requests whose latencies are all {@code micros}, with {@code cpuTicks} of CPU. */
    private static CpuPerRequest.Run run(long micros, long cpuTicks) {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        h.recordValueWithCount(TimeUnit.MICROSECONDS.toNanos(micros), 1000);
        return new CpuPerRequest.Run(1000, 1000, 0, 3.0, cpuTicks, java.util.Map.of(), h, 0, java.util.Map.of(), 0, 0);
    }

    @Test
    void theReportGivesEachRoundsP99DifferenceWithAnInterval() {
        // off's p99 is 1 ms in every round; the recorder's 1.5, 3 and 2 ms: median +1.0 ms, interval within
        // [+0.5, +2.0], whatever the merged p99s say
        java.util.Map<CpuPerRequest.Mode, List<CpuPerRequest.Run>> runs = new java.util.EnumMap<>(CpuPerRequest.Mode.class);
        runs.put(CpuPerRequest.Mode.OFF, List.of(run(1000, 100), run(1000, 100), run(1000, 100)));
        runs.put(CpuPerRequest.Mode.RECORDER, List.of(run(1500, 101), run(3000, 102), run(2000, 101)));
        String report = CpuPerRequest.report(runs, List.of(CpuPerRequest.Mode.OFF, CpuPerRequest.Mode.RECORDER),
                1000, 3, 1, 3, Double.NaN, Double.NaN);
        String row = report.lines().filter(l -> l.startsWith("| recorder only")).findFirst().orElseThrow();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\\| ([+-]\\d+\\.\\d+) \\[([+-]\\d+\\.\\d+), ([+-]\\d+\\.\\d+)\\] \\|").matcher(row);
        List<double[]> cells = new ArrayList<>();
        while (m.find()) {
            cells.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3))});
        }
        double[] p99 = cells.get(cells.size() - 1); // the last interval cell of the row
        assertThat(p99[0]).as(row).isCloseTo(1.0, within(0.01));
        assertThat(p99[1]).as(row).isGreaterThanOrEqualTo(0.49).isLessThanOrEqualTo(1.0);
        assertThat(p99[2]).as(row).isGreaterThanOrEqualTo(1.0).isLessThanOrEqualTo(2.01);
        assertThat(report).contains("p99 delta vs off");
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(CpuPerRequest.median(new double[] {5, 1, 3})).isEqualTo(3);
        assertThat(CpuPerRequest.median(new double[] {4, 1, 3, 10})).isEqualTo(3.5);
    }

    @Test
    void tIntervalUsesStudentsQuantile() {
        // mean 2, sample sd 1, n 3: half-width t(0.975, 2) * 1 / sqrt(3) = 4.303 / 1.732
        assertThat(CpuPerRequest.tHalfWidth(new double[] {1, 2, 3})).isCloseTo(4.303 / Math.sqrt(3), within(1e-9));
    }

    @Test
    void bootstrapIntervalHoldsTheMedianAndStaysInTheData() {
        double[] xs = {10, 12, 9, 11, 30, 10.5, 11.5};
        double[] ci = CpuPerRequest.bootstrapMedianCi(xs);
        assertThat(ci[0]).isLessThanOrEqualTo(CpuPerRequest.median(xs)).isGreaterThanOrEqualTo(9);
        assertThat(ci[1]).isGreaterThanOrEqualTo(CpuPerRequest.median(xs)).isLessThan(30);
    }

    @Test
    void connectionReadsLengthAndChunkedBodiesOnOneKeptAliveSocket() throws Exception {
        List<String> answers = List.of(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> targets = CompletableFuture.supplyAsync(() -> serve(ss, answers));
            try (CpuPerRequest.Connection c = new CpuPerRequest.Connection(ss.getLocalPort())) {
                assertThat(c.get("/a")).isEqualTo(200);
                assertThat(c.get("/b?x=1")).isEqualTo(404);
                assertThat(c.get("/c")).isEqualTo(200);
            }
            assertThat(targets.get(10, TimeUnit.SECONDS)).containsExactly("GET /a HTTP/1.1", "GET /b?x=1 HTTP/1.1",
                    "GET /c HTTP/1.1");
        }
    }

    @Test
    void connectionRefusesAResponseThatClosesTheConnection() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> serve(ss, List.of("HTTP/1.1 503 Unavailable\r\nConnection: close\r\n"
                    + "Content-Length: 0\r\n\r\n")));
            try (CpuPerRequest.Connection c = new CpuPerRequest.Connection(ss.getLocalPort())) {
                assertThatThrownBy(() -> c.get("/a")).isInstanceOf(IOException.class).hasMessageContaining("closed");
            }
        }
    }

    @Test
    void stopServerTakesAConnectionClosedBeforeTheReplyForAServerOnItsWayOut() throws Exception {
        // The race that ended a 40-minute run: the server closed the connection of /stop before replying.
        Process process = new ProcessBuilder("sleep", "1").start();
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                try (Socket s = ss.accept()) {
                    readHead(s.getInputStream());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            CpuPerRequest.stopServer(process, ss.getLocalPort());
            closer.get(10, TimeUnit.SECONDS);
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.isAlive()).as("stopServer waits for the process to end").isFalse();
    }

    @Test
    void stopServerStillFailsOnAnAnswerThatIsNotHttp() throws Exception {
        Process process = new ProcessBuilder("sleep", "1").start();
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> serve(ss, List.of("SSH-2.0-OpenSSH\r\n")));
            assertThatThrownBy(() -> CpuPerRequest.stopServer(process, ss.getLocalPort()))
                    .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP/1.1 response");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void benchServerAnswersStopBeforeItStops() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("stop-test");
        try {
            for (int i = 0; i < 3; i++) {
                java.nio.file.Path portFile = dir.resolve("port" + i);
                java.nio.file.Path log = dir.resolve("server" + i + ".log");
                Process server = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                        portFile.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    int port = BenchServer.awaitPort(server, portFile, log);
                    try (CpuPerRequest.Connection c = new CpuPerRequest.Connection(port)) {
                        assertThat(c.get("/work?q=" + i)).isEqualTo(200);
                        assertThat(c.get("/stop")).as("the reply to /stop, run %d", i).isEqualTo(200);
                    }
                    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server stopped after /stop").isTrue();
                } finally {
                    server.destroyForcibly();
                }
            }
        } finally {
            CpuPerRequest.deleteTree(dir);
        }
    }

    @Test
    void theAgentIsComparedWithJfrDefaultRoundByRound() {
        // Round CPU (ticks per 1000 requests): JFR default 100, 110, 90; the agent 104, 112, 95: +4, +2, +5.
        // Against off both vary by 20 ticks, so only the paired difference shows the agent above JFR default.
        java.util.Map<CpuPerRequest.Mode, List<CpuPerRequest.Run>> runs = new java.util.EnumMap<>(CpuPerRequest.Mode.class);
        runs.put(CpuPerRequest.Mode.OFF, List.of(run(1000, 95), run(1000, 105), run(1000, 85)));
        runs.put(CpuPerRequest.Mode.JFR_DEFAULT, List.of(run(1000, 100), run(1000, 110), run(1000, 90)));
        runs.put(CpuPerRequest.Mode.AGENT, List.of(run(1000, 104), run(1000, 112), run(1000, 95)));
        String table = CpuPerRequest.againstJfrDefault(runs,
                List.of(CpuPerRequest.Mode.OFF, CpuPerRequest.Mode.AGENT, CpuPerRequest.Mode.JFR_DEFAULT));
        String row = table.lines().filter(l -> l.startsWith("| agent")).findFirst().orElseThrow();
        double perTick = 1e6 / CpuPerRequest.CLK_TCK / 1000; // us per request of one tick over 1000 requests
        assertThat(row).as(table).contains(String.format("%+.1f [", 4 * perTick)).endsWith("| 3 of 3 |");
        assertThat(table).doesNotContain("| JFR settings=default |");
        assertThat(CpuPerRequest.againstJfrDefault(runs, List.of(CpuPerRequest.Mode.OFF, CpuPerRequest.Mode.AGENT)))
                .isEmpty();
    }

    @Test
    void aRoundCutShortIsLeftOutOfThePartialReport() {
        java.util.Map<CpuPerRequest.Mode, List<CpuPerRequest.Run>> runs = new java.util.EnumMap<>(CpuPerRequest.Mode.class);
        runs.put(CpuPerRequest.Mode.OFF, List.of(run(1000, 100), run(1000, 100), run(1000, 100)));
        runs.put(CpuPerRequest.Mode.RECORDER, List.of(run(1500, 101), run(3000, 102)));
        var complete = CpuPerRequest.completeRounds(runs, 2);
        assertThat(complete.get(CpuPerRequest.Mode.OFF)).hasSize(2);
        assertThat(complete.get(CpuPerRequest.Mode.RECORDER)).hasSize(2);
        String report = CpuPerRequest.report(complete, List.of(CpuPerRequest.Mode.OFF, CpuPerRequest.Mode.RECORDER),
                1000, 2, 1, 3, Double.NaN, Double.NaN);
        assertThat(report).contains("2 rounds of 2 modes");
    }

    /** Answers one request per answer on the first connection; returns the request lines it saw. */
    private static List<String> serve(ServerSocket ss, List<String> answers) {
        List<String> seen = new ArrayList<>();
        try (Socket s = ss.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (String answer : answers) {
                String head = readHead(in);
                seen.add(head.substring(0, head.indexOf("\r\n")));
                out.write(answer.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return seen;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("eof");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
