package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import example.jetty.JettyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server from Maven Central (Jetty 12) runs under the agent and, in the same JVM, under JFR's own
 * file recording. Load is driven on loopback from here. Then the trace is checked against the .jfr: the
 * same threads started and ended, the same garbage collections, at the same times, nothing about jtrace's
 * own threads, no reader problems, and no loss that the LOSS tables do not count.
 */
class JettyIT {
    private static final String[] PATHS = {"/hello", "/sleep", "/park", "/lock", "/alloc", "/spawn", "/virtual"};
    private static final int CLIENTS = 6;
    private static final int REQUESTS = 30;

    @TempDir
    Path dir;

    @Test
    void traceOfALoadedJettyServerAgreesWithJfr() throws Exception {
        Path trace = dir.resolve("jetty.jtrace");
        Path jfr = dir.resolve("jetty.jfr");
        Path portFile = dir.resolve("port");
        Path log = dir.resolve("jetty.log");
        Process server = ChildJvm.start("file=" + trace + ",period=500ms",
                List.of("-XX:StartFlightRecording:filename=" + jfr + ",settings=default", "-Xmx256m"), log,
                JettyServer.class.getName(), portFile.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(portFile)) {
                assertThat(server.isAlive()).as(() -> read(log)).isTrue();
                assertThat(System.nanoTime()).as("server start").isLessThan(deadline);
                Thread.sleep(50);
            }
            String base = "http://127.0.0.1:" + Files.readString(portFile).trim();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            ExecutorService drivers = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int clientNo = c;
                done.add(drivers.submit(() -> {
                    for (int i = 0; i < REQUESTS; i++) {
                        get(client, base, i == REQUESTS / 2 && clientNo == 0 ? "/gc" : PATHS[(clientNo + i) % PATHS.length]);
                    }
                    return REQUESTS;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(REQUESTS);
            }
            drivers.shutdown();
            for (int i = 0; i < 3; i++) {
                get(client, base, "/gc");
            }
            Thread.sleep(1500); // idle pool threads time out and end
            get(client, base, "/stop");
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the server did not exit within 60 s; its threads:\n" + threadDump(server)
                        + "\nits output:\n" + read(log));
            }
            assertThat(server.exitValue()).as(() -> read(log)).isZero();
        } finally {
            server.destroyForcibly();
        }
        assertThat(read(log)).contains("server stopped");
        compare(readTrace(trace), readJfr(jfr));
    }

    private static void get(HttpClient client, String base, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok " + path);
    }

    private static String threadDump(Process p) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(p.pid()), "Thread.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }

    /** What both recorders saw, keyed the same way. */
    record Seen(Map<Long, String> started, Set<Long> ended, Map<Long, Long> gcStartWallNanos,
            Map<Long, Long> gcPauseNanos, Set<Long> threadsAbout, Map<Long, String> names, long lost,
            long virtualStarted, long eventsAboutJtrace) {}

    private static Seen readTrace(Path trace) throws Exception {
        Map<Long, String> started = new TreeMap<>();
        Set<Long> ended = new TreeSet<>();
        Map<Long, Long> gcStart = new TreeMap<>();
        Map<Long, Long> gcPause = new TreeMap<>();
        Set<Long> about = new TreeSet<>();
        Map<Long, String> names = new HashMap<>();
        long lost = 0;
        long virtual = 0;
        List<Object[]> platformStarts = new ArrayList<>();
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (ThreadInfo t : g.threads().values()) {
                    names.put(t.id(), t.name());
                }
                for (LossRecord l : g.losses()) {
                    if (dev.jtrace.format.Format.lossCountsEvents(l.reason())) {
                        lost += l.count();
                    }
                }
                for (Event e : g.events()) {
                    switch (e.type().name()) {
                        case "ThreadStart" -> {
                            if (e.arg("virtual") == 1) {
                                virtual++;
                            } else {
                                platformStarts.add(new Object[] {e.arg("thread"), e.string("name"), e.arg("time")});
                            }
                        }
                        case "ThreadEnd" -> ended.add(e.arg("thread"));
                        case "GCPause" -> {
                            gcStart.put(e.arg("gc"), g.wallNanos(e.trueTicks()));
                            gcPause.put(e.arg("gc"), e.arg("duration"));
                        }
                        default -> {
                        }
                    }
                    if (e.type().id() >= 16 && e.type().id() < 128 && e.has("thread")) {
                        about.add(e.arg("thread"));
                    }
                }
            }
            assertThat(r.report().problems()).isEmpty();
            assertThat(r.report().lostTailBytes()).isZero();
            assertThat(r.report().completeGenerations()).isGreaterThan(2);
        }
        // the agent names the threads already running at its start (JFR reports none of them): one
        // ThreadStart each, all with the recording's start as their time
        Map<Long, Long> byTime = new HashMap<>();
        platformStarts.forEach(t -> byTime.merge((Long) t[2], 1L, Long::sum));
        long runningTime = byTime.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Set<String> running = new TreeSet<>();
        for (Object[] t : platformStarts) {
            if ((Long) t[2] == runningTime) {
                running.add((String) t[1]);
            } else {
                started.put((Long) t[0], (String) t[1]);
            }
        }
        assertThat(running).contains("main", "Reference Handler", "Finalizer").noneMatch(JettyIT::jtraceOrJfr);
        // virtual threads' ThreadEnd carry their ids too; keep platform ones only
        ended.retainAll(started.keySet());
        return new Seen(started, ended, gcStart, gcPause, about, names, lost, virtual, 0);
    }

    private static boolean jtraceOrJfr(String name) {
        return name != null && (name.startsWith("jtrace-") || name.startsWith("JFR "));
    }

    private static Seen readJfr(Path jfr) throws Exception {
        Map<Long, String> started = new TreeMap<>();
        Set<Long> ended = new TreeSet<>();
        Map<Long, Long> gcStart = new TreeMap<>();
        Map<Long, Long> gcPause = new TreeMap<>();
        Set<Long> own = new TreeSet<>();
        Map<Long, String> names = new HashMap<>();
        long virtual = 0;
        long aboutOwn = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            // every thread JFR names in an event: which of them are jtrace's, and how often JFR saw them
            for (String field : new String[] {"eventThread", "thread", "sampledThread"}) {
                if (e.hasField(field) && e.getValue(field) instanceof RecordedThread t
                        && t.getJavaName() != null && t.getJavaName().startsWith("jtrace-")) {
                    own.add(t.getJavaThreadId());
                    names.put(t.getJavaThreadId(), t.getJavaName());
                    aboutOwn++;
                }
            }
            switch (e.getEventType().getName()) {
                case "jdk.ThreadStart" -> {
                    RecordedThread t = e.getThread("thread");
                    names.put(t.getJavaThreadId(), t.getJavaName());
                    if (!jtraceOrJfr(t.getJavaName())) {
                        started.put(t.getJavaThreadId(), t.getJavaName());
                    }
                }
                case "jdk.ThreadEnd" -> {
                    RecordedThread t = e.getThread("thread");
                    if (!jtraceOrJfr(t.getJavaName())) {
                        ended.add(t.getJavaThreadId());
                    }
                }
                case "jdk.VirtualThreadStart" -> virtual++;
                case "jdk.GarbageCollection" -> {
                    long id = e.getInt("gcId");
                    gcStart.put(id, e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano());
                    gcPause.put(id, e.getDuration("sumOfPauses").toNanos());
                }
                default -> {
                }
            }
        }
        return new Seen(started, ended, gcStart, gcPause, own, names, 0, virtual, aboutOwn);
    }

    private static void compare(Seen jt, Seen jfr) {
        String diag = "jtrace started " + jt.started() + "\nJFR started " + jfr.started() + "\njtrace ended "
                + jt.ended() + "\nJFR ended " + jfr.ended() + "\njtrace GCs " + jt.gcPauseNanos().keySet()
                + "\nJFR GCs " + jfr.gcPauseNanos().keySet() + "\nlost " + jt.lost();
        System.out.println(diag);
        assertThat(jt.lost()).as(diag).isZero();
        // threads: the same platform threads started and ended (jtrace's and JFR's own excluded from both)
        assertThat(jt.started().values()).as(diag).anyMatch(n -> n.startsWith("jetty-pool"))
                .anyMatch(n -> n.startsWith("spawned-")).noneMatch(JettyIT::jtraceOrJfr);
        assertThat(jt.started()).as(diag).isEqualTo(jfr.started());
        assertThat(jt.ended()).as(diag).isEqualTo(jfr.ended());
        assertThat(jt.virtualStarted()).as(diag).isEqualTo(jfr.virtualStarted()).isGreaterThanOrEqualTo(5);
        // GCs: the same collections, the same pauses, at the same time
        assertThat(jt.gcPauseNanos().keySet()).as(diag).hasSizeGreaterThanOrEqualTo(4);
        assertThat(jt.gcPauseNanos()).as(diag).isEqualTo(jfr.gcPauseNanos());
        for (Map.Entry<Long, Long> e : jt.gcStartWallNanos().entrySet()) {
            assertThat(e.getValue()).as("GC " + e.getKey() + " start")
                    .isCloseTo(jfr.gcStartWallNanos().get(e.getKey()), org.assertj.core.data.Offset.offset(1_000_000L));
        }
        // jtrace's own threads: JFR recorded them (the writer parks all the time), the trace says nothing of them
        assertThat(jfr.threadsAbout()).as("jtrace threads JFR saw").isNotEmpty();
        assertThat(jfr.eventsAboutJtrace()).isPositive();
        assertThat(jfr.names().values()).contains("jtrace-writer");
        assertThat(jt.threadsAbout()).as("threads the trace's runtime events are about; JFR's jtrace threads: "
                + jfr.names()).doesNotContainAnyElementsOf(jfr.threadsAbout());
        assertThat(jt.threadsAbout()).allSatisfy(id -> assertThat(jt.names().getOrDefault(id, "")).doesNotStartWith("jtrace-"));
    }
}
