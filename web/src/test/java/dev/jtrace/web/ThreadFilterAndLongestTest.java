package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The server's answers for the range page's thread filter ({@code /api/range?thread=}) and for the timeline's
 * merged groups (their longest member), on {@link TestTraces#threadsAndSteps}: what they say is checked against
 * the file read with the reader alone ({@link Reference} and the CPUSample events), never against the viewer's
 * own code.
 */
class ThreadFilterAndLongestTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path file;
    static Reference ref;
    static TraceIndex index;
    static ViewerServer server;
    static HttpClient http = HttpClient.newHttpClient();
    /** CPU samples by the reader alone: [thread, true time]. */
    static List<long[]> samples;

    @BeforeAll
    static void start() throws Exception {
        file = TestTraces.threadsAndSteps(dir.resolve("steps.jtrace"));
        ref = Reference.read(file);
        samples = samplesOf(file);
        index = TraceIndex.build(file, null);
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** Every CPUSample event of the file: the thread it is about and its true time. */
    static List<long[]> samplesOf(Path f) throws Exception {
        List<long[]> l = new ArrayList<>();
        try (TraceReader r = TraceReader.open(f)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (Event e : g.events()) {
                    if (e.type().name().equals("CPUSample")) {
                        l.add(new long[] {e.arg("thread"), e.trueTicks()});
                    }
                }
            }
        }
        return l;
    }

    /** Samples of {@code thread} (any when negative) in [a, b] (absolute ticks). */
    static long samplesIn(List<long[]> samples, long thread, long a, long b) {
        return samples.stream().filter(s -> (thread < 0 || s[0] == thread) && s[1] >= a && s[1] <= b).count();
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode range(long t0, long t1, String threads) throws Exception {
        HttpResponse<String> r = get("/api/range?t0=" + t0 + "&t1=" + t1 + threads);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void theFlameGraphsOfOneThreadHoldExactlyItsSamplesAndRegions() throws Exception {
        long o = index.origin();
        long t0 = 2_000_500;
        long t1 = 7_300_250;
        long a = o + t0;
        long b = o + t1;
        long beta = TestTraces.STEP_THREADS[1];
        JsonNode all = range(t0, t1, "");
        assertThat(all.get("samples").asLong()).isEqualTo(samplesIn(samples, -1, a, b)).isGreaterThan(0);
        assertThat(all.get("threadFilter")).isEmpty();
        // the picker's list: every thread with its samples in the range, most first
        Map<Long, JsonNode> listed = new HashMap<>();
        all.get("rangeThreads").forEach(t -> listed.put(t.get("id").asLong(), t));
        assertThat(listed.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(all.get("rangeThreadCount").asInt()).isEqualTo(3);
        for (int k = 0; k < 3; k++) {
            JsonNode t = listed.get(TestTraces.STEP_THREADS[k]);
            assertThat(t.get("label").asText()).isEqualTo(TestTraces.STEP_NAMES[k]);
            assertThat(t.get("samples").asLong()).isEqualTo(samplesIn(samples, TestTraces.STEP_THREADS[k], a, b));
            assertThat(t.get("regionNanos").asLong()).isEqualTo(outermostIn(ref, TestTraces.STEP_THREADS[k], a, b));
        }
        assertThat(all.get("rangeThreads").get(0).get("id").asLong()).isEqualTo(1L);

        JsonNode one = range(t0, t1, "&thread=" + beta);
        long betaSamples = samplesIn(samples, beta, a, b);
        assertThat(betaSamples).isGreaterThan(0).isLessThan(samplesIn(samples, -1, a, b));
        assertThat(one.get("samples").asLong()).isEqualTo(betaSamples);
        assertThat(one.get("cpu").get("v").asLong()).isEqualTo(betaSamples);
        assertThat(one.get("threadFilter").get(0).asLong()).isEqualTo(beta);
        assertThat(one.get("threadFilter")).hasSize(1);
        // beta's stacks only: app.Main.main > app.Beta.run > app.Beta.compute
        JsonNode main = one.get("cpu").get("c").get(0);
        assertThat(one.get("cpu").get("c")).hasSize(1);
        assertThat(main.get("n").asText()).isEqualTo("app.Main.main");
        assertThat(main.get("c")).hasSize(1);
        assertThat(main.get("c").get(0).get("n").asText()).isEqualTo("app.Beta.run");
        // its regions only: beta-work holding its steps, each weighed by its time inside the range
        JsonNode regions = one.get("regions");
        assertThat(regions.get("v").asLong()).isEqualTo(outermostIn(ref, beta, a, b));
        assertThat(regions.get("c")).hasSize(1);
        JsonNode work = regions.get("c").get(0);
        assertThat(work.get("n").asText()).isEqualTo("beta-work");
        assertThat(work.get("c").get(0).get("n").asText()).isEqualTo("step");
        assertThat(work.get("c").get(0).get("v").asLong()).isEqualTo(ref.regions.stream()
                .filter(r -> r.thread() == beta && r.name().equals("step"))
                .mapToLong(r -> Math.max(0, Math.min(r.end(), b) - Math.max(r.start(), a))).sum());
        // the list stays whole, and the tables over all threads
        assertThat(one.get("rangeThreads")).hasSize(3);
        assertThat(one.get("regionCount").asLong()).isEqualTo(all.get("regionCount").asLong());
        assertThat(one.get("slices").toString()).isEqualTo(all.get("slices").toString());

        // several threads: repeated or comma-separated, the same; a thread named twice counts once
        long alphaGamma = samplesIn(samples, 1, a, b) + samplesIn(samples, 3, a, b);
        for (String q : new String[] {"&thread=1&thread=3", "&thread=1,3", "&thread=3,%201&thread=1", "&thread=1,,3"}) {
            JsonNode two = range(t0, t1, q);
            assertThat(two.get("samples").asLong()).as(q).isEqualTo(alphaGamma);
            assertThat(two.get("threadFilter").toString()).as(q).isEqualTo("[1,3]");
        }
        // an empty value is no filter
        assertThat(range(t0, t1, "&thread=").get("samples").asLong()).isEqualTo(samplesIn(samples, -1, a, b));
    }

    /** The time inside [a, b] of the thread's outermost regions, from the reference reading. */
    static long outermostIn(Reference ref, long thread, long a, long b) {
        return ref.regions.stream().filter(r -> r.thread() == thread && r.depth() == 0)
                .mapToLong(r -> Math.max(0, Math.min(r.end(), b) - Math.max(r.start(), a))).sum();
    }

    @Test
    void badThreadIdsAreRefusedWithWhatIsWrong() throws Exception {
        String range = "/api/range?t0=1000000&t1=2000000";
        Map<String, String> bad = Map.of(
                "&thread=x", "not 'x'",
                "&thread=1,x2", "not 'x2'",
                "&thread=1.5", "not '1.5'",
                "&thread=42", "no thread 42 in the trace",
                "&thread=1&thread=-7", "no thread -7 in the trace",
                "&thread=99", "no thread 99 in the trace", // the bridge thread only writes about others
                "&thread=99999999999999999999", "must be thread ids");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> r = get(range + e.getKey());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            JsonNode j = JSON.readTree(r.body());
            assertThat(j.get("status").asInt()).isEqualTo(400);
            assertThat(j.get("error").asText()).as(e.getKey()).contains("'thread'").contains(e.getValue());
        }
        StringBuilder many = new StringBuilder("&thread=1");
        for (int i = 0; i < WindowQuery.MAX_THREADS; i++) {
            many.append(",1,2,3");
        }
        assertThat(get(range + many).statusCode()).as("one thread named many times").isEqualTo(200);
    }

    @Test
    void aMergedGroupCarriesItsLongestMember() throws Exception {
        long o = index.origin();
        HttpResponse<String> r = get("/api/window?from=0&to=" + index.duration() + "&threads=1,2,3&px=400&lod=1");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("mode").asText()).isEqualTo("items");
        long w = j.get("mergedBelowNs").asLong();
        assertThat(w).isGreaterThan(3000); // a pixel holds more than one step
        int merged = 0;
        for (JsonNode row : j.get("regions")) {
            long thread = row.get(0).asLong();
            int depth = row.get(1).asInt();
            long gs = row.get(2).asLong() + o;
            long ge = gs + row.get(3).asLong();
            int count = row.get(8).asInt();
            List<Reference.Span> in = ref.regions.stream().filter(x -> x.thread() == thread && x.depth() == depth
                    && x.start() >= gs && x.end() <= ge).toList();
            if (count == 1) {
                assertThat(row).hasSize(9);
                continue;
            }
            merged++;
            assertThat(row).hasSize(11);
            // the group is what the file holds there, on that row: its count, its longest member
            assertThat(in).as("group at %d on %d:%d", gs, thread, depth).hasSize(count);
            long longest = in.stream().mapToLong(x -> x.end() - x.start()).max().orElseThrow();
            long ls = row.get(9).asLong() + o;
            long ld = row.get(10).asLong();
            assertThat(ld).isEqualTo(longest);
            Reference.Span member = in.stream().filter(x -> x.start() == ls).findFirst().orElseThrow();
            assertThat(member.end() - member.start()).isEqualTo(ld);
            assertThat(j.get("strings").get(row.get(4).asInt()).asText()).isEqualTo(member.name());
        }
        assertThat(merged).isGreaterThan(100);
    }
}
