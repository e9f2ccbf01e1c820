package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.TraceConfig;
import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import dev.jtrace.model.GcPause;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.ModelThread;
import dev.jtrace.model.Span;
import dev.jtrace.model.TraceBuilder;
import dev.jtrace.model.TraceModel;
import dev.jtrace.model.TraceStats;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer agrees with {@code jtrace stats} ({@link TraceStats}) and {@code jtrace analyze}
 * ({@link TraceAnalysis}) on a hostile trace written with the model's {@link TraceBuilder}: every event kind,
 * regions and tasks missing a half, null and empty names, a region end matching a null-named begin, regions
 * ended by their enclosing one, a task begun twice, spans across generations and open at the end, overlapping
 * blocking of one thread, a thread known only from a ThreadSwitch and one only from an allocation sample,
 * a concurrent GC cycle whose pauses lie far apart, and losses. The index counts regions, tasks and threads
 * as the model does, has its duration and names, and every span the model made is drawn exactly once, with
 * its own times and depth, from whichever generations a window reads.
 */
class ModelAgreementTest {
    @TempDir
    static Path dir;

    static Path file;
    static TraceIndex index;
    static ViewerServer server;
    static TraceStats stats;
    static TraceAnalysis analysis;
    /** The spans the model made, read on their own. */
    static final List<Span> spans = new ArrayList<>();
    static final Map<Long, ModelThread> modelThreads = new HashMap<>();
    static final ObjectMapper JSON = new ObjectMapper();

    static final long T0 = 1_000;
    static final long G1 = 100_000;
    static final long G2 = 200_000;
    static final long G3 = 300_000;

    static Path hostile(Path f) throws Exception {
        TraceBuilder b = new TraceBuilder();
        TraceBuilder.Gen g = b.generation(T0, G1).thread(1, "main", false).thread(2, "", false).thread(3, "worker-3", false)
                .thread(7, "vt-7", true).thread(9, "agent", false);
        Object st = g.stack("app.Server.handle", "app.Main.main");
        Object park = g.stack("jdk.internal.misc.Unsafe.park", "app.Queue.take");
        // regions on thread 1: a null-named one around an empty-named one, matched null-safely
        g.event(1, 1, 2_000, EventTypes.REGION_BEGIN, 0L, null, st)
                .event(1, 1, 3_000, EventTypes.REGION_BEGIN, 0L, "", 0L)
                .event(1, 1, 4_000, EventTypes.REGION_END, 0L, null)
                .event(1, 1, 5_000, EventTypes.REGION_END, 0L, "")
                .event(1, 1, 6_000, EventTypes.REGION_END, 0L, "orphan") // no begin
                .event(1, 1, 7_000, EventTypes.REGION_BEGIN, 0L, "outer", 0L)
                .event(1, 1, 8_000, EventTypes.REGION_BEGIN, 0L, "inner", 0L)
                .event(1, 1, 9_000, EventTypes.REGION_END, 0L, "outer") // ends inner too
                .event(1, 1, 12_000, EventTypes.LOG, 0L, null, "", 0L)
                .event(1, 1, 13_000, EventTypes.COUNTER, "queue", -5L)
                .event(1, 1, 14_000, EventTypes.THREAD_SWITCH, 5L, "switched-in") // thread 5 only from here
                .event(1, 1, 15_000, EventTypes.ALLOC, 1L, "app.Obj", 100L, 0L)
                .event(1, 1, 16_000, EventTypes.ALLOC, 2L, "jtrace.Buffer", 50L, 0L)
                .event(1, 1, 17_000, EventTypes.FREE, 1L)
                .event(1, 1, 18_000, EventTypes.FREE, 42L); // no alloc
        // tasks: a null-named one ending on another thread, an end without begin, an id begun twice
        g.event(2, 2, 2_000, EventTypes.TASK_BEGIN, 10L, 0L, null, st)
                .event(3, 3, 50_000, EventTypes.TASK_END, 10L)
                .event(3, 3, 3_000, EventTypes.TASK_END, 99L)
                .event(2, 2, 4_000, EventTypes.TASK_BEGIN, 11L, 0L, "dup", 0L)
                .event(2, 2, 6_000, EventTypes.TASK_BEGIN, 11L, 0L, "dup", 0L)
                .event(2, 2, 10_000, EventTypes.REGION_BEGIN, 11L, "across", 0L);
        // the runtime's events, written by the agent's thread about others: overlapping blocking on thread 4
        g.event(9, 9, 60_000, EventTypes.PARK, 4L, 20_000L, 30_000L, "app.Queue", park)
                .event(9, 9, 61_000, EventTypes.MONITOR_BLOCKED, 4L, 25_000L, 10_000L, "app.Lock", 0L)
                .event(9, 9, 70_000, EventTypes.SLEEP, 4L, 60_000L, 5_000L, 0L)
                .event(9, 9, 71_000, EventTypes.VIRTUAL_THREAD_PINNED, 7L, 30_000L, 1_000L, 0L)
                .event(9, 9, 72_000, EventTypes.THREAD_START, 8L, "started", 1L, 11_000L)
                .event(9, 9, 90_000, EventTypes.THREAD_END, 8L, 90_000L)
                .event(9, 9, 40_000, EventTypes.ALLOC_SAMPLE, 6L, 40_000L, "app.Obj", 8L, 0L) // thread 6 only here
                .event(9, 9, 41_000, EventTypes.CPU_SAMPLE, 1L, 41_000L, st)
                .event(9, 9, 50_000, EventTypes.HEAP_SUMMARY, 50_000L, 1_000_000L, 4_000_000L)
                // a concurrent G1 cycle: two pauses 40 us apart, then its own event; a young one without phases
                .event(9, 9, 80_000, EventTypes.GC_PHASE, 1L, 30_000L, 2_000L, "Pause Remark")
                .event(9, 9, 81_000, EventTypes.GC_PHASE, 1L, 70_000L, 1_000L, "Pause Cleanup")
                .event(9, 9, 82_000, EventTypes.GC_PAUSE, 1L, 30_000L, 3_000L, "G1Old", "Concurrent Cycle")
                .event(9, 9, 85_000, EventTypes.GC_PAUSE, 2L, 84_000L, 4_000L, "G1New", "G1 Evacuation Pause");
        g.loss(1, 1, Format.LOSS_SKIPPED_REENTRANT, 3);
        g.end();
        b.generation(G1, G2).thread(1, "main", false).thread(2, "renamed-2", false)
                .event(2, 2, 150_000, EventTypes.REGION_END, 11L, "across")
                .event(1, 1, 160_000, EventTypes.REGION_BEGIN, 0L, "never-ends", 0L)
                .event(3, 3, 170_000, EventTypes.TASK_BEGIN, 12L, 10L, "late", 0L)
                // blocking of thread 4 reported a generation late
                .event(9, 9, 120_000, EventTypes.PARK, 4L, 95_000L, 10_000L, "app.Queue", park)
                .end();
        b.generation(G2, G3).thread(1, "main", false)
                .event(1, 1, 210_000, EventTypes.REGION_BEGIN, 0L, "g3", 0L)
                .event(1, 1, 220_000, EventTypes.REGION_END, 0L, "g3")
                .event(3, 3, 230_000, EventTypes.TASK_END, 12L)
                .event(3, 3, 240_000, EventTypes.TASK_BEGIN, 13L, 0L, "", 0L) // never ends
                .end();
        return b.write(f);
    }

    @BeforeAll
    static void start() throws Exception {
        file = hostile(dir.resolve("hostile.jtrace"));
        stats = TraceStats.of(file, null);
        analysis = TraceAnalysis.run(file, null);
        TraceModel.read(file, new ModelListener() {
            @Override
            public void spanEnd(Span s) {
                spans.add(s);
            }
        }, null).threads().forEach(t -> modelThreads.put(t.id(), t));
        index = TraceIndex.build(file, null);
        server = ViewerServer.start(index, 0, 16 << 20, System.err);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static JsonNode get(String target) throws Exception {
        try (Socket sock = new Socket(InetAddress.getByName("127.0.0.1"), server.address().getPort())) {
            sock.setSoTimeout(30_000);
            String req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.address().getPort()
                    + "\r\nConnection: close\r\n\r\n";
            sock.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = sock.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(all).startsWith("HTTP/1.1 200");
            return JSON.readTree(all.substring(all.indexOf("\r\n\r\n") + 4));
        }
    }

    static String threadList() {
        return String.join(",", index.threads.keySet().stream().map(String::valueOf).toList());
    }

    @Test
    void theCorpusIsAsHostileAsItSays() {
        // so that the agreement below is about something
        assertThat(stats.regionEndWithoutBegin).isEqualTo(1);
        assertThat(stats.regionBeginWithoutEnd).isEqualTo(2); // inner, never-ends
        assertThat(stats.taskEndWithoutBegin).isEqualTo(1);
        assertThat(stats.taskBeginWithoutEnd).isEqualTo(3); // both "dup" (the first ended by the second), ""
        assertThat(stats.generations).isEqualTo(3);
        assertThat(modelThreads).containsKeys(4L, 5L, 6L, 8L);
    }

    @Test
    void indexCountsAsStatsAndAnalyze() throws Exception {
        assertThat(index.regions()).isEqualTo(stats.regions).isEqualTo(analysis.summary.regions()).isEqualTo(8);
        assertThat(index.tasks()).isEqualTo(stats.tasks).isEqualTo(analysis.summary.tasks()).isEqualTo(6);
        assertThat((long) index.threads()).isEqualTo(stats.summary.threads()).isEqualTo(analysis.threads.size())
                .isEqualTo(modelThreads.size());
        assertThat(index.duration()).isEqualTo(stats.summary.durationNanos()).isEqualTo(G3 - T0);
        assertThat(index.origin()).isEqualTo(T0);
        assertThat(index.events()).isEqualTo(stats.events);
        JsonNode meta = get("/api/meta");
        assertThat(meta.get("end").asLong()).isEqualTo(stats.summary.durationNanos());
        assertThat(meta.get("regions").asLong()).isEqualTo(stats.regions);
        assertThat(meta.get("tasks").asLong()).isEqualTo(stats.tasks);
        assertThat(meta.get("threadCount").asLong()).isEqualTo(stats.summary.threads());
        assertThat(meta.get("threads").size()).isEqualTo((int) stats.summary.threads());
    }

    @Test
    void threadNamesAreTheModelsEverywhere() throws Exception {
        Map<Long, String> analyzed = new HashMap<>();
        for (JsonNode t : get("/api/analysis").get("threads")) {
            analyzed.put(t.get("id").asLong(), t.get("displayName").asText());
        }
        Map<Long, String> shown = new HashMap<>();
        for (JsonNode t : get("/api/meta").get("threads")) {
            shown.put(t.get("id").asLong(), t.get("displayName").asText());
            assertThat(t.get("name").asText()).isEqualTo(modelThreads.get(t.get("id").asLong()).name());
            assertThat(t.get("virtual").asInt() == 1).isEqualTo(modelThreads.get(t.get("id").asLong()).virtual());
        }
        Map<Long, String> model = new HashMap<>();
        modelThreads.values().forEach(t -> model.put(t.id(), t.displayName()));
        assertThat(shown).isEqualTo(model).isEqualTo(analyzed);
        assertThat(shown.get(2L)).isEqualTo("renamed-2");
        assertThat(shown.get(8L)).isEqualTo("started");
        for (long id : model.keySet()) {
            assertThat(index.threadName(id)).isEqualTo(model.get(id));
        }
    }

    @Test
    void theAnalysisPagesReadAnalyzeJson() throws Exception {
        assertThat(get("/api/analysis")).isEqualTo(JSON.readTree(analysis.toJson()));
    }

    /** "name start duration depth thread task flags" of every region or task item of window answers. */
    static Set<String> items(JsonNode w, String kind) {
        Set<String> s = new HashSet<>();
        JsonNode strings = w.get("strings");
        for (JsonNode r : w.get(kind)) {
            if (kind.equals("regions")) {
                s.add(strings.get(r.get(4).asInt()).asText() + " " + r.get(2).asLong() + " " + r.get(3).asLong() + " "
                        + r.get(1).asInt() + " " + r.get(0).asLong() + " " + r.get(5).asLong() + " " + r.get(6).asInt());
            } else {
                s.add(strings.get(r.get(2).asInt()).asText() + " " + r.get(5).asLong() + " " + r.get(6).asLong() + " 0 "
                        + r.get(7).asLong() + " " + r.get(0).asLong() + " " + r.get(9).asInt() + " " + r.get(8).asLong());
            }
        }
        return s;
    }

    static Set<String> expected(Span.Kind kind, long from, long to) {
        Set<String> s = new HashSet<>();
        for (Span x : spans) {
            long start = x.start() - T0;
            long end = x.end() - T0;
            if (x.kind() == kind && start <= to && end >= from) {
                s.add(x.name() + " " + start + " " + x.duration() + " " + Math.max(0, x.depth()) + " " + x.thread() + " "
                        + x.task() + " " + x.flags() + (kind == Span.Kind.TASK ? " " + x.endThread() : ""));
            }
        }
        return s;
    }

    @Test
    void everySpanTheModelMadeIsDrawnOnceFromAnyGenerations() throws Exception {
        long d = index.duration();
        JsonNode whole = get("/api/window?from=0&to=" + d + "&threads=" + threadList() + "&tasks=1");
        assertThat(whole.get("mode").asText()).isEqualTo("items");
        assertThat(whole.get("regions").size()).isEqualTo((int) stats.regions);
        assertThat(whole.get("tasks").size()).isEqualTo((int) stats.tasks);
        assertThat(items(whole, "regions")).isEqualTo(expected(Span.Kind.REGION, 0, d));
        assertThat(items(whole, "tasks")).isEqualTo(expected(Span.Kind.TASK, 0, d));
        // windows inside each generation: each read alone, resumed with what the index saw open there
        for (long[] w : new long[][] {{1_000, 9_500}, {5_500, 6_500}, {G1 - T0 + 10, G1 - T0 + 20},
                {G1 - T0 + 49_000, G1 - T0 + 51_000}, {G2 - T0 + 5_000, G2 - T0 + 60_000}, {G3 - T0 - 10, G3 - T0}}) {
            try (ViewerServer fresh = ViewerServer.start(TraceIndex.build(file, null), 0, 16 << 20, System.err)) {
                ViewerServer keep = server;
                server = fresh; // nothing cached: the window's generations are decoded for it
                try {
                    JsonNode r = get("/api/window?from=" + w[0] + "&to=" + w[1] + "&threads=" + threadList() + "&tasks=1");
                    assertThat(r.get("mode").asText()).isEqualTo("items");
                    assertThat(items(r, "regions")).as("regions in %d..%d", w[0], w[1])
                            .isEqualTo(expected(Span.Kind.REGION, w[0], w[1]));
                    assertThat(items(r, "tasks")).as("tasks in %d..%d", w[0], w[1])
                            .isEqualTo(expected(Span.Kind.TASK, w[0], w[1]));
                } finally {
                    server = keep;
                }
            }
        }
    }

    @Test
    void gcPausesAtTheirOwnTimesAndCyclesApart() throws Exception {
        JsonNode w = get("/api/window?from=0&to=" + index.duration() + "&threads=1");
        List<Long> pauses = new ArrayList<>();
        for (JsonNode p : w.get("gc")) {
            pauses.add(p.get(1).asLong() + T0);
        }
        assertThat(pauses).containsExactlyElementsOf(analysis.model().gc().pauses().stream().map(GcPause::start).toList())
                .containsExactly(30_000L, 70_000L, 84_000L);
        JsonNode cycle = null;
        for (JsonNode c : w.get("gcCycles")) {
            if (c.get(0).asLong() == 1) {
                cycle = c;
            }
        }
        // the concurrent cycle spans both its pauses, and is not drawn as a pause
        assertThat(cycle.get(1).asLong() + T0).isEqualTo(30_000);
        assertThat(cycle.get(2).asLong()).isEqualTo(41_000);
        assertThat(cycle.get(5).asInt()).isEqualTo(2);
        assertThat(w.get("gcCycles").size()).isEqualTo(analysis.gcCycles().size()).isEqualTo(2);
        JsonNode meta = get("/api/meta");
        assertThat(meta.get("gcPauses").asInt()).isEqualTo(3);
        assertThat(meta.get("gcCycles").asInt()).isEqualTo(2);
    }

    @Test
    void blockingIsTheModelsOnTheThreadItIsAbout() throws Exception {
        JsonNode w = get("/api/window?from=0&to=" + index.duration() + "&threads=" + threadList());
        Map<String, Long> states = new HashMap<>();
        for (JsonNode b : w.get("blocks")) {
            assertThat(b.get(0).asLong()).isIn(4L, 7L);
            states.merge(w.get("strings").get(b.get(6).asInt()).asText(), b.get(3).asLong(), Long::sum);
        }
        assertThat(states).containsEntry("blocked", 10_000L).containsEntry("sleeping", 5_000L);
        assertThat(w.get("blocks").size()).isEqualTo(5);
    }

    @Test
    void theThreadsPageListsAtMostAPageOfThreadsAndSumsTheRest() throws Exception {
        // 10 platform threads after 320 virtual ones: the platform threads are listed first
        TraceBuilder b = new TraceBuilder();
        TraceBuilder.Gen g = b.generation(0, 1_000_000);
        for (long id = 1; id <= 330; id++) {
            g.thread(id, "t" + id, id <= 320);
            g.event(id, id, 1_000 * id, EventTypes.REGION_BEGIN, 0L, "work", 0L)
                    .event(id, id, 1_000 * id + 500, EventTypes.REGION_END, 0L, "work");
        }
        g.end();
        Path f = b.write(dir.resolve("threads.jtrace"));
        TraceAnalysis a = TraceAnalysis.run(f, null);
        try (ViewerServer v = ViewerServer.start(TraceIndex.build(f, null), 0, 16 << 20, System.err)) {
            ViewerServer keep = server;
            server = v;
            try {
                JsonNode j = get("/api/analysis");
                JsonNode all = JSON.readTree(a.toJson());
                assertThat(all.get("threads").size()).isEqualTo(330);
                assertThat(j.get("threads").size()).isEqualTo(AnalysisJson.MAX_THREADS);
                List<Long> listed = new ArrayList<>();
                j.get("threads").forEach(t -> listed.add(t.get("id").asLong()));
                assertThat(listed.subList(0, 10)).containsExactly(321L, 322L, 323L, 324L, 325L, 326L, 327L, 328L, 329L,
                        330L);
                JsonNode rest = j.get("threadsNotListed");
                assertThat(rest.get("count").asLong()).isEqualTo(30);
                long running = 0;
                for (JsonNode t : all.get("threads")) {
                    if (!listed.contains(t.get("id").asLong())) {
                        running += t.get("runningNanos").asLong();
                    }
                }
                assertThat(rest.get("runningNanos").asLong()).isEqualTo(running).isEqualTo(30 * 500);
                // everything else is analyze --json's
                ((com.fasterxml.jackson.databind.node.ObjectNode) j).remove(List.of("threads", "threadsNotListed"));
                ((com.fasterxml.jackson.databind.node.ObjectNode) all).remove("threads");
                assertThat(j).isEqualTo(all);
            } finally {
                server = keep;
            }
        }
    }

    @Test
    void aRegionWithNullTaskAndNullNameIsIndexed() throws Exception {
        Path f = dir.resolve("null-region.jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        try (Region r = JTrace.region(null, null)) {
            TestTraces.busy(100_000);
        }
        JTrace.stop();
        TraceIndex idx = TraceIndex.build(f, null);
        TraceStats s = TraceStats.of(f, null);
        assertThat(idx.regions()).isEqualTo(s.regions).isEqualTo(1);
        try (ViewerServer v = ViewerServer.start(idx, 0, 16 << 20, System.err)) {
            ViewerServer keep = server;
            server = v;
            try {
                JsonNode w = get("/api/window?from=0&to=" + idx.duration() + "&threads="
                        + String.join(",", idx.threads.keySet().stream().map(String::valueOf).toList()));
                assertThat(w.get("regions").size()).isEqualTo(1);
                assertThat(w.get("strings").get(w.get("regions").get(0).get(4).asInt()).asText()).isEqualTo(Span.UNNAMED);
            } finally {
                server = keep;
            }
        }
    }
}
