package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM started with the packaged agent records itself; the trace holds what the workload did. */
class AgentIT {
    @TempDir
    Path dir;

    private Process launch(Path trace, String options) throws Exception {
        return ChildJvm.start("file=" + trace + options, List.of(), dir.resolve("child.log"), Workload.class.getName());
    }

    @Test
    void recordsThreadsParkingSleepMonitorsGcAndSamples() throws Exception {
        Path trace = dir.resolve("wl.jtrace");
        Process p = launch(trace, ",period=200ms,hooks=false"); // the JFR path: what a JDK without the hook points records
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();

        List<Event> events = new ArrayList<>();
        Map<Long, String> names = new HashMap<>();
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                events.addAll(g.events());
                for (ThreadInfo t : g.threads().values()) {
                    names.put(t.id(), t.name());
                }
            }
            assertThat(r.report().problems()).isEmpty();
            assertThat(r.report().lostTailBytes()).isZero();
        }
        for (Event e : events) {
            if (e.type().name().equals("ThreadStart")) {
                names.put(e.arg("thread"), e.string("name"));
            }
        }
        Map<String, Long> count = new HashMap<>();
        events.forEach(e -> count.merge(e.type().name(), 1L, Long::sum));
        List<String> started = events.stream().filter(e -> e.type().name().equals("ThreadStart"))
                .map(e -> e.string("name")).toList();
        assertThat(started).contains("wl-park", "wl-sleep", "wl-lock-holder", "wl-lock-waiter", "wl-alloc");
        assertThat(started).noneMatch(n -> n.startsWith("jtrace-"));
        assertThat(events.stream().filter(e -> e.type().name().equals("ThreadEnd"))).hasSizeGreaterThanOrEqualTo(5);
        assertThat(events).filteredOn(e -> e.type().name().equals("Park")
                && "wl-park".equals(names.get(e.arg("thread")))).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(e -> assertThat(e.arg("duration")).isBetween(15_000_000L, 2_000_000_000L));
        assertThat(events).filteredOn(e -> e.type().name().equals("Sleep")
                && "wl-sleep".equals(names.get(e.arg("thread")))).hasSizeGreaterThanOrEqualTo(4);
        assertThat(events).filteredOn(e -> e.type().name().equals("MonitorBlocked")
                && "wl-lock-waiter".equals(names.get(e.arg("thread")))).isNotEmpty()
                .allSatisfy(e -> assertThat(e.string("monitorClass")).isEqualTo("java.lang.Object"))
                // the thread that held the monitor
                .anySatisfy(e -> assertThat(names.get(e.arg("previousOwner"))).isEqualTo("wl-lock-holder"));
        assertThat(count.getOrDefault("GCPause", 0L)).isPositive();
        assertThat(count.getOrDefault("HeapSummary", 0L)).isPositive();
        assertThat(count.getOrDefault("AllocSample", 0L)).isPositive();
        assertThat(count.getOrDefault("CPUSample", 0L)).isPositive();
        // runtime events land at their true time: before they were written
        assertThat(events).filteredOn(e -> e.type().name().equals("Park"))
                .allSatisfy(e -> assertThat(e.trueTicks()).isLessThanOrEqualTo(e.ticks()));
        // nothing about jtrace's own threads
        assertThat(events).filteredOn(e -> e.has("thread") && e.type().name().matches("Park|Sleep|CPUSample"))
                .noneSatisfy(e -> assertThat(names.getOrDefault(e.arg("thread"), "")).startsWith("jtrace-"));
    }

    @Test
    void badOptionsAreReportedAndTheApplicationRunsAnyway() throws Exception {
        Path trace = dir.resolve("bad.jtrace");
        Process p = launch(trace, ",colour=blue");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("child.log"))).contains("unknown option 'colour'")
                .contains("valid options");
        assertThat(trace).doesNotExist();
    }

    @Test
    void flightModeWritesTheWindowAtExit() throws Exception {
        Path trace = dir.resolve("flight.jtrace");
        Process p = launch(trace, ",flight=30s,maxbytes=8m,events=threads,gc");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        long threadStarts = 0;
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                threadStarts += g.events().stream().filter(e -> e.type().name().equals("ThreadStart")).count();
                assertThat(g.events()).noneMatch(e -> e.type().name().equals("Park"));
            }
            assertThat(r.report().problems()).isEmpty();
        }
        assertThat(threadStarts).isGreaterThanOrEqualTo(5);
    }
}
