package dev.jtrace.bench.server;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * CPU time per request of {@link BenchServer} (Jetty 12 in a child JVM) at a fixed offered load, with every
 * tracing mode side by side in one run. Throughput under a closed loop (ServerEndToEnd) mixes the tracer's
 * cost with the clients' share of the 2 cores; here the rate is held constant well below saturation, so the
 * tracer's cost shows up as the server process's CPU time (utime+stime from /proc) divided by the requests
 * it served, and as latency.
 *
 * <p>Each run starts a fresh server JVM in one {@link Mode}; the rounds take every mode once, the order
 * rotated from round to round so that a drift of the machine does not always land on the same mode. The
 * load is open-loop: request k is due at {@code t0 + k / rate}, whichever of the client's connections is
 * free takes it, and its latency counts from when it was due (a stalled server is charged for the queue it
 * builds up, not hidden by clients that wait). At the end of the measured interval the server's CPU time is
 * also split by thread (/proc/PID/task/TID/stat, grouped by thread name) so the cost has a name.
 *
 * <p>Each run warms up in two steps before it measures: {@code blast} seconds of closed-loop clients (as
 * fast as the server answers, so the JIT compiles the hot paths of every mode in a few seconds rather than
 * the tens it takes at 40% load on 2 shared cores), then {@code warmup} seconds at the fixed rate, so that
 * the measured interval starts in the fixed load's steady state. The default blast is 30 s: with 10 s the
 * agent's JIT was still compiling in the measured interval (12 us per request of compiler threads, against 0
 * for off), a warm-up cost that a long-running service pays once; the JIT's work since the JVM's start is
 * reported in its own column so that it is not lost either.
 *
 * <p>Arguments: {@code AGENT_JAR [rounds=N] [blast=S] [warmup=S] [seconds=S] [rate=R|auto] [modes=off,agent,...]
 * [agentopts=OPTS] [jvm=FLAGS] [keep=true]}. {@code rate=auto} (the default) first measures the saturation of
 * an untraced server with closed-loop clients and offers 40% of it. For a diagnosis: {@code agentopts} is
 * appended to the agent's options in the agent modes (e.g. {@code agentopts=blockstack=1ms}), {@code jvm}
 * adds space-separated flags to every server JVM (e.g. {@code jvm=-XX:+PrintCompilation}), and
 * {@code keep=true} keeps each run's directory (server log, recording) and prints where it is.
 */
public final class CpuPerRequest {
    /** Connections of the open-loop client: enough that a request seldom waits for a free one. */
    private static final int CONNECTIONS = 16;
    /** Connections of the closed-loop saturation run (as ServerEndToEnd's clients). */
    private static final int SATURATION_CONNECTIONS = 8;
    /** A request unanswered this long counts as failed (Jetty's idle timeout would close the connection at 30 s). */
    static final int STALL_MS = 10_000;
    /** Offered load as a share of the measured saturation. */
    private static final double LOAD_SHARE = 0.4;
    static final long CLK_TCK = clockTicks();

    /** The diagnosis options of the command line; see the class comment. */
    private static String agentOpts = "";
    private static int blast;
    private static List<String> jvmFlags = List.of();
    private static boolean keep;

    private CpuPerRequest() {}

    /** How the server JVM runs. */
    enum Mode {
        OFF("off", "off"),
        RECORDER("recorder", "recorder only (the server's tasks, regions, logs)"),
        AGENT("agent", "agent (all families, hooks on)"),
        /** The hooks without the stack walk of a BlockEnd: separates the cost of the walks from the events'. */
        AGENT_FEW_STACKS("agent-fewstacks", "agent, blockstack=1s (hooks on, almost no block stacks)"),
        AGENT_NO_HOOKS("agent-nohooks", "agent, hooks=false (JFR only)"),
        /**
         * The agent recording the runtime alone, the server's own 11 events per request left out: like for like
         * with JFR, which records none of them. {@code agent} minus this is what those events cost.
         */
        AGENT_NO_APP("agent-noapp", "agent, without the server's 11 events (the runtime only, as JFR records)"),
        JFR_DEFAULT("jfr-default", "JFR settings=default"),
        JFR_PROFILE("jfr-profile", "JFR settings=profile"),
        /** A team that keeps JFR on and adds jtrace: what the two cost together (recorded bytes: jtrace's file). */
        AGENT_WITH_JFR("agent+jfr", "agent and JFR settings=default together");

        final String key;
        final String label;

        Mode(String key, String label) {
            this.key = key;
            this.label = label;
        }

        static Mode of(String key) {
            for (Mode m : values()) {
                if (m.key.equals(key)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode " + key + "; modes: "
                    + Arrays.stream(values()).map(m -> m.key).toList());
        }
    }

    /** What one run measured. */
    record Run(long requests, long served, long errors, double seconds, long cpuTicks, Map<String, Long> groupTicks,
            Histogram latency, long recordingBytes, Map<String, Long> otherThreads, long clientTicks, long jitTicksSinceStart) {
        double cpuMicrosPerRequest() {
            return ticksToMicros(cpuTicks) / requests;
        }

        /** Without the JIT compiler threads: their share is mostly warm-up left over, and varies most from run to run. */
        double cpuMicrosPerRequestWithoutJit() {
            return cpuMicrosPerRequest() - groupMicrosPerRequest("JIT compilers");
        }

        double groupMicrosPerRequest(String group) {
            return ticksToMicros(groupTicks.getOrDefault(group, 0L)) / requests;
        }
    }

    public static void main(String[] args) throws Exception {
        Path agent = Path.of(args[0]);
        if (!Files.isRegularFile(agent)) {
            throw new IllegalArgumentException("no agent jar at " + agent + " (bench/run builds it)");
        }
        Map<String, String> opts = keyValues(Arrays.asList(args).subList(1, args.length));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "5"));
        blast = Integer.parseInt(opts.getOrDefault("blast", "30"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "4"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "8"));
        List<Mode> modes = opts.containsKey("modes")
                ? Arrays.stream(opts.get("modes").split(",")).map(Mode::of).toList()
                : List.of(Mode.values());
        if (!modes.contains(Mode.OFF)) {
            throw new IllegalArgumentException("modes must include off: the differences are taken against it");
        }
        agentOpts = opts.containsKey("agentopts") ? "," + opts.get("agentopts") : "";
        jvmFlags = opts.containsKey("jvm") ? List.of(opts.get("jvm").trim().split("\\s+")) : List.of();
        keep = Boolean.parseBoolean(opts.getOrDefault("keep", "false"));
        String rateOpt = opts.getOrDefault("rate", "auto");
        double saturation = Double.NaN;
        double saturationCpu = Double.NaN;
        int rate;
        if (rateOpt.equals("auto")) {
            Run sat = run(agent, Mode.OFF, 0, warmup, seconds);
            saturation = sat.requests / sat.seconds;
            saturationCpu = sat.cpuMicrosPerRequest();
            rate = (int) Math.max(100, Math.round(saturation * LOAD_SHARE / 100) * 100);
            System.err.printf("saturation (closed loop, %d connections, server off): %,.0f req/s at %.1f us CPU"
                    + " per request; offering %,d req/s%n", SATURATION_CONNECTIONS, saturation, saturationCpu, rate);
        } else {
            rate = Integer.parseInt(rateOpt);
            run(agent, Mode.OFF, rate, warmup, Math.min(seconds, 5)); // warms the machine and page cache, not counted
        }
        Map<Mode, List<Run>> runs = new EnumMap<>(Mode.class);
        for (Mode m : modes) {
            runs.put(m, new ArrayList<>());
        }
        int complete = 0;
        try {
            for (int i = 0; i < rounds; i++) {
                for (int j = 0; j < modes.size(); j++) {
                    Mode m = modes.get((i + j) % modes.size());
                    Run r = runOrRetry(agent, m, rate, warmup, seconds, i + 1);
                    runs.get(m).add(r);
                    System.err.printf("round %d: %s %.1f us/req (JIT %.1f), %,.0f req/s, p99 %.2f ms%s%n", i + 1, m.key,
                            r.cpuMicrosPerRequest(), r.groupMicrosPerRequest("JIT compilers"), r.requests / r.seconds,
                            r.latency.getValueAtPercentile(99) / 1e6, r.errors > 0 ? ", " + r.errors + " errors" : "");
                }
                complete++;
            }
        } catch (Exception e) {
            // The rounds already run are an hour of measurement: they are reported before the failure is.
            if (complete > 0) {
                System.err.printf("round %d failed twice (%s); the table below covers the %d complete rounds%n",
                        complete + 1, e, complete);
                System.out.println(report(completeRounds(runs, complete), modes, rate, complete, warmup, seconds,
                        saturation, saturationCpu));
            }
            throw e;
        }
        System.out.println(report(runs, modes, rate, rounds, warmup, seconds, saturation, saturationCpu));
    }

    /**
     * The goal "the agent adds no more CPU per request than JFR default", judged as the off deltas are: each
     * round's jtrace mode minus the same round's JFR default run, median and 95% bootstrap interval. Empty
     * without a JFR default run. Two intervals against off that overlap do not say which is larger; this does.
     */
    static String againstJfrDefault(Map<Mode, List<Run>> runs, List<Mode> modes) {
        if (!modes.contains(Mode.JFR_DEFAULT)) {
            return "";
        }
        List<Run> jfr = runs.get(Mode.JFR_DEFAULT);
        StringBuilder sb = new StringBuilder("\nagainst JFR settings=default: each round's run minus the same round's"
                + " JFR default run, us per request\n\n| mode | minus JFR default (median, 95% bootstrap CI) |"
                + " without JIT threads (median, 95% CI) | rounds above JFR default |\n| --- | --- | --- | --- |\n");
        for (Mode m : modes) {
            if (m == Mode.OFF || m == Mode.JFR_DEFAULT || m == Mode.JFR_PROFILE) {
                continue;
            }
            double[] d = perRound(runs.get(m), jfr, Run::cpuMicrosPerRequest);
            long above = Arrays.stream(d).filter(x -> x > 0).count();
            sb.append(String.format("| %s | %s | %s | %d of %d |%n", m.label, medianWithCi(d, 1),
                    medianWithCi(perRound(runs.get(m), jfr, Run::cpuMicrosPerRequestWithoutJit), 1), above, d.length));
        }
        return sb.toString();
    }

    /** Each round's {@code metric} of {@code runs} minus the same round's of {@code base} (the rounds both ran). */
    static double[] perRound(List<Run> runs, List<Run> base, ToDoubleFunction<Run> metric) {
        double[] d = new double[Math.min(runs.size(), base.size())];
        for (int i = 0; i < d.length; i++) {
            d[i] = metric.applyAsDouble(runs.get(i)) - metric.applyAsDouble(base.get(i));
        }
        return d;
    }

    /** "median [low, high]", signed, with the 95% bootstrap interval of the median, to {@code decimals} places. */
    static String medianWithCi(double[] xs, int decimals) {
        double[] ci = bootstrapMedianCi(xs);
        String f = "%+." + decimals + "f";
        return String.format(f + " [" + f + ", " + f + "]", median(xs), ci[0], ci[1]);
    }

    /**
     * One run, and once more in a fresh JVM if it fails: a single failure (a server that did not start, a
     * connection lost) costs one run, not the rounds measured before it.
     */
    private static Run runOrRetry(Path agent, Mode mode, int rate, int warmup, int seconds, int round) throws Exception {
        try {
            return run(agent, mode, rate, warmup, seconds);
        } catch (Exception first) {
            System.err.printf("round %d: %s failed (%s); running it again%n", round, mode.key, first);
            return run(agent, mode, rate, warmup, seconds);
        }
    }

    /** The runs of the first {@code rounds} rounds only: a round cut short has no off run to compare with. */
    static Map<Mode, List<Run>> completeRounds(Map<Mode, List<Run>> runs, int rounds) {
        Map<Mode, List<Run>> out = new EnumMap<>(Mode.class);
        runs.forEach((m, rs) -> out.put(m, new ArrayList<>(rs.subList(0, Math.min(rounds, rs.size())))));
        return out;
    }

    /** The benchmark's {@code KEY=VALUE} arguments (also {@link InterleavedCpu}'s). */
    static Map<String, String> keyValues(List<String> args) {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return opts;
    }

    // ---------------------------------------------------------------- report

    private static final List<String> GROUPS = List.of("Jetty (application)", "jtrace-writer", "jtrace-jfr-bridge",
            "jtrace (other)", "JFR threads", "GC threads", "VM Thread", "JIT compilers", "other", "exited threads");

    /**
     * The group of a thread, by the name Linux keeps for it (the Java name cut to 15 bytes); also
     * ParkEndToEnd's breakdown.
     */
    public static String group(String comm) {
        if (comm.startsWith("jetty")) {
            return "Jetty (application)";
        } else if (comm.equals("jtrace-writer")) {
            return "jtrace-writer";
        } else if (comm.startsWith("jtrace-jfr-brid")) {
            return "jtrace-jfr-bridge";
        } else if (comm.startsWith("jtrace")) {
            return "jtrace (other)";
        } else if (comm.startsWith("JFR")) {
            return "JFR threads";
        } else if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "GC threads";
        } else if (comm.equals("VM Thread")) {
            return "VM Thread";
        } else if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "JIT compilers";
        }
        return "other";
    }

    static String report(Map<Mode, List<Run>> runs, List<Mode> modes, int rate, int rounds, int warmup,
            int seconds, double saturation, double saturationCpu) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%nCPU per request at a fixed load: Jetty 12 (BenchServer), open-loop client with %d"
                + " connections at %,d req/s on loopback; per run (a fresh server JVM) %d s closed-loop + %d s fixed-rate"
                + " warm-up, then %d s measured; %d rounds of %d modes%n", CONNECTIONS, rate, blast, warmup, seconds,
                rounds, modes.size()));
        if (!Double.isNaN(saturation)) {
            sb.append(String.format("saturation of the untraced server (closed loop, %d connections): %,.0f req/s,"
                    + " %.1f us CPU per request; offered load = %.0f%% of it%n", SATURATION_CONNECTIONS, saturation,
                    saturationCpu, 100.0 * rate / saturation));
        }
        double client = median(runs.values().stream().flatMap(List::stream)
                .mapToDouble(r -> ticksToMicros(r.clientTicks) / r.requests).toArray());
        sb.append(String.format("the client (this JVM) used %.1f us CPU per request (median of all runs)%n", client));
        sb.append(String.format("CPU = utime+stime of the server process over the measured interval (/proc, %d ticks/s);"
                + " delta = per-round difference against the off run of the same round%n%n", CLK_TCK));
        sb.append("| mode | CPU us/request (median) | delta vs off (median, 95% bootstrap CI) | delta % |"
                + " delta (mean, 95% t) | delta without JIT threads (median, 95% CI) | p50 latency | p99 latency |"
                + " p99 delta vs off, ms (median of the rounds' differences, 95% CI) | served req/s | recording bytes/request (whole run) | JIT CPU s since the JVM's start (median) |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        List<Run> off = runs.get(Mode.OFF);
        double offMedian = median(off.stream().mapToDouble(Run::cpuMicrosPerRequest).toArray());
        for (Mode m : modes) {
            List<Run> rs = runs.get(m);
            double[] cpu = rs.stream().mapToDouble(Run::cpuMicrosPerRequest).toArray();
            Histogram lat = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            rs.forEach(r -> lat.add(r.latency));
            double served = rs.stream().mapToDouble(r -> r.requests / r.seconds).average().orElse(0);
            // The recording holds the whole run, warm-up included.
            long req = rs.stream().mapToLong(Run::served).sum();
            long bytes = rs.stream().mapToLong(Run::recordingBytes).sum();
            String delta = "-";
            String pct = "-";
            String mean = "-";
            String noJit = "-";
            String p99 = "-";
            if (m != Mode.OFF) {
                // each round's p99 against the same round's off run, as for the CPU: the p99 merged over
                // all rounds has no interval, so "unchanged within the interval" could not be judged
                p99 = medianWithCi(perRound(rs, off, r -> r.latency.getValueAtPercentile(99) / 1e6), 2);
                noJit = medianWithCi(perRound(rs, off, Run::cpuMicrosPerRequestWithoutJit), 1);
                double[] d = perRound(rs, off, Run::cpuMicrosPerRequest);
                delta = medianWithCi(d, 1);
                pct = String.format("%+.1f%%", 100 * median(d) / offMedian);
                mean = String.format("%+.1f ± %.1f", mean(d), tHalfWidth(d));
            }
            double jit = median(rs.stream().mapToDouble(r -> (double) r.jitTicksSinceStart / CLK_TCK).toArray());
            sb.append(String.format("| %s | %.1f | %s | %s | %s | %s | %.2f ms | %.2f ms | %s | %,.0f | %s | %.1f |%n",
                    m.label, median(cpu), delta, pct, mean, noJit, lat.getValueAtPercentile(50) / 1e6,
                    lat.getValueAtPercentile(99) / 1e6, p99, served, bytes == 0 ? "-" : String.format("%.0f",
                            (double) bytes / req), jit));
        }
        sb.append(againstJfrDefault(runs, modes));
        sb.append("\nserver CPU by thread, us per request (median of the rounds; \"exited threads\" is the process's"
                + " CPU not found in a live thread at the end)\n\n| threads |");
        modes.forEach(m -> sb.append(' ').append(m.key).append(" |"));
        sb.append("\n| --- |");
        modes.forEach(m -> sb.append(" --- |"));
        sb.append('\n');
        for (String g : GROUPS) {
            double[] row = modes.stream().mapToDouble(m -> median(runs.get(m).stream()
                    .mapToDouble(r -> r.groupMicrosPerRequest(g)).toArray())).toArray();
            if (Arrays.stream(row).allMatch(x -> Math.abs(x) < 0.05)) {
                continue;
            }
            sb.append("| ").append(g).append(" |");
            for (double x : row) {
                sb.append(String.format(" %.1f |", x));
            }
            sb.append('\n');
        }
        sb.append("| total |");
        modes.forEach(m -> sb.append(String.format(" %.1f |", median(runs.get(m).stream()
                .mapToDouble(Run::cpuMicrosPerRequest).toArray()))));
        sb.append('\n');
        // The busiest threads of the "other" group, so that a cost there can be named too.
        Map<String, Long> other = new HashMap<>();
        runs.values().forEach(rs -> rs.forEach(r -> r.otherThreads.forEach((k, v) -> other.merge(k, v, Long::sum))));
        List<String> top = other.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5).filter(e -> e.getValue() > 0).map(e -> e.getKey() + " " + e.getValue() + " ticks").toList();
        if (!top.isEmpty()) {
            sb.append("\n\"other\" threads, busiest over all runs: ").append(String.join(", ", top)).append('\n');
        }
        return sb.toString();
    }

    static double median(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }

    /** Percentile bootstrap of the median over the rounds (10,000 resamples, fixed seed: the same data give the same interval). */
    static double[] bootstrapMedianCi(double[] xs) {
        SplittableRandom random = new SplittableRandom(42);
        int b = 10_000;
        double[] medians = new double[b];
        double[] sample = new double[xs.length];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < xs.length; j++) {
                sample[j] = xs[random.nextInt(xs.length)];
            }
            medians[i] = median(sample);
        }
        Arrays.sort(medians);
        return new double[] {medians[(int) (0.025 * b)], medians[(int) (0.975 * b) - 1]};
    }

    /** Half-width of the 95% Student t interval of the mean. */
    static double tHalfWidth(double[] xs) {
        int n = xs.length;
        if (n < 2) {
            return Double.NaN;
        }
        double m = mean(xs);
        double var = Arrays.stream(xs).map(x -> (x - m) * (x - m)).sum() / (n - 1);
        return T975[Math.min(n - 1, T975.length - 1)] * Math.sqrt(var / n);
    }

    /** Two-sided 95% quantiles of Student's t by degrees of freedom (index), 1.96 beyond 30. */
    private static final double[] T975 = {Double.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
        2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
        2.056, 2.052, 2.048, 2.045, 2.042, 1.960};

    // ---------------------------------------------------------------- one run

    /** One fresh server in {@code mode} under {@code rate} requests/s (0: closed loop, as fast as it answers). */
    private static Run run(Path agent, Mode mode, int rate, int warmup, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("cpu-e2e");
        Run r = null;
        try {
            r = runIn(dir, agent, mode, rate, warmup, seconds);
            return r;
        } catch (Exception e) {
            Path log = dir.resolve("server.log");
            if (Files.isRegularFile(log)) {
                List<String> lines = Files.readAllLines(log);
                System.err.println("  " + mode.key + ": the server's log ends with:");
                lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> System.err.println("    " + l));
            }
            throw e;
        } finally {
            if (keep) {
                System.err.println("  " + mode.key + ": kept " + dir + (r == null ? "" : " (" + r.served
                        + " requests served in the whole run)"));
            } else {
                deleteTree(dir);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Run runIn(Path dir, Path agent, Mode mode, int rate, int warmup, int seconds) throws Exception {
        Path portFile = dir.resolve("port");
        Path recording = dir.resolve(mode.key.startsWith("jfr") ? "server.jfr" : "server.jtrace");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A fixed heap: the GC's sizing decisions should not differ from run to run.
        cmd.add("-Xms512m");
        cmd.add("-Xmx512m");
        switch (mode) {
            case OFF -> { }
            case RECORDER -> cmd.add("-Dbench.trace=" + recording);
            case AGENT -> cmd.add("-javaagent:" + agent + "=file=" + recording + agentOpts);
            case AGENT_NO_HOOKS -> cmd.add("-javaagent:" + agent + "=file=" + recording + ",hooks=false" + agentOpts);
            case AGENT_NO_APP -> {
                cmd.add("-javaagent:" + agent + "=file=" + recording + agentOpts);
                cmd.add("-Dbench.appevents=false");
            }
            case AGENT_FEW_STACKS -> cmd.add("-javaagent:" + agent + "=file=" + recording + ",blockstack=1s" + agentOpts);
            case JFR_DEFAULT -> cmd.add("-XX:StartFlightRecording:settings=default,filename=" + recording);
            case JFR_PROFILE -> cmd.add("-XX:StartFlightRecording:settings=profile,filename=" + recording);
            case AGENT_WITH_JFR -> {
                cmd.add("-javaagent:" + agent + "=file=" + recording + agentOpts);
                cmd.add("-XX:StartFlightRecording:settings=default,filename=" + dir.resolve("server.jfr"));
            }
            default -> throw new AssertionError(mode);
        }
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                portFile.toString()));
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = BenchServer.awaitPort(server, portFile, log);
            long served = 0;
            if (blast > 0 && rate > 0) {
                served += load(server.pid(), port, 0, 0, blast, dir).served;
            }
            Run r = load(server.pid(), port, rate, warmup, seconds, dir);
            stopServer(server, port);
            long bytes = Files.exists(recording) ? Files.size(recording) : 0;
            return new Run(r.requests, served + r.served, r.errors, r.seconds, r.cpuTicks, r.groupTicks, r.latency, bytes,
                    r.otherThreads, r.clientTicks, r.jitTicksSinceStart);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Asks the server at {@code port} to stop and waits for its process to end. A connection that closes
     * before the reply is a server on its way out, not an error; a process still alive after 60 s is.
     */
    static void stopServer(Process server, int port) throws IOException, InterruptedException {
        try (Connection c = new Connection(port)) {
            c.get("/stop");
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("closed")) {
                throw e;
            }
        }
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not stop within 60 s of /stop");
        }
    }

    /** Drives the server at {@code port}; CPU of process {@code pid} is read when the measured interval starts and ends. */
    private static Run load(long pid, int port, int rate, int warmup, int seconds, Path dir) throws Exception {
        boolean closed = rate == 0;
        int connections = closed ? SATURATION_CONNECTIONS : CONNECTIONS;
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long measureFrom = t0 + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        double interval = closed ? 0 : 1e9 / rate;
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean dumped = new AtomicBoolean();
        // A request unanswered for STALL_MS: the server's threads are printed once, so a hang can be diagnosed.
        Runnable onStall = () -> {
            if (dumped.compareAndSet(false, true)) {
                Path out = dir.resolve("threads-at-stall.txt");
                try {
                    new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                            Long.toString(pid), "Thread.print").redirectErrorStream(true).redirectOutput(out.toFile())
                            .start().waitFor(30, TimeUnit.SECONDS);
                    System.err.println("  a request waited " + STALL_MS + " ms: the server's threads are in " + out
                            + (keep ? "" : " (add keep=true to keep it)"));
                } catch (IOException | InterruptedException e) {
                    System.err.println("  a request waited " + STALL_MS + " ms; jcmd failed: " + e);
                }
            }
        };
        List<Client> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Client client = new Client(port, c, t0, interval, measureFrom, end, next, errors, onStall);
            clients.add(client);
            client.thread.start();
        }
        sleepUntil(measureFrom);
        long self0 = processTicks(ProcessHandle.current().pid());
        long cpu0 = processTicks(pid);
        Map<Integer, ThreadTicks> threads0 = threadTicks(pid);
        sleepUntil(end);
        long self1 = processTicks(ProcessHandle.current().pid());
        long cpu1 = processTicks(pid);
        Map<Integer, ThreadTicks> threads1 = threadTicks(pid);
        double measured = (end - measureFrom) / 1e9;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long requests = 0;
        long served = 0;
        for (Client c : clients) {
            c.thread.join();
            latency.add(c.latency);
            requests += c.measured;
            served += c.served;
        }
        Map<String, Long> groups = new LinkedHashMap<>();
        Map<String, Long> other = new HashMap<>();
        long live = 0;
        for (Map.Entry<Integer, ThreadTicks> e : threads1.entrySet()) {
            ThreadTicks before = threads0.get(e.getKey());
            long d = e.getValue().ticks - (before == null ? 0 : before.ticks);
            live += d;
            String g = group(e.getValue().comm);
            groups.merge(g, d, Long::sum);
            if (g.equals("other")) {
                other.merge(e.getValue().comm, d, Long::sum);
            }
        }
        groups.put("exited threads", (cpu1 - cpu0) - live);
        // The compiler threads live as long as the JVM: their total is the JIT's work since the start.
        long jitSinceStart = threads1.values().stream().filter(t -> group(t.comm).equals("JIT compilers"))
                .mapToLong(ThreadTicks::ticks).sum();
        if (errors.get() > 0) {
            System.err.println("  " + errors.get() + " failed requests");
        }
        return new Run(requests, served, errors.get(), measured, cpu1 - cpu0, groups, latency, 0, other, self1 - self0,
                jitSinceStart);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long w; (w = nanoTime - System.nanoTime()) > 0; ) {
            Thread.sleep(w / 1_000_000, (int) (w % 1_000_000));
        }
    }

    /**
     * One connection of the client, on its own thread. Open loop: it takes the next due request, waits for
     * its due time, sends it and reads the answer. Closed loop ({@code interval} 0): it sends the next as
     * soon as the last one is answered.
     */
    private static final class Client {
        final Thread thread;
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long measured;
        long served;

        Client(int port, int id, long t0, double interval, long measureFrom, long end, AtomicLong next,
                AtomicLong errors, Runnable onStall) {
            thread = Thread.ofPlatform().name("client-" + id).unstarted(() -> {
                Connection conn = null;
                long n = 0;
                try {
                    while (true) {
                        long due;
                        if (interval > 0) {
                            due = t0 + (long) (next.getAndIncrement() * interval);
                            if (due >= end) {
                                break;
                            }
                            for (long w; (w = due - System.nanoTime()) > 0; ) {
                                LockSupport.parkNanos(w);
                            }
                        } else {
                            due = System.nanoTime();
                            if (due >= end) {
                                break;
                            }
                        }
                        try {
                            if (conn == null) {
                                conn = new Connection(port);
                            }
                            int status = conn.get("/work?user=" + id + "&n=" + n++);
                            long done = System.nanoTime();
                            if (status != 200) {
                                errors.incrementAndGet();
                                continue;
                            }
                            served++;
                            if (interval > 0 ? due >= measureFrom : done >= measureFrom && done < end) {
                                measured++;
                                latency.recordValue(Math.min(done - due, latency.getHighestTrackableValue()));
                            }
                        } catch (IOException e) {
                            if (e instanceof SocketTimeoutException) {
                                onStall.run();
                            }
                            if (errors.incrementAndGet() > 1000) {
                                throw new IllegalStateException("the server keeps failing", e);
                            }
                            conn = closeQuietly(conn);
                        }
                    }
                } finally {
                    closeQuietly(conn);
                }
            });
        }

    }

    /** Closes {@code c} if there is one, ignoring a failure (the connection is dropped either way); returns null. */
    static Connection closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the connection is dropped either way
            }
        }
        return null;
    }

    /**
     * A keep-alive HTTP/1.1 connection over a plain socket, one request at a time: the client's own work per
     * request is a write and a blocking read, with no pool or asynchronous machinery to share the cores with
     * the server (the report gives the client's CPU per request next to the server's).
     */
    static final class Connection implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final StringBuilder line = new StringBuilder();

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(STALL_MS);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }

        /** Sends one GET and reads the whole response (Content-Length or chunked); returns the status. */
        int get(String target) throws IOException {
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = readLine();
            if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
                throw new IOException("not an HTTP/1.1 response: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String h; !(h = readLine()).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.equalsIgnoreCase("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    close = value.equalsIgnoreCase("close");
                }
            }
            if (chunked) {
                for (long size; (size = Long.parseLong(readLine().split(";", 2)[0].trim(), 16)) > 0; ) {
                    skip(size);
                    readLine();
                }
                while (!readLine().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                skip(length);
            } else if (!close) {
                throw new IOException("a keep-alive response without a length");
            }
            if (close) {
                throw new IOException("the server closed the connection");
            }
            return code;
        }

        private String readLine() throws IOException {
            line.setLength(0);
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long s = in.skip(n);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed");
                    }
                    s = 1;
                }
                n -= s;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ---------------------------------------------------------------- /proc

    private record ThreadTicks(String comm, long ticks) {}

    /** utime+stime of a process (its live and exited threads) or of one thread, from a /proc stat file. */
    static long statTicks(String stat) {
        // The name (field 2) may hold spaces and parentheses: fields are counted from the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long processTicks(long pid) throws IOException {
        return statTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    private static Map<Integer, ThreadTicks> threadTicks(long pid) throws IOException {
        Map<Integer, ThreadTicks> m = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    m.put(Integer.parseInt(t.getFileName().toString()), new ThreadTicks(comm, statTicks(stat)));
                } catch (NoSuchFileException gone) {
                    // the thread ended between the listing and the read: its time counts as "exited threads"
                }
            }
        }
        return m;
    }

    private static double ticksToMicros(long ticks) {
        return ticks * 1e6 / CLK_TCK;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100; // USER_HZ on every Linux architecture the JDK supports
        }
    }
}
