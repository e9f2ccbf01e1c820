package dev.jtrace.bench.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class InterleavedCpuTest {
    @Test
    void requestsDueInAWindowFollowTheSchedule() {
        // one request every 100 ns from t0 = 1000: due at 1000, 1100, 1200, ...
        assertThat(InterleavedCpu.dueBetween(1000, 100, 1000, 2000)).isEqualTo(10);
        assertThat(InterleavedCpu.dueBetween(1000, 100, 1050, 1250)).isEqualTo(2); // 1100 and 1200
        assertThat(InterleavedCpu.dueBetween(1000, 100, 0, 1001)).isEqualTo(1); // before t0 nothing is due
        // adjacent windows count every request once
        assertThat(InterleavedCpu.dueBetween(1000, 128.2, 1000, 5000) + InterleavedCpu.dueBetween(1000, 128.2, 5000, 9000))
                .isEqualTo(InterleavedCpu.dueBetween(1000, 128.2, 1000, 9000));
    }

    @Test
    void schedstatGivesTheRunTimeInNanoseconds() {
        assertThat(InterleavedCpu.schedstatNanos("123456789 4242 17\n")).isEqualTo(123_456_789L);
    }

    @Test
    void aWindowCountsEachThreadsRunTimeSinceItsStartAndGroupsIt() {
        Map<Integer, InterleavedCpu.ThreadRun> before = Map.of(1, new InterleavedCpu.ThreadRun("jetty-1", 1_000),
                2, new InterleavedCpu.ThreadRun("C2 CompilerThre", 500), 3, new InterleavedCpu.ThreadRun("jetty-2", 7));
        Map<Integer, InterleavedCpu.ThreadRun> after = Map.of(1, new InterleavedCpu.ThreadRun("jetty-1", 4_000),
                2, new InterleavedCpu.ThreadRun("C2 CompilerThre", 900),
                4, new InterleavedCpu.ThreadRun("jtrace-writer", 250)); // 3 ended, 4 was born in the window
        Map<String, Long> g = InterleavedCpu.byGroup(before, after);
        assertThat(g).containsEntry("Jetty (application)", 3_000L).containsEntry("JIT compilers", 400L)
                .containsEntry("jtrace-writer", 250L).hasSize(3);
        InterleavedCpu.Window w = new InterleavedCpu.Window(g, 2, 2, new Histogram(3));
        // (3000 + 250) ns over 2 requests without the JIT, (3000 + 250 + 400) with it
        assertThat(w.microsPerRequest(false)).isEqualTo(1.625);
        assertThat(w.microsPerRequest(true)).isEqualTo(1.825);
    }

    @Test
    void theRowReportsTheMedianDifferenceOfThePairs() {
        List<InterleavedCpu.Window[]> pairs = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            // off drifts from pair to pair (80 to 88 us); on is always 2 us above its own pair's off
            long off = (80_000 + 1_000L * i) * 100;
            pairs.add(new InterleavedCpu.Window[] {window(off), window(off + 200_000)});
        }
        String row = InterleavedCpu.row("recorder", pairs);
        assertThat(row).startsWith("| recorder | 84.00 | +2.00 [+2.00, +2.00] | +2.4% ");
        assertThat(row).contains("| 1.000 |");
    }

    @Test
    void theAgentAgainstJfrHasTheServerToggleJfrAndSaysWhichSideIsOn() {
        assertThat(InterleavedCpu.attachesAgent("agent/jfr-default")).isTrue();
        assertThat(InterleavedCpu.attachesAgent("agent")).isTrue();
        assertThat(InterleavedCpu.attachesAgent("jfr-default")).isFalse();
        assertThat(InterleavedCpu.serverToggle("agent/jfr-default")).isEqualTo("jfr-default");
        assertThat(InterleavedCpu.serverToggle("agent")).isEqualTo("none");
        assertThat(InterleavedCpu.serverToggle("recorder")).isEqualTo("recorder");
        assertThat(InterleavedCpu.label("agent/jfr-default")).isEqualTo("agent (on) against jfr-default (off)");
        assertThat(InterleavedCpu.label("none")).isEqualTo("none");
    }

    private static InterleavedCpu.Window window(long jettyNanos) {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        h.recordValue(100_000);
        return new InterleavedCpu.Window(Map.of("Jetty (application)", jettyNanos), 100, 100, h);
    }
}
