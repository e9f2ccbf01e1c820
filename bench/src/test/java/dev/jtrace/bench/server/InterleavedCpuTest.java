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
        assertThat(InterleavedCpu.schedstatRuns("123456789 4242 17\n")).isEqualTo(17L);
    }

    @Test
    void aWindowCountsEachThreadsRunTimeSinceItsStartAndGroupsIt() {
        Map<Integer, InterleavedCpu.ThreadRun> before = Map.of(1, new InterleavedCpu.ThreadRun("jetty-1", 1_000, 10),
                2, new InterleavedCpu.ThreadRun("C2 CompilerThre", 500, 3), 3, new InterleavedCpu.ThreadRun("jetty-2", 7, 1));
        Map<Integer, InterleavedCpu.ThreadRun> after = Map.of(1, new InterleavedCpu.ThreadRun("jetty-1", 4_000, 16),
                2, new InterleavedCpu.ThreadRun("C2 CompilerThre", 900, 3),
                4, new InterleavedCpu.ThreadRun("jtrace-writer", 250, 5)); // 3 ended, 4 was born in the window
        Map<String, Long> g = InterleavedCpu.byGroup(before, after);
        assertThat(g).containsEntry("Jetty (application)", 3_000L).containsEntry("JIT compilers", 400L)
                .containsEntry("jtrace-writer", 250L).hasSize(3);
        assertThat(InterleavedCpu.byGroup(before, after, InterleavedCpu.ThreadRun::runs))
                .containsEntry("Jetty (application)", 6L).containsEntry("JIT compilers", 0L)
                .containsEntry("jtrace-writer", 5L);
        InterleavedCpu.Window w = new InterleavedCpu.Window(g, Map.of("Jetty (application)", 6L), 2, 2, new Histogram(3));
        assertThat(w.groupRunsPerRequest("Jetty (application)")).isEqualTo(3.0);
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
    void atEqualRunsSeparatesTheTracersOwnCostFromTheCostOfExtraWakeUps() {
        // every window: 50 us + 6 us per Jetty run per request; the tracer adds 1.5 us of its own and, in some
        // pairs, makes the threads wake more often (the runs vary from pair to pair in both states)
        List<InterleavedCpu.Window[]> pairs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            double runsOff = 1.0 + 0.25 * (i % 5);
            double runsOn = runsOff + (i % 3 == 0 ? 1.0 : 0.2);
            pairs.add(new InterleavedCpu.Window[] {window(100 * (long) (1000 * (50 + 6 * runsOff)), (long) (100 * runsOff)),
                    window(100 * (long) (1000 * (51.5 + 6 * runsOn)), (long) (100 * runsOn))});
        }
        double[] equal = InterleavedCpu.atEqualRuns(pairs);
        assertThat(equal[0]).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(equal[3]).isCloseTo(6.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(equal[1]).isLessThanOrEqualTo(equal[0]);
        assertThat(equal[2]).isGreaterThanOrEqualTo(equal[0]);
        // the plain median difference counts the extra wake-ups as the tracer's: larger than 1.5
        String row = InterleavedCpu.row("agent", pairs);
        assertThat(row).contains("| +1.50 [+1.50, +1.50] (6.0 us per run) |");
    }

    @Test
    void pinTakesTwoCpuListsAndRefusesAnythingElse() {
        assertThat(InterleavedCpu.pinning(null)).isNull();
        assertThat(InterleavedCpu.pinning("1/0")).containsExactly("1", "0");
        assertThat(InterleavedCpu.pinning("2-3/0,1")).containsExactly("2-3", "0,1");
        for (String bad : new String[] {"1", "1/0/2", "/0", "a/0", "1;rm/0"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> InterleavedCpu.pinning(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pin=" + bad);
        }
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

    @Test
    void acrossJvmsJudgesTheJvmAsTheUnit() {
        // three JVMs whose every pair costs 0.5, 1.0 and 1.5 us/request (windows of 100 requests, off 1 us/request)
        List<List<InterleavedCpu.Window[]>> byJvm = new ArrayList<>();
        for (long deltaNanos : new long[] {50_000, 100_000, 150_000}) {
            List<InterleavedCpu.Window[]> ws = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ws.add(new InterleavedCpu.Window[] {window(100_000), window(100_000 + deltaNanos)});
            }
            byJvm.add(ws);
        }
        String table = InterleavedCpu.acrossJvms("recorder", byJvm);
        assertThat(table).contains("| 1 | 10 | 1.00 | +0.50 [+0.50, +0.50] | +0.50 ± 0.00 |")
                .contains("| 3 | 10 | 1.00 | +1.50 [+1.50, +1.50] | +1.50 ± 0.00 |")
                // sd of 0.5, 1.0, 1.5 is 0.5; 4.303 * 0.5 / sqrt(3) = 1.24
                .contains("mean of the 3 JVMs' medians: +1.00 ± 1.24 (95% t, 2 df)")
                // a resample can draw the first JVM three times, or the last: the interval spans the JVMs
                .contains("pooled median +1.00, two-stage bootstrap 95% CI [+0.50, +1.50]");
    }

    @Test
    void theTwoStageBootstrapWidensOnlyWhenClustersDiffer() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        List<double[]> apart = new ArrayList<>();
        List<double[]> alike = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            double[] a = new double[30];
            double[] b = new double[30];
            for (int i = 0; i < 30; i++) {
                double noise = random.nextDouble(-0.5, 0.5);
                a[i] = k + noise; // each cluster 1 apart from the next
                b[i] = noise;
            }
            apart.add(a);
            alike.add(b);
        }
        double[] pooledApart = CpuPerRequest.bootstrapMedianCi(apart.stream().flatMapToDouble(java.util.Arrays::stream).toArray());
        double[] clusterApart = InterleavedCpu.clusterBootstrapMedianCi(apart);
        double[] pooledAlike = CpuPerRequest.bootstrapMedianCi(alike.stream().flatMapToDouble(java.util.Arrays::stream).toArray());
        double[] clusterAlike = InterleavedCpu.clusterBootstrapMedianCi(alike);
        // pairs pooled as independent: the interval is about the noise; by cluster it is about the offsets
        assertThat(clusterApart[1] - clusterApart[0]).isGreaterThan(2 * (pooledApart[1] - pooledApart[0]))
                .isGreaterThan(1.0);
        assertThat(clusterAlike[1] - clusterAlike[0]).isLessThan(1.5 * (pooledAlike[1] - pooledAlike[0]));
        assertThat(clusterApart[0]).isLessThan(2.0);
        assertThat(clusterApart[1]).isGreaterThan(2.0);
    }

    private static InterleavedCpu.Window window(long jettyNanos) {
        return window(jettyNanos, 0);
    }

    private static InterleavedCpu.Window window(long jettyNanos, long jettyRuns) {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        h.recordValue(100_000);
        return new InterleavedCpu.Window(Map.of("Jetty (application)", jettyNanos), Map.of("Jetty (application)", jettyRuns),
                100, 100, h);
    }
}
