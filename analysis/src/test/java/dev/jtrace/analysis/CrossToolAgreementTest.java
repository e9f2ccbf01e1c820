package dev.jtrace.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import dev.jtrace.model.HostileCorpus;
import dev.jtrace.model.TraceStats;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus through every consumer: stats, analyze (and its JSON), the Chrome, Perfetto and pprof
 * exports, each read back independently (Jackson, protoc, a protobuf decoder), agree with each other and
 * with what the corpus means on regions, tasks, threads, thread names and the trace's duration.
 */
class CrossToolAgreementTest {
    @TempDir
    static Path dir;
    static Path trace;
    static TraceStats stats;
    static TraceAnalysis analysis;
    static JsonNode analysisJson;
    static JsonNode chrome;
    static PerfettoExporter.Result perfetto;
    static PerfettoExportTest.Decoded perfettoDecoded;
    static long pprofDurationNanos;

    @BeforeAll
    static void runEveryTool() throws Exception {
        trace = HostileCorpus.write(dir.resolve("export.jtrace"));
        ObjectMapper json = new ObjectMapper();
        stats = TraceStats.of(trace, null);
        analysis = TraceAnalysis.run(trace, null);
        analysisJson = json.readTree(analysis.toJson());
        Path c = dir.resolve("export.json");
        ChromeExporter.export(trace, c, null);
        chrome = json.readTree(c.toFile()).get("traceEvents");
        Path p = dir.resolve("export.pftrace");
        perfetto = PerfettoExporter.export(trace, p, null);
        perfettoDecoded = PerfettoExportTest.decode(dir, p);
        Path pp = dir.resolve("export.pb.gz");
        PprofExporter.export(trace, pp, PprofExporter.Kind.BLOCK, PprofExporter.DEFAULT_CPU_PERIOD_NANOS, null);
        pprofDurationNanos = pprofDuration(pp);
    }

    /** Profile.duration_nanos (field 10), read with protobuf's own decoder. */
    private static long pprofDuration(Path gz) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            long duration = -1;
            int tag;
            while ((tag = cis.readTag()) != 0) {
                if (tag == (10 << 3)) {
                    duration = cis.readInt64();
                } else {
                    cis.skipField(tag);
                }
            }
            return duration;
        }
    }

    private static List<JsonNode> chrome(String ph, String cat) {
        List<JsonNode> l = new ArrayList<>();
        for (JsonNode e : chrome) {
            if (e.get("ph").asText().equals(ph) && (cat == null || cat.equals(e.path("cat").asText()))) {
                l.add(e);
            }
        }
        return l;
    }

    @Test
    void regionsAndTasksAgree() {
        long regions = HostileCorpus.REGIONS;
        assertThat(stats.regions).isEqualTo(regions);
        assertThat(analysisJson.get("summary").get("regions").asLong()).isEqualTo(regions);
        assertThat(chrome("B", "region").size() + chrome("b", "region (no begin)").size()).isEqualTo((int) regions);
        assertThat(chrome("E", "region")).hasSameSizeAs(chrome("B", "region"));
        assertThat(perfetto.regionSlices()).isEqualTo(regions);
        assertThat(perfettoDecoded.slices.stream().filter(s -> "region".equals(s.category())).count()).isEqualTo(regions);

        long tasks = HostileCorpus.TASKS;
        assertThat(stats.tasks).isEqualTo(tasks);
        assertThat(analysisJson.get("summary").get("tasks").asLong()).isEqualTo(tasks);
        assertThat(chrome("b", "task")).hasSize((int) tasks);
        assertThat(chrome("e", "task")).hasSize((int) tasks);
        assertThat(perfetto.taskSlices()).isEqualTo(tasks);
        assertThat(perfettoDecoded.slices.stream().filter(s -> "task".equals(s.category())).count()).isEqualTo(tasks);

        assertThat(stats.regionEndWithoutBegin).isEqualTo(analysis.regionEndWithoutBegin)
                .isEqualTo(perfetto.regionEndsWithoutBegin()).isEqualTo(HostileCorpus.REGIONS_WITHOUT_BEGIN);
        assertThat(stats.taskEndWithoutBegin).isEqualTo(analysis.taskEndWithoutBegin)
                .isEqualTo(perfetto.taskEndsWithoutBegin()).isEqualTo(HostileCorpus.TASKS_WITHOUT_BEGIN);
        assertThat(stats.regionBeginWithoutEnd).isEqualTo(analysis.regionBeginWithoutEnd)
                .isEqualTo(HostileCorpus.REGIONS_WITHOUT_END);
    }

    @Test
    void threadsAndTheirNamesAgree() {
        assertThat(stats.threads()).isEqualTo(HostileCorpus.THREADS);
        assertThat(stats.virtualThreads()).isEqualTo(HostileCorpus.VIRTUAL_THREADS);
        Map<Long, String> fromAnalysis = new HashMap<>();
        for (JsonNode t : analysisJson.get("threads")) {
            String name = t.get("name").asText();
            boolean virtual = t.get("virtual").asInt() == 1;
            fromAnalysis.put(t.get("id").asLong(), virtual && !name.isEmpty() ? name + " (virtual)"
                    : t.get("displayName").asText());
        }
        Map<Long, String> fromChrome = new HashMap<>();
        for (JsonNode e : chrome("M", null)) {
            if (e.get("name").asText().equals("thread_name") && e.get("pid").asInt() == 1 && e.get("tid").asLong() != 0) {
                fromChrome.put(e.get("tid").asLong(), e.get("args").get("name").asText());
            }
        }
        Map<Long, String> fromPerfetto = new HashMap<>();
        for (PerfettoExportTest.Track t : perfettoDecoded.tracks.values()) {
            if (t.tid() != null) {
                fromPerfetto.put(t.tid(), t.threadName());
            }
        }
        assertThat(fromAnalysis).isEqualTo(HostileCorpus.THREAD_LABELS);
        assertThat(fromChrome).isEqualTo(HostileCorpus.THREAD_LABELS);
        assertThat(fromPerfetto).isEqualTo(HostileCorpus.THREAD_LABELS);
    }

    @Test
    void durationsAgree() {
        assertThat(stats.durationNanos()).isEqualTo(HostileCorpus.DURATION);
        assertThat(analysisJson.get("durationNanos").asLong()).isEqualTo(HostileCorpus.DURATION);
        assertThat(pprofDurationNanos).isEqualTo(HostileCorpus.DURATION);
    }

    @Test
    void everyChromeAsyncSliceClosesWithItsOwnName() {
        Map<String, String> open = new HashMap<>();
        int closed = 0;
        for (JsonNode e : chrome) {
            String ph = e.get("ph").asText();
            if (!ph.equals("b") && !ph.equals("e")) {
                continue;
            }
            String key = e.get("cat").asText() + "/" + e.get("id").asText();
            if (ph.equals("b")) {
                assertThat(open.put(key, e.get("name").asText())).as("async %s begun twice", key).isNull();
            } else {
                assertThat(open.remove(key)).as("async end %s matches its begin's name", key)
                        .isEqualTo(e.get("name").asText());
                closed++;
            }
        }
        assertThat(open).as("async slices left open").isEmpty();
        assertThat(closed).isGreaterThanOrEqualTo((int) HostileCorpus.TASKS);
    }

    @Test
    void everyChromeFlowLiesInsideASliceOnItsThread() {
        // slices per (pid, tid): X events, and B/E pairs rebuilt in time order
        Map<String, List<double[]>> slices = new HashMap<>();
        Map<String, ArrayDeque<Double>> stacks = new HashMap<>();
        List<JsonNode> timed = new ArrayList<>();
        chrome.forEach(timed::add);
        timed.removeIf(e -> e.get("ph").asText().equals("M"));
        timed.sort((a, b) -> Double.compare(a.get("ts").asDouble(), b.get("ts").asDouble()));
        for (JsonNode e : timed) {
            String track = e.get("pid").asInt() + "/" + e.get("tid").asLong();
            double ts = e.get("ts").asDouble();
            switch (e.get("ph").asText()) {
                case "X" -> slices.computeIfAbsent(track, k -> new ArrayList<>())
                        .add(new double[] {ts, ts + e.get("dur").asDouble()});
                case "B" -> stacks.computeIfAbsent(track, k -> new ArrayDeque<>()).push(ts);
                case "E" -> slices.computeIfAbsent(track, k -> new ArrayList<>())
                        .add(new double[] {stacks.get(track).pop(), ts});
                default -> {
                }
            }
        }
        List<JsonNode> flows = new ArrayList<>(chrome("s", "flow"));
        flows.addAll(chrome("f", "flow"));
        assertThat(flows).as("the task that crossed threads has a flow").hasSize(2);
        for (JsonNode f : flows) {
            String track = f.get("pid").asInt() + "/" + f.get("tid").asLong();
            double ts = f.get("ts").asDouble();
            assertThat(slices.getOrDefault(track, List.of())).as("a slice around flow %s at %s on %s", f.get("ph"), ts,
                    track).anySatisfy(s -> assertThat(s[0] < ts && ts < s[1]).isTrue());
        }
    }
}
