package dev.jtrace.bench.server;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * CPU per request of one server JVM whose tracer is turned on and off in alternating windows, under one
 * constant open-loop load. {@link CpuPerRequest} compares fresh JVMs, and there the run-to-run spread of one
 * mode (JIT decisions, code layout, where the GC puts things: 73 to 91 us per request for {@code off} alone)
 * is larger than the cost to be measured. Inside one JVM two adjacent windows share all of that, so their
 * difference is the tracer's marginal cost: its events, its writer, its extra GC work.
 *
 * <p>Each pair is an "on" and an "off" window in random order (fixed seed). A window starts with the toggle
 * ({@code /toggle/on|off} of {@link BenchServer}), waits {@code settle} seconds (the tracer's start or stop,
 * the recompilation of code that inlined the "is tracing on" check), then measures {@code window} seconds.
 * CPU is the sum over the server's threads of {@code /proc/PID/task/TID/schedstat}'s run time (nanoseconds,
 * not 10 ms ticks), without the JIT compiler threads: their work after a toggle is the cost of turning the
 * tracer on and off, which a service that leaves it on does not pay. The JIT's share is reported beside it.
 * Requests are those due in the window (request k is due at {@code t0 + k / rate}); the served count checks
 * that the server kept up.
 *
 * <p>Each window also counts how many times the Jetty threads were scheduled onto a CPU (schedstat's third
 * field): a window's CPU moves with how often those threads park and wake, which varies between windows of
 * the same state. The row's last column fits every window's CPU as {@code a + b * runs + c * on} and gives
 * {@code c}, the tracer's cost at an equal number of runs, beside the plain median difference, which also
 * counts any wake-ups the tracer adds or removes (see {@link #atEqualRuns}).
 *
 * <p>{@code toggle=none} turns nothing on: the A/A control, whose interval is the method's resolution.
 * {@code toggle=agent} attaches the agent (default options) to the server and stops it, as {@code jtrace
 * attach} does; its first attach retransforms the JDK's classes (the JIT then recompiles much of the
 * server), so give it a longer {@code settle} (docs/agent.md, "What an attach costs a warm JVM").
 *
 * <p>{@code toggle=agent/jfr-default} (or {@code agent/jfr-profile}) compares two
 * tracers in one JVM: its "on" windows have the agent attached and the other tracer stopped, its "off" windows
 * the other tracer running (the server's {@code /toggle}) and the agent stopped. The difference is then the
 * agent's cost minus the other's, paired window by window, which is how the goal "the agent costs no more than
 * JFR default" is judged without the spread between JVMs. Both windows run with the agent's JDK hooks
 * installed (a stop keeps them, disabled), so each side pays the disabled hooks' check.
 *
 * <p>Arguments: {@code [toggle=recorder|jfr-default|jfr-profile|agent|agent/jfr-default|agent/jfr-profile|none,...] [pairs=N] [settle=S]
 * [window=S] [blast=S] [rate=R] [jvms=N] [agentjar=PATH] [agentopts=K=V,...] [appevents=false] [pin=S/C]}.
 * {@code jvms=N} runs {@code pairs} pairs in each of N fresh server JVMs, one after another, and adds a table
 * "across JVMs" ({@link #acrossJvms}): pairs inside one JVM share its JIT decisions and code layout, and two
 * JVMs of the same build have given deltas 2 us apart, so an interval from one JVM's pairs says nothing of the
 * next JVM. {@code agentopts}
 * is appended to the options of every attach; {@code appevents=false} runs the server without its own 11
 * events per request (the runtime alone, as JFR records it); {@code pin=1/0} runs the server on CPU 1 and
 * this JVM, the client, on CPU 0 ({@link #pinning}).
 */
public final class InterleavedCpu {
    private static final int CONNECTIONS = 16;

    private InterleavedCpu() {}

    /**
     * One measured window: CPU by thread group (ns), requests due, requests served, latencies. Whether the
     * tracer was on is its place in the pair (element 1).
     */
    record Window(Map<String, Long> groupNanos, Map<String, Long> groupRuns, long due, long served, Histogram latency) {
        /**
         * Times the threads of {@code group} were scheduled onto a CPU, per request: each is a wake-up or a
         * preemption, and each costs a context switch on top of the work (see {@link #atEqualRuns}).
         */
        double groupRunsPerRequest(String group) {
            return (double) groupRuns.getOrDefault(group, 0L) / due;
        }


        double microsPerRequest(boolean withJit) {
            long ns = 0;
            for (Map.Entry<String, Long> e : groupNanos.entrySet()) {
                if (withJit || !e.getKey().equals("JIT compilers")) {
                    ns += e.getValue();
                }
            }
            return ns / 1e3 / due;
        }

        double groupMicrosPerRequest(String group) {
            return groupNanos.getOrDefault(group, 0L) / 1e3 / due;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = CpuPerRequest.keyValues(List.of(args));
        List<String> toggles = List.of(opts.getOrDefault("toggle", "none,recorder,jfr-default").split(","));
        int pairs = Integer.parseInt(opts.getOrDefault("pairs", "30"));
        int jvms = Integer.parseInt(opts.getOrDefault("jvms", "1"));
        if (jvms < 1 || pairs < 1) {
            throw new IllegalArgumentException("jvms=" + jvms + " pairs=" + pairs + ": both must be at least 1");
        }
        double settle = Double.parseDouble(opts.getOrDefault("settle", "2"));
        double window = Double.parseDouble(opts.getOrDefault("window", "3"));
        int blast = Integer.parseInt(opts.getOrDefault("blast", "20"));
        int rate = Integer.parseInt(opts.getOrDefault("rate", "7800"));
        Path agentJar = Path.of(opts.getOrDefault("agentjar", "agent/target/jtrace-agent.jar")).toAbsolutePath();
        String agentOpts = opts.containsKey("agentopts") ? "," + opts.get("agentopts") : "";
        boolean appEvents = !"false".equals(opts.get("appevents"));
        String[] pin = pinning(opts.get("pin"));
        if (pin != null) {
            // this JVM (the client) and every thread it has or makes; the server is started under taskset
            runTaskset("-a", "-p", "-c", pin[1], Long.toString(ProcessHandle.current().pid()));
        }
        for (String t : toggles) {
            if (t.startsWith("agent/") && !serverToggle(t).startsWith("jfr-")) {
                throw new IllegalArgumentException("toggle=" + t + ": the agent is compared with jfr-default or"
                        + " jfr-profile (the recorder is the agent's own: the two cannot run apart in one JVM)");
            }
        }
        if (toggles.stream().anyMatch(InterleavedCpu::attachesAgent) && !Files.isRegularFile(agentJar)) {
            throw new IllegalArgumentException("toggle=agent: no agent jar at " + agentJar + " (bench/run builds it)");
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nCPU per request, tracer on against off in one JVM: Jetty 12 (BenchServer), open-loop"
                + " client with %d connections at %,d req/s; %d s closed-loop warm-up (tracer on half of it), then %d"
                + " pairs of windows in random order, each %.1f s settle after the toggle + %.1f s measured%s%n"
                + "CPU = run time of the server's threads (/proc/PID/task/*/schedstat, ns), JIT compiler threads"
                + " apart; delta = on - off of the same pair%s%s%s%n%n", CONNECTIONS, rate, blast, pairs, settle, window,
                jvms == 1 ? "" : ", in each of " + jvms + " fresh server JVMs (the row pools their pairs)",
                pin == null ? "" : "; server on CPU " + pin[0] + ", client on CPU " + pin[1] + " (taskset)",
                agentOpts.isEmpty() ? "" : "; agent options" + agentOpts.substring(1),
                appEvents ? "" : "; the server's own events off (-Dbench.appevents=false)"));
        out.append("| tracer toggled | off: CPU us/request (median) | on - off (median, 95% bootstrap CI) | % |"
                + " on - off (mean, 95% t) | JIT us/request off / on (median) | p50 off / on | p99 off / on |"
                + " served / due | Jetty thread runs per request off / on (median) | on - off at equal Jetty runs"
                + " (least squares, 95% bootstrap CI) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        StringBuilder groups = new StringBuilder();
        StringBuilder across = new StringBuilder();
        for (String t : toggles) {
            List<List<Window[]>> byJvm = new ArrayList<>();
            for (int j = 0; j < jvms; j++) {
                String name = jvms == 1 ? t : t + " jvm " + (j + 1) + "/" + jvms;
                byJvm.add(run(t, name, 7 + j, pairs, settle, window, blast, rate, agentJar, agentOpts, appEvents,
                        pin == null ? null : pin[0]));
            }
            List<Window[]> ws = byJvm.stream().flatMap(List::stream).toList();
            out.append(row(t, ws));
            groups.append(groupTable(t, ws));
            if (jvms > 1) {
                across.append(acrossJvms(t, byJvm));
            }
        }
        System.out.println(out.append('\n').append(across).append(groups));
    }

    /**
     * {@code pin=SERVER/CLIENT}: the CPU lists (taskset's syntax) of the server and of the client, or null
     * without the option. On 2 cores the client and the server otherwise take each other's CPU back and forth,
     * and where each request's work lands moves from window to window.
     */
    static String[] pinning(String pin) {
        if (pin == null) {
            return null;
        }
        String[] p = pin.split("/", -1);
        if (p.length != 2 || !p[0].matches("[0-9,-]+") || !p[1].matches("[0-9,-]+")) {
            throw new IllegalArgumentException("pin=" + pin + ": expected SERVER_CPUS/CLIENT_CPUS, e.g. pin=1/0");
        }
        return p;
    }

    private static void runTaskset(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("pin=: cannot run taskset (util-linux): " + e.getMessage(), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("pin=: " + String.join(" ", cmd) + " failed: " + output.trim());
        }
    }

    /** Whether {@code toggle} attaches the agent: {@code agent} alone, or {@code agent/OTHER}. */
    static boolean attachesAgent(String toggle) {
        return toggle.equals("agent") || toggle.startsWith("agent/");
    }

    /** The tracer the server itself toggles: none for {@code agent}, OTHER for {@code agent/OTHER}. */
    static String serverToggle(String toggle) {
        return toggle.equals("agent") ? "none" : toggle.startsWith("agent/") ? toggle.substring("agent/".length()) : toggle;
    }

    static String row(String toggle, List<Window[]> ws) {
        double[] off = ws.stream().mapToDouble(p -> p[0].microsPerRequest(false)).toArray();
        double[] d = deltas(ws);
        double[] ci = CpuPerRequest.bootstrapMedianCi(d);
        double offMedian = CpuPerRequest.median(off);
        Histogram lOff = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram lOn = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long served = 0;
        long due = 0;
        for (Window[] p : ws) {
            lOff.add(p[0].latency);
            lOn.add(p[1].latency);
            served += p[0].served + p[1].served;
            due += p[0].due + p[1].due;
        }
        double[] equal = atEqualRuns(ws);
        return String.format("| %s | %.2f | %+.2f [%+.2f, %+.2f] | %+.1f%% [%+.1f, %+.1f] | %+.2f ± %.2f | %.2f / %.2f |"
                + " %.2f / %.2f ms | %.2f / %.2f ms | %.3f | %.2f / %.2f | %+.2f [%+.2f, %+.2f] (%.1f us per run) |%n",
                label(toggle), offMedian, CpuPerRequest.median(d), ci[0],
                ci[1], 100 * CpuPerRequest.median(d) / offMedian, 100 * ci[0] / offMedian, 100 * ci[1] / offMedian,
                Arrays.stream(d).average().orElse(Double.NaN), CpuPerRequest.tHalfWidth(d),
                CpuPerRequest.median(ws.stream().mapToDouble(p -> p[0].groupMicrosPerRequest("JIT compilers")).toArray()),
                CpuPerRequest.median(ws.stream().mapToDouble(p -> p[1].groupMicrosPerRequest("JIT compilers")).toArray()),
                lOff.getValueAtPercentile(50) / 1e6, lOn.getValueAtPercentile(50) / 1e6,
                lOff.getValueAtPercentile(99) / 1e6, lOn.getValueAtPercentile(99) / 1e6, (double) served / due,
                CpuPerRequest.median(ws.stream().mapToDouble(p -> p[0].groupRunsPerRequest(JETTY)).toArray()),
                CpuPerRequest.median(ws.stream().mapToDouble(p -> p[1].groupRunsPerRequest(JETTY)).toArray()),
                equal[0], equal[1], equal[2], equal[3]);
    }

    private static final String JETTY = "Jetty (application)";

    /**
     * The tracer's cost at an equal number of Jetty thread runs: the CPU of every window (JIT apart) fitted
     * by least squares as {@code a + b * runs + c * on}, where runs are the Jetty threads' schedulings per
     * request. A window's CPU moves with how often Jetty's threads park and wake (several us per run on this
     * machine), and that varies between windows of the same state; {@code c} is what is left of the tracer
     * once that is accounted for, {@code b} the price of one run. Returns {c, CI low, CI high, b}, the
     * interval from 2,000 resamplings of the pairs.
     */
    static double[] atEqualRuns(List<Window[]> ws) {
        double[] fit = fitOnAndRuns(ws);
        SplittableRandom random = new SplittableRandom(42);
        int b = 2_000;
        double[] cs = new double[b];
        List<Window[]> sample = new ArrayList<>(ws.size());
        for (int i = 0; i < b; i++) {
            sample.clear();
            for (int j = 0; j < ws.size(); j++) {
                sample.add(ws.get(random.nextInt(ws.size())));
            }
            cs[i] = fitOnAndRuns(sample)[2];
        }
        Arrays.sort(cs);
        return new double[] {fit[2], cs[(int) (0.025 * b)], cs[(int) (0.975 * b) - 1], fit[1]};
    }

    /** Least squares of us/request on (1, Jetty runs/request, on): {a, b, c}; NaN where they are collinear. */
    static double[] fitOnAndRuns(List<Window[]> ws) {
        double[][] m = new double[3][4]; // the normal equations, augmented
        for (Window[] p : ws) {
            for (int k = 0; k < 2; k++) {
                double[] x = {1, p[k].groupRunsPerRequest(JETTY), k};
                double y = p[k].microsPerRequest(false);
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        m[r][c] += x[r] * x[c];
                    }
                    m[r][3] += x[r] * y;
                }
            }
        }
        for (int col = 0; col < 3; col++) { // Gauss-Jordan with partial pivoting
            int best = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[best][col])) {
                    best = r;
                }
            }
            double[] t = m[col];
            m[col] = m[best];
            m[best] = t;
            if (Math.abs(m[col][col]) < 1e-12) {
                return new double[] {Double.NaN, Double.NaN, Double.NaN};
            }
            for (int r = 0; r < 3; r++) {
                if (r != col) {
                    double f = m[r][col] / m[col][col];
                    for (int c = col; c < 4; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        return new double[] {m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]};
    }

    /** The row's name: {@code agent/OTHER} says which side is "on". */
    static String label(String toggle) {
        return toggle.startsWith("agent/") ? "agent (on) against " + serverToggle(toggle) + " (off)" : toggle;
    }

    private static String groupTable(String toggle, List<Window[]> ws) {
        StringBuilder sb = new StringBuilder("by thread, " + label(toggle) + ": us per request, median of the pairs\n\n"
                + "| threads | off | on | on - off (median) | runs per request off / on (median) |\n"
                + "| --- | --- | --- | --- | --- |\n");
        List<String> names = ws.stream().flatMap(p -> Stream.of(p[0], p[1]))
                .flatMap(w -> w.groupNanos.keySet().stream()).distinct().sorted().toList();
        for (String g : names) {
            double off = CpuPerRequest.median(ws.stream().mapToDouble(p -> p[0].groupMicrosPerRequest(g)).toArray());
            double on = CpuPerRequest.median(ws.stream().mapToDouble(p -> p[1].groupMicrosPerRequest(g)).toArray());
            double d = CpuPerRequest.median(ws.stream()
                    .mapToDouble(p -> p[1].groupMicrosPerRequest(g) - p[0].groupMicrosPerRequest(g)).toArray());
            if (Math.abs(off) >= 0.005 || Math.abs(on) >= 0.005) {
                sb.append(String.format("| %s | %.2f | %.2f | %+.2f | %.2f / %.2f |%n", g, off, on, d,
                        CpuPerRequest.median(ws.stream().mapToDouble(p -> p[0].groupRunsPerRequest(g)).toArray()),
                        CpuPerRequest.median(ws.stream().mapToDouble(p -> p[1].groupRunsPerRequest(g)).toArray())));
            }
        }
        return sb.append('\n').toString();
    }

    /**
     * The deltas (on - off, us/request, JIT apart) of several JVMs, judged with the JVM as the unit: a table of
     * each JVM's median delta, then two intervals that count the spread between JVMs. "Mean of the JVMs" is
     * the mean of their medians with Student's t over N - 1 degrees of freedom. "Pooled median, two-stage
     * bootstrap" resamples JVMs with replacement, then pairs with replacement inside each drawn JVM, and takes
     * the median of all drawn pairs ({@link #clusterBootstrapMedianCi}); the row above pools the pairs as if they
     * were all independent, which is too narrow when JVMs differ.
     */
    static String acrossJvms(String toggle, List<List<Window[]>> byJvm) {
        StringBuilder sb = new StringBuilder("across JVMs, " + label(toggle) + ": on - off, us per request (JIT apart)\n\n"
                + "| JVM | pairs | off (median) | on - off (median, 95% bootstrap CI) | on - off (mean, 95% t) |\n"
                + "| --- | --- | --- | --- | --- |\n");
        List<double[]> deltas = new ArrayList<>();
        double[] medians = new double[byJvm.size()];
        for (int j = 0; j < byJvm.size(); j++) {
            List<Window[]> ws = byJvm.get(j);
            double[] d = deltas(ws);
            deltas.add(d);
            medians[j] = CpuPerRequest.median(d);
            double[] ci = CpuPerRequest.bootstrapMedianCi(d);
            sb.append(String.format("| %d | %d | %.2f | %+.2f [%+.2f, %+.2f] | %+.2f ± %.2f |%n", j + 1, d.length,
                    CpuPerRequest.median(ws.stream().mapToDouble(p -> p[0].microsPerRequest(false)).toArray()),
                    medians[j], ci[0], ci[1], Arrays.stream(d).average().orElse(Double.NaN), CpuPerRequest.tHalfWidth(d)));
        }
        double[] cluster = clusterBootstrapMedianCi(deltas);
        double pooled = CpuPerRequest.median(deltas.stream().flatMapToDouble(Arrays::stream).toArray());
        return sb.append(String.format("%nmean of the %d JVMs' medians: %+.2f ± %.2f (95%% t, %d df); pooled median"
                + " %+.2f, two-stage bootstrap 95%% CI [%+.2f, %+.2f]%n%n", medians.length,
                Arrays.stream(medians).average().orElse(Double.NaN), CpuPerRequest.tHalfWidth(medians),
                medians.length - 1, pooled, cluster[0], cluster[1])).toString();
    }

    /** Each pair's on - off, us/request without the JIT threads. */
    static double[] deltas(List<Window[]> ws) {
        return ws.stream().mapToDouble(p -> p[1].microsPerRequest(false) - p[0].microsPerRequest(false)).toArray();
    }

    /**
     * A percentile interval of the pooled median when the samples come in clusters (JVMs): each of 10,000
     * resamples draws as many clusters as there are, with replacement, then inside each drawn cluster as many
     * of its values as it has, with replacement, and takes the median of everything drawn. Fixed seed.
     */
    static double[] clusterBootstrapMedianCi(List<double[]> clusters) {
        SplittableRandom random = new SplittableRandom(42);
        int b = 10_000;
        int total = clusters.stream().mapToInt(c -> c.length).sum();
        double[] medians = new double[b];
        double[] sample = new double[total];
        for (int i = 0; i < b; i++) {
            int n = 0;
            for (int k = 0; k < clusters.size(); k++) {
                double[] c = clusters.get(random.nextInt(clusters.size()));
                for (int j = 0; j < c.length; j++) {
                    sample[n++] = c[random.nextInt(c.length)];
                }
            }
            medians[i] = CpuPerRequest.median(Arrays.copyOf(sample, n));
        }
        Arrays.sort(medians);
        return new double[] {medians[(int) (0.025 * b)], medians[(int) (0.975 * b) - 1]};
    }

    /**
     * The pairs of one server JVM: element 0 the off window, 1 the on window. {@code name} heads its progress
     * lines; {@code orderSeed} draws which window of each pair comes first.
     */
    private static List<Window[]> run(String toggle, String name, long orderSeed, int pairs, double settle,
            double window, int blast, int rate,
            Path agentJar, String agentOpts, boolean appEvents, String serverCpus) throws Exception {
        Path dir = Files.createTempDirectory("cpu-interleaved");
        Path portFile = dir.resolve("port");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-Dbench.toggle=" + serverToggle(toggle), "-Dbench.toggle.dir=" + dir,
                "-cp", System.getProperty("java.class.path"), BenchServer.class.getName(), portFile.toString()));
        if (!appEvents) {
            cmd.add(1, "-Dbench.appevents=false");
        }
        if (serverCpus != null) {
            cmd.addAll(0, List.of("taskset", "-c", serverCpus));
        }
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile())
                .start();
        try {
            int port = BenchServer.awaitPort(server, portFile, dir.resolve("server.log"));
            AgentToggle agent = attachesAgent(toggle)
                    ? new AgentToggle(server.pid(), agentJar, agentOpts, dir, toggle.startsWith("agent/")) : null;
            // Both states' code paths are compiled before any window is measured.
            toggle(port, agent, true);
            closedLoop(port, blast / 2.0);
            toggle(port, agent, false);
            closedLoop(port, blast / 2.0);
            List<Window[]> result = openLoop(server.pid(), port, agent, rate, pairs, settle, window, name, orderSeed);
            toggle(port, agent, false);
            if (agent != null && agent.versus) {
                serverToggle(port, false);
            }
            CpuPerRequest.stopServer(server, port);
            return result;
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
            CpuPerRequest.deleteTree(dir);
        }
    }

    /** The agent's state across toggles (it is attached to the server, not started by it). */
    private static final class AgentToggle {
        final long pid;
        final Path jar;
        /** Appended to the options of every attach: empty or ",K=V,...". */
        final String options;
        final Path dir;
        /** Whether "off" means the server's own tracer on ({@code agent/OTHER}) rather than nothing. */
        final boolean versus;
        int windows;
        Path file;

        AgentToggle(long pid, Path jar, String options, Path dir, boolean versus) {
            this.pid = pid;
            this.jar = jar;
            this.options = options;
            this.dir = dir;
            this.versus = versus;
        }

        /** {@code jtrace attach}'s way in: the Attach API, options as the agent's key=value list. */
        void set(boolean on) throws Exception {
            if (on == (file != null)) {
                return;
            }
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
            try {
                if (on) {
                    file = dir.resolve("agent-window-" + windows++ + ".jtrace");
                    vm.loadAgent(jar.toString(), "file=" + file + options);
                } else {
                    vm.loadAgent(jar.toString(), "command=stop");
                    Files.deleteIfExists(file);
                    file = null;
                }
            } finally {
                vm.detach();
            }
        }
    }

    /**
     * Turns the tracer on or off: through {@code agent} when it is the agent (attached), else through the
     * server's {@code /toggle}. With {@code agent/OTHER}, on is the agent alone and off is OTHER alone; the
     * running one stops before the other starts, so no window begins with both.
     */
    private static void toggle(int port, AgentToggle agent, boolean on) throws IOException {
        if (agent == null) {
            serverToggle(port, on);
            return;
        }
        if (agent.versus && on) {
            serverToggle(port, false);
        }
        try {
            agent.set(on);
        } catch (Exception e) {
            throw new IOException("could not turn the agent " + (on ? "on" : "off") + " in the server", e);
        }
        if (agent.versus && !on) {
            serverToggle(port, true);
        }
    }

    /**
     * The server's {@code /toggle}, on a connection per toggle (a kept one would be closed by Jetty's idle
     * timeout between windows).
     */
    private static void serverToggle(int port, boolean on) throws IOException {
        int status;
        try (CpuPerRequest.Connection control = new CpuPerRequest.Connection(port)) {
            status = control.get(on ? "/toggle/on" : "/toggle/off");
        }
        if (status != 200) {
            throw new IllegalStateException("the server could not turn its tracer " + (on ? "on" : "off")
                    + " (status " + status + "; see its log)");
        }
    }

    private static void closedLoop(int port, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> ts = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int id = c;
            ts.add(Thread.ofPlatform().start(() -> {
                try (CpuPerRequest.Connection conn = new CpuPerRequest.Connection(port)) {
                    for (long n = 0; System.nanoTime() < end; n++) {
                        conn.get("/work?user=" + id + "&n=" + n);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("warm-up request failed", e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    /** What the clients record a request under: the window its due time falls in, or none (settling). */
    private record Phase(Histogram latency, long from, long to, AtomicLong served) {}

    private static List<Window[]> openLoop(long pid, int port, AgentToggle agent, int rate, int pairs,
            double settle, double window, String toggle, long orderSeed) throws Exception {
        double interval = 1e9 / rate;
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        // The clients run until the last window has been measured: a toggle takes time of its own (an attach
        // 1 to 2 s), so a schedule computed from settle and window alone ends before the windows do.
        java.util.concurrent.atomic.AtomicBoolean windowsDone = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<Phase> phase = new AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int id = c;
            clients.add(Thread.ofPlatform().name("client-" + id).start(() -> {
                CpuPerRequest.Connection conn = null;
                try {
                    for (long n = 0; ; n++) {
                        long due = t0 + (long) (next.getAndIncrement() * interval);
                        if (windowsDone.get()) {
                            break;
                        }
                        for (long w; (w = due - System.nanoTime()) > 0; ) {
                            LockSupport.parkNanos(w);
                        }
                        Phase ph = phase.get();
                        // due outside the window (a late client, or the window not begun): not counted
                        Histogram h = ph != null && due >= ph.from && due < ph.to ? ph.latency : null;
                        try {
                            if (conn == null) {
                                conn = new CpuPerRequest.Connection(port);
                            }
                            int status = conn.get("/work?user=" + id + "&n=" + n);
                            long done = System.nanoTime();
                            if (status == 200 && h != null) {
                                synchronized (h) {
                                    h.recordValue(Math.min(done - due, h.getHighestTrackableValue()));
                                }
                                ph.served.incrementAndGet();
                            }
                        } catch (IOException e) {
                            if (!(e instanceof SocketTimeoutException) && errors.incrementAndGet() > 1000) {
                                throw new IllegalStateException("the server keeps failing", e);
                            }
                            conn = CpuPerRequest.closeQuietly(conn);
                        }
                    }
                } finally {
                    CpuPerRequest.closeQuietly(conn);
                }
            }));
        }
        SplittableRandom random = new SplittableRandom(orderSeed);
        List<Window[]> result = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            Window[] pair = new Window[2];
            boolean onFirst = random.nextBoolean();
            for (int k = 0; k < 2; k++) {
                boolean on = onFirst == (k == 0);
                toggle(port, agent, on);
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                long a = System.nanoTime() + (long) (settle * 1e9);
                long b = a + (long) (window * 1e9);
                AtomicLong served = new AtomicLong();
                phase.set(new Phase(h, a, b, served));
                CpuPerRequest.sleepUntil(a);
                Map<Integer, ThreadRun> before = threads(pid);
                CpuPerRequest.sleepUntil(b);
                Map<Integer, ThreadRun> after = threads(pid);
                // requests due before b may still be in flight: wait for their answers before the count
                CpuPerRequest.sleepUntil(b + TimeUnit.MILLISECONDS.toNanos(100));
                long due = dueBetween(t0, interval, a, b);
                pair[on ? 1 : 0] = new Window(byGroup(before, after), byGroup(before, after, ThreadRun::runs), due,
                        served.get(), h);
            }
            result.add(pair);
            if (pair[0].served < pair[0].due * 0.9 || pair[1].served < pair[1].due * 0.9) {
                System.err.printf("%s pair %d: the server served less than 90%% of the requests due in a window%n",
                        toggle, p + 1);
            }
            System.err.printf("%s pair %d (%s first): off %.2f, on %.2f us/req (JIT %.2f / %.2f), Jetty runs/req %.2f"
                    + " / %.2f, p99 %.2f / %.2f ms, served/due %.3f / %.3f%n", toggle, p + 1, onFirst ? "on" : "off",
                    pair[0].microsPerRequest(false), pair[1].microsPerRequest(false),
                    pair[0].groupMicrosPerRequest("JIT compilers"), pair[1].groupMicrosPerRequest("JIT compilers"),
                    pair[0].groupRunsPerRequest(JETTY), pair[1].groupRunsPerRequest(JETTY),
                    pair[0].latency.getValueAtPercentile(99) / 1e6, pair[1].latency.getValueAtPercentile(99) / 1e6,
                    (double) pair[0].served / pair[0].due, (double) pair[1].served / pair[1].due);
        }
        windowsDone.set(true);
        for (Thread c : clients) {
            c.join();
        }
        return result;
    }

    /** Requests due in {@code [a, b)} when request k is due at {@code t0 + k * interval}. */
    static long dueBetween(long t0, double interval, long a, long b) {
        return firstDueAtOrAfter(t0, interval, b) - firstDueAtOrAfter(t0, interval, a);
    }

    private static long firstDueAtOrAfter(long t0, double interval, long t) {
        return t <= t0 ? 0 : (long) Math.ceil((t - t0) / interval);
    }

    /** One thread at one instant: its name, its run time (ns) and how many times it was scheduled in. */
    public record ThreadRun(String comm, long nanos, long runs) {}

    /** The first field of a schedstat file: the time the thread has run on a CPU, in nanoseconds. */
    static long schedstatNanos(String schedstat) {
        return Long.parseLong(schedstat.trim().split(" ")[0]);
    }

    /** The third field of a schedstat file: how many times the thread has been scheduled onto a CPU. */
    static long schedstatRuns(String schedstat) {
        return Long.parseLong(schedstat.trim().split(" ")[2]);
    }

    /** Every thread of process {@code pid} by Linux thread id, from /proc (threads that end meanwhile are left out). */
    public static Map<Integer, ThreadRun> threads(long pid) throws IOException {
        Map<Integer, ThreadRun> m = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    String schedstat = Files.readString(t.resolve("schedstat"));
                    m.put(Integer.parseInt(t.getFileName().toString()),
                            new ThreadRun(comm, schedstatNanos(schedstat), schedstatRuns(schedstat)));
                } catch (NoSuchFileException gone) {
                    // ended between the listing and the read
                }
            }
        }
        return m;
    }

    /**
     * Run time in the window by thread group. A thread born in the window counts from 0; a thread that ended
     * in it is missing (its time is lost, the same in both states: Jetty's pool keeps its threads at this load).
     */
    static Map<String, Long> byGroup(Map<Integer, ThreadRun> before, Map<Integer, ThreadRun> after) {
        return byGroup(before, after, ThreadRun::nanos);
    }

    /** Like {@link #byGroup(Map, Map)}, of any counter of {@link ThreadRun}. */
    static Map<String, Long> byGroup(Map<Integer, ThreadRun> before, Map<Integer, ThreadRun> after,
            java.util.function.ToLongFunction<ThreadRun> counter) {
        Map<String, Long> g = new LinkedHashMap<>();
        for (Map.Entry<Integer, ThreadRun> e : after.entrySet()) {
            ThreadRun b = before.get(e.getKey());
            long d = counter.applyAsLong(e.getValue()) - (b == null ? 0 : counter.applyAsLong(b));
            g.merge(CpuPerRequest.group(e.getValue().comm), d, Long::sum);
        }
        return g;
    }
}
