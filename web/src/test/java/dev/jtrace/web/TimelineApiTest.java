package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.SchedulerCorpus;
import dev.jtrace.model.ThreadState;
import dev.jtrace.model.TraceModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the timeline's window API adds for the page, asked of {@link WindowQuery} directly (the transport is
 * ViewerServerTest's): state tracks equal to the model's thread states and merged below a pixel, the threads
 * active in a window, search by name, the bounds of the state track.
 */
class TimelineApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The model's thread states of a file, read by a TraceModel of its own: "start+duration state" per thread. */
    static Map<Long, List<String>> modelStates(Path file, long origin) throws Exception {
        Map<Long, List<String>> out = new HashMap<>();
        TraceModel.read(file, new ModelListener() {
            @Override
            public void threadState(long thread, ThreadState s, long start, long end) {
                List<String> l = out.computeIfAbsent(thread, k -> new ArrayList<>());
                String last = l.isEmpty() ? null : l.get(l.size() - 1);
                // the track joins a state continuing across a sweep boundary into one interval
                if (last != null && last.endsWith(" " + s.label) && endOf(last) == start - origin) {
                    l.set(l.size() - 1, startOf(last) + "+" + (end - origin - startOf(last)) + " " + s.label);
                } else {
                    l.add((start - origin) + "+" + (end - start) + " " + s.label);
                }
            }
        }, null);
        return out;
    }

    static long startOf(String iv) {
        return Long.parseLong(iv.substring(0, iv.indexOf('+')));
    }

    static long endOf(String iv) {
        return startOf(iv) + Long.parseLong(iv.substring(iv.indexOf('+') + 1, iv.indexOf(' ')));
    }

    /** The state intervals of a window answer: thread -> "start+duration state" (and "xN" when merged). */
    static Map<Long, List<String>> states(JsonNode w) {
        Map<Long, List<String>> out = new HashMap<>();
        JsonNode names = w.get("states").get("names");
        for (JsonNode row : w.get("states").get("rows")) {
            List<String> l = new ArrayList<>();
            JsonNode iv = row.get("iv");
            for (int i = 0; i + 3 < iv.size(); i += 4) {
                String s = iv.get(i).asLong() + "+" + iv.get(i + 1).asLong() + " " + names.get(iv.get(i + 2).asInt()).asText();
                l.add(iv.get(i + 3).asInt() == 1 ? s : s + " x" + iv.get(i + 3).asInt());
            }
            out.put(row.get("thread").asLong(), l);
        }
        return out;
    }

    static JsonNode window(WindowQuery q, long from, long to, long[] threads, int px) throws Exception {
        return JSON.readTree(q.run(new WindowQuery.Params(from, to, threads, false, false, px, WindowQuery.MAX_ITEMS, false)));
    }

    static long[] threads(TraceIndex idx) {
        return idx.threads.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void everyStateKeepsTheBlockingAndWakeUpTheModelGaveIt() throws Exception {
        for (Path file : List.of(SchedulerCorpus.platform(dir.resolve("p.jtrace")), SchedulerCorpus.virtual(dir.resolve("v.jtrace")))) {
            TraceIndex idx = TraceIndex.build(file, null);
            // an independent model pass: every state with its causes, keyed as the track holds it
            Map<String, String> expected = new HashMap<>();
            TraceModel.read(file, new ModelListener() {
                @Override
                public void threadState(long thread, ThreadState s, long start, long end, dev.jtrace.model.Blocking b,
                        dev.jtrace.model.Wakeup w) {
                    if (b != null || w != null) {
                        expected.put(thread + "@" + start, (b == null ? "-" : String.valueOf(b.start())) + " "
                                + (w == null ? "-" : w.wakeTime() + ">" + w.resumeTime()));
                    }
                }
            }, null);
            assertThat(expected).isNotEmpty();
            Map<String, String> got = new HashMap<>();
            try (GenerationStore store = new GenerationStore(idx, 64 << 20)) {
                WindowQuery q = new WindowQuery(idx, store);
                for (long thread : threads(idx)) {
                    for (String iv : states(window(q, -1, idx.duration() + 1, new long[] {thread}, 1_000_000))
                            .getOrDefault(thread, List.of())) {
                        long start = startOf(iv) + idx.origin();
                        StateTrack.Cause c = idx.states.cause(thread, start);
                        if (c != null) {
                            got.put(thread + "@" + start, (c.blockStart() == Long.MIN_VALUE ? "-"
                                    : String.valueOf(c.blockStart())) + " "
                                    + (c.wake() == Long.MIN_VALUE ? "-" : c.wake() + ">" + c.resume()));
                        }
                    }
                }
            }
            assertThat(got).as(file.getFileName().toString()).isEqualTo(expected);
        }
    }

    @Test
    void stateTracksAreTheModelsThreadStatesAndMergeBelowAPixel() throws Exception {
        for (Path file : List.of(SchedulerCorpus.platform(dir.resolve("p.jtrace")), SchedulerCorpus.virtual(dir.resolve("v.jtrace")))) {
            TraceIndex idx = TraceIndex.build(file, null);
            try (GenerationStore store = new GenerationStore(idx, 64 << 20)) {
                WindowQuery q = new WindowQuery(idx, store);
                long o = idx.origin();
                Map<Long, List<String>> expected = modelStates(file, o);
                Map<Long, List<String>> got = states(JSON.readTree(q.run(new WindowQuery.Params(-1, idx.duration() + 1,
                        threads(idx), false, false, 1, WindowQuery.MAX_ITEMS, false))));
                // (with one pixel for the whole trace everything merges into one interval per thread, counted)
                for (Map.Entry<Long, List<String>> e : got.entrySet()) {
                    assertThat(e.getValue()).hasSize(1);
                    int n = expected.get(e.getKey()).size();
                    assertThat(e.getValue().get(0)).endsWith(n == 1 ? expected.get(e.getKey()).get(0).substring(
                            expected.get(e.getKey()).get(0).indexOf(' ')) : " x" + n);
                }
                Map<Long, List<String>> exact = new HashMap<>();
                for (long from = -1; from < idx.duration() + 1; from += 4000) {
                    // windows of 4,000 ns at 4,000 px, side by side (an interval crossing two comes in both)
                    states(window(q, from, from + 4000, threads(idx), 4000)).forEach((k, v) -> {
                        List<String> l = exact.computeIfAbsent(k, x -> new ArrayList<>());
                        for (String iv : v) {
                            if (!l.contains(iv)) {
                                l.add(iv);
                            }
                        }
                    });
                }
                exact.values().removeIf(List::isEmpty);
                // at 1 ns a pixel or finer nothing merges: exactly the model's intervals
                assertThat(exact).isEqualTo(expected);
            }
        }
        // by hand, from the platform corpus: worker 1 parked 100 to 300 (unparked by 2 at 300), runnable to its
        // BlockEnd at 350, then running
        TraceIndex idx = TraceIndex.build(dir.resolve("p.jtrace"), null);
        try (GenerationStore store = new GenerationStore(idx, 64 << 20)) {
            WindowQuery q = new WindowQuery(idx, store);
            long o = idx.origin();
            List<String> w1 = states(window(q, 0, 1000, new long[] {1}, 1000)).get(1L);
            assertThat(w1).contains((100 - o) + "+200 parked", (300 - o) + "+50 runnable");
            // 10 px over 10,000 ns: 1,000 ns a pixel; the park, the runnable and the 850 ns running after them, each
            // narrower, merge into a group at least a pixel wide, shown as its longest state (running); the 1 ns
            // park and the 799 ns running after it likewise; the wait of 1,000 ns is a pixel: itself
            List<String> coarse = states(window(q, 0, 10_000, new long[] {1}, 10)).get(1L);
            assertThat(coarse).startsWith((100 - o) + "+1100 running x3", (1200 - o) + "+800 running x2",
                    (2000 - o) + "+1000 waiting");
            // a narrow interval between wide ones is not merged with anything: it stays itself
            assertThat(states(window(q, 0, 10_000, new long[] {1}, 100)).get(1L)).contains((300 - o) + "+50 runnable");
        }
    }

    @Test
    void aDenseWindowWithLevelOfDetailHasRealSlicesAndCountedGroups() throws Exception {
        Path file = TestTraces.many(dir, 2, 5000, 256 << 10);
        Reference ref = Reference.read(file);
        TraceIndex idx = TraceIndex.build(file, null);
        try (GenerationStore store = new GenerationStore(idx, 256 << 20)) {
            WindowQuery q = new WindowQuery(idx, store);
            long o = idx.origin();
            long[] ts = threads(idx);
            long d = idx.duration();
            // 10,000 operations of 4 items: without level of detail, a summary
            JsonNode plain = window(q, 0, d, ts, 1000);
            assertThat(plain.get("mode").asText()).isEqualTo("summary");
            JsonNode w = JSON.readTree(q.run(new WindowQuery.Params(0, d, ts, true, false, 1000, WindowQuery.MAX_ITEMS,
                    false, true)));
            assertThat(w.get("mode").asText()).isEqualTo("items");
            long px = w.get("mergedBelowNs").asLong();
            assertThat(px).isEqualTo(Math.max(1, d / 1000));
            int items = w.get("regions").size() + w.get("tasks").size() + w.get("logs").size() + w.get("blocks").size();
            assertThat(items).isLessThanOrEqualTo(WindowQuery.MAX_ITEMS);
            // every region is in exactly one group: the counts add up to the model's regions, per thread and depth
            Map<String, Long> counted = new HashMap<>();
            w.get("regions").forEach(r -> counted.merge(r.get(0).asLong() + ":" + r.get(1).asInt(), r.get(8).asLong(), Long::sum));
            Map<String, Long> expected = new HashMap<>();
            ref.regions.forEach(r -> expected.merge(r.thread() + ":" + r.depth(), 1L, Long::sum));
            assertThat(counted).isEqualTo(expected);
            long tasks = 0;
            for (JsonNode t : w.get("tasks")) {
                tasks += t.get(11).asLong();
            }
            assertThat(tasks).isEqualTo(ref.tasks.size());
            long logs = 0;
            for (JsonNode l : w.get("logs")) {
                logs += l.get(6).asLong();
            }
            assertThat(logs).isEqualTo(ref.logs.size());
            // a region a pixel wide or more is itself, at its own times; a group is narrower than two pixels plus
            // its last member, and holds more than one
            java.util.Set<String> whole = new java.util.HashSet<>();
            for (JsonNode r : w.get("regions")) {
                if (r.get(8).asInt() == 1) {
                    whole.add(r.get(0).asLong() + "@" + r.get(2).asLong() + "+" + r.get(3).asLong());
                }
            }
            for (Reference.Span r : ref.regions) {
                if (r.end() - r.start() >= px) {
                    assertThat(whole).contains(r.thread() + "@" + (r.start() - o) + "+" + (r.end() - r.start()));
                }
            }
            // zoomed in 1,000 times, somewhere in the middle: no merging needed, exactly the items
            long from = d / 2;
            JsonNode fine = JSON.readTree(q.run(new WindowQuery.Params(from, from + d / 1000, ts, true, false, 1000,
                    WindowQuery.MAX_ITEMS, false, true)));
            assertThat(fine.get("mode").asText()).isEqualTo("items");
            assertThat(fine.has("mergedBelowNs")).isFalse();
            fine.get("regions").forEach(r -> assertThat(r.get(8).asInt()).isEqualTo(1));
        }
    }

    @Test
    void theStateTrackStaysInItsBudgetByMergingTheNarrowest() {
        StateTrack t = new StateTrack();
        Random r = new Random(1);
        long time = 0;
        long n = StateTrack.MAX_INTERVALS + 10;
        ThreadState[] states = {ThreadState.RUNNING, ThreadState.PARKED, ThreadState.RUNNABLE};
        for (long i = 0; i < n; i++) {
            long d = 1 + r.nextInt(100);
            t.add(1, states[(int) (i % 3)], time, time + d);
            time += d;
        }
        // one long park at the end stays whole
        t.add(1, ThreadState.PARKED, time, time + 10_000_000);
        assertThat(t.resolution()).isGreaterThan(0);
        long[] count = {0};
        long[] covered = {0};
        long[] intervals = {0};
        long[] lastEnd = {0};
        t.window(1, 0, time + 10_000_000, 1, (s, e, st, k) -> {
            assertThat(s).isEqualTo(lastEnd[0]);
            lastEnd[0] = e;
            count[0] += k;
            covered[0] += e - s;
            intervals[0]++;
        });
        assertThat(intervals[0]).isLessThanOrEqualTo(StateTrack.MAX_INTERVALS);
        assertThat(count[0]).as("every interval counted once").isEqualTo(n + 1);
        assertThat(covered[0]).isEqualTo(time + 10_000_000);
        assertThat(lastEnd[0]).isEqualTo(time + 10_000_000);
        boolean[] longPark = {false};
        t.window(1, time, time + 10_000_000, 1, (s, e, st, k) -> longPark[0] |= e - s == 10_000_000 && k == 1);
        assertThat(longPark[0]).isTrue();
    }

    @Test
    void activeThreadsAndSearch() throws Exception {
        Path file = SchedulerCorpus.platform(dir.resolve("p.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (GenerationStore store = new GenerationStore(idx, 64 << 20)) {
            WindowQuery q = new WindowQuery(idx, store);
            long o = idx.origin();
            // [5,000, 5,400]: w3 sleeps (its SleepBegin at 5,000), nothing else happens; pool-1-thread-1 starts
            // parking at 6,000
            JsonNode a = JSON.readTree(q.active(5000 - o, 5400 - o));
            List<Long> ids = new ArrayList<>();
            a.get("active").forEach(x -> ids.add(x.asLong()));
            assertThat(ids).containsExactly(3L);
            JsonNode b = JSON.readTree(q.active(5900 - o, 6100 - o));
            ids.clear();
            b.get("active").forEach(x -> ids.add(x.asLong()));
            assertThat(ids).contains(5L).doesNotContain(3L, 2L);
        }
        // regions, tasks and logs by name, forwards and backwards
        Path viewer = TestTraces.viewer(dir).file();
        Reference ref = Reference.read(viewer);
        idx = TraceIndex.build(viewer, null);
        try (GenerationStore store = new GenerationStore(idx, 64 << 20)) {
            WindowQuery q = new WindowQuery(idx, store);
            long o = idx.origin();
            JsonNode h = JSON.readTree(q.search("SLOW", -1, 1)).get("hit");
            assertThat(h.get("kind").asText()).isEqualTo("region");
            assertThat(h.get("name").asText()).isEqualTo("slow-step");
            assertThat(h.get("start").asLong()).isEqualTo(ref.region("slow-step").start() - o);
            assertThat(JSON.readTree(q.search("slow-step", h.get("start").asLong(), 1)).has("hit")).isFalse();
            // "slow" is in the log inside it too
            assertThat(JSON.readTree(q.search("slow", h.get("start").asLong(), 1)).get("hit").get("kind").asText()).isEqualTo("log");
            assertThat(JSON.readTree(q.search("slow-step", h.get("start").asLong() + 1, -1)).get("hit").get("start").asLong())
                    .isEqualTo(h.get("start").asLong());
            JsonNode log = JSON.readTree(q.search("halfway", -1, 1)).get("hit");
            assertThat(log.get("kind").asText()).isEqualTo("log");
            assertThat(log.get("start").asLong()).isEqualTo(ref.logs.get(0).start() - o);
            JsonNode task = JSON.readTree(q.search("handoff", -1, 1)).get("hit");
            assertThat(task.get("kind").asText()).isEqualTo("task");
            assertThat(task.get("row").asText()).isEqualTo("handoff");
            // the region that spans two generation boundaries is the index's, found as well
            assertThat(JSON.readTree(q.search("long-op", -1, 1)).get("hit").get("kind").asText()).isEqualTo("region");
            // "tiny": 50 in time order
            List<Long> tiny = ref.regions.stream().filter(r -> r.name().equals("tiny")).map(r -> r.start() - o).sorted().toList();
            long after = -1;
            for (long expected : tiny) {
                JsonNode x = JSON.readTree(q.search("tiny", after, 1)).get("hit");
                assertThat(x.get("start").asLong()).isEqualTo(expected);
                after = expected;
            }
            assertThat(JSON.readTree(q.search("tiny", after, 1)).has("hit")).isFalse();
            assertThat(JSON.readTree(q.search("no such name", -1, 1)).has("hit")).isFalse();
        }
    }
}
