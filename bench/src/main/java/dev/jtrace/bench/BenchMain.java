package dev.jtrace.bench;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@link dev.jtrace.bench.server.CpuPerRequest}, which takes the {@code KEY=VALUE} arguments),
 * {@code --overload} (1 to 256 threads flat out, {@link Overload}), {@code --park} (a park/unpark pair
 * recorded by jtrace, by the agent and by JFR, {@link ParkBench}), {@code --park-e2e} (CPU per operation of
 * a park-heavy workload, {@link ParkEndToEnd}), {@code --writer-cpu} (the writer thread's CPU and wake-ups
 * per second at 0 to 50,800 events a second, {@link WriterCpu}), {@code --all}.
 */
public final class BenchMain {
    private record Score(double ns, double err) {}

    /**
     * The agent jar: system property {@code jtrace.bench.agent} (bench/run sets it), else where bench/run
     * builds it, relative to the repository root.
     */
    static Path agentJar() {
        return Path.of(System.getProperty("jtrace.bench.agent", ParkBench.AGENT_JAR)).toAbsolutePath();
    }

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
            String agent = agentJar().toString();
            dev.jtrace.bench.server.ServerEndToEnd.main(quick ? new String[] {agent, "3", "5"}
                    : new String[] {agent});
        }
        if (a.contains("--cpu-e2e") || all) {
            // KEY=VALUE arguments (rounds=7, rate=2000, modes=off,agent ...) go to CpuPerRequest, after --quick's.
            List<String> cpu = new ArrayList<>(List.of(agentJar().toString()));
            if (quick) {
                cpu.addAll(List.of("rounds=2", "blast=2", "warmup=2", "seconds=3"));
            }
            a.stream().filter(s -> s.contains("=")).forEach(cpu::add);
            dev.jtrace.bench.server.CpuPerRequest.main(cpu.toArray(new String[0]));
        }
        if (a.contains("--cpu-interleaved") || all) {
            // KEY=VALUE arguments (toggle=recorder,jfr-default pairs=30 ...) go to InterleavedCpu.
            List<String> ab = new ArrayList<>(List.of("agentjar=" + agentJar()));
            if (quick) {
                ab.addAll(List.of("pairs=3", "blast=4", "settle=1", "window=1"));
            }
            a.stream().filter(s -> s.contains("=")).forEach(ab::add);
            dev.jtrace.bench.server.InterleavedCpu.main(ab.toArray(new String[0]));
        }
        if (a.contains("--overload") || all) {
            Overload.main(quick ? new String[] {"3"} : new String[0]);
        }
        if (a.contains("--park") || all) {
            park(quick ? 1 : 3);
        }
        if (a.contains("--park-e2e") || all) {
            ParkEndToEnd.main(new String[] {agentJar().toString()});
        }
        if (a.contains("--writer-cpu") || all) {
            WriterCpu.main(quick ? new String[] {"5"} : new String[0]);
        }
        if (a.contains("--bytes") || a.contains("--reader") || a.contains("--e2e") || a.contains("--cpu-e2e")
                || a.contains("--cpu-interleaved") || a.contains("--overload") || a.contains("--park") || a.contains("--park-e2e")
                || a.contains("--writer-cpu")) {
            if (!all && !a.contains("--jmh")) {
                return;
            }
        }
        Map<String, Score> one = run(quick, 1, ".*TracerBench\\.(baseline_(empty|nanoTime)|[a-z]+_(off|log|region|task|stack))$",
                NANOTIME_CLOCK);
        one.putAll(asTsc(run(quick, 1, ".*TracerBench\\.jtrace_(off|log|region|task|stack)$", TSC_CLOCK)));
        Map<String, Score> cross = run(quick, 1, ".*TracerBench\\.[a-z]+_cross$", NANOTIME_CLOCK);
        cross.putAll(asTsc(run(quick, 1, ".*TracerBench\\.jtrace_cross$", TSC_CLOCK)));
        Map<String, Score> two = run(quick, 2, ".*TracerBench\\.(baseline_nanoTime|[a-z]+_(log|region|task))$", NANOTIME_CLOCK);
        two.putAll(asTsc(run(quick, 2, ".*TracerBench\\.jtrace_(log|region|task)$", TSC_CLOCK)));
        print(one, cross, two, quick);
    }

    /**
     * {@link ParkBench}, quick iterations, in {@code rounds} rounds that each run every mode once (one fork
     * each), so that the load of a shared machine falls on all modes alike. A fork's result is its best
     * measurement iteration (other processes only ever add time); the table gives the median over the rounds
     * and the range, the pair's cost net of the plain pair of the same round, and its ratio to the round's
     * jtrace log event. The agent mode runs in its own fork with the agent jar; it is skipped, saying so, when
     * the jar is missing.
     */
    static void park(int rounds) throws Exception {
        Path lostFile = Files.createTempFile("bench-park-lost", ".txt");
        String lostArg = "-D" + ParkBench.LOST_PROPERTY + "=" + lostFile;
        String[] nanoClock = concat(NANOTIME_CLOCK, lostArg);
        String[] tscClock = concat(TSC_CLOCK, lostArg);
        Path jar = agentJar();
        String agentNote = "agent mode skipped: no agent jar at " + jar
                + " (bench/run builds it; or set -Djtrace.bench.agent)";
        if (!Files.isRegularFile(jar)) {
            System.err.println("bench: " + agentNote);
        }
        List<Map<String, Double>> byRound = new ArrayList<>();
        long agentSchedulerEvents = -1;
        for (int round = 0; round < rounds; round++) {
            Map<String, Double> m = best(".*ParkBench\\.(plain_park|jtrace_park|jtraceEventsFirst_park|jtrace_log"
                    + "|jfr20ms_park|jfr0_park|jfr0nostack_park)$", nanoClock);
            best(".*ParkBench\\.(jtrace_park|jtraceEventsFirst_park|jtrace_log)$", tscClock)
                    .forEach((k, v) -> m.put(k.replaceFirst("^jtrace", "tsc"), v));
            if (Files.isRegularFile(jar)) {
                Path dir = Files.createTempDirectory("bench-park-agent");
                Path trace = dir.resolve("agent.jtrace");
                List<String> args = new ArrayList<>(List.of(nanoClock));
                args.add("-javaagent:" + jar + "=file=" + trace);
                m.putAll(best(".*ParkBench\\.agent_park$", args.toArray(String[]::new)));
                TraceCounts counts = TraceCounts.of(trace);
                agentSchedulerEvents = counts.scheduler();
                agentNote = "agent trace of the last agent_park fork: " + counts.describe();
                Files.deleteIfExists(trace);
                // the agent where the application grants native access: the TSC clock, no seqlock fence
                List<String> tscArgs = new ArrayList<>(List.of(tscClock));
                tscArgs.add("-javaagent:" + jar + "=file=" + trace);
                best(".*ParkBench\\.agent_park$", tscArgs.toArray(String[]::new))
                        .forEach((k, v) -> m.put("agentTsc_park", v));
                Files.deleteIfExists(trace);
                Files.deleteIfExists(dir);
            }
            byRound.add(m);
            System.err.println("bench: park round " + (round + 1) + " of " + rounds + ": " + m);
        }
        List<String> lost = Files.readAllLines(lostFile);
        Files.deleteIfExists(lostFile);
        printPark(byRound, agentNote, lost, agentSchedulerEvents);
    }

    /** One fork per benchmark, quick iterations: each benchmark's best measurement iteration, in ns. */
    private static Map<String, Double> best(String include, String[] jvmArgs) throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder().include(include).forks(1).threads(1)
                .warmupIterations(2).warmupTime(TimeValue.milliseconds(500))
                .measurementIterations(3).measurementTime(TimeValue.milliseconds(500))
                .jvmArgsAppend(jvmArgs);
        Map<String, Double> m = new LinkedHashMap<>();
        for (RunResult r : new Runner(o.build()).run()) {
            String label = r.getParams().getBenchmark();
            label = label.substring(label.lastIndexOf('.') + 1);
            double min = Double.MAX_VALUE;
            for (var b : r.getBenchmarkResults()) {
                for (var it : b.getIterationResults()) {
                    min = Math.min(min, it.getPrimaryResult().getScore());
                }
            }
            m.put(label, min);
        }
        return m;
    }

    private static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }

    /** The value of {@code f} in each round where it is defined. */
    private static double[] perRound(List<Map<String, Double>> rounds,
            java.util.function.Function<Map<String, Double>, Double> f) {
        return rounds.stream().map(f).filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
    }

    private static Double net(Map<String, Double> m, String key) {
        Double v = m.get(key);
        Double plain = m.get("plain_park");
        return v == null || plain == null ? null : v - plain;
    }

    private static String spread(double[] v, String fmt) {
        if (v.length == 0) {
            return "n/a";
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        String med = String.format(fmt, ParkEndToEnd.median(s));
        return s.length == 1 ? med : med + " (" + String.format(fmt, s[0]) + " to " + String.format(fmt, s[s.length - 1]) + ")";
    }

    private static void printPark(List<Map<String, Double>> rounds, String agentNote, List<String> lost,
            long agentSchedulerEvents) {
        StringBuilder sb = new StringBuilder();
        sb.append("\npark/unpark pair (unpark(self), then park() returns at once): ns per operation, JMH average time,"
                + " best of 3 x 0.5 s iterations per fork; median over ").append(rounds.size())
                .append(" rounds (range); net = minus the plain pair of the same round\n\n");
        sb.append("| mode | ns per op | net of the plain pair | net / jtrace log event |\n");
        sb.append("| --- | --- | --- | --- |\n");
        String[][] rows = {
            {"plain pair, no tracer", "plain_park", "-"},
            {"jtrace recorder level: Unpark, unpark, ParkBegin, park, BlockEnd (nanoTime clock)", "jtrace_park", "jtrace_log"},
            {"jtrace recorder level, both events before unpark(self) (nanoTime clock)", "jtraceEventsFirst_park", "jtrace_log"},
            {"jtrace recorder level (TSC clock)", "tsc_park", "tsc_log"},
            {"jtrace recorder level, both events before unpark(self) (TSC clock)", "tscEventsFirst_park", "tsc_log"},
            {"jtrace agent (-javaagent, its default options; nanoTime clock)", "agent_park", "jtrace_log"},
            {"jtrace agent, with --enable-native-access=ALL-UNNAMED (TSC clock)", "agentTsc_park", "tsc_log"},
            {"JFR jdk.ThreadPark, threshold 20 ms (default.jfc), stack", "jfr20ms_park", "jtrace_log"},
            {"JFR jdk.ThreadPark, threshold 0, stack", "jfr0_park", "jtrace_log"},
            {"JFR jdk.ThreadPark, threshold 0, no stack", "jfr0nostack_park", "jtrace_log"},
            {"jtrace log event (nanoTime clock; no park)", "jtrace_log", "-"},
            {"jtrace log event (TSC clock; no park)", "tsc_log", "-"},
        };
        for (String[] r : rows) {
            boolean pair = r[1].endsWith("_park") && !r[1].equals("plain_park");
            sb.append("| ").append(r[0]).append(" | ").append(spread(perRound(rounds, m -> m.get(r[1])), "%.1f"))
                    .append(" | ").append(pair ? spread(perRound(rounds, m -> net(m, r[1])), "%.1f") : "-")
                    .append(" | ").append(pair ? spread(perRound(rounds, m -> ratio(m, r[1], r[2])), "%.2fx") : "-")
                    .append(" |\n");
        }
        sb.append('\n').append(agentNote).append('\n');
        sb.append(lost.isEmpty() ? "lost wake-ups: none (no pair's park blocked for 1 s in any fork)\n"
                : "LOST WAKE-UPS (a pair's park blocked until the watchdog unparked it: that iteration is not the cost"
                        + " of a pair):\n  " + String.join("\n  ", lost) + "\n");
        sb.append("\ngoal: a park/unpark pair recorded by jtrace costs at most 2x a jtrace log event (net of the plain"
                + " pair; median of the rounds' ratios)\n");
        for (String[] g : new String[][] {
            {"recorder level, nanoTime clock", "jtrace_park", "jtrace_log"},
            {"recorder level, events before unpark(self), nanoTime clock", "jtraceEventsFirst_park", "jtrace_log"},
            {"recorder level, TSC clock", "tsc_park", "tsc_log"},
            {"recorder level, events before unpark(self), TSC clock", "tscEventsFirst_park", "tsc_log"},
            {"agent", "agent_park", "jtrace_log"},
            {"agent, TSC clock", "agentTsc_park", "tsc_log"},
        }) {
            double[] v = perRound(rounds, m -> ratio(m, g[1], g[2]));
            if (g[1].startsWith("agent") && agentSchedulerEvents == 0) {
                sb.append("  ").append(g[0]).append(": n/a, it recorded no scheduler event (this agent has no scheduler hooks); its"
                        + String.format(" %.2fx is the cost of the rest of the agent", ParkEndToEnd.median(v)))
                        .append('\n');
                continue;
            }
            sb.append("  ").append(g[0]).append(": ").append(v.length == 0 ? "n/a"
                    : String.format("%.2fx: %s", ParkEndToEnd.median(v), ParkEndToEnd.median(v) <= 2 ? "met" : "not met"))
                    .append('\n');
        }
        System.out.println(sb);
    }

    private static Double ratio(Map<String, Double> m, String key, String unit) {
        Double n = net(m, key);
        Double u = m.get(unit);
        return n == null || u == null ? null : n / u;
    }

    /**
     * jtrace's default for an application started without flags: events stamped by System.nanoTime(), the
     * fenced seqlock (no native access). java.lang is opened, as the agent opens it, so that stack rows
     * measure stacks read from backtraces (docs/design.md, "Stacks"); JFR's and PerfMark's forks ignore it.
     */
    private static final String[] NANOTIME_CLOCK = {"-Xmx1g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Djtrace.clock=nanotime"};
    /** jtrace with native access enabled: the CPU's time-stamp counter and the membarrier seqlock (docs/design.md). */
    private static final String[] TSC_CLOCK = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Djtrace.clock=tsc"};

    /** jtrace_x (and jtraceX_y) results of a TSC-clock run, renamed tsc_x (tscX_y). */
    private static Map<String, Score> asTsc(Map<String, Score> m) {
        Map<String, Score> r = new LinkedHashMap<>();
        m.forEach((k, v) -> r.put(k.replaceFirst("^jtrace", "tsc"), v));
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
