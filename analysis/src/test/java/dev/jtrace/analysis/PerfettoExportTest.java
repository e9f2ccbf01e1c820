package dev.jtrace.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the Perfetto export back with {@code protoc --decode} (Debian's protobuf-compiler) and a subset of
 * Perfetto's schema (test resource perfetto/perfetto_trace_subset.proto), rebuilds tracks, slices, flows and
 * counters the way trace_processor does (all packets sorted by timestamp, BEGIN/END paired per track), and
 * compares them with what the trace holds, computed here from the reader's events.
 */
class PerfettoExportTest {
    @TempDir
    static Path dir;
    static Path trace;
    static List<Event> events;
    static Map<Long, ThreadInfo> threads = new HashMap<>();
    static long generations;
    static Decoded decoded;
    static PerfettoExporter.Result result;

    @BeforeAll
    static void exportAndDecode() throws Exception {
        trace = ExportFixture.record(dir);
        events = ExportFixture.events(trace);
        ExportFixture.forEachGeneration(trace, g -> {
            generations++;
            threads.putAll(g.threads());
        });
        Path out = dir.resolve("export.pftrace");
        result = PerfettoExporter.export(trace, out, null);
        decoded = decode(dir, out);
    }

    // ------------------------------------------------------------------------------- the independent reading

    record Track(long uuid, Long parent, String name, Long pid, Long tid, String threadName, boolean process,
            boolean counter, String unit) {}

    record Ev(long ts, int order, long track, String type, String name, String category, Map<String, String> args,
            List<Long> flows, List<Long> endFlows, Long value) {}

    record Slice(long track, String name, String category, long start, long end, Map<String, String> args,
            Ev begin) {}

    static final class Decoded {
        final Map<Long, Track> tracks = new HashMap<>();
        final List<Ev> events = new ArrayList<>();
        final List<Slice> slices = new ArrayList<>();
        final List<Slice> instants = new ArrayList<>();
        final Map<Long, List<long[]>> counters = new HashMap<>();
        /** Flow id to the events it passes through, in timestamp order. */
        final Map<Long, List<Ev>> flows = new HashMap<>();
        long incrementalStateClears;
        long clockSnapshots;
        long packets;
        final Map<Long, Integer> openAtEnd = new HashMap<>();

        Long tidOf(long track) {
            Track t = tracks.get(track);
            if (t.tid() != null) {
                return t.tid();
            }
            return t.parent() == null ? null : tidOf(t.parent());
        }
    }

    /** Decodes {@code export} with protoc (run in {@code dir}) and checks it on the way. */
    static Decoded decode(Path dir, Path export) throws Exception {
        String protoc = ExternalTool.find("protoc", "protobuf-compiler");
        Path schemaDir = Path.of(PerfettoExportTest.class.getResource("/perfetto/perfetto_trace_subset.proto").toURI())
                .getParent();
        String text = ExternalTool.run(dir, Map.of(), export, List.of(protoc, "-I", schemaDir.toString(),
                "--decode=perfetto.protos.Trace", "perfetto_trace_subset.proto")).stdout();
        TextProto root = TextProto.parse(text);
        assertThat(root.unknownFieldsDeep()).as("fields outside Perfetto's schema").isEmpty();
        Decoded d = new Decoded();
        Map<Long, String> names = new HashMap<>();
        Map<Long, String> categories = new HashMap<>();
        Map<Long, String> argNames = new HashMap<>();
        boolean stateValid = false;
        long lastBoot = -1;
        long lastReal = -1;
        int order = 0;
        for (TextProto p : root.messages("packet")) {
            d.packets++;
            order++;
            assertThat(p.number("trusted_packet_sequence_id", 0)).as("sequence id").isEqualTo(1);
            long flags = p.number("sequence_flags", 0);
            if (order == 1) {
                assertThat(flags & 1).as("the first packet clears the incremental state").isEqualTo(1);
            }
            if ((flags & 1) != 0) {
                names.clear();
                categories.clear();
                argNames.clear();
                stateValid = true;
                d.incrementalStateClears++;
            }
            TextProto interned = p.message("interned_data");
            if (interned != null) {
                assertThat(stateValid).isTrue();
                intern(interned, "event_names", names);
                intern(interned, "event_categories", categories);
                intern(interned, "debug_annotation_names", argNames);
            }
            TextProto clock = p.message("clock_snapshot");
            if (clock != null) {
                Map<Long, Long> byId = new HashMap<>();
                for (TextProto c : clock.messages("clocks")) {
                    byId.put(c.number("clock_id", 0), c.number("timestamp", 0));
                }
                assertThat(byId).containsOnlyKeys(6L, 1L); // BOOTTIME (the trace clock) and REALTIME
                assertThat(byId.get(6L)).isGreaterThan(lastBoot).isEqualTo(p.number("timestamp", -1));
                assertThat(byId.get(1L)).isGreaterThan(lastReal);
                lastBoot = byId.get(6L);
                lastReal = byId.get(1L);
                d.clockSnapshots++;
            }
            TextProto td = p.message("track_descriptor");
            if (td != null) {
                describe(d, td);
            }
            TextProto te = p.message("track_event");
            if (te != null) {
                assertThat(p.has("timestamp")).as("a track event has a timestamp").isTrue();
                long track = te.number("track_uuid", 0);
                assertThat(d.tracks).as("track %d of an event is described before it", track).containsKey(track);
                boolean usesIids = te.has("name_iid") || te.has("category_iids")
                        || te.messages("debug_annotations").stream().anyMatch(a -> a.has("name_iid"));
                if (usesIids) {
                    assertThat(flags & 2).as("a packet with interned ids needs incremental state").isEqualTo(2);
                    assertThat(stateValid).isTrue();
                }
                String type = te.string("type");
                assertThat(type).isIn("TYPE_SLICE_BEGIN", "TYPE_SLICE_END", "TYPE_INSTANT", "TYPE_COUNTER");
                assertThat(d.tracks.get(track).counter()).as("counter values go to counter tracks only")
                        .isEqualTo(type.equals("TYPE_COUNTER"));
                String name = te.has("name_iid") ? resolve(names, te.number("name_iid", 0)) : te.string("name");
                List<Object> cats = te.all("category_iids");
                assertThat(cats.size()).isLessThanOrEqualTo(1);
                String category = cats.isEmpty() ? null : resolve(categories, Long.parseLong((String) cats.get(0)));
                Map<String, String> args = new HashMap<>();
                for (TextProto a : te.messages("debug_annotations")) {
                    String key = a.has("name_iid") ? resolve(argNames, a.number("name_iid", 0)) : a.string("name");
                    String v = a.has("string_value") ? a.string("string_value") : a.string("int_value");
                    assertThat(v).as("annotation %s has a value", key).isNotNull();
                    args.put(key, v);
                }
                List<Long> flows = te.all("flow_ids").stream().map(o -> Long.parseUnsignedLong((String) o)).toList();
                List<Long> endFlows = te.all("terminating_flow_ids").stream()
                        .map(o -> Long.parseUnsignedLong((String) o)).toList();
                Long value = te.has("counter_value") ? Long.valueOf(te.string("counter_value")) : null;
                if (type.equals("TYPE_COUNTER")) {
                    assertThat(value).isNotNull();
                }
                d.events.add(new Ev(p.number("timestamp", -1), order, track, type, name, category, args, flows,
                        endFlows, value));
            }
        }
        rebuild(d);
        return d;
    }

    private static void intern(TextProto interned, String field, Map<Long, String> table) {
        for (TextProto e : interned.messages(field)) {
            long iid = e.number("iid", 0);
            assertThat(iid).isPositive();
            String prev = table.put(iid, e.string("name"));
            assertThat(prev).as("iid %d of %s bound twice in one incremental state", iid, field).isNull();
        }
    }

    private static String resolve(Map<Long, String> table, long iid) {
        assertThat(table).as("interned id %d is defined in the current incremental state", iid).containsKey(iid);
        return table.get(iid);
    }

    private static void describe(Decoded d, TextProto td) {
        long uuid = td.number("uuid", 0);
        assertThat(uuid).as("a track's uuid").isNotZero();
        Long parent = td.has("parent_uuid") ? td.number("parent_uuid", 0) : null;
        if (parent != null) {
            assertThat(d.tracks).as("the parent of track %d is described before it", uuid).containsKey(parent);
        }
        TextProto thread = td.message("thread");
        TextProto process = td.message("process");
        TextProto counter = td.message("counter");
        Long pid = null;
        Long tid = null;
        String threadName = null;
        if (thread != null) {
            assertThat(thread.has("pid") && thread.has("tid")).as("thread track %d has pid and tid", uuid).isTrue();
            pid = thread.number("pid", 0);
            tid = thread.number("tid", 0);
            threadName = thread.string("thread_name");
        }
        if (process != null) {
            pid = process.number("pid", 0);
            assertThat(process.string("process_name")).isEqualTo("jtrace export.jtrace");
        }
        Track t = new Track(uuid, parent, td.string("name"), pid, tid, threadName, process != null, counter != null,
                counter == null ? null : counter.string("unit"));
        Track prev = d.tracks.get(uuid);
        if (prev != null) {
            // described again in a later generation: the same track
            assertThat(List.of(t.parent() == null ? -1 : t.parent(), t.tid() == null ? -1 : t.tid(), t.counter()))
                    .as("track %d described twice alike", uuid)
                    .isEqualTo(List.of(prev.parent() == null ? -1 : prev.parent(), prev.tid() == null ? -1 : prev.tid(),
                            prev.counter()));
            if (t.threadName() == null) {
                t = prev;
            }
        }
        d.tracks.put(uuid, t);
    }

    /** Pairs BEGIN and END per track and follows the flows, in trace_processor's order (time, then file). */
    private static void rebuild(Decoded d) {
        List<Ev> sorted = new ArrayList<>(d.events);
        sorted.sort(Comparator.comparingLong(Ev::ts).thenComparingInt(Ev::order));
        Map<Long, ArrayDeque<Ev>> open = new HashMap<>();
        Set<Long> active = new HashSet<>();
        for (Ev e : sorted) {
            assertThat(e.ts()).isPositive();
            switch (e.type()) {
                case "TYPE_SLICE_BEGIN" -> open.computeIfAbsent(e.track(), k -> new ArrayDeque<>()).push(e);
                case "TYPE_SLICE_END" -> {
                    ArrayDeque<Ev> s = open.get(e.track());
                    assertThat(s).as("END at %d on track %d without an open slice", e.ts(), e.track()).isNotEmpty();
                    Ev b = s.pop();
                    Map<String, String> args = new HashMap<>(b.args());
                    args.putAll(e.args());
                    d.slices.add(new Slice(e.track(), b.name(), b.category(), b.ts(), e.ts(), args, b));
                }
                case "TYPE_INSTANT" -> d.instants.add(new Slice(e.track(), e.name(), e.category(), e.ts(), e.ts(),
                        e.args(), e));
                case "TYPE_COUNTER" -> d.counters.computeIfAbsent(e.track(), k -> new ArrayList<>())
                        .add(new long[] {e.ts(), e.value()});
                default -> throw new AssertionError(e.type());
            }
            for (long f : e.flows()) {
                assertThat(e.type()).isNotEqualTo("TYPE_SLICE_END");
                active.add(f);
                d.flows.computeIfAbsent(f, k -> new ArrayList<>()).add(e);
            }
            for (long f : e.endFlows()) {
                assertThat(active).as("flow %d ends at %d after it began", f, e.ts()).contains(f);
                active.remove(f);
                d.flows.get(f).add(e);
            }
        }
        open.forEach((track, s) -> {
            if (!s.isEmpty()) {
                d.openAtEnd.put(track, s.size());
            }
        });
    }

    // ------------------------------------------------------------------------------- what the trace holds

    private static List<Event> ofType(String... types) {
        List<String> t = List.of(types);
        return events.stream().filter(e -> t.contains(e.type().name())).toList();
    }

    private static List<Slice> category(List<Slice> l, String category) {
        return l.stream().filter(s -> category.equals(s.category())).toList();
    }

    @Test
    void everyThreadHasATrackWithItsTidAndAClearName() {
        Map<Long, Track> byTid = new HashMap<>();
        for (Track t : decoded.tracks.values()) {
            if (t.tid() != null) {
                assertThat(t.pid()).isEqualTo(PerfettoExporter.PID);
                assertThat(byTid.put(t.tid(), t)).as("one thread track per tid").isNull();
            }
        }
        assertThat(threads).isNotEmpty();
        for (ThreadInfo t : threads.values()) {
            assertThat(byTid).containsKey(t.id());
            String name = byTid.get(t.id()).threadName();
            if (t.virtual()) {
                assertThat(name).isEqualTo(t.name().isEmpty() ? "virtual thread #" + t.id() : t.name() + " (virtual)");
            } else {
                assertThat(name).isEqualTo(t.name());
            }
        }
        assertThat(byTid.values()).extracting(Track::threadName).contains("worker", "vt-query (virtual)");
        assertThat(threads.values()).filteredOn(t -> t.virtual() && t.name().isEmpty()).isNotEmpty();
        assertThat(decoded.tracks.values()).filteredOn(Track::process).singleElement()
                .satisfies(p -> assertThat(p.uuid()).isEqualTo(PerfettoExporter.PROCESS_UUID));
    }

    @Test
    void incrementalStateAndClockSnapshotsStartOverWithEveryGeneration() {
        assertThat(generations).isGreaterThanOrEqualTo(2);
        assertThat(decoded.incrementalStateClears).isEqualTo(generations);
        assertThat(decoded.clockSnapshots).isEqualTo(generations);
        assertThat(decoded.packets).isEqualTo(result.packets());
    }

    /** Regions paired per thread from the reader's events: {tid, name, start, end}. */
    private static List<List<Object>> expectedRegions() {
        Map<Long, ArrayDeque<Event>> open = new HashMap<>();
        List<List<Object>> l = new ArrayList<>();
        for (Event e : ofType("RegionBegin", "RegionEnd")) {
            ArrayDeque<Event> s = open.computeIfAbsent(e.threadId(), k -> new ArrayDeque<>());
            if (e.type().name().equals("RegionBegin")) {
                s.push(e);
            } else {
                Event b = s.pop();
                assertThat(b.string("name")).isEqualTo(e.string("name"));
                l.add(List.of(e.threadId(), b.string("name"), b.ticks(), e.ticks()));
            }
        }
        open.values().forEach(s -> assertThat(s).isEmpty());
        return l;
    }

    @Test
    void regionsAreSlicesOnTheirThreadsTrack() {
        List<List<Object>> actual = category(decoded.slices, "region").stream()
                .map(s -> List.<Object>of(decoded.tidOf(s.track()), s.name(), s.start(), s.end())).toList();
        List<List<Object>> expected = expectedRegions();
        assertThat(expected).hasSize(5);
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(result.regionSlices()).isEqualTo(expected.size());
        assertThat(category(decoded.slices, "region")).allSatisfy(s ->
                assertThat(decoded.tracks.get(s.track()).tid()).as("a region is on a thread track").isNotNull());
    }

    @Test
    void logsAreInstantsNamedByCategoryWithTheMessage() {
        List<List<Object>> expected = ofType("Log").stream().map(e -> List.<Object>of(e.threadId(),
                e.string("category") == null ? "log" : e.string("category"), e.string("message"), e.ticks(),
                e.arg("task") == 0 ? "-" : Long.toString(e.arg("task")))).toList();
        List<List<Object>> actual = category(decoded.instants, "log").stream().map(s -> List.<Object>of(
                decoded.tidOf(s.track()), s.name(), s.args().get("message"), s.start(),
                s.args().getOrDefault("task", "-"))).toList();
        assertThat(expected).hasSize(4).anySatisfy(l -> assertThat(l.get(2)).isEqualTo("GET /orders?id=\u00e9t\u00e9"));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyTaskIsASliceOnItsOwnTrackNestedUnderItsOpenParent() {
        Map<Long, Event> begins = new HashMap<>();
        Map<Long, Event> ends = new HashMap<>();
        ofType("TaskBegin").forEach(e -> begins.put(e.arg("task"), e));
        ofType("TaskEnd").forEach(e -> ends.put(e.arg("task"), e));
        List<Slice> tasks = category(decoded.slices, "task");
        assertThat(tasks).hasSize(begins.size()).hasSize(2);
        Map<Long, Slice> byTask = new HashMap<>();
        for (Slice s : tasks) {
            long id = Long.parseLong(s.args().get("task"));
            byTask.put(id, s);
            assertThat(s.name()).isEqualTo(begins.get(id).string("name"));
            assertThat(s.start()).isEqualTo(begins.get(id).ticks());
            assertThat(s.end()).isEqualTo(ends.get(id).ticks());
            assertThat(decoded.tracks.get(s.track()).name()).isEqualTo(s.name());
        }
        assertThat(byTask.values().stream().map(Slice::track).distinct()).hasSize(tasks.size());
        for (Event b : begins.values()) {
            Track t = decoded.tracks.get(byTask.get(b.arg("task")).track());
            long parent = b.arg("parent");
            assertThat(t.parent()).isEqualTo(parent == 0 ? PerfettoExporter.PROCESS_UUID
                    : byTask.get(parent).track());
        }
        assertThat(result.taskSlices()).isEqualTo(begins.size());
        assertThat(decoded.openAtEnd).as("slices left open").isEmpty();
    }

    @Test
    void flowArrowsLinkATasksBeginToItsRegionsAndEndOnOtherThreads() {
        List<Event> all = events;
        int checked = 0;
        for (Event b : ofType("TaskBegin")) {
            long task = b.arg("task");
            List<Object> expected = new ArrayList<>();
            expected.add("task " + b.ticks());
            for (Event e : all) {
                if (e.type().name().equals("RegionBegin") && e.arg("task") == task && e.threadId() != b.threadId()) {
                    expected.add("region " + e.string("name") + " " + e.threadId() + " " + e.ticks());
                }
            }
            Event end = all.stream().filter(e -> e.type().name().equals("TaskEnd") && e.arg("task") == task)
                    .findFirst().orElseThrow();
            if (expected.size() > 1 || end.threadId() != b.threadId()) {
                expected.add("task end " + end.threadId() + " " + end.ticks());
            }
            List<Object> actual = decoded.flows.getOrDefault(task, List.of()).stream().map(e -> {
                if ("task".equals(e.category()) && e.type().equals("TYPE_SLICE_BEGIN")) {
                    return "task " + e.ts();
                }
                if ("region".equals(e.category())) {
                    return "region " + e.name() + " " + decoded.tidOf(e.track()) + " " + e.ts();
                }
                assertThat(e.name()).isEqualTo("task end");
                assertThat(e.endFlows()).containsExactly(task);
                return "task end " + decoded.tidOf(e.track()) + " " + e.ts();
            }).map(Object.class::cast).toList();
            assertThat(actual).as("flow of task %d", task).isEqualTo(expected);
            checked += expected.size() > 1 ? 1 : 0;
        }
        assertThat(checked).as("tasks that cross threads").isEqualTo(2);
    }

    @Test
    void runtimeEventsAreSlicesAtTheirTrueTimesBesideTheirThread() {
        List<List<Object>> expected = ofType("Park", "MonitorBlocked", "Sleep", "VirtualThreadPinned").stream()
                .map(e -> List.<Object>of(e.type().name(), e.arg("thread"), e.arg("start"), e.arg("duration")))
                .toList();
        List<Slice> runtime = category(decoded.slices, "runtime");
        List<List<Object>> actual = runtime.stream().map(s -> List.<Object>of(s.name(), decoded.tidOf(s.track()),
                s.start(), s.end() - s.start())).toList();
        assertThat(expected).hasSize(7);
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        for (Slice s : runtime) {
            Track t = decoded.tracks.get(s.track());
            assertThat(t.tid()).as("a runtime track is not the thread's own").isNull();
            assertThat(decoded.tracks.get(t.parent()).tid()).isNotNull();
        }
        // the two overlapping parks of the worker are on two tracks
        assertThat(runtime).filteredOn(s -> s.name().equals("Park"))
                .extracting(s -> decoded.tracks.get(s.track()).name()).contains("Park", "Park (2)");
        assertThat(runtime).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("MonitorBlocked");
            assertThat(s.args()).containsEntry("monitor class", "app.Cache")
                    .containsEntry("frame", "app.Cache.lock(Cache.java:10)");
        });

        // the GCPhase events are the pauses, at their own times; the GCPause event is the cycle spanning them
        List<List<Object>> gcExpected = ofType("GCPhase").stream()
                .map(e -> List.<Object>of(e.string("name"), e.arg("start"), e.arg("duration"))).toList();
        List<List<Object>> gcActual = category(decoded.slices, "gc").stream()
                .map(s -> List.<Object>of(s.name(), s.start(), s.end() - s.start())).toList();
        assertThat(gcExpected).hasSize(2);
        assertThat(gcActual).containsExactlyInAnyOrderElementsOf(gcExpected);
        Event cycle = ofType("GCPause").get(0);
        assertThat(category(decoded.slices, "gc.cycle")).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo(cycle.string("name"));
            assertThat(s.start()).isEqualTo(cycle.arg("start"));
            assertThat(s.end()).isEqualTo(gcExpected.stream().mapToLong(g -> (Long) g.get(1) + (Long) g.get(2)).max()
                    .orElseThrow());
        });
        assertThat(result.runtimeSlices()).isEqualTo(expected.size() + gcExpected.size() + 1);
    }

    private List<Long> counterValues(String trackName) {
        Track t = decoded.tracks.values().stream().filter(x -> x.counter() && trackName.equals(x.name()))
                .findFirst().orElseThrow(() -> new AssertionError("no counter track " + trackName));
        assertThat(t.parent()).isEqualTo(PerfettoExporter.PROCESS_UUID);
        List<long[]> l = decoded.counters.get(t.uuid());
        return l.stream().map(v -> v[1]).toList();
    }

    @Test
    void countersHeapAndAllocFreeAreCounterTracks() {
        List<Long> queue = ofType("Counter").stream().filter(e -> e.string("name").equals("queue"))
                .sorted(Comparator.comparingLong(Event::ticks)).map(e -> e.arg("value")).toList();
        assertThat(queue).containsExactly(3L, 5L, 1L);
        assertThat(counterValues("queue")).isEqualTo(queue);
        List<Long> used = ofType("HeapSummary").stream().sorted(Comparator.comparingLong(e -> e.arg("time")))
                .map(e -> e.arg("used")).toList();
        assertThat(counterValues("heap used")).isEqualTo(used).hasSize(2);
        // heap in use from the application's alloc/free events (the recorder's own buffers have a track of their own)
        List<Long> inUse = new ArrayList<>();
        Map<Long, Long> live = new HashMap<>();
        long bytes = 0;
        for (Event e : ofType("Alloc", "Free")) {
            if (e.type().name().equals("Alloc")) {
                if (!"jtrace.Buffer".equals(e.string("type"))) {
                    live.put(e.arg("id"), e.arg("size"));
                    bytes += e.arg("size");
                    inUse.add(bytes);
                }
            } else if (live.containsKey(e.arg("id"))) {
                bytes -= live.remove(e.arg("id"));
                inUse.add(bytes);
            }
        }
        assertThat(inUse).containsExactly(100L, 150L, 50L, 0L);
        assertThat(counterValues("heap in use (alloc/free)")).isEqualTo(inUse);
        assertThat(counterValues("jtrace buffers (alloc/free)")).isNotEmpty();
        assertThat(decoded.tracks.values()).filteredOn(t -> "heap used".equals(t.name()))
                .singleElement().satisfies(t -> assertThat(t.unit()).isEqualTo("UNIT_SIZE_BYTES"));
    }

    @Test
    void samplesAndThreadLifecycleAreInstants() {
        assertThat(category(decoded.instants, "sample")).hasSize(ofType("CPUSample", "AllocSample").size())
                .hasSize(11);
        assertThat(category(decoded.instants, "runtime")).extracting(Slice::name)
                .containsExactlyInAnyOrder("ThreadStart", "ThreadEnd");
        assertThat(decoded.instants).hasSize((int) result.instants());
    }

    @Test
    void aMissingOutputDirectoryIsAnErrorNamingTheFile() {
        Path bad = dir.resolve("no/such/dir/x.pftrace");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PerfettoExporter.export(trace, bad, null))
                .hasMessage("cannot write " + bad + ": no such file or directory");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PerfettoExporter.export(dir.resolve("none.jtrace"),
                dir.resolve("y.pftrace"), null)).hasMessageContaining("none.jtrace");
        assertThat(Files.exists(dir.resolve("y.pftrace"))).isFalse();
    }
}
