package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allocation samples of the window answer ({@code allocSamples}), asked of {@link WindowQuery} directly on
 * {@link TestTraces#allocSamples}, whose samples are known: each on its thread at its true time with its class,
 * weight and stack, apart from the CPU samples; merged below a pixel with counts and summed weights that add up
 * to the trace's; counted in summaries; and the same from a spilled generation as from a fresh decode.
 */
class AllocSampleWindowTest {
    @TempDir
    static Path dir;
    static Path file;
    static TraceIndex idx;

    @BeforeAll
    static void build() throws Exception {
        file = TestTraces.allocSamples(dir.resolve("alloc.jtrace"));
        idx = TraceIndex.build(file, null);
    }

    private static JsonNode run(WindowQuery q, long from, long to, long[] threads, int px, int limit, boolean lod)
            throws Exception {
        return TimelineApiTest.JSON.readTree(q.run(new WindowQuery.Params(from, to, threads, false, false, px, limit,
                false, lod)));
    }

    /** An allocSamples entry as "thread time class weight count groupWeight | frames". */
    private static String alloc(JsonNode w, JsonNode a) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.get(0).asLong()).append(' ').append(a.get(1).asLong()).append(' ')
                .append(w.get("strings").get(a.get(2).asInt()).asText()).append(' ').append(a.get(3).asLong())
                .append(' ').append(a.get(5).asInt()).append(' ').append(a.get(6).asLong()).append(" |");
        int s = a.get(4).asInt();
        if (s >= 0) {
            for (JsonNode f : w.get("stacks").get(s)) {
                String frame = f.asText();
                sb.append(' ').append(frame, 0, frame.indexOf('('));
            }
        }
        return sb.toString();
    }

    private static List<String> allocs(JsonNode w) {
        List<String> out = new ArrayList<>();
        w.get("allocSamples").forEach(a -> out.add(alloc(w, a)));
        return out;
    }

    @Test
    void aWindowHasEachAllocationSampleOnItsThreadWithItsClassWeightAndStack() throws Exception {
        long o = idx.origin();
        try (GenerationStore store = new GenerationStore(idx, 1L << 30)) {
            WindowQuery q = new WindowQuery(idx, store);
            JsonNode one = run(q, 0, idx.duration(), new long[] {1}, 1000, WindowQuery.MAX_ITEMS, false);
            assertThat(one.get("mode").asText()).isEqualTo("items");
            // thread 1's two, at their true times (the bridge thread wrote them), nothing of thread 2
            assertThat(allocs(one)).containsExactly(
                    "1 " + (20_000 - o) + " app.Order 4096 1 4096 | app.Orders.newOrder app.Orders.handle app.Main.main",
                    "1 " + (40_000 - o) + " byte[] 1024 1 1024 | app.Codec.encode app.Main.main");
            // the CPU samples stay CPU samples: two, at 10 and 30 us
            List<Long> cpu = new ArrayList<>();
            one.get("samples").forEach(s -> cpu.add(s.get(1).asLong()));
            assertThat(cpu).containsExactly(10_000 - o, 30_000 - o);

            // both threads, in a window that cuts the burst: thread 2's String (no stack) and the burst's first 50
            JsonNode both = run(q, 15_000 - o, TestTraces.ALLOC_BURST_START + 49 - o, new long[] {1, 2}, 1000,
                    WindowQuery.MAX_ITEMS, false);
            List<String> got = allocs(both);
            assertThat(got).hasSize(3 + 50);
            assertThat(got).contains("2 " + (25_000 - o) + " java.lang.String 48 1 48 |",
                    "2 " + (TestTraces.ALLOC_BURST_START + 49 - o) + " long[] 149 1 149 | app.Burst.fill app.Main.main");
            assertThat(got).noneMatch(s -> s.contains(" " + (TestTraces.ALLOC_BURST_START + 50 - o) + " "));
        }
    }

    @Test
    void belowAPixelAllocationSamplesMergeWithTheirCountsAndWeights() throws Exception {
        long o = idx.origin();
        long burstWeight = 0;
        for (int i = 0; i < TestTraces.ALLOC_BURST; i++) {
            burstWeight += 100 + i;
        }
        try (GenerationStore store = new GenerationStore(idx, 1L << 30)) {
            WindowQuery q = new WindowQuery(idx, store);
            // 100 px over 100 us: a pixel is 1 us, the burst (12 us of 12,000 samples 1 ns apart) a dozen groups
            JsonNode w = run(q, 0, 100_000, new long[] {1, 2}, 100, 50, true);
            assertThat(w.get("mode").asText()).isEqualTo("items");
            assertThat(w.get("mergedBelowNs").asLong()).isEqualTo(1000);
            long count = 0;
            long weight = 0;
            int groups = 0;
            long prevEnd = Long.MIN_VALUE;
            for (JsonNode a : w.get("allocSamples")) {
                if (a.get(0).asLong() != 2 || a.get(1).asLong() < TestTraces.ALLOC_BURST_START - o) {
                    assertThat(a.get(5).asInt()).as(alloc(w, a)).isEqualTo(1); // the lone ones stay themselves
                    continue;
                }
                groups++;
                assertThat(w.get("strings").get(a.get(2).asInt()).asText()).isEqualTo("long[]");
                // a group's time and weight are its first member's: the next sample after the previous group
                long first = a.get(1).asLong() - (TestTraces.ALLOC_BURST_START - o);
                assertThat(first).isEqualTo(count);
                assertThat(a.get(3).asLong()).isEqualTo(100 + count);
                assertThat(a.get(1).asLong()).isGreaterThan(prevEnd);
                prevEnd = a.get(1).asLong();
                // its weight, the sum of its members': samples count .. count + n - 1
                int n = a.get(5).asInt();
                long expected = 0;
                for (long k = count; k < count + n; k++) {
                    expected += 100 + k;
                }
                assertThat(a.get(6).asLong()).isEqualTo(expected);
                count += n;
                weight += a.get(6).asLong();
            }
            assertThat(groups).isBetween(12, 13);
            assertThat(count).isEqualTo(TestTraces.ALLOC_BURST);
            assertThat(weight).isEqualTo(burstWeight);
            // thread 1's two and thread 2's String, apart from the burst and 18 us from each other: not merged
            assertThat(w.get("allocSamples").size()).isEqualTo(groups + 3);
        }
    }

    @Test
    void summariesCountTheAllocationSamplesAsTheIndexDoes() throws Exception {
        try (GenerationStore store = new GenerationStore(idx, 1L << 30)) {
            WindowQuery q = new WindowQuery(idx, store);
            // few enough events to read (about 12,007, under 4 x limit), more items than the limit: a summary of the items
            JsonNode fromItems = run(q, 0, idx.duration(), new long[] {1, 2}, 100, 5_000, false);
            assertThat(fromItems.get("mode").asText()).isEqualTo("summary");
            assertThat(fromItems.get("source").asText()).isEqualTo("window");
            // too many to read for a limit of 5: the index's summary, which counts every event
            JsonNode fromIndex = run(q, 0, idx.duration(), new long[] {1, 2}, 100, 5, false);
            assertThat(fromIndex.get("source").asText()).isEqualTo("index");
            for (JsonNode w : List.of(fromItems, fromIndex)) {
                long burst = 0;
                for (JsonNode row : w.get("rows")) {
                    if (row.has("thread") && row.get("thread").asLong() == 2) {
                        for (JsonNode c : row.get("count")) {
                            burst += c.asLong();
                        }
                    }
                }
                // thread 2 has nothing but its allocation samples
                assertThat(burst).as(w.get("source").asText()).isEqualTo(TestTraces.ALLOC_BURST + 1);
            }
        }
    }

    @Test
    void spilledAllocationSamplesGiveTheWindowsOfAFreshDecode() throws Exception {
        try (GenerationStore plain = new GenerationStore(idx, 1L << 30, false);
                GenerationStore spill = new GenerationStore(idx, 1L << 30, true)) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            spill.decodeAhead(new PrintStream(log, true, StandardCharsets.UTF_8));
            long until = System.nanoTime() + 60_000_000_000L;
            while (!spill.progress().contains("\"ready\":1")) {
                assertThat(System.nanoTime()).as("decode-ahead ends").isLessThan(until);
                Thread.sleep(20);
            }
            assertThat(spill.spillOff()).as(log.toString()).isNull();
            long decoded = spill.decodedCount();
            WindowQuery pw = new WindowQuery(idx, plain);
            WindowQuery sw = new WindowQuery(idx, spill);
            long o = idx.origin();
            long[][] windows = {{0, idx.duration()}, {15_000 - o, 45_000 - o},
                    {TestTraces.ALLOC_BURST_START - o, TestTraces.ALLOC_BURST_START + 1_000 - o},
                    {TestTraces.ALLOC_BURST_START + 5_000 - o, TestTraces.ALLOC_BURST_START + 5_100 - o}};
            for (long[] ab : windows) {
                for (int[] pxLimit : new int[][] {{1000, WindowQuery.MAX_ITEMS}, {100, 50}, {7, 20}}) {
                    WindowQuery.Params p = new WindowQuery.Params(ab[0], ab[1], new long[] {1, 2}, false, false,
                            pxLimit[0], pxLimit[1], false, true);
                    String want = pw.run(p);
                    assertThat(sw.run(p)).as("window %d..%d px %d", ab[0], ab[1], pxLimit[0]).isEqualTo(want);
                }
            }
            // the whole trace (merged below a pixel: more than 10,000 items): every allocation sample is counted in
            // the spilled answer
            String whole = sw.run(new WindowQuery.Params(0, idx.duration(), new long[] {1, 2}, false, false, 1000,
                    WindowQuery.MAX_ITEMS, false, true));
            long n = 0;
            for (JsonNode a : TimelineApiTest.JSON.readTree(whole).get("allocSamples")) {
                n += a.get(5).asLong();
            }
            assertThat(n).isEqualTo(3 + TestTraces.ALLOC_BURST);
            // and all of those were read from the spill file, not decoded again
            assertThat(spill.decodedCount()).isEqualTo(decoded);
            assertThat(spill.cachedBytes()).isZero();
        }
    }
}
