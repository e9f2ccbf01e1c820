package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.model.ModelThread;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RangeQuery} on a recorded trace: over the whole trace its counts are the model's (what
 * {@link TraceAnalysis} and the model's threads counted in the index pass), over a part of it they are
 * what the file holds there (read with the reader alone), and its flame graphs add up.
 */
class RangeQueryTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TestTraces.Viewer trace;
    static TraceIndex index;
    static TraceAnalysis analysis;
    static ViewerServer server;
    static RangeQuery query;
    /** CPU samples of the file, by the reader alone: their true times. */
    static List<Long> sampleTimes;

    @BeforeAll
    static void start() throws Exception {
        trace = TestTraces.viewer(dir);
        index = TraceIndex.build(trace.file(), null);
        analysis = index.analysis();
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
        query = new RangeQuery(index, new GenerationStore(index, 64 << 20));
        sampleTimes = samplesOf(trace.file());
    }

    /** The true times of the file's CPU samples, by the reader alone. */
    static List<Long> samplesOf(Path file) throws Exception {
        List<Long> l = new ArrayList<>();
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (Event e : g.events()) {
                    if (e.type().name().equals("CPUSample")) {
                        l.add(e.trueTicks());
                    }
                }
            }
        }
        return l;
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** From the model's first instant (the first events may precede GEN_BEGIN's stamp) to the trace's end. */
    static RangeQuery.Result whole() throws Exception {
        return query.aggregate(Math.min(index.origin(), index.model().recordingSince()), index.endTicks());
    }

    @Test
    void theWholeTraceCountsWhatTheModelCounted() throws Exception {
        RangeQuery.Result r = whole();
        long modelSamples = java.util.stream.StreamSupport.stream(index.model.threads().spliterator(), false)
                .mapToLong(ModelThread::cpuSamples).sum();
        assertThat(modelSamples).isGreaterThan(0).isEqualTo(sampleTimes.size());
        assertThat(r.samples).isEqualTo(modelSamples);
        assertThat(r.cpu.value).isEqualTo(modelSamples);
        assertThat(r.regionCount).isEqualTo(index.regions());
        assertThat(r.pauses).hasSize(analysis.gcPauses.size());
        // every region and task name with all its spans (complete ones and those missing a half)
        for (TraceAnalysis.Latency l : analysis.regions.values()) {
            assertThat(r.slices.get("region\n" + l.name).durations).as(l.name)
                    .hasSize((int) (l.histogram.getTotalCount() + l.incomplete));
        }
        for (TraceAnalysis.Latency l : analysis.tasks.values()) {
            assertThat(r.slices.get("task\n" + l.name).durations).as(l.name)
                    .hasSize((int) (l.histogram.getTotalCount() + l.incomplete));
        }
        // the blocking profile, row by row: count, time and longest instance
        assertThat(r.blocking).hasSize(analysis.blocking.size());
        for (TraceAnalysis.Blocking b : analysis.blocking.values()) {
            RangeQuery.Site s = r.blocking.get(b.kind + (b.idle ? "\nidle\n" : "\n") + b.callSite);
            assertThat(s).as(b.callSite).isNotNull();
            assertThat(s.count).isEqualTo(b.count);
            assertThat(s.inRange).isEqualTo(b.nanos);
            // HdrHistogram keeps 3 digits
            assertThat(s.longest.duration()).isCloseTo(b.histogram.getMaxValue(),
                    org.assertj.core.data.Percentage.withPercentage(0.1));
        }
    }

    @Test
    void flameGraphsAddUp() throws Exception {
        RangeQuery.Result r = whole();
        check(r.cpu);
        check(r.regions);
        // worker-A's real stacks: the busy loop under the thread's run method
        assertThat(find(r.cpu, "dev.jtrace.web.TestTraces.busy")).isNotNull();
        // handle holds parse and slow-step, each weighted by its duration
        RangeQuery.Node handle = r.regions.children.get("handle");
        assertThat(handle.children.keySet()).containsExactlyInAnyOrder("parse", "slow-step");
        long slowStep = handle.children.get("slow-step").value;
        assertThat(slowStep).isGreaterThanOrEqualTo(30 * TestTraces.MS).isLessThan(handle.value);
        assertThat(analysis.regions.get("slow-step").histogram.getMaxValue()).isCloseTo(slowStep,
                org.assertj.core.data.Offset.offset(slowStep / 1000));
    }

    interface Run {
        void run() throws Exception;
    }

    static long time(Run r) throws Exception {
        long t = System.nanoTime();
        r.run();
        return System.nanoTime() - t;
    }

    /** A node's children never outweigh it. */
    static void check(RangeQuery.Node n) {
        assertThat(n.self()).as(n.name).isGreaterThanOrEqualTo(0);
        n.children.values().forEach(RangeQueryTest::check);
    }

    static RangeQuery.Node find(RangeQuery.Node n, String name) {
        if (n.name.equals(name)) {
            return n;
        }
        for (RangeQuery.Node c : n.children.values()) {
            RangeQuery.Node f = find(c, name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    @Test
    void aPartOfTheTraceHoldsWhatTheFileHoldsThere() throws Exception {
        List<Long> sorted = sampleTimes.stream().sorted().toList();
        long a = sorted.get(sorted.size() / 4);
        long b = sorted.get(sorted.size() * 3 / 4);
        long inFile = sorted.stream().filter(t -> t >= a && t <= b).count();
        RangeQuery.Result r = query.aggregate(a, b);
        assertThat(r.samples).isEqualTo(inFile).isLessThan(sorted.size());
        // regions are weighted by their time inside the range: none more than the range
        for (RangeQuery.Node n : r.regions.children.values()) {
            assertThat(n.value).isLessThanOrEqualTo(b - a);
        }
        // a range between the GC pauses has none
        RangeQuery.Result quiet = query.aggregate(index.endTicks() - 1000, index.endTicks());
        assertThat(quiet.pauses).isEmpty();
    }

    @Test
    void aRangeOverManyGenerationsCountsEachSpanOnceAndAWiderOneIsRefused() throws Exception {
        Path f = TestTraces.many(dir, 2, 20_000, 16 << 10);
        TraceIndex big = TraceIndex.build(f, null);
        assertThat(big.generations()).isGreaterThan(RangeQuery.MAX_GENERATIONS);
        Reference ref = Reference.read(f);
        RangeQuery q = new RangeQuery(big, new GenerationStore(big, 64 << 20));
        // the whole trace is refused, with what to do
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.aggregate(big.origin(), big.endTicks()))
                .isInstanceOf(RangeQuery.TooLarge.class).hasMessageContaining("select a shorter one");
        // a range over a few generations: every region and task overlapping it, once, those crossing a
        // generation boundary included
        TraceIndex.Gen g0 = big.gens.get(big.gens.size() / 2);
        TraceIndex.Gen g1 = big.gens.get(big.gens.size() / 2 + 3);
        long a = g0.startTicks() + (g0.endTicks() - g0.startTicks()) / 3;
        long b = g1.endTicks() - (g1.endTicks() - g1.startTicks()) / 3;
        long t = System.nanoTime();
        RangeQuery.Result r = q.aggregate(a, b);
        System.out.printf("range over %d generations, %d regions: %.0f ms (decoding them), again %.0f ms (cached)%n",
                r.generations, r.regionCount, (System.nanoTime() - t) / 1e6, time(() -> q.aggregate(a, b)) / 1e6);
        assertThat(r.generations).isBetween(4, 6);
        long regions = ref.regions.stream().filter(x -> x.start() <= b && x.end() >= a).count();
        assertThat(regions).isGreaterThan(100);
        assertThat(r.regionCount).isEqualTo(regions);
        for (String name : new String[] {"op-a", "op-b"}) {
            long tasks = ref.tasks.stream().filter(x -> x.name().equals(name) && x.start() <= b && x.end() >= a).count();
            assertThat(r.slices.get("task\n" + name).durations).as(name).hasSize((int) tasks);
        }
        // inner regions nest under outer ones, and weigh at most what they are inside the range
        RangeQuery.Node outer = r.regions.children.get("outer");
        assertThat(r.regions.children.keySet()).containsExactly("outer");
        assertThat(outer.children.keySet()).containsExactly("inner");
        assertThat(outer.value).isEqualTo(r.regions.value).isLessThanOrEqualTo(2 * (b - a));
        // the server says why, as 413
        try (ViewerServer s = ViewerServer.start(big, 0, 16 << 20, System.err)) {
            HttpResponse<String> wide = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + s.address().getPort() + "/api/range?t0=0&t1=" + big.duration())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wide.statusCode()).isEqualTo(413);
            assertThat(JSON.readTree(wide.body()).get("error").asText()).contains("generations");
        }
    }

    @Test
    void theEndpointAnswersJsonAndRefusesBadRanges() throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.address().getPort();
        HttpResponse<String> ok = c.send(HttpRequest.newBuilder(URI.create(base + "/api/range?t0=0&t1="
                + index.duration())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode j = JSON.readTree(ok.body());
        assertThat(j.get("samples").asLong()).isEqualTo(sampleTimes.size());
        assertThat(j.get("cpu").get("v").asLong()).isEqualTo(sampleTimes.size());
        assertThat(j.get("threads").get(String.valueOf(trace.workerA())).asText()).isEqualTo("worker-A");
        Map<String, JsonNode> slices = new HashMap<>();
        j.get("slices").forEach(s -> slices.put(s.get("kind").asText() + ":" + s.get("name").asText(), s));
        TraceAnalysis.Latency slow = analysis.regions.get("slow-step");
        // one instance: its p99 is its duration (HdrHistogram keeps 3 digits)
        assertThat(slices.get("region:slow-step").get("count").asLong()).isEqualTo(slow.histogram.getTotalCount());
        assertThat(slices.get("region:slow-step").get("p99Nanos").asLong()).isCloseTo(slow.histogram.getMaxValue(),
                org.assertj.core.data.Percentage.withPercentage(0.1));
        for (String q : new String[] {"t0=5&t1=5", "t0=x&t1=9", "t1=9"}) {
            HttpResponse<String> bad = c.send(HttpRequest.newBuilder(URI.create(base + "/api/range?" + q)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).as(q).isEqualTo(400);
        }
    }
}
