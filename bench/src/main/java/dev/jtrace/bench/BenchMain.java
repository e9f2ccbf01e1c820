package dev.jtrace.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link TracerBench} with one and with two threads and prints one table: each operation through
 * jtrace, JFR and PerfMark side by side, with the ratios. Options: {@code --quick} (shorter iterations),
 * {@code --bytes} (bytes per event, {@link BytesPerEvent}), {@code --reader} (reader throughput,
 * {@link ReaderThroughput}), {@code --e2e} (end-to-end overhead, {@link EndToEnd} in process and
 * {@link dev.jtrace.bench.server.ServerEndToEnd} on a Jetty server under the agent), {@code --cpu-e2e} (CPU
 * per request of the Jetty server at a fixed load, agent next to JFR,
 * {@link dev.jtrace.bench.server.CpuPerRequest}, which takes the {@code KEY=VALUE} arguments), {@code --overload} (1 to 256 threads flat out,
 * {@link Overload}), {@code --all}.
 */
public final class BenchMain {
    private record Score(double ns, double err) {}

    /** The agent jar, as bench/run builds it (relative to the repository root, where bench/run runs). */
    private static final String AGENT_JAR = "agent/target/jtrace-agent.jar";

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        boolean quick = a.contains("--quick");
        boolean all = a.contains("--all");
        if (a.contains("--bytes") || all) {
            BytesPerEvent.main(new String[0]);
        }
        if (a.contains("--reader") || all) {
            ReaderThroughput.main(quick ? new String[] {"5000000"} : new String[0]);
        }
        if (a.contains("--e2e") || all) {
            EndToEnd.main(quick ? new String[] {"3"} : new String[0]);
            dev.jtrace.bench.server.ServerEndToEnd.main(quick ? new String[] {AGENT_JAR, "3", "5"}
                    : new String[] {AGENT_JAR});
        }
        if (a.contains("--cpu-e2e") || all) {
            // KEY=VALUE arguments (rounds=7, rate=2000, modes=off,agent ...) go to CpuPerRequest, after --quick's.
            List<String> cpu = new ArrayList<>(List.of(AGENT_JAR));
            if (quick) {
                cpu.addAll(List.of("rounds=2", "blast=2", "warmup=2", "seconds=3"));
            }
            a.stream().filter(s -> s.contains("=")).forEach(cpu::add);
            dev.jtrace.bench.server.CpuPerRequest.main(cpu.toArray(new String[0]));
        }
        if (a.contains("--overload") || all) {
            Overload.main(quick ? new String[] {"3"} : new String[0]);
        }
        if (a.contains("--bytes") || a.contains("--reader") || a.contains("--e2e") || a.contains("--cpu-e2e")
                || a.contains("--overload")) {
            if (!all && !a.contains("--jmh")) {
                return;
            }
        }
        Map<String, Score> one = run(quick, 1, ".*TracerBench\\.(baseline_(empty|nanoTime)|.*_(off|log|region|task|stack))$",
                NANOTIME_CLOCK);
        one.putAll(asTsc(run(quick, 1, ".*TracerBench\\.jtrace_(off|log|region|task|stack)$", TSC_CLOCK)));
        Map<String, Score> cross = run(quick, 1, ".*TracerBench\\.[a-z]+_cross$", NANOTIME_CLOCK);
        cross.putAll(asTsc(run(quick, 1, ".*TracerBench\\.jtrace_cross$", TSC_CLOCK)));
        Map<String, Score> two = run(quick, 2, ".*TracerBench\\.(baseline_nanoTime|.*_(log|region|task))$", NANOTIME_CLOCK);
        two.putAll(asTsc(run(quick, 2, ".*TracerBench\\.jtrace_(log|region|task)$", TSC_CLOCK)));
        print(one, cross, two, quick);
    }

    /** jtrace's default for an application started without flags: events stamped by System.nanoTime(). */
    private static final String[] NANOTIME_CLOCK = {"-Xmx1g", "-Djtrace.clock=nanotime"};
    /** jtrace with native access enabled: events stamped by the CPU's time-stamp counter (docs/design.md). */
    private static final String[] TSC_CLOCK = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED", "-Djtrace.clock=tsc"};

    /** jtrace_x results of a TSC-clock run, renamed tsc_x. */
    private static Map<String, Score> asTsc(Map<String, Score> m) {
        Map<String, Score> r = new LinkedHashMap<>();
        m.forEach((k, v) -> r.put(k.replaceFirst("^jtrace_", "tsc_"), v));
        return r;
    }

    private static Map<String, Score> run(boolean quick, int threads, String include, String[] jvmArgs)
            throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder().include(include).forks(1).threads(threads)
                .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.milliseconds(quick ? 500 : 1000))
                .measurementIterations(quick ? 3 : 5).measurementTime(TimeValue.milliseconds(quick ? 500 : 1000))
                .jvmArgsAppend(jvmArgs);
        Collection<RunResult> results = new Runner(o.build()).run();
        Map<String, Score> m = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            label = label.substring(label.lastIndexOf('.') + 1);
            Result<?> p = r.getPrimaryResult();
            m.put(label, new Score(p.getScore(), p.getScoreError()));
        }
        return m;
    }

    private static String cell(Score s) {
        if (s == null) {
            return "n/a";
        }
        return Double.isNaN(s.err) ? String.format("%.2f", s.ns) : String.format("%.2f ± %.2f", s.ns, s.err);
    }

    private static String ratio(Score a, Score b) {
        return a == null || b == null ? "n/a" : String.format("%.2fx", a.ns / b.ns);
    }

    private static void print(Map<String, Score> one, Map<String, Score> cross, Map<String, Score> two, boolean quick) {
        StringBuilder sb = new StringBuilder();
        sb.append("\nns per operation (JMH average time, ").append(quick ? "quick" : "full")
                .append(" mode; ± is the 99.9% error)\n\n");
        sb.append("| operation | jtrace (nanoTime clock) | jtrace (TSC clock) | JFR | PerfMark | nanoTime | jtrace/JFR |"
                + " jtrace/PerfMark | TSC/JFR | TSC/PerfMark |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        Score nano = one.get("baseline_nanoTime");
        Score empty = one.get("baseline_empty");
        String[][] rows = {
            {"tracing off (empty method: " + cell(empty) + ")", "off"},
            {"one log event", "log"},
            {"region begin+end", "region"},
            {"task begin+end", "task"},
            {"event with a captured stack", "stack"},
        };
        for (String[] r : rows) {
            row(sb, r[0], one.get("jtrace_" + r[1]), one.get("tsc_" + r[1]), one.get("jfr_" + r[1]),
                    one.get("perfmark_" + r[1]), nano);
        }
        Score base = cross.get("baseline_cross");
        row(sb, "cross-thread task (2 threads, minus the bare hand-off " + cell(base) + ")",
                minus(cross.get("jtrace_cross"), base), minus(cross.get("tsc_cross"), base),
                minus(cross.get("jfr_cross"), base), minus(cross.get("perfmark_cross"), base), nano);
        Score nano2 = two.get("baseline_nanoTime");
        for (String op : new String[] {"log", "region", "task"}) {
            row(sb, op + ", 2 threads (ns per op per thread)", two.get("jtrace_" + op), two.get("tsc_" + op),
                    two.get("jfr_" + op), two.get("perfmark_" + op), nano2);
        }
        sb.append("\nthroughput of 2 threads relative to 1 thread (2 x ns1 / ns2; 2.00 is perfect scaling):\n");
        for (String tracer : new String[] {"jtrace", "tsc", "jfr", "perfmark"}) {
            List<String> parts = new ArrayList<>();
            for (String op : new String[] {"log", "region", "task"}) {
                Score s1 = one.get(tracer + "_" + op);
                Score s2 = two.get(tracer + "_" + op);
                parts.add(op + " " + (s1 == null || s2 == null ? "n/a" : String.format("%.2f", 2 * s1.ns / s2.ns)));
            }
            sb.append("  ").append(tracer).append(": ").append(String.join(", ", parts)).append('\n');
        }
        if (nano != null && one.get("jtrace_log") != null) {
            sb.append(String.format("%njtrace log event / System.nanoTime(): %.2fx (nanoTime clock)", one.get("jtrace_log").ns
                    / nano.ns));
            if (one.get("tsc_log") != null) {
                sb.append(String.format(", %.2fx (TSC clock)", one.get("tsc_log").ns / nano.ns));
            }
            sb.append('\n');
        }
        System.out.println(sb);
    }

    private static void row(StringBuilder sb, String label, Score j, Score t, Score f, Score p, Score nano) {
        sb.append("| ").append(label).append(" | ").append(cell(j)).append(" | ").append(cell(t)).append(" | ")
                .append(cell(f)).append(" | ").append(cell(p)).append(" | ").append(cell(nano)).append(" | ")
                .append(ratio(j, f)).append(" | ").append(ratio(j, p)).append(" | ").append(ratio(t, f)).append(" | ")
                .append(ratio(t, p)).append(" |\n");
    }

    private static Score minus(Score a, Score b) {
        if (a == null || b == null) {
            return null;
        }
        return new Score(a.ns - b.ns, Math.sqrt(sq(a.err) + sq(b.err)));
    }

    private static double sq(double x) {
        return Double.isNaN(x) ? 0 : x * x;
    }
}
