package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static dev.jtrace.format.EventTypes.BLOCK_END;
import static dev.jtrace.format.EventTypes.NOTIFY;
import static dev.jtrace.format.EventTypes.WAIT_BEGIN;
import static dev.jtrace.format.EventTypes.PARK_BEGIN;
import static dev.jtrace.format.EventTypes.UNPARK;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_MOUNT;
import static dev.jtrace.format.EventTypes.VIRTUAL_THREAD_UNMOUNT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.SchedulerCorpus;
import dev.jtrace.model.TraceBuilder;
import dev.jtrace.model.TraceModel;
import dev.jtrace.model.Wakeup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server and its JSON API, over real HTTP on loopback. */
class ViewerServerTest {
    @TempDir
    static Path dir;

    static TestTraces.Viewer trace;
    static Reference ref;
    static TraceIndex index;
    static ViewerServer server;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        trace = TestTraces.viewer(dir);
        ref = Reference.read(trace.file());
        index = TraceIndex.build(trace.file(), null);
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Response(int status, String head, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    /** One raw HTTP/1.1 request, so that nothing normalizes the target or the headers on the way. */
    static Response raw(ViewerServer s, String method, String target, String host) throws Exception {
        try (Socket sock = new Socket(InetAddress.getByName("127.0.0.1"), s.address().getPort())) {
            sock.setSoTimeout(30_000);
            OutputStream out = sock.getOutputStream();
            String req = method + " " + target + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                    + "Connection: close\r\n\r\n";
            out.write(req.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = sock.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = split < 0 ? all : all.substring(0, split);
            String body = split < 0 ? "" : all.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Response(status, head, body);
        }
    }

    static Response get(String target) throws Exception {
        return raw(server, "GET", target, "127.0.0.1:" + server.address().getPort());
    }

    static String allThreads() {
        return index.threads.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static long rel(long ticks) {
        return ticks - index.origin();
    }

    // ------------------------------------------------------------------------------------------ serving

    @Test
    void listensOnLoopbackOnlyAndServesThePage() throws Exception {
        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.uri().toString()).isEqualTo("http://127.0.0.1:" + server.address().getPort() + "/");
        Response page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.head()).containsIgnoringCase("Content-Type: text/html");
        assertThat(page.body()).contains("<canvas id=\"tl-canvas\">");
        Response js = get("/timeline.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.head()).containsIgnoringCase("Content-Type: text/javascript");
        assertThat(js.head()).containsIgnoringCase("Content-Security-Policy: default-src 'self'");
        assertThat(raw(server, "HEAD", "/style.css", "127.0.0.1:" + server.address().getPort()).body()).isEmpty();
    }

    @Test
    void noPathFromARequestReachesTheFileSystem() throws Exception {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        assertThat(pom).exists();
        String port = String.valueOf(server.address().getPort());
        List<String> attempts = List.of("/../pom.xml", "/../../pom.xml", "/%2e%2e/pom.xml", "/%2E%2E/%2E%2E/pom.xml",
                "/%2e%2e%2fpom.xml", "/..%2fpom.xml", "/..%5cpom.xml", "/..\\pom.xml", "/static/../../pom.xml",
                "/index.html/../../pom.xml", "//etc/passwd", "/etc/passwd", pom.toString(), "/" + pom,
                "/dev/jtrace/web/static/app.js", "/static/app.js", "/app.js/", "/app.js%00.html", "/APP.JS",
                "/" + trace.file().toAbsolutePath(), "/" + trace.file().getFileName(), "/api/", "/api/meta/../analysis",
                "http://127.0.0.1:" + port + "/../pom.xml", "file:///etc/passwd");
        for (String target : attempts) {
            Response r = get(target);
            assertThat(r.status()).as(target).isIn(400, 404);
            assertThat(r.body()).as(target).doesNotContain("<project").doesNotContain("root:").doesNotContain("JTRC");
        }
    }

    @Test
    void refusesOtherHostsAndMethods() throws Exception {
        int port = server.address().getPort();
        assertThat(raw(server, "GET", "/api/meta", "evil.example:" + port).status()).isEqualTo(403);
        assertThat(raw(server, "GET", "/api/meta", "127.0.0.1:" + (port + 1)).status()).isEqualTo(403);
        assertThat(raw(server, "GET", "/api/meta", null).status()).isIn(400, 403);
        assertThat(raw(server, "GET", "/api/meta", "localhost:" + port).status()).isEqualTo(200);
        Response post = raw(server, "POST", "/api/meta", "127.0.0.1:" + port);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.head()).contains("Allow: GET, HEAD");
        assertThat(raw(server, "DELETE", "/", "127.0.0.1:" + port).status()).isEqualTo(405);
    }

    @Test
    void boundsEveryWindowRequest() throws Exception {
        String many = new Random(1).longs(WindowQuery.MAX_THREADS + 1, 1, 1000).mapToObj(String::valueOf)
                .collect(Collectors.joining(","));
        assertThat(get("/api/window?from=0&to=10&threads=" + many).status()).isEqualTo(400);
        assertThat(get("/api/window?to=10").status()).isEqualTo(400);
        assertThat(get("/api/window?from=10&to=10").status()).isEqualTo(400);
        assertThat(get("/api/window?from=x&to=10").status()).isEqualTo(400);
        assertThat(get("/api/window?from=0&to=10&threads=1,,2").status()).isEqualTo(400);
        assertThat(get("/api/window?from=%zz&to=10").status()).isEqualTo(400);
        assertThat(get("/api/window?from=0&to=10&threads=" + "1,".repeat(5000) + "1").status()).isEqualTo(414);
        Response error = get("/api/window?from=0&to=-5");
        assertThat(error.json().get("error").asText()).contains("'to' must be after 'from'");
        // beyond the limits is clamped, not refused
        JsonNode huge = get("/api/window?from=" + Long.MIN_VALUE + "&to=" + Long.MAX_VALUE + "&threads=" + allThreads()
                + "&px=100000000&limit=0").json();
        assertThat(huge.get("mode").asText()).isEqualTo("summary");
        assertThat(huge.get("to").asLong()).isLessThanOrEqualTo(2 * (index.duration() + 1));
        for (JsonNode row : huge.get("rows")) {
            assertThat(row.get("count").size()).isLessThanOrEqualTo(WindowQuery.MAX_PX + 1);
        }
    }

    // ------------------------------------------------------------------------------------------ the API

    @Test
    void metaListsThreadsTaskRowsAndLimits() throws Exception {
        JsonNode m = get("/api/meta").json();
        assertThat(m.get("file").asText()).isEqualTo("viewer.jtrace");
        // the trace's duration as the model defines it: first GEN_BEGIN to last GEN_END
        assertThat(m.get("end").asLong()).isEqualTo(ref.end - ref.start);
        assertThat(m.get("generations").asInt()).isEqualTo(ref.generations).isGreaterThanOrEqualTo(3);
        JsonNode a = null;
        int virtual = 0;
        for (JsonNode t : m.get("threads")) {
            if (t.get("id").asLong() == trace.workerA()) {
                a = t;
            }
            virtual += t.get("virtual").asInt();
        }
        assertThat(a).isNotNull();
        assertThat(a.get("name").asText()).isEqualTo("worker-A");
        assertThat(a.get("displayName").asText()).isEqualTo("worker-A");
        assertThat(a.get("depth").asInt()).isEqualTo(2);
        assertThat(virtual).isEqualTo(20);
        List<String> taskRows = new ArrayList<>();
        m.get("taskRows").forEach(t -> taskRows.add(t.get("name").asText()));
        assertThat(taskRows).containsExactlyInAnyOrder("request", "handoff", "small", "lookup");
        assertThat(m.get("limits").get("items").asInt()).isEqualTo(WindowQuery.MAX_ITEMS);
        // three young pauses, the concurrent cycle's two pauses at their own times, and the cycles apart
        assertThat(m.get("gcPauses").asInt()).isEqualTo(5);
        assertThat(m.get("gcCycles").asInt()).isEqualTo(4);
        assertThat(m.get("regions").asLong()).isEqualTo(ref.regions.size());
        assertThat(m.get("tasks").asLong()).isEqualTo(ref.tasks.size());
    }

    private static Set<String> regionsOf(JsonNode w) {
        Set<String> s = new HashSet<>();
        for (JsonNode r : w.get("regions")) {
            s.add(r.get(0).asLong() + " " + w.get("strings").get(r.get(4).asInt()).asText() + " " + r.get(2).asLong()
                    + " " + r.get(3).asLong() + " " + r.get(1).asInt());
        }
        return s;
    }

    private static Set<String> expectedRegions(long from, long to, Set<Long> threads) {
        Set<String> s = new HashSet<>();
        for (Reference.Span r : ref.regions) {
            if (threads.contains(r.thread()) && rel(r.start()) <= to && rel(r.end()) >= from) {
                s.add(r.thread() + " " + r.name() + " " + rel(r.start()) + " " + (r.end() - r.start()) + " " + r.depth());
            }
        }
        return s;
    }

    @Test
    void theWholeTraceAsItems() throws Exception {
        JsonNode w = get("/api/window?from=0&to=" + index.duration() + "&threads=" + allThreads() + "&tasks=1").json();
        assertThat(w.get("mode").asText()).isEqualTo("items");
        assertThat(regionsOf(w)).isEqualTo(expectedRegions(0, index.duration(), index.threads.keySet()));
        assertThat(w.get("regions").size()).isEqualTo(ref.regions.size());
        // tasks: id, name, begin and end thread, times
        Set<String> tasks = new HashSet<>();
        for (JsonNode t : w.get("tasks")) {
            tasks.add(t.get(0).asLong() + " " + w.get("strings").get(t.get(2).asInt()).asText() + " "
                    + t.get(5).asLong() + " " + t.get(6).asLong());
            if (t.get(0).asLong() == trace.handoffTask()) {
                assertThat(t.get(7).asLong()).isEqualTo(trace.workerA());
                assertThat(t.get(8).asLong()).isEqualTo(trace.workerB());
                assertThat(t.get(1).asLong()).isEqualTo(trace.requestTask());
            }
        }
        assertThat(tasks).isEqualTo(ref.tasks.stream().map(t -> t.task() + " " + t.name() + " " + rel(t.start()) + " "
                + (t.end() - t.start())).collect(Collectors.toSet()));
        assertThat(w.get("logs").size()).isEqualTo(ref.logs.size());
        JsonNode log = w.get("logs").get(0);
        assertThat(w.get("strings").get(log.get(4).asInt()).asText()).isEqualTo("halfway through the slow step");
        assertThat(log.get(0).asLong()).isEqualTo(trace.workerA());
        // blocking events at their true times, on the thread they are about
        assertThat(w.get("blocks").size()).isEqualTo(4);
        Set<String> blocks = new HashSet<>();
        for (JsonNode b : w.get("blocks")) {
            blocks.add(b.get(0).asLong() + " " + w.get("strings").get(b.get(1).asInt()).asText() + " "
                    + b.get(2).asLong() + " " + b.get(3).asLong());
        }
        assertThat(blocks).isEqualTo(ref.blocks.stream().map(b -> b.thread() + " " + switch (b.kind()) {
            case "Park" -> "park";
            case "MonitorBlocked" -> "monitor";
            default -> "sleep";
        } + " " + rel(b.start()) + " " + (b.end() - b.start())).collect(Collectors.toSet()));
        // pauses in time order: young 1 ms (in worker-B's park), young 2 ms, remark 1 ms, cleanup 0.5 ms (10 ms
        // later), young 4 ms
        assertThat(w.get("gc").size()).isEqualTo(5);
        List<Long> durations = new ArrayList<>();
        w.get("gc").forEach(g -> durations.add(g.get(2).asLong()));
        assertThat(durations).containsExactly(TestTraces.MS, 2 * TestTraces.MS, TestTraces.MS, TestTraces.MS / 2,
                4 * TestTraces.MS);
        assertThat(w.get("gc").get(3).get(1).asLong() - w.get("gc").get(2).get(1).asLong()).isEqualTo(10 * TestTraces.MS);
        assertThat(w.get("strings").get(w.get("gc").get(4).get(4).asInt()).asText()).isEqualTo("Allocation Failure");
        assertThat(w.get("gcCycles").size()).isEqualTo(4);
        JsonNode old = w.get("gcCycles").get(2);
        assertThat(old.get(0).asLong()).isEqualTo(3);
        assertThat(old.get(2).asLong()).isEqualTo(10 * TestTraces.MS + TestTraces.MS / 2); // spans both pauses
        assertThat(old.get(5).asInt()).isEqualTo(2);
        assertThat(w.get("stacks").size()).isGreaterThan(0);
    }

    @Test
    void everyWindowHoldsExactlyTheRegionsOverlappingIt() throws Exception {
        Random rnd = new Random(7);
        long d = index.duration();
        List<long[]> windows = new ArrayList<>();
        for (TraceIndex.Gen g : index.gens) { // around every generation boundary
            windows.add(new long[] {rel(g.startTicks()) - 1000, rel(g.startTicks()) + 1000});
            windows.add(new long[] {rel(g.startTicks()) + 10, rel(g.endTicks()) - 10});
        }
        for (int i = 0; i < 40; i++) {
            long a = (long) (rnd.nextDouble() * d);
            long b = a + 1 + (long) (rnd.nextDouble() * rnd.nextDouble() * (d - a));
            windows.add(new long[] {a, b});
        }
        Set<Long> ab = Set.of(trace.workerA(), trace.workerB());
        for (long[] w : windows) {
            JsonNode r = get("/api/window?from=" + w[0] + "&to=" + w[1] + "&threads=" + trace.workerA() + ","
                    + trace.workerB()).json();
            assertThat(r.get("mode").asText()).isEqualTo("items");
            assertThat(regionsOf(r)).as("window %d..%d", w[0], w[1]).isEqualTo(expectedRegions(w[0], w[1], ab));
        }
    }

    @Test
    void aRegionAcrossGenerationsComesWholeFromAWindowInTheMiddle() throws Exception {
        Reference.Span longOp = ref.region("long-op");
        TraceIndex.Gen middle = index.gens.stream().filter(g -> g.startTicks() > longOp.start()
                && g.endTicks() < longOp.end()).findFirst().orElseThrow();
        long from = rel(middle.startTicks()) + 100;
        JsonNode r = get("/api/window?from=" + from + "&to=" + (from + 1000) + "&threads=" + trace.workerA()).json();
        assertThat(regionsOf(r)).containsExactly(trace.workerA() + " long-op " + rel(longOp.start()) + " "
                + (longOp.end() - longOp.start()) + " 0");
    }

    private static void assertSummaryOfWorkerA(JsonNode w, String source) {
        assertThat(w.get("mode").asText()).isEqualTo("summary");
        assertThat(w.get("source").asText()).isEqualTo(source);
        JsonNode row = w.get("rows").get(0);
        assertThat(row.get("thread").asLong()).isEqualTo(trace.workerA());
        long width = row.get("width").asLong();
        assertThat(row.get("busy").size()).isLessThanOrEqualTo(200);
        double busy = 0;
        double blocked = 0;
        long count = 0;
        for (int i = 0; i < row.get("busy").size(); i++) {
            busy += row.get("busy").get(i).asDouble() * width;
            blocked += row.get("blocked").get(i).asDouble() * width;
            count += row.get("count").get(i).asLong();
        }
        long expected = ref.regions.stream().filter(r -> r.thread() == trace.workerA() && r.depth() == 0)
                .mapToLong(r -> r.end() - r.start()).sum();
        double rounding = 0.0006 * width * row.get("busy").size();
        assertThat(busy).as(source).isCloseTo(expected, within(rounding));
        assertThat(blocked).as(source).isCloseTo(3 * TestTraces.MS, within(rounding));
        // the index counts every event; a summary computed from items, the events of the items drawn
        assertThat(count).as(source).isEqualTo((source.equals("index") ? ref.eventsByThread
                : ref.drawnEventsByThread).get(trace.workerA()));
    }

    @Test
    void moreItemsThanTheLimitGiveSummaries() throws Exception {
        long d = index.duration();
        // far more events than the limit: summaries straight from the index
        assertSummaryOfWorkerA(get("/api/window?from=0&to=" + d + "&threads=" + trace.workerA() + "&px=200&limit=5")
                .json(), "index");
        // few enough to read (worker-A's events, its CPU samples included, under 4 x limit), more items than the
        // limit (its 54 regions, 52 tasks, a log, a park and the GC pauses): summaries from the generations' items
        assertSummaryOfWorkerA(get("/api/window?from=0&to=" + d + "&threads=" + trace.workerA() + "&px=200&limit=100")
                .json(), "window");
    }

    @Test
    void theAnalysisIsAnalyzeJson() throws Exception {
        // the same writer over the same model: the JSON of `jtrace analyze --json`, key for key, value for value
        TraceAnalysis a = TraceAnalysis.run(trace.file(), null);
        JsonNode j = get("/api/analysis").json();
        assertThat(j).isEqualTo(JSON.readTree(a.toJson()));
        JsonNode slow = null;
        for (JsonNode r : j.get("regions")) {
            if (r.get("name").asText().equals("slow-step")) {
                slow = r;
            }
        }
        assertThat(slow.get("count").asLong()).isEqualTo(1);
        assertThat(slow.get("p50Nanos").asLong()).isEqualTo(a.regions.get("slow-step").histogram.getValueAtPercentile(50));
        JsonNode inst = slow.get("slowest").get(0);
        assertThat(inst.get("startNanos").asLong()).isEqualTo(rel(ref.region("slow-step").start()));
        assertThat(inst.get("thread").asLong()).isEqualTo(trace.workerA());
        // a thread that burned CPU inside its regions runs, whatever the GC and the runtime events say
        JsonNode workerA = null;
        for (JsonNode t : j.get("threads")) {
            if (t.get("id").asLong() == trace.workerA()) {
                workerA = t;
            }
        }
        assertThat(workerA.get("displayName").asText()).isEqualTo("worker-A");
        assertThat(workerA.get("runningNanos").asLong()).isGreaterThanOrEqualTo(30 * TestTraces.MS);

        JsonNode p = get("/api/plots").json();
        long histogramTotal = 0;
        for (JsonNode b : p.get("histograms").get("regions").get("slow-step")) {
            histogramTotal += b.get(2).asLong();
        }
        assertThat(histogramTotal).isEqualTo(1);
        assertThat(p.get("gc").get("pauseList").size()).isEqualTo(5);
        assertThat(p.get("gc").get("pauseList").get(4).get(1).asLong()).isEqualTo(4 * TestTraces.MS);
        assertThat(p.get("gc").get("cycleList").size()).isEqualTo(4);
    }

    @Test
    void aTraceOfManyEventsZoomedOutIsServedFromTheIndexWithoutReadingIt() throws Exception {
        Path f = TestTraces.many(dir, 2, 40_000, 64 << 10);
        TraceIndex big = TraceIndex.build(f, null);
        assertThat(big.events()).isEqualTo(2L * 40_000 * 7);
        assertThat(big.generations()).isGreaterThan(4);
        try (ViewerServer s = ViewerServer.start(big, 0, 64 << 20, System.err)) {
            String host = "127.0.0.1:" + s.address().getPort();
            String threads = big.threads.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
            Response whole = raw(s, "GET", "/api/window?from=0&to=" + big.duration() + "&threads=" + threads
                    + "&tasks=1&px=1500", host);
            JsonNode w = whole.json();
            assertThat(w.get("mode").asText()).isEqualTo("summary");
            assertThat(w.get("source").asText()).isEqualTo("index");
            assertThat(w.get("generationsRead").asInt()).isZero();
            assertThat(s.generationsDecoded()).isZero();
            assertThat(whole.body().length()).isLessThan(400_000);
            long counted = 0;
            for (JsonNode row : w.get("rows")) {
                if (row.has("thread")) {
                    for (JsonNode c : row.get("count")) {
                        counted += c.asLong();
                    }
                }
            }
            assertThat(counted).isEqualTo(big.events());
            // zoomed in far enough, the events themselves, read from one or two generations; a page does not
            // wait for them: it gets the index's summary at once and asks again
            Reference bigRef = Reference.read(f);
            // at a region in the middle (on a loaded machine both threads may be descheduled for a while: a
            // window at an arbitrary time could hold nothing)
            long mid = bigRef.regions.get(bigRef.regions.size() / 2).start() - big.origin();
            long from = mid;
            long to = mid + big.duration() / 4000;
            String zoomed = "/api/window?from=" + from + "&to=" + to + "&threads=" + threads;
            JsonNode first = raw(s, "GET", zoomed + "&async=1", host).json();
            assertThat(first.get("mode").asText()).isEqualTo("summary");
            assertThat(first.get("loading").asInt()).isBetween(1, 2);
            JsonNode later = first;
            for (int i = 0; i < 600 && later.get("mode").asText().equals("summary"); i++) {
                Thread.sleep(50);
                later = raw(s, "GET", zoomed + "&async=1", host).json();
            }
            assertThat(later.get("mode").asText()).isEqualTo("items");
            JsonNode z = raw(s, "GET", "/api/window?from=" + from + "&to=" + to + "&threads=" + threads, host).json();
            assertThat(z.get("mode").asText()).isEqualTo("items");
            assertThat(z.get("generationsRead").asInt()).isBetween(1, 2);
            long expected = bigRef.regions.stream().filter(r -> r.start() - big.origin() <= to
                    && r.end() - big.origin() >= from).count();
            assertThat(z.get("regions").size()).isEqualTo(expected).isPositive();
        }
    }

    // ------------------------------------------------------------------------------------------ scheduler

    /** The model's wake-ups, carrier runs and blocks of a whole file, read independently of the viewer. */
    record Sched(List<Wakeup> wakeups, List<CarrierRun> runs, List<Blocking> blocks) {
        static Sched read(Path file) throws Exception {
            Sched s = new Sched(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            TraceModel.read(file, new ModelListener() {
                @Override
                public void wakeup(Wakeup w) {
                    s.wakeups.add(w);
                }

                @Override
                public void carrierRun(CarrierRun r) {
                    s.runs.add(r);
                }

                @Override
                public void blocking(Blocking b) {
                    s.blocks.add(b);
                }
            }, null);
            return s;
        }
    }

    static Set<String> wakeupsOf(JsonNode w) {
        Set<String> out = new HashSet<>();
        for (JsonNode a : w.get("wakeups")) {
            out.add(a.get(0).asLong() + "@" + a.get(1).asLong() + "->" + a.get(2).asLong() + "@" + a.get(3).asLong() + " "
                    + w.get("strings").get(a.get(4).asInt()).asText() + " " + a.get(5).asLong() + " " + a.get(6).asInt());
        }
        return out;
    }

    static Set<String> expectedWakeups(List<Wakeup> ws, long origin) {
        return ws.stream().map(w -> w.waker() + "@" + (w.wakeTime() - origin) + "->" + w.wakee() + "@"
                + (w.resumeTime() - origin) + " " + w.kind().label + " " + w.latency() + " " + (w.permit() ? 1 : 0))
                .collect(Collectors.toSet());
    }

    static Set<String> runsOf(JsonNode w) {
        Set<String> out = new HashSet<>();
        for (JsonNode a : w.get("carrierRuns")) {
            out.add(a.get(0).asLong() + ":" + a.get(1).asLong() + "@" + a.get(2).asLong() + "+" + a.get(3).asLong()
                    + (a.get(4).asInt() == 1 ? " open" : ""));
        }
        return out;
    }

    static Set<String> expectedRuns(List<CarrierRun> rs, long origin) {
        return rs.stream().map(r -> r.carrier() + ":" + r.thread() + "@" + (r.start() - origin) + "+" + r.duration()
                + (r.endMissing() ? " open" : "")).collect(Collectors.toSet());
    }

    static JsonNode window(ViewerServer s, String query) throws Exception {
        Response r = raw(s, "GET", "/api/window?" + query, "127.0.0.1:" + s.address().getPort());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static String threadsOf(TraceIndex idx) {
        return idx.threads.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @Test
    void theWindowHasTheWakeupsAndCarrierRunsOfTheSchedulerCorpus() throws Exception {
        Path file = SchedulerCorpus.virtual(dir.resolve("sched-virtual.jtrace"));
        Sched ref = Sched.read(file);
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            long o = idx.origin();
            JsonNode all = window(s, "from=0&to=" + idx.duration() + "&threads=" + threadsOf(idx));
            assertThat(all.get("mode").asText()).isEqualTo("items");
            assertThat(wakeupsOf(all)).isEqualTo(expectedWakeups(ref.wakeups(), o)).hasSize(6);
            assertThat(runsOf(all)).isEqualTo(expectedRuns(ref.runs(), o)).hasSize(5);
            // by hand, from the corpus: main's unpark at 500 resumed vt-req-1 (100) at its BlockEnd at 610; carrier
            // 11 ran vt-req-2 (101) from 350 to 450; the carrier resubmitted the yielded thread at 720, mounted at 800
            assertThat(wakeupsOf(all)).contains("1@" + (500 - o) + "->100@" + (610 - o) + " unpark 110 0",
                    "11@" + (720 - o) + "->100@" + (800 - o) + " submit 80 0");
            assertThat(runsOf(all)).contains("11:101@" + (350 - o) + "+100", "10:100@" + (800 - o) + "+100");
            // a wake-up comes with either of its rows, a carrier run with its carrier's
            JsonNode main = window(s, "from=0&to=" + idx.duration() + "&threads=1");
            // main woke 100 three times and 101, 102 once each; the last one, carrier 11's resubmit, is not its
            assertThat(wakeupsOf(main)).hasSize(5).noneMatch(x -> x.startsWith("11@"));
            assertThat(main.get("carrierRuns")).isEmpty();
            JsonNode c11 = window(s, "from=0&to=" + idx.duration() + "&threads=11");
            assertThat(runsOf(c11)).containsExactlyInAnyOrder("11:101@" + (350 - o) + "+100", "11:102@" + (460 - o) + "+100",
                    "11:100@" + (600 - o) + "+110");
            assertThat(wakeupsOf(c11)).containsExactly("11@" + (720 - o) + "->100@" + (800 - o) + " submit 80 0");
            // a window holds what overlaps it: [455, 470] cuts only 102's run and its submit (400 to 460)
            JsonNode narrow = window(s, "from=" + (455 - o) + "&to=" + (470 - o) + "&threads=" + threadsOf(idx));
            assertThat(runsOf(narrow)).containsExactly("11:102@" + (460 - o) + "+100");
            assertThat(wakeupsOf(narrow)).containsExactly("1@" + (400 - o) + "->102@" + (460 - o) + " submit 60 0");
            // they count in the item limit: one item fewer than the window holds is a summary
            int items = all.get("regions").size() + all.get("tasks").size() + all.get("logs").size()
                    + all.get("blocks").size() + all.get("gc").size() + all.get("gcCycles").size()
                    + all.get("wakeups").size() + all.get("carrierRuns").size();
            assertThat(items).isEqualTo(6 + 5 + ref.blocks().size());
            String q = "from=0&to=" + idx.duration() + "&threads=" + threadsOf(idx) + "&limit=";
            assertThat(window(s, q + items).get("mode").asText()).isEqualTo("items");
            assertThat(window(s, q + (items - 1)).get("mode").asText()).isEqualTo("summary");
            // the meta marks the carriers
            JsonNode meta = raw(s, "GET", "/api/meta", "127.0.0.1:" + s.address().getPort()).json();
            for (JsonNode t : meta.get("threads")) {
                long id = t.get("id").asLong();
                assertThat(t.get("carrierRuns").asLong()).as("thread %d", id).isEqualTo(id == 10 ? 2 : id == 11 ? 3 : 0);
            }
        }
        Path platform = SchedulerCorpus.platform(dir.resolve("sched-platform.jtrace"));
        Sched pref = Sched.read(platform);
        TraceIndex pidx = TraceIndex.build(platform, null);
        try (ViewerServer s = ViewerServer.start(pidx, 0, 64 << 20, System.err)) {
            JsonNode all = window(s, "from=0&to=" + pidx.duration() + "&threads=" + threadsOf(pidx));
            assertThat(wakeupsOf(all)).isEqualTo(expectedWakeups(pref.wakeups(), pidx.origin())).hasSize(4);
            long o = pidx.origin();
            assertThat(wakeupsOf(all)).contains("2@" + (1000 - o) + "->1@" + (1201 - o) + " unpark 1 1",
                    "2@" + (2500 - o) + "->3@" + (2600 - o) + " notify 100 0",
                    "2@" + (3000 - o) + "->1@" + (3100 - o) + " notifyAll 100 0");
            assertThat(all.get("carrierRuns")).isEmpty();
        }
    }

    /**
     * Wake-ups and carrier runs across a generation boundary come whole from the index; a generation decoded
     * alone, which starts with nothing open, would take the unpark of a thread parked since the generation
     * before for a permit and pair it with the thread's next park: that edge the whole pass never made is not
     * shown.
     */
    @Test
    void wakeupsAcrossGenerationsComeFromTheIndexAndADecodeAddsNone() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 1_000).thread(1, "sleeper", false).thread(2, "waker", false).thread(3, "other", false)
                .thread(10, "carrier", false).thread(100, "vt", true);
        g.event(1, 1, 100, PARK_BEGIN, "app.Lock", 0L);
        g.event(10, 10, 500, VIRTUAL_THREAD_MOUNT, 100L);
        g.end();
        g = b.generation(1_000, 2_000).thread(1, "sleeper", false).thread(2, "waker", false).thread(3, "other", false)
                .thread(10, "carrier", false).thread(100, "vt", true);
        g.event(2, 2, 1100, UNPARK, 1L);
        g.event(1, 1, 1200, BLOCK_END, 0L);
        g.event(1, 1, 1300, PARK_BEGIN, "app.Lock", 0L); // times out: nobody unparks it
        g.event(1, 1, 1400, BLOCK_END, 0L);
        g.event(10, 10, 1500, VIRTUAL_THREAD_UNMOUNT, 100L);
        g.event(3, 3, 1600, PARK_BEGIN, "app.Lock", 0L);
        g.event(2, 2, 1650, UNPARK, 3L);
        g.event(3, 3, 1700, BLOCK_END, 0L);
        g.end();
        Path file = b.write(dir.resolve("sched-gens.jtrace"));
        Sched ref = Sched.read(file);
        assertThat(ref.wakeups()).hasSize(2);
        TraceIndex idx = TraceIndex.build(file, null);
        assertThat(idx.crossingWakeups).hasSize(1);
        assertThat(idx.crossingRuns).hasSize(1);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            long o = idx.origin();
            // a window inside the second generation: it alone is decoded
            JsonNode w = window(s, "from=" + (1050 - o) + "&to=" + (1950 - o) + "&threads=" + threadsOf(idx));
            assertThat(w.get("mode").asText()).isEqualTo("items");
            assertThat(w.get("generationsRead").asInt()).isEqualTo(1);
            assertThat(wakeupsOf(w)).isEqualTo(expectedWakeups(ref.wakeups(), o)).containsExactlyInAnyOrder(
                    "2@" + (1100 - o) + "->1@" + (1200 - o) + " unpark 100 0", "2@" + (1650 - o) + "->3@" + (1700 - o)
                            + " unpark 50 0");
            assertThat(runsOf(w)).containsExactly("10:100@" + (500 - o) + "+1000");
            // the park begun in the first generation is drawn whole, once, with the blocks begun in this one
            List<String> blocks = new ArrayList<>();
            for (JsonNode x : w.get("blocks")) {
                blocks.add(x.get(0).asLong() + "@" + x.get(2).asLong() + "+" + x.get(3).asLong());
            }
            assertThat(blocks).containsExactlyInAnyOrder("1@" + (100 - o) + "+1100", "1@" + (1300 - o) + "+100",
                    "3@" + (1600 - o) + "+100");
            assertThat(ref.blocks()).hasSize(3);
            JsonNode whole = window(s, "from=0&to=" + idx.duration() + "&threads=" + threadsOf(idx));
            assertThat(wakeupsOf(whole)).isEqualTo(expectedWakeups(ref.wakeups(), o));
            assertThat(runsOf(whole)).isEqualTo(expectedRuns(ref.runs(), o));
        }
        // the second generation read alone: its fresh model pairs the unpark with the later park, as a permit
        TraceBuilder alone = new TraceBuilder();
        var h = alone.generation(1_000, 2_000).thread(1, "sleeper", false).thread(2, "waker", false);
        h.event(2, 2, 1100, UNPARK, 1L);
        h.event(1, 1, 1200, BLOCK_END, 0L);
        h.event(1, 1, 1300, PARK_BEGIN, "app.Lock", 0L);
        h.event(1, 1, 1400, BLOCK_END, 0L);
        h.end();
        Sched fresh = Sched.read(alone.write(dir.resolve("sched-gen2.jtrace")));
        assertThat(fresh.wakeups()).singleElement().satisfies(x -> {
            assertThat(x.permit()).isTrue();
            assertThat(x.resumeTime()).isEqualTo(1400);
        });
    }

    /**
     * Random parks, unparks (some before the park: permits; some never: timeouts) and virtual-thread mounts over
     * six generations, many across their boundaries: the whole trace and a window over each generation hold
     * exactly the model's wake-ups and carrier runs that overlap them, each once.
     */
    @Test
    void randomSchedulerEventsOverManyGenerationsAreEachDrawnOnce() throws Exception {
        for (int seed = 1; seed <= 6; seed++) {
            randomScheduler(seed);
        }
    }

    private static void randomScheduler(int seed) throws Exception {
        Random rnd = new Random(seed);
        long span = 10_000;
        int gens = 6;
        record Ev(long lane, long time, int type, Object[] args) {}
        List<Ev> evs = new ArrayList<>();
        for (long t = 1; t <= 8; t++) {
            long at = 50 + rnd.nextInt(300);
            while (at < gens * span - 2_000) {
                long park = at;
                long end = park + 100 + rnd.nextInt(2_500);
                evs.add(new Ev(t, park, PARK_BEGIN, new Object[] {"app.Lock", 0L}));
                int how = rnd.nextInt(4);
                if (how < 2) { // woken while parked
                    evs.add(new Ev(20 + how, park + 1 + rnd.nextLong(end - park - 1), UNPARK, new Object[] {t}));
                } else if (how == 2 && park > 60) { // a permit just before the park
                    evs.add(new Ev(20, park - 1 - rnd.nextInt(40), UNPARK, new Object[] {t}));
                }
                evs.add(new Ev(t, end, BLOCK_END, new Object[] {0L}));
                at = end + 20 + rnd.nextInt(1_500);
            }
        }
        // waiters of one monitor, woken by notify or notifyAll (or timing out)
        for (long t = 30; t <= 33; t++) {
            long at = 50 + rnd.nextInt(300);
            while (at < gens * span - 2_000) {
                long end = at + 100 + rnd.nextInt(2_500);
                evs.add(new Ev(t, at, WAIT_BEGIN, new Object[] {"app.Queue", 77L, 0L}));
                evs.add(new Ev(t, end, BLOCK_END, new Object[] {0L}));
                at = end + 20 + rnd.nextInt(1_000);
            }
        }
        for (long at = 200; at < gens * span - 1_000; at += 100 + rnd.nextInt(900)) {
            evs.add(new Ev(22, at, NOTIFY, new Object[] {77L, rnd.nextInt(3) == 0 ? 1L : 0L}));
        }
        for (long c = 10; c <= 11; c++) {
            long at = 100 + rnd.nextInt(200);
            while (at < gens * span - 3_000) {
                long vt = 100 + rnd.nextInt(4) * 2 + (c - 10); // each carrier its own virtual threads
                long end = at + 50 + rnd.nextInt(4_000);
                evs.add(new Ev(c, at, VIRTUAL_THREAD_MOUNT, new Object[] {vt}));
                evs.add(new Ev(c, end, VIRTUAL_THREAD_UNMOUNT, new Object[] {vt}));
                at = end + 10 + rnd.nextInt(800);
            }
        }
        evs.sort(java.util.Comparator.comparingLong(Ev::time));
        TraceBuilder b = new TraceBuilder();
        for (int k = 0; k < gens; k++) {
            var g = b.generation(k * span, (k + 1) * span);
            for (long t = 1; t <= 8; t++) {
                g.thread(t, "p" + t, false);
            }
            g.thread(10, "carrier-10", false).thread(11, "carrier-11", false).thread(20, "waker-20", false)
                    .thread(21, "waker-21", false).thread(22, "notifier", false);
            for (long t = 30; t <= 33; t++) {
                g.thread(t, "waiter-" + t, false);
            }
            for (long v = 100; v < 108; v++) {
                g.thread(v, "vt-" + v, true);
            }
            for (Ev e : evs) {
                if (e.time() >= k * span && e.time() < (k + 1) * span) {
                    g.event(e.lane(), e.lane(), e.time(), e.type(), e.args());
                }
            }
            g.end();
        }
        Path file = b.write(dir.resolve("sched-random-" + seed + ".jtrace"));
        Sched ref = Sched.read(file);
        TraceIndex idx = TraceIndex.build(file, null);
        assertThat(idx.crossingWakeups).isNotEmpty();
        assertThat(idx.crossingRuns).isNotEmpty();
        assertThat(ref.wakeups()).hasSizeGreaterThan(50);
        assertThat(ref.wakeups()).anyMatch(Wakeup::permit).anyMatch(w -> w.kind() == Wakeup.Kind.NOTIFY)
                .anyMatch(w -> w.kind() == Wakeup.Kind.NOTIFY_ALL);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            long o = idx.origin();
            JsonNode all = window(s, "from=0&to=" + idx.duration() + "&threads=" + threadsOf(idx));
            assertThat(all.get("mode").asText()).isEqualTo("items");
            assertThat(all.get("wakeups").size()).as("seed %d", seed).isEqualTo(ref.wakeups().size());
            assertThat(wakeupsOf(all)).as("seed %d", seed).isEqualTo(expectedWakeups(ref.wakeups(), o));
            assertThat(all.get("carrierRuns").size()).isEqualTo(ref.runs().size());
            assertThat(runsOf(all)).isEqualTo(expectedRuns(ref.runs(), o));
            assertThat(all.get("blocks").size()).isEqualTo(ref.blocks().size());
            for (int k = 0; k < gens; k++) {
                long a = k * span + 1_000;
                long z = (k + 1) * span - 1_000;
                JsonNode w = window(s, "from=" + (a - o) + "&to=" + (z - o) + "&threads=" + threadsOf(idx));
                List<Wakeup> in = ref.wakeups().stream().filter(x -> TraceIndex.wakeStart(x) <= z && TraceIndex.wakeEnd(x) >= a)
                        .toList();
                assertThat(w.get("wakeups").size()).as("seed %d generation %d", seed, k).isEqualTo(in.size());
                assertThat(wakeupsOf(w)).as("seed %d generation %d", seed, k).isEqualTo(expectedWakeups(in, o));
                List<CarrierRun> runs = ref.runs().stream().filter(r -> r.start() <= z && r.end() >= a).toList();
                assertThat(runsOf(w)).as("generation %d", k).isEqualTo(expectedRuns(runs, o));
                assertThat(w.get("carrierRuns").size()).isEqualTo(runs.size());
            }
        }
    }
}
