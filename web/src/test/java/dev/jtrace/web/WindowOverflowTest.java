package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtrace.format.EventTypes;
import dev.jtrace.model.TraceBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windows over traces whose times or length reach the end of a long: every window that overlaps the trace
 * is answered (200) with exactly its items, and times in the answer are the trace's, never wrapped around.
 */
class WindowOverflowTest {
    @TempDir
    static Path dir;

    /**
     * A trace of one generation [start, end] with a region of 3,000 ns on thread 1 just after the start, one just
     * before the end, a park between them on thread 2 and a log in the last region.
     */
    private static TraceIndex trace(String name, long start, long end) throws Exception {
        TraceBuilder b = new TraceBuilder();
        TraceBuilder.Gen g = b.generation(start, end).thread(1, "early-late", false).thread(2, "parker", false);
        g.event(1, 1, start + 1_000, EventTypes.REGION_BEGIN, 0L, "first", 0L)
                .event(1, 1, start + 4_000, EventTypes.REGION_END, 0L, "first")
                .event(1, 1, end - 5_000, EventTypes.REGION_BEGIN, 0L, "last", 0L)
                .event(1, 1, end - 4_000, EventTypes.LOG, 0L, "c", "near the end", 0L)
                .event(1, 1, end - 2_000, EventTypes.REGION_END, 0L, "last");
        long mid = start + (end - start) / 2;
        g.event(2, 2, mid, EventTypes.PARK_BEGIN, "app.Lock", 0L).event(2, 2, mid + 10_000, EventTypes.BLOCK_END, 0L);
        g.end();
        return TraceIndex.build(b.write(dir.resolve(name + ".jtrace")), null);
    }

    private static JsonNode window(ViewerServer s, long from, long to, int expectStatus) throws Exception {
        ViewerServerTest.Response r = ViewerServerTest.raw(s, "GET",
                "/api/window?from=" + from + "&to=" + to + "&threads=1,2&px=1000", "127.0.0.1:" + s.address().getPort());
        assertThat(r.status()).as("from=%d to=%d: %s", from, to, r.body()).isEqualTo(expectStatus);
        return r.json();
    }

    /** Region names and their (relative) starts and durations in an items answer. */
    private static List<String> regions(JsonNode w) {
        assertThat(w.get("mode").asText()).isEqualTo("items");
        List<String> l = new ArrayList<>();
        for (JsonNode r : w.get("regions")) {
            l.add(w.get("strings").get(r.get(4).asInt()).asText() + "@" + r.get(2).asLong() + "+" + r.get(3).asLong());
        }
        return l;
    }

    private static void check(TraceIndex idx) throws Exception {
        long d = idx.duration();
        String first = "first@1000+3000";
        String last = "last@" + (d - 5_000) + "+3000";
        try (ViewerServer s = ViewerServer.start(idx, 0, 16 << 20, System.err)) {
            assertThat(regions(window(s, 0, 10_000, 200))).containsExactly(first);
            assertThat(regions(window(s, -10_000, 10_000, 200))).containsExactly(first);
            JsonNode end = window(s, d - 10_000, d, 200);
            assertThat(regions(end)).containsExactly(last);
            assertThat(end.get("logs").get(0).get(1).asLong()).isEqualTo(d - 4_000);
            assertThat(regions(window(s, d - 3_000, TimeMath.add(d, 10_000), 200))).containsExactly(last);
            assertThat(regions(window(s, d - 3_000, Long.MAX_VALUE, 200))).containsExactly(last);
            JsonNode park = window(s, d / 2 - 100, d / 2 + 100, 200);
            assertThat(park.get("blocks")).hasSize(1);
            assertThat(park.get("blocks").get(0).get(3).asLong()).isEqualTo(10_000);
            // the whole trace, and far beyond it on both sides
            for (long[] w : new long[][] {{0, d}, {Long.MIN_VALUE, Long.MAX_VALUE}, {-d, d}, {Long.MIN_VALUE, 2_000},
                    {d - 2_500, Long.MAX_VALUE}, {0, Long.MAX_VALUE}}) {
                JsonNode all = window(s, w[0], w[1], 200);
                assertThat(all.get("from").asLong()).isLessThanOrEqualTo(Math.max(0, w[0]));
                assertThat(all.get("to").asLong()).isGreaterThan(all.get("from").asLong());
                if (all.get("mode").asText().equals("items")) {
                    assertThat(regions(all)).as("%d..%d", w[0], w[1]).containsAnyOf(first, last);
                } else {
                    for (JsonNode row : all.get("rows")) {
                        assertThat(row.get("width").asLong()).isPositive();
                        assertThat(row.get("count").size()).isBetween(1, WindowQuery.MAX_PX + 1);
                    }
                }
            }
            // a summary of the whole trace from its four items (limit 3), at 4,000 buckets
            JsonNode summary = ViewerServerTest.raw(s, "GET", "/api/window?from=0&to=" + d + "&threads=1,2&px=4000&limit=3",
                    "127.0.0.1:" + s.address().getPort()).json();
            assertThat(summary.get("mode").asText()).isEqualTo("summary");
            assertThat(summary.get("source").asText()).isEqualTo("window");
            long events = 0;
            for (JsonNode row : summary.get("rows")) {
                assertThat(row.get("width").asLong()).isPositive();
                for (JsonNode c : row.get("count")) {
                    events += c.asLong();
                }
            }
            assertThat(events).as("both halves of both regions, the log and the park").isEqualTo(6);
        }
        // and from the index: a server that has not decoded the generation answers async=1 from the grid
        for (long[] w : new long[][] {{0, d}, {Long.MIN_VALUE, Long.MAX_VALUE}, {d - 10_000, Long.MAX_VALUE}}) {
            try (ViewerServer s = ViewerServer.start(idx, 0, 16 << 20, System.err)) {
                JsonNode fromIndex = ViewerServerTest.raw(s, "GET", "/api/window?from=" + w[0] + "&to=" + w[1]
                        + "&threads=1,2&px=4000&async=1", "127.0.0.1:" + s.address().getPort()).json();
                assertThat(fromIndex.get("source").asText()).isEqualTo("index");
                assertThat(fromIndex.get("bucketNs").asLong()).isPositive();
                long counted = 0;
                for (JsonNode row : fromIndex.get("rows")) {
                    assertThat(row.get("width").asLong()).isPositive();
                    assertThat(row.get("start").asLong()).isBetween(-d, d);
                    for (JsonNode c : row.get("count")) {
                        counted += c.asLong();
                    }
                }
                assertThat(counted).as("%d..%d", w[0], w[1]).isPositive().isLessThanOrEqualTo(idx.events());
            }
        }
        try (ViewerServer s = ViewerServer.start(idx, 0, 16 << 20, System.err)) {
            assertThat(window(s, 10, 10, 400).get("error").asText()).contains("'to' must be after 'from'");
            assertThat(window(s, Long.MAX_VALUE, Long.MAX_VALUE, 400).get("status").asInt()).isEqualTo(400);
            // wholly outside the trace (after clamping): refused as before, never wrapped into it
            window(s, Long.MIN_VALUE, Long.MIN_VALUE + 1, 400);
            // the timeline's other routes read their times through the same clamp: the whole trace is an
            // ordinary request for them too (2 x span overflowed here before)
            String host = "127.0.0.1:" + s.address().getPort();
            ViewerServerTest.Response active = ViewerServerTest.raw(s, "GET", "/api/active?from=0&to=" + d, host);
            assertThat(active.status()).as(active.body()).isEqualTo(200);
            assertThat(active.json().get("active")).isNotEmpty();
            ViewerServerTest.Response search = ViewerServerTest.raw(s, "GET", "/api/search?q=a&after=" + Long.MIN_VALUE, host);
            assertThat(search.status()).as(search.body()).isEqualTo(200);
            // a search from beyond either end finds the hit nearest that end: origin + after once wrapped around
            // (a backward search from past the end found nothing on a trace near Long.MAX_VALUE or over 2^62 ns)
            for (long after : new long[] {Long.MAX_VALUE, TimeMath.mul(2, d), TimeMath.add(d, 1)}) {
                JsonNode back = ViewerServerTest.raw(s, "GET", "/api/search?q=last&dir=-1&after=" + after, host).json();
                assertThat(back.has("hit")).as("backwards from %d: %s", after, back).isTrue();
                assertThat(back.get("hit").get("name").asText()).isEqualTo("last");
                assertThat(back.get("hit").get("start").asLong()).isEqualTo(d - 5_000);
            }
            // a range over the whole trace, and from far before it to far after it: both regions, the park
            for (long[] r : new long[][] {{0, d}, {Long.MIN_VALUE, Long.MAX_VALUE}}) {
                ViewerServerTest.Response range = ViewerServerTest.raw(s, "GET", "/api/range?t0=" + r[0] + "&t1=" + r[1], host);
                assertThat(range.status()).as(range.body()).isEqualTo(200);
                assertThat(range.json().get("regionCount").asLong()).isEqualTo(2);
                assertThat(range.json().get("t1").asLong()).isEqualTo(d);
                assertThat(range.json().get("blocking").get(0).get("inRangeNanos").asLong()).isEqualTo(10_000);
            }
            for (long after : new long[] {Long.MIN_VALUE, TimeMath.mul(-2, d), -1}) {
                JsonNode fwd = ViewerServerTest.raw(s, "GET", "/api/search?q=first&after=" + after, host).json();
                assertThat(fwd.has("hit")).as("forwards from %d: %s", after, fwd).isTrue();
                assertThat(fwd.get("hit").get("start").asLong()).isEqualTo(1_000);
            }
        }
    }

    /** Longer than 2^62 ns: {@code 2 * span} of the clamp overflowed, and every ordinary window got 400. */
    @Test
    void aTraceLongerThan2To62() throws Exception {
        TraceIndex idx = trace("long", 1_000, (1L << 62) + 1_000_000_000L);
        assertThat(idx.duration()).isGreaterThan(1L << 62);
        check(idx);
    }

    /** Longer still: almost every long is a time of the trace. */
    @Test
    void aTraceFromZeroToNearlyLongMax() throws Exception {
        TraceIndex idx = trace("longest", 0, Long.MAX_VALUE - 1);
        assertThat(idx.duration()).isEqualTo(Long.MAX_VALUE - 1);
        check(idx);
    }

    /** A short trace whose times lie just below Long.MAX_VALUE: origin + a window's end overflowed. */
    @Test
    void aShortTraceNearLongMax() throws Exception {
        TraceIndex idx = trace("late", Long.MAX_VALUE - 10_000_000_000L, Long.MAX_VALUE - 1);
        assertThat(idx.origin()).isGreaterThan(Long.MAX_VALUE - 20_000_000_000L);
        check(idx);
    }
}
