package dev.jtrace.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.StackTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the pprof exports back with {@code go tool pprof} (Debian's golang-go) and checks every sample
 * against totals computed from the trace with the reader, independently of the exporter.
 */
class PprofExportTest {
    @TempDir
    static Path dir;
    static Path trace;
    static List<Event> events;

    @BeforeAll
    static void record() throws Exception {
        trace = ExportFixture.record(dir);
        events = ExportFixture.events(trace);
    }

    /** One sample as pprof prints it: frames leaf first as "function file:line", and its label. */
    record Stack(List<String> frames, String label) {}

    private static String frame(StackTrace.Frame f) {
        return f.className() + "." + f.methodName() + " " + (f.fileName() == null ? "" : f.fileName()) + ":"
                + Math.max(0, f.line());
    }

    /** The expected profile: values summed by stack and label, from the reader's events. */
    private static Map<Stack, long[]> expected(String[] types, String labelArg, long valueOf1) {
        Map<Stack, long[]> m = new HashMap<>();
        for (Event e : events) {
            String type = e.type().name();
            int k = List.of(types).indexOf(type);
            if (k < 0) {
                continue;
            }
            StackTrace st = e.stack("stack");
            List<String> frames = new ArrayList<>();
            if (st == null) {
                frames.add("(no stack) :0");
            } else {
                st.frames().forEach(f -> frames.add(frame(f)));
            }
            String label = switch (labelArg) {
                case "kind" -> "kind:[" + List.of("park", "monitor", "sleep").get(k) + "]";
                case "class" -> "class:[" + e.string("class") + "]";
                default -> "";
            };
            long value = switch (type) {
                case "CPUSample" -> valueOf1;
                case "AllocSample" -> e.arg("weight");
                default -> e.arg("duration");
            };
            long[] v = m.computeIfAbsent(new Stack(frames, label), x -> new long[2]);
            v[0]++;
            v[1] += value;
        }
        return m;
    }

    private static final Pattern SAMPLE = Pattern.compile("^\\s+(\\d+)\\s+(\\d+): ([\\d ]*)$");
    private static final Pattern LOCATION =
            Pattern.compile("^\\s*(\\d+): 0x[0-9a-f]+ (?:M=\\d+ )?(?:\\[F\\] )?(.+) (\\S*):(\\d+)(?::\\d+)? s=\\d+.*$");

    /** Parses {@code go tool pprof -raw}: samples with their location ids and labels, then the locations. */
    private static Map<Stack, long[]> parseRaw(String raw) {
        Map<String, String> locations = new HashMap<>();
        List<String[]> samples = new ArrayList<>();
        String section = "";
        for (String line : raw.split("\n")) {
            if (line.equals("Samples:") || line.equals("Locations") || line.equals("Mappings")) {
                section = line;
                continue;
            }
            if (section.equals("Samples:")) {
                Matcher s = SAMPLE.matcher(line);
                if (s.matches()) {
                    samples.add(new String[] {s.group(1), s.group(2), s.group(3).trim(), ""});
                } else if (line.startsWith("                ") && !samples.isEmpty()) {
                    samples.get(samples.size() - 1)[3] = line.trim();
                }
            } else if (section.equals("Locations")) {
                Matcher l = LOCATION.matcher(line);
                assertThat(l.matches()).as("a location line of go tool pprof -raw: %s", line).isTrue();
                locations.put(l.group(1), l.group(2) + " " + l.group(3) + ":" + l.group(4));
            }
        }
        Map<Stack, long[]> m = new HashMap<>();
        for (String[] s : samples) {
            List<String> frames = new ArrayList<>();
            for (String id : s[2].split(" ")) {
                assertThat(locations).as("location %s of a sample", id).containsKey(id);
                frames.add(locations.get(id));
            }
            long[] v = m.computeIfAbsent(new Stack(frames, s[3]), x -> new long[2]);
            v[0] += Long.parseLong(s[0]);
            v[1] += Long.parseLong(s[1]);
        }
        return m;
    }

    private static String pprof(String... args) throws Exception {
        String go = ExternalTool.find("go", "golang-go");
        Path home = Files.createDirectories(dir.resolve("gohome"));
        // a private HOME and caches, and no network: `go tool pprof` reads local files only
        Map<String, String> env = Map.of("HOME", home.toString(), "GOCACHE", home.resolve("cache").toString(),
                "GOPATH", home.resolve("gopath").toString(), "PPROF_TMPDIR", home.resolve("pprof").toString(),
                "GOPROXY", "off", "GOTOOLCHAIN", "local", "GOFLAGS", "");
        List<String> cmd = new ArrayList<>(List.of(go, "tool", "pprof"));
        cmd.addAll(List.of(args));
        return ExternalTool.run(dir, env, null, cmd).stdout();
    }

    private static void assertSameProfile(Map<Stack, long[]> actual, Map<Stack, long[]> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(actual.get(k)).as("values of %s", k).containsExactly(v));
    }

    /** The function with the largest flat value, and that value, from the reader's events. */
    private static Map.Entry<String, Long> topLeaf(Map<Stack, long[]> profile) {
        Map<String, Long> flat = new HashMap<>();
        profile.forEach((k, v) -> flat.merge(k.frames().get(0).replaceAll(" \\S*:\\d+$", ""), v[1], Long::sum));
        return flat.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    }

    private static final Pattern TOP_ROW = Pattern.compile("^\\s*(\\d+)(?:ns|B)?\\s+[\\d.]+%\\s+[\\d.]+%\\s+\\S+\\s+[\\d.]+%\\s+(.+)$");

    /** The first row of {@code go tool pprof -top}: the function with the largest flat value. */
    private static Map.Entry<String, Long> topRow(String top) {
        for (String line : top.split("\n")) {
            Matcher m = TOP_ROW.matcher(line);
            if (m.matches()) {
                return Map.entry(m.group(2).trim(), Long.parseLong(m.group(1)));
            }
        }
        throw new AssertionError("no row in go tool pprof -top output:\n" + top);
    }

    @Test
    void blockProfileHasEveryParkMonitorAndSleepByStack() throws Exception {
        Path out = dir.resolve("block.pb.gz");
        PprofExporter.Result r = PprofExporter.export(trace, out, PprofExporter.Kind.BLOCK,
                PprofExporter.DEFAULT_CPU_PERIOD_NANOS, null);
        Map<Stack, long[]> expected = expected(new String[] {"Park", "MonitorBlocked", "Sleep"}, "kind", 0);
        assertThat(r.events()).isEqualTo(6); // 3 parks, 1 monitor, 2 sleeps in the fixture
        assertThat(r.samples()).isEqualTo(expected.size());

        String raw = pprof("-raw", out.toString());
        assertThat(raw).contains("contentions/count delay/nanoseconds[dflt]").contains("PeriodType: contentions count");
        assertSameProfile(parseRaw(raw), expected);

        long total = expected.values().stream().mapToLong(v -> v[1]).sum();
        String top = pprof("-top", "-nodefraction=0", "-unit=ns", "-sample_index=delay", out.toString());
        assertThat(top).contains("Type: delay").contains("Total samples = " + total + "ns");
        assertThat(topRow(top)).isEqualTo(topLeaf(expected));
        // a label per kind of blocking: -tagfocus keeps only the monitor samples
        String monitor = pprof("-top", "-nodefraction=0", "-unit=ns", "-tagfocus=kind=monitor", out.toString());
        long monitorTotal = expected.entrySet().stream().filter(e -> e.getKey().label().equals("kind:[monitor]"))
                .mapToLong(e -> e.getValue()[1]).sum();
        assertThat(monitorTotal).isEqualTo(ExportFixture.MS);
        assertThat(monitor).contains("Showing nodes accounting for " + monitorTotal + "ns");
    }

    @Test
    void cpuProfileCountsSamplesAtTheSamplingPeriod() throws Exception {
        Path out = dir.resolve("cpu.pb.gz");
        long period = 20 * ExportFixture.MS;
        PprofExporter.Result r = PprofExporter.export(trace, out, PprofExporter.Kind.CPU, period, null);
        Map<Stack, long[]> expected = expected(new String[] {"CPUSample"}, "", period);
        assertThat(r.totalCount()).isEqualTo(8);

        String raw = pprof("-raw", out.toString());
        assertThat(raw).contains("samples/count cpu/nanoseconds[dflt]").contains("Period: " + period);
        assertSameProfile(parseRaw(raw), expected);
        String top = pprof("-top", "-nodefraction=0", "-unit=ns", "-sample_index=cpu", out.toString());
        assertThat(topRow(top)).isEqualTo(Map.entry("app.Codec.encode", 5 * period)).isEqualTo(topLeaf(expected));
        // the frame without a stack is one function of its own
        assertThat(top).contains("(no stack)");
    }

    @Test
    void cpuSamplesCountThePeriodTheTraceRecordedInForce() throws Exception {
        // another JFR recording shortened the period from 20 ms to 10 ms, then to 5 ms: the agent recorded it
        dev.jtrace.model.TraceBuilder b = new dev.jtrace.model.TraceBuilder();
        var g = b.generation(0, 1_000_000_000L).thread(1, "app", false).thread(9, "jtrace-jfr-bridge", false);
        Object st = g.stack("app.Main.run");
        g.event(9, 9, 10, dev.jtrace.format.EventTypes.LOG, 0L, "jtrace.settings",
                "threshold.ns=1000000 cpu.period.ns=10000000 jfr.recordings=2", 0L);
        for (int i = 0; i < 3; i++) {
            g.event(9, 9, 100 + i, dev.jtrace.format.EventTypes.CPU_SAMPLE, 1L, 50L + i, st);
        }
        g.event(9, 9, 500, dev.jtrace.format.EventTypes.LOG, 0L, "jtrace.settings",
                "cpu.period.ns=5000000 jfr.recordings=3", 0L);
        for (int i = 0; i < 2; i++) {
            g.event(9, 9, 600 + i, dev.jtrace.format.EventTypes.CPU_SAMPLE, 1L, 550L + i, st);
        }
        g.end();
        Path t = b.write(dir.resolve("periods.jtrace"));
        PprofExporter.Result r = PprofExporter.export(t, dir.resolve("p.pb.gz"), PprofExporter.Kind.CPU, 0, null);
        assertThat(r.totalCount()).isEqualTo(5);
        assertThat(r.totalValue()).isEqualTo(3 * 10_000_000L + 2 * 5_000_000L);
        // an explicit period wins over the recorded ones
        PprofExporter.Result fixed = PprofExporter.export(t, dir.resolve("f.pb.gz"), PprofExporter.Kind.CPU,
                20_000_000L, null);
        assertThat(fixed.totalValue()).isEqualTo(5 * 20_000_000L);
        // a trace that says nothing: the agent's 20 ms
        assertThat(PprofExporter.recordedCpuPeriod("threshold.ns=5 jfr.recordings=1")).isZero();
    }

    @Test
    void allocProfileSumsWeightsByStackAndClass() throws Exception {
        Path out = dir.resolve("alloc.pb.gz");
        PprofExporter.Result r = PprofExporter.export(trace, out, PprofExporter.Kind.ALLOC,
                PprofExporter.DEFAULT_CPU_PERIOD_NANOS, null);
        Map<Stack, long[]> expected = expected(new String[] {"AllocSample"}, "class", 0);
        assertThat(r.totalValue()).isEqualTo(4096 + 1024 + 512);

        String raw = pprof("-raw", out.toString());
        assertThat(raw).contains("samples/count alloc_space/bytes[dflt]");
        assertSameProfile(parseRaw(raw), expected);
        String top = pprof("-top", "-nodefraction=0", "-unit=B", "-sample_index=alloc_space", out.toString());
        assertThat(topRow(top)).isEqualTo(topLeaf(expected));
        String strings = pprof("-top", "-nodefraction=0", "-unit=B", "-tagfocus=class=java.lang.String",
                out.toString());
        assertThat(strings).contains("Showing nodes accounting for 512B");
    }

    @Test
    void aProfileWithoutSuchEventsIsStillAValidEmptyProfile() throws Exception {
        Path empty = dir.resolve("empty.jtrace");
        dev.jtrace.JTrace.start(empty);
        dev.jtrace.JTrace.log(null, "x", "nothing to profile");
        dev.jtrace.JTrace.stop();
        Path out = dir.resolve("empty.pb.gz");
        PprofExporter.Result r = PprofExporter.export(empty, out, PprofExporter.Kind.CPU,
                PprofExporter.DEFAULT_CPU_PERIOD_NANOS, null);
        assertThat(r.samples()).isZero();
        assertThat(pprof("-raw", out.toString())).contains("samples/count cpu/nanoseconds[dflt]");
    }
}
