package dev.jtrace.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.model.SchedulerCorpus;
import dev.jtrace.model.ThreadState;
import dev.jtrace.model.TraceStats;
import dev.jtrace.model.Wakeup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyses and exports of the scheduler events, on the model's {@link SchedulerCorpus} traces whose
 * wake-ups, states and carrier runs are worked out by hand there.
 */
class SchedulerAnalysisTest {
    @TempDir
    Path dir;

    /** The decoder of PerfettoExportTest expects the process named after a file export.jtrace. */
    private Path named(String sub) throws Exception {
        return Files.createDirectories(dir.resolve(sub)).resolve("export.jtrace");
    }

    @Test
    void platformSchedulerLatencyAndExactBlockingProfile() throws Exception {
        TraceAnalysis a = TraceAnalysis.run(SchedulerCorpus.platform(dir.resolve("p.jtrace")), null);

        var h = a.platformLatency.histogram;
        // latencies 50 (unpark), 1 (permit: from the park's begin), 100 (notify), 100 (notifyAll)
        assertThat(h.getTotalCount()).isEqualTo(4);
        assertThat(h.getValueAtPercentile(50)).isEqualTo(50);
        assertThat(h.getMaxValue()).isEqualTo(100);
        assertThat(a.virtualLatency.histogram.getTotalCount()).isZero();
        assertThat(a.platformLatency.worst()).extracting(i -> i.wakeup().kind().label + " " + i.wakeup().waker() + "->"
                + i.wakeup().wakee() + " " + i.latency())
                .containsExactly("notify 2->3 100", "notifyAll 2->1 100", "unpark 2->1 50", "unpark 2->1 1");
        assertThat(a.wakeupsByKind).isEqualTo(Map.of("unpark", 2L, "notify", 1L, "notifyAll", 1L));

        // exact profile: one row per kind, idleness and first frame outside the JDK (and jtrace's hooks)
        Map<String, long[]> rows = new TreeMap<>();
        for (TraceAnalysis.Blocking b : a.blockingProfile()) {
            rows.put(b.kind + (b.idle ? " idle " : " ") + b.callSite, new long[] {b.count, b.nanos,
                    b.histogram.getValueAtPercentile(50), b.histogram.getValueAtPercentile(99),
                    b.histogram.getMaxValue()});
        }
        assertThat(rows).containsOnlyKeys("park app.Service.call(F.java:13)", "park (short, no stack) app.Lock",
                "wait app.Queue.take(F.java:12)", "wait app.Other.poll(F.java:12)", "sleep app.Main.pause(F.java:11)",
                "park idle jdk.internal.misc.Unsafe.park(F.java:10)");
        assertThat(rows.get("wait app.Queue.take(F.java:12)")).containsExactly(2, 1600, 500, 1100, 1100);
        assertThat(rows.get("park app.Service.call(F.java:13)")).containsExactly(1, 250, 250, 250, 250);
        assertThat(rows.get("park (short, no stack) app.Lock")).containsExactly(1, 1, 1, 1, 1);
        assertThat(rows.get("park idle jdk.internal.misc.Unsafe.park(F.java:10)")).containsExactly(1, 2000, 2000,
                2000, 2000);
        // JFR's Park and Sleep of the same blocks are not counted again
        assertThat(rows.get("sleep app.Main.pause(F.java:11)")[0]).isEqualTo(1);
        assertThat(a.threads.get(1L).runnable).isEqualTo(150);

        JsonNode j = new ObjectMapper().readTree(a.toJson());
        JsonNode p = j.get("scheduler").get("platform");
        assertThat(p.get("count").asLong()).isEqualTo(4);
        assertThat(p.get("p99Nanos").asLong()).isEqualTo(100);
        JsonNode worst = p.get("worst").get(0);
        assertThat(worst.get("wakerName").asText()).isEqualTo("waker");
        assertThat(worst.get("wakeeName").asText()).isEqualTo("w3");
        assertThat(worst.get("wakeNanos").asLong()).isEqualTo(2500);
        assertThat(worst.get("resumeNanos").asLong()).isEqualTo(2600);
        // the viewer's span-link form (analysis.js jumpHref): padded by 15%, at least 1 us
        assertThat(worst.get("link").asText()).isEqualTo("#/timeline?from=1500&to=3600&kind=wakeup&thread=3&start=2500");
        assertThat(j.get("scheduler").get("wakeups").get("notifyAll").asLong()).isEqualTo(1);
        JsonNode queue = null;
        for (JsonNode b : j.get("blocking")) {
            if (b.get("callSite").asText().equals("app.Queue.take(F.java:12)")) {
                queue = b;
            }
        }
        assertThat(queue).isNotNull();
        assertThat(queue.get("kind").asText()).isEqualTo("wait");
        assertThat(queue.get("p50Nanos").asLong()).isEqualTo(500);
        assertThat(queue.get("maxNanos").asLong()).isEqualTo(1100);
        // its longest interval, where the viewer's blocking page jumps: the model's Blocking of 1100 ns
        JsonNode longest = queue.get("longest");
        TraceAnalysis.Blocking row = a.blocking.get("wait\napp.Queue.take(F.java:12)");
        assertThat(longest.get("nanos").asLong()).isEqualTo(1100).isEqualTo(row.longest.duration());
        assertThat(longest.get("thread").asLong()).isEqualTo(row.longest.thread());
        assertThat(longest.get("threadName").asText()).isEqualTo(a.model().threads().label(row.longest.thread()));
        assertThat(longest.get("startNanos").asLong()).isEqualTo(row.longest.start() - a.startTicks);
    }

    @Test
    void virtualThreadsByNameGroupAndCarriers() throws Exception {
        TraceAnalysis a = TraceAnalysis.run(SchedulerCorpus.virtual(dir.resolve("v.jtrace")), null);

        // submit to mount: 100, 50, 60, 90, 80
        var h = a.virtualLatency.histogram;
        assertThat(h.getTotalCount()).isEqualTo(5);
        assertThat(h.getValueAtPercentile(50)).isEqualTo(80);
        assertThat(h.getMaxValue()).isEqualTo(100);
        assertThat(a.virtualLatency.worst().get(0).wakeup()).isEqualTo(
                new Wakeup(1, 100, 100, 200, Wakeup.Kind.SUBMIT, Long.MIN_VALUE, false));
        // the virtual thread's unpark is not a platform thread's wait for a CPU
        assertThat(a.platformLatency.histogram.getTotalCount()).isZero();

        assertThat(a.virtualGroups).containsOnlyKeys("vt-req-*", "(unnamed)");
        TraceAnalysis.VirtualGroup req = a.virtualGroups.get("vt-req-*");
        assertThat(req.threads).isEqualTo(2);
        assertThat(req.mounts).isEqualTo(4);
        assertThat(req.nanos(ThreadState.RUNNING)).isEqualTo(310 + 100);
        assertThat(req.nanos(ThreadState.RUNNABLE)).isEqualTo(280 + 50);
        assertThat(req.nanos(ThreadState.PARKED)).isEqualTo(210);
        assertThat(req.lifetimeNanos).isEqualTo(800 + 150);
        TraceAnalysis.VirtualGroup unnamed = a.virtualGroups.get("(unnamed)");
        assertThat(unnamed.threads).isEqualTo(1);
        assertThat(unnamed.mounts).isEqualTo(1);
        assertThat(unnamed.nanos(ThreadState.RUNNABLE)).isEqualTo(60);

        assertThat(a.carriers).containsOnlyKeys(10L, 11L);
        assertThat(a.carriers.get(10L).mounts).isEqualTo(2);
        assertThat(a.carriers.get(10L).mountedNanos).isEqualTo(110 + 100);
        assertThat(a.carriers.get(11L).mounts).isEqualTo(3);
        assertThat(a.carriers.get(11L).mountedNanos).isEqualTo(100 + 100 + 110);

        JsonNode j = new ObjectMapper().readTree(a.toJson());
        JsonNode vt = j.get("virtualThreads");
        assertThat(vt.get("count").asLong()).isEqualTo(3);
        assertThat(vt.get("listed").get(0).get("id").asLong()).isEqualTo(100);
        assertThat(vt.get("listed").get(0).get("mounts").asLong()).isEqualTo(3);
        assertThat(vt.get("listed").get(0).get("runnableNanos").asLong()).isEqualTo(280);
        assertThat(vt.get("groups").get(1).get("name").asText()).isEqualTo("vt-req-*");
        assertThat(vt.get("groups").get(1).get("runningNanos").asLong()).isEqualTo(410);
        assertThat(j.get("carriers").get(1).get("name").asText()).isEqualTo("ForkJoinPool-1-worker-2");
        assertThat(j.get("scheduler").get("virtual").get("count").asLong()).isEqualTo(5);
    }

    @Test
    void nameGroupsStripTrailingNumbersAndIds() {
        assertThat(TraceAnalysis.groupOf("request-17")).isEqualTo("request-*");
        assertThat(TraceAnalysis.groupOf("worker-3-1")).isEqualTo("worker-*");
        assertThat(TraceAnalysis.groupOf("req-7f3a")).isEqualTo("req-*");
        assertThat(TraceAnalysis.groupOf("conn#12")).isEqualTo("conn#*");
        assertThat(TraceAnalysis.groupOf("abc1")).isEqualTo("abc*");
        assertThat(TraceAnalysis.groupOf("cafe")).isEqualTo("cafe");
        assertThat(TraceAnalysis.groupOf("main")).isEqualTo("main");
        assertThat(TraceAnalysis.groupOf("42")).isEqualTo("*");
        assertThat(TraceAnalysis.groupOf("")).isEqualTo("(unnamed)");
        assertThat(TraceAnalysis.groupOf(null)).isEqualTo("(unnamed)");
    }

    @Test
    void perfettoHasWakeUpFlowsAndCarrierTracks() throws Exception {
        Path out = dir.resolve("v.pftrace");
        PerfettoExporter.Result r = PerfettoExporter.export(SchedulerCorpus.virtual(named("v")), out, null);
        PerfettoExportTest.Decoded d = PerfettoExportTest.decode(dir, out);
        assertThat(r.wakeFlows()).isEqualTo(6);
        assertThat(r.carrierSlices()).isEqualTo(5);

        // each wake-up: an instant on the waker's track, then the wakee's wait slice that terminates the flow
        List<String> flows = new ArrayList<>();
        d.flows.forEach((id, evs) -> {
            if (Long.compareUnsigned(id, PerfettoExporter.WAKE_FLOW_BASE) < 0) {
                return;
            }
            assertThat(evs).hasSize(2);
            var from = evs.get(0);
            var to = evs.get(1);
            assertThat(from.type()).isEqualTo("TYPE_INSTANT");
            assertThat(from.category()).isEqualTo("sched");
            assertThat(to.type()).isEqualTo("TYPE_SLICE_BEGIN");
            assertThat(to.endFlows()).containsExactly(id);
            assertThat(d.tracks.get(to.track()).tid()).as("the wait is beside the wakee's track").isNull();
            flows.add(from.name() + " " + d.tidOf(from.track()) + "@" + from.ts() + " -> " + d.tidOf(to.track()) + "@"
                    + to.ts() + " " + d.tracks.get(to.track()).name());
        });
        assertThat(flows).containsExactlyInAnyOrder(
                "submit 1@100 -> 100@100 waiting for a carrier",
                "submit 1@300 -> 101@300 waiting for a carrier",
                "submit 1@400 -> 102@400 waiting for a carrier",
                "submit 1@510 -> 100@510 waiting for a carrier",
                "unpark 1@500 -> 100@500 wake-ups",
                "submit 11@720 -> 100@720 waiting for a carrier");
        // the wait slices end where the wakee runs again
        assertThat(d.slices).filteredOn(s -> "sched".equals(s.category()))
                .extracting(s -> d.tidOf(s.track()) + " " + s.start() + "-" + s.end() + " " + s.name())
                .contains("100 100-200 submitted by main", "100 500-610 woken by main",
                        "100 720-800 submitted by ForkJoinPool-1-worker-2");

        List<String> carrier = d.slices.stream().filter(s -> "carrier".equals(s.category()))
                .map(s -> d.tidOf(s.track()) + " " + s.name() + " " + s.start() + "-" + s.end() + " "
                        + d.tracks.get(s.track()).name())
                .sorted().toList();
        assertThat(carrier).containsExactly(
                "10 vt-req-1 (virtual) 200-310 virtual threads",
                "10 vt-req-1 (virtual) 800-900 virtual threads",
                "11 virtual thread #102 460-560 virtual threads",
                "11 vt-req-1 (virtual) 600-710 virtual threads",
                "11 vt-req-2 (virtual) 350-450 virtual threads");
        // the virtual thread's park is a blocking slice from ParkBegin to BlockEnd
        assertThat(d.slices).filteredOn(s -> "runtime".equals(s.category()))
                .extracting(s -> s.name() + " " + d.tidOf(s.track()) + " " + s.start() + "-" + s.end())
                .containsExactly("Park 100 300-610");
    }

    @Test
    void perfettoDrawsWaitBlocksOnTheirOwnTrack() throws Exception {
        Path out = dir.resolve("p.pftrace");
        PerfettoExporter.export(SchedulerCorpus.platform(named("p")), out, null);
        PerfettoExportTest.Decoded d = PerfettoExportTest.decode(dir, out);
        assertThat(d.slices).filteredOn(s -> "runtime".equals(s.category()))
                .extracting(s -> s.name() + " " + d.tidOf(s.track()) + " " + s.start() + " "
                        + d.tracks.get(s.track()).name())
                .containsExactlyInAnyOrder("Park 1 100 Park", "Park 1 1200 Park", "Wait 1 2000 Wait",
                        "Wait 3 2100 Wait", "Wait 4 2050 Wait", "Sleep 3 5000 Sleep", "Park 5 6000 Park");
        assertThat(d.slices).filteredOn(s -> "sched".equals(s.category())).hasSize(4);
    }

    @Test
    void chromeHasWakeUpFlowsAndACarriersProcess() throws Exception {
        Path out = dir.resolve("v.json");
        ChromeExporter.export(SchedulerCorpus.virtual(dir.resolve("v.jtrace")), out, null);
        JsonNode all = new ObjectMapper().readTree(out.toFile()).get("traceEvents");
        List<String> starts = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        List<String> carrier = new ArrayList<>();
        for (JsonNode e : all) {
            String ph = e.get("ph").asText();
            String cat = e.has("cat") ? e.get("cat").asText() : "";
            if (cat.equals("wakeup") && ph.equals("s")) {
                starts.add(e.get("id").asLong() + " " + e.get("tid").asLong());
            } else if (cat.equals("wakeup") && ph.equals("f")) {
                ends.add(e.get("id").asLong() + " " + e.get("tid").asLong());
            } else if (cat.equals("carrier")) {
                assertThat(e.get("pid").asInt()).isEqualTo(3);
                carrier.add(e.get("tid").asLong() + " " + e.get("name").asText());
            }
        }
        assertThat(starts).hasSize(6);
        // ids pair the halves; the arrows go from the submitters and unparkers (main, a carrier) to the wakees
        assertThat(starts.stream().map(x -> x.split(" ")[0])).containsExactlyInAnyOrderElementsOf(
                ends.stream().map(x -> x.split(" ")[0]).toList());
        assertThat(starts.stream().map(x -> x.split(" ")[1]).distinct()).containsExactlyInAnyOrder("1", "11");
        assertThat(ends.stream().map(x -> x.split(" ")[1]).distinct()).containsExactlyInAnyOrder("100", "101", "102");
        assertThat(carrier).hasSize(5).contains("11 vt-req-2 (virtual)");
    }

    @Test
    void statsAnalyzeAndTheExportsAgreeOnWakeUpsAndRunnableTime() throws Exception {
        for (Path trace : List.of(SchedulerCorpus.platform(named("ap")), SchedulerCorpus.virtual(named("av")))) {
            TraceStats stats = TraceStats.of(trace, null);
            TraceAnalysis a = TraceAnalysis.run(trace, null);
            long analyzed = a.wakeupsByKind.values().stream().mapToLong(Long::longValue).sum();
            Path pf = trace.resolveSibling("export.pftrace");
            PerfettoExporter.Result r = PerfettoExporter.export(trace, pf, null);
            Path c = trace.resolveSibling("export.json");
            ChromeExporter.export(trace, c, null);
            long chromeFlows = 0;
            Map<Long, Long> chromeRunnable = new TreeMap<>();
            for (JsonNode e : new ObjectMapper().readTree(c.toFile()).get("traceEvents")) {
                if (e.get("ph").asText().equals("s") && e.get("cat").asText().equals("wakeup")) {
                    chromeFlows++;
                }
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("state")
                        && e.get("name").asText().equals("runnable")) {
                    chromeRunnable.merge(e.get("tid").asLong(), Math.round(e.get("dur").asDouble() * 1000), Long::sum);
                }
            }
            assertThat(stats.summary.wakeups()).as("%s", trace).isPositive().isEqualTo(analyzed)
                    .isEqualTo(r.wakeFlows()).isEqualTo(chromeFlows);
            assertThat(stats.summary.carrierRuns()).isEqualTo(r.carrierSlices());
            Map<Long, Long> analyzedRunnable = new TreeMap<>();
            a.threads.forEach((id, t) -> {
                if (t.runnable > 0) {
                    analyzedRunnable.put(id, t.runnable);
                }
            });
            assertThat(chromeRunnable).isNotEmpty().isEqualTo(analyzedRunnable);
        }
    }

    @Test
    void pprofBlockProfileHoldsTheSchedulerBlocksAndNamesStacklessOnesByBlocker() throws Exception {
        Path trace = SchedulerCorpus.platform(named("pp"));
        Path out = trace.resolveSibling("block.pb.gz");
        PprofExporter.export(trace, out, PprofExporter.Kind.BLOCK, PprofExporter.DEFAULT_CPU_PERIOD_NANOS, null);
        String go = ExternalTool.find("go", "golang-go");
        Path home = Files.createDirectories(dir.resolve("gohome"));
        Map<String, String> env = Map.of("HOME", home.toString(), "GOCACHE", home.resolve("cache").toString(),
                "GOPATH", home.resolve("gopath").toString(), "PPROF_TMPDIR", home.resolve("pprof").toString(),
                "GOPROXY", "off", "GOTOOLCHAIN", "local", "GOFLAGS", "");
        String raw = ExternalTool.run(dir, env, null, List.of(go, "tool", "pprof", "-raw", out.toString())).stdout();
        long count = 0;
        long delay = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+): [\\d ]*$").matcher(raw);
        while (m.find()) {
            count += Long.parseLong(m.group(1));
            delay += Long.parseLong(m.group(2));
        }
        // the seven scheduler blocks, not JFR's Park and Sleep of the same blocks again
        assertThat(count).isEqualTo(7);
        assertThat(delay).isEqualTo(250 + 1 + 500 + 1100 + 1950 + 500 + 2000);
        assertThat(raw).contains("(short, no stack) app.Lock").contains("kind:[wait]");
    }
}
