package dev.jtrace.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * CPU cost of tracing a park-heavy program: a fixed amount of hand-offs between two platform threads, first
 * a ping-pong by {@code LockSupport.park/unpark}, then a producer and a consumer on a one-slot buffer guarded
 * by a {@code ReentrantLock} and two {@code Condition}s (which park and unpark inside). Each run is a fresh
 * child JVM that warms up (the work in fifths, until 4 s after its start and the JIT has settled, at most 20 s), then does the work measured, and
 * reports the process's CPU time (every thread: the tracer's writer, JFR's threads, GC and JIT included) per
 * hand-off. Modes: off; the jtrace agent with its default options, then without BlockEnd stacks
 * ({@code blockstack=60m}) and without scheduler hooks ({@code hooks=false}), which split its cost; JFR with
 * default.jfc; JFR with profile.jfc. Rounds take every mode once, in an order rotated each round; the summary gives each mode's
 * median CPU per operation and its ratio to off with a 95% confidence interval.
 *
 * <p>The agent mode is the agent jar as built, with no option that depends on what it records: once the
 * agent's hooks record the scheduler events (docs/format.md, types 27 to 36), a rerun measures them with no
 * change here, and the line under the table (what the agent's trace holds) shows that they were recorded.
 * Arguments: {@code AGENT_JAR [rounds] [hand-offs per workload]}.
 */
public final class ParkEndToEnd {
    private static final String RESULT = "park-e2e-result";
    /** The child measures from this JVM uptime on, at the earliest. */
    private static final long WARM_UP_MILLIS = 4_000;
    /** A warm-up round that compiled for at most this long leaves the JIT settled. */
    private static final long JIT_SETTLED_MILLIS = 10;
    /** The warm-up ends by this JVM uptime, settled or not. */
    private static final long WARM_UP_MAX_MILLIS = 20_000;

    private ParkEndToEnd() {}

    /** How the child JVM runs. */
    enum Mode {
        OFF("off"),
        AGENT("jtrace agent (default options)"),
        AGENT_NO_STACKS("jtrace agent, blockstack=60m (no BlockEnd stacks)"),
        AGENT_NO_HOOKS("jtrace agent, hooks=false (no scheduler events)"),
        JFR_DEFAULT("JFR, settings=default"),
        JFR_PROFILE("JFR, settings=profile");

        final String label;

        Mode(String label) {
            this.label = label;
        }

        /** The JVM options of this mode, recording (if at all) to {@code dir}. */
        List<String> jvmArgs(Path agentJar, Path dir) {
            return switch (this) {
                case OFF -> List.of();
                case AGENT -> List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("agent.jtrace"));
                case AGENT_NO_STACKS -> List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("agent.jtrace")
                        + ",blockstack=60m");
                case AGENT_NO_HOOKS -> List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("agent.jtrace")
                        + ",hooks=false");
                case JFR_DEFAULT -> List.of("-XX:StartFlightRecording:settings=default,filename=" + dir.resolve("rec.jfr"));
                case JFR_PROFILE -> List.of("-XX:StartFlightRecording:settings=profile,filename=" + dir.resolve("rec.jfr"));
            };
        }
    }

    /**
     * One child run: CPU ns per hand-off of each workload, lost wake-ups, the bytes it recorded, and each
     * workload's CPU ns per hand-off by thread group ({@link #GROUPS}).
     */
    record Run(double pingPongNs, double conditionNs, int lostWakeups, long recordedBytes,
            Map<String, Double> pingPongThreads, Map<String, Double> conditionThreads) {}

    /**
     * The thread groups of the CPU split, by the name Linux keeps for a thread (its Java name cut to 15
     * bytes). The workload's own threads end before the split is read, so their time is what the process
     * used beyond its live threads ("workload (ended threads)").
     */
    static final List<String> GROUPS = List.of("workload (ended threads)", "jtrace-writer", "jtrace-jfr-bridge",
            "jtrace (other)", "JFR threads", "GC threads", "VM Thread", "JIT compilers", "other");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        Path agent = Path.of(args.length > 0 ? args[0] : ParkBench.AGENT_JAR).toAbsolutePath();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int handoffs = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        List<Mode> modes = new ArrayList<>(List.of(Mode.values()));
        if (!Files.isRegularFile(agent)) {
            System.err.println("park-e2e: agent mode skipped: no agent jar at " + agent
                    + " (bench/run builds it; or pass its path)");
            modes.removeAll(List.of(Mode.AGENT, Mode.AGENT_NO_STACKS, Mode.AGENT_NO_HOOKS));
        }
        List<List<Run>> runs = new ArrayList<>();
        for (int i = 0; i < Mode.values().length; i++) {
            runs.add(new ArrayList<>());
        }
        java.util.Map<Mode, String> agentTrace = new java.util.EnumMap<>(Mode.class);
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("park-e2e round " + (round + 1) + ":");
            for (int k = 0; k < modes.size(); k++) {
                Mode m = modes.get((round + k) % modes.size());
                Path dir = Files.createTempDirectory("park-e2e");
                try {
                    Run r = runChild(m, agent, dir, handoffs);
                    runs.get(m.ordinal()).add(r);
                    if (Files.exists(dir.resolve("agent.jtrace"))) {
                        agentTrace.put(m, TraceCounts.of(dir.resolve("agent.jtrace")).describe());
                    }
                    line.append(String.format(" %s %.2f/%.2f us", m.name().toLowerCase(), r.pingPongNs / 1e3,
                            r.conditionNs / 1e3));
                } finally {
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path f : files.toList()) {
                            Files.deleteIfExists(f);
                        }
                    }
                    Files.deleteIfExists(dir);
                }
            }
            System.err.println(line);
        }
        print(modes, runs, rounds, handoffs, agentTrace);
    }

    private static Run runChild(Mode mode, Path agent, Path dir, int handoffs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(mode.jvmArgs(agent, dir));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ParkEndToEnd.class.getName(), "--child",
                Integer.toString(handoffs)));
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(mode + ": the child did not finish");
        }
        List<String> out = Files.readAllLines(log);
        String result = out.stream().filter(l -> l.startsWith(RESULT)).findFirst().orElseThrow(
                () -> new IllegalStateException(mode + ": no result (exit " + p.exitValue() + "): " + String.join("\n", out)));
        String[] f = result.split(" ");
        long bytes = 0;
        for (String name : new String[] {"agent.jtrace", "rec.jfr"}) {
            Path x = dir.resolve(name);
            bytes += Files.exists(x) ? Files.size(x) : 0;
        }
        return new Run(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Integer.parseInt(f[3]), bytes,
                split(out, RESULT_THREADS + " pp "), split(out, RESULT_THREADS + " cd "));
    }

    private static Map<String, Double> split(List<String> out, String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        out.stream().filter(l -> l.startsWith(prefix)).findFirst().ifPresent(l -> {
            for (String kv : l.substring(prefix.length()).split(";")) {
                int eq = kv.lastIndexOf('=');
                if (eq > 0) {
                    m.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
                }
            }
        });
        return m;
    }

    // ------------------------------------------------------------------ the child: the workload

    private static void child(int handoffs) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // warm-up, not counted: the JIT, and the tracer's own start (JFR's recording and the agent's stream
        // setting up take a second or more of CPU on their threads, a fixed cost that is not per operation)
        // Until 4 s after the start and until the JIT has settled: a warm-up round (a fifth of the work) that
        // still compiled for more than 10 ms. The agent's start takes a second of the 4, and its code (the
        // hooks, the recorder, JFR's parser) was still being compiled there, at up to 1.7 us of JIT per
        // hand-off: a cost of its start, not of its events (the thread split below keeps it apart).
        var runtime = ManagementFactory.getRuntimeMXBean();
        var jit = ManagementFactory.getCompilationMXBean();
        long compiled = jit.getTotalCompilationTime();
        boolean settled;
        do {
            pingPong(handoffs / 5);
            condition(handoffs / 5);
            long now = jit.getTotalCompilationTime();
            settled = now - compiled <= JIT_SETTLED_MILLIS;
            compiled = now;
        } while ((runtime.getUptime() < WARM_UP_MILLIS || !settled) && runtime.getUptime() < WARM_UP_MAX_MILLIS);
        System.err.println("park-e2e child: measured from " + runtime.getUptime() + " ms of uptime, JIT "
                + (settled ? "settled" : "not settled"));
        Map<Integer, ThreadCpu> t0 = threadCpu();
        long c0 = os.getProcessCpuTime();
        pingPong(handoffs);
        long c1 = os.getProcessCpuTime();
        Map<Integer, ThreadCpu> t1 = threadCpu();
        condition(handoffs);
        long c2 = os.getProcessCpuTime();
        Map<Integer, ThreadCpu> t2 = threadCpu();
        System.out.println(RESULT + " " + (c1 - c0) / (double) handoffs + " " + (c2 - c1) / (double) handoffs + " "
                + LOST_WAKEUPS.get());
        System.out.println(RESULT_THREADS + " pp " + splitLine(t0, t1, c1 - c0, handoffs));
        System.out.println(RESULT_THREADS + " cd " + splitLine(t1, t2, c2 - c1, handoffs));
    }

    private static final String RESULT_THREADS = "park-e2e-threads";

    /** A thread's name (as Linux keeps it) and the nanoseconds it has run. */
    private record ThreadCpu(String comm, long nanos) {}

    /**
     * Every live thread of this process with its CPU time in ns, from /proc/self/task/TID/schedstat (whose
     * first field is the time on a CPU in ns: the stat file's ticks are 10 ms, too coarse for the tracer's
     * threads here); empty where Linux does not have it.
     */
    private static Map<Integer, ThreadCpu> threadCpu() {
        Map<Integer, ThreadCpu> m = new java.util.HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    String sched = Files.readString(t.resolve("schedstat"));
                    m.put(Integer.parseInt(t.getFileName().toString()),
                            new ThreadCpu(comm, Long.parseLong(sched.substring(0, sched.indexOf(' ')))));
                } catch (java.io.IOException | RuntimeException gone) {
                    // ended between the listing and the read: its time falls to the workload's remainder
                }
            }
        } catch (java.io.IOException | RuntimeException noProc) {
            // not Linux: no split
        }
        return m;
    }

    /** {@code group=ns per hand-off;...} of the threads' CPU between two snapshots; the rest is the workload's. */
    private static String splitLine(Map<Integer, ThreadCpu> before, Map<Integer, ThreadCpu> after, long process,
            int handoffs) {
        if (after.isEmpty()) {
            return "";
        }
        Map<String, Long> g = new LinkedHashMap<>();
        for (String k : GROUPS) {
            g.put(k, 0L);
        }
        long live = 0;
        for (Map.Entry<Integer, ThreadCpu> e : after.entrySet()) {
            ThreadCpu b = before.get(e.getKey());
            long d = e.getValue().nanos - (b == null ? 0 : b.nanos);
            live += d;
            // CpuPerRequest's groups (its Jetty group matches no thread of this workload)
            g.merge(dev.jtrace.bench.server.CpuPerRequest.group(e.getValue().comm), d, Long::sum);
        }
        g.merge(GROUPS.get(0), process - live, Long::sum);
        StringBuilder sb = new StringBuilder();
        g.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ";").append(k).append('=')
                .append(String.format(java.util.Locale.ROOT, "%.1f", v / (double) handoffs)));
        return sb.toString();
    }


    /** Wake-ups lost in this child: the workload made no progress for a second with its threads parked. */
    private static final AtomicInteger LOST_WAKEUPS = new AtomicInteger();

    /**
     * Watches a workload's progress: when it has not moved for a second, a wake-up was lost (a park the
     * tracer did on the thread between the unpark and the park took the permit); counts it and unparks the
     * threads, which re-check their condition (a spurious wake-up is allowed), so that the run ends and
     * reports it instead of hanging.
     */
    private static Thread watch(java.util.function.LongSupplier progress, Thread... threads) {
        return Thread.ofPlatform().daemon().name("park-e2e-watchdog").start(() -> {
            long last = progress.getAsLong();
            int still = 0;
            while (Arrays.stream(threads).anyMatch(Thread::isAlive)) {
                LockSupport.parkNanos(100_000_000);
                long now = progress.getAsLong();
                if (now != last) {
                    last = now;
                    still = 0;
                } else if (++still == 10) {
                    LOST_WAKEUPS.incrementAndGet();
                    System.err.println("park-e2e: lost wake-up (no progress for 1 s at " + now + "); unparking");
                    for (Thread t : threads) {
                        LockSupport.unpark(t);
                    }
                    still = 0;
                }
            }
        });
    }

    /** {@code n} hand-offs between two threads, each an unpark of the other thread and its park ending. */
    static void pingPong(int n) throws InterruptedException {
        // the hand-off number due next: thread 0 makes the even ones, thread 1 the odd ones
        AtomicInteger next = new AtomicInteger();
        Thread[] threads = new Thread[2];
        for (int me = 0; me < 2; me++) {
            int self = me;
            threads[me] = Thread.ofPlatform().name("ping-" + me).unstarted(() -> {
                for (int i = self; i < n; i += 2) {
                    while (next.get() != i) {
                        LockSupport.park(next);
                    }
                    next.set(i + 1);
                    LockSupport.unpark(threads[1 - self]);
                }
            });
        }
        threads[0].start();
        threads[1].start();
        Thread dog = watch(next::get, threads);
        threads[0].join();
        threads[1].join();
        dog.join();
        if (next.get() != n) {
            throw new IllegalStateException("ping-pong ended at " + next.get() + " of " + n);
        }
    }

    /** {@code n} items through a one-slot buffer: every put and take may wait on a Condition. */
    static void condition(int n) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        Condition notEmpty = lock.newCondition();
        Condition notFull = lock.newCondition();
        long[] slot = {0};
        boolean[] full = {false};
        long[] sum = {0};
        AtomicInteger taken = new AtomicInteger();
        Thread producer = Thread.ofPlatform().name("producer").unstarted(() -> {
            for (long i = 1; i <= n; i++) {
                lock.lock();
                try {
                    while (full[0]) {
                        notFull.awaitUninterruptibly();
                    }
                    slot[0] = i;
                    full[0] = true;
                    notEmpty.signal();
                } finally {
                    lock.unlock();
                }
            }
        });
        Thread consumer = Thread.ofPlatform().name("consumer").unstarted(() -> {
            for (int i = 0; i < n; i++) {
                lock.lock();
                try {
                    while (!full[0]) {
                        notEmpty.awaitUninterruptibly();
                    }
                    sum[0] += slot[0];
                    taken.lazySet(i + 1);
                    full[0] = false;
                    notFull.signal();
                } finally {
                    lock.unlock();
                }
            }
        });
        producer.start();
        consumer.start();
        Thread dog = watch(taken::get, producer, consumer);
        producer.join();
        consumer.join();
        dog.join();
        if (sum[0] != (long) n * (n + 1) / 2) {
            throw new IllegalStateException("consumed " + sum[0] + ", expected " + (long) n * (n + 1) / 2);
        }
    }

    // ------------------------------------------------------------------ the summary

    private static void print(List<Mode> modes, List<List<Run>> runs, int rounds, int handoffs,
            java.util.Map<Mode, String> agentTrace) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%npark-heavy end-to-end: %,d hand-offs per workload, %d rounds, each run a fresh JVM;"
                + " process CPU time per hand-off (median of the rounds); ratio to off = ratio of the medians,"
                + " 95%% CI from the paired rounds (t on the log ratios)%n%n", handoffs, rounds));
        sb.append("| mode | ping-pong (park/unpark) CPU/op | ratio to off [95% CI] | ReentrantLock/Condition CPU/op"
                + " | ratio to off [95% CI] | recorded per run | lost wake-ups |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        List<Run> off = runs.get(Mode.OFF.ordinal());
        for (Mode m : Mode.values()) {
            List<Run> r = runs.get(m.ordinal());
            if (!modes.contains(m) || r.isEmpty()) {
                sb.append("| ").append(m.label).append(" | skipped | | | | | |\n");
                continue;
            }
            double[] pp = r.stream().mapToDouble(Run::pingPongNs).toArray();
            double[] cd = r.stream().mapToDouble(Run::conditionNs).toArray();
            double[] ppOff = off.stream().mapToDouble(Run::pingPongNs).toArray();
            double[] cdOff = off.stream().mapToDouble(Run::conditionNs).toArray();
            double bytes = r.stream().mapToLong(Run::recordedBytes).average().orElse(0);
            int lost = r.stream().mapToInt(Run::lostWakeups).sum();
            sb.append(String.format("| %s | %.2f us | %s | %.2f us | %s | %s | %d |%n", m.label, median(pp) / 1e3,
                    m == Mode.OFF ? "1.00" : ratioCell(pp, ppOff), median(cd) / 1e3,
                    m == Mode.OFF ? "1.00" : ratioCell(cd, cdOff),
                    m == Mode.OFF ? "-" : String.format("%.2f MB", bytes / 1e6), lost));
        }
        sb.append('\n');
        threadTable(sb, modes, runs);
        agentTrace.forEach((m, t) -> sb.append("trace of ").append(m.label).append(" (last round): ").append(t)
                .append('\n'));
        System.out.println(sb);
    }

    /** CPU per hand-off by thread group: the median of the rounds, ping-pong / ReentrantLock, per mode. */
    private static void threadTable(StringBuilder sb, List<Mode> modes, List<List<Run>> runs) {
        sb.append("CPU by thread, ns per hand-off (median of the rounds), ping-pong / ReentrantLock-Condition\n\n| threads |");
        for (Mode m : modes) {
            sb.append(' ').append(m.name().toLowerCase(java.util.Locale.ROOT)).append(" |");
        }
        sb.append("\n| --- |").append(" --- |".repeat(modes.size())).append('\n');
        for (String g : GROUPS) {
            sb.append("| ").append(g).append(" |");
            for (Mode m : modes) {
                List<Run> r = runs.get(m.ordinal());
                double pp = median(r.stream().mapToDouble(x -> x.pingPongThreads().getOrDefault(g, Double.NaN))
                        .filter(v -> !Double.isNaN(v)).toArray());
                double cd = median(r.stream().mapToDouble(x -> x.conditionThreads().getOrDefault(g, Double.NaN))
                        .filter(v -> !Double.isNaN(v)).toArray());
                sb.append(String.format(" %.0f / %.0f |", pp, cd));
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    /** The ratio of the medians and the 95% CI of the paired ratio (geometric mean, t on the logs). */
    static String ratioCell(double[] x, double[] off) {
        int n = Math.min(x.length, off.length);
        double[] logs = new double[n];
        for (int i = 0; i < n; i++) {
            logs[i] = Math.log(x[i] / off[i]);
        }
        String r = String.format("%.2f", median(x) / median(off));
        if (n < 2) {
            return r;
        }
        double mean = Arrays.stream(logs).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(logs).map(v -> (v - mean) * (v - mean)).sum() / (n - 1));
        double half = tQuantile975(n - 1) * sd / Math.sqrt(n);
        return String.format("%s [%.2f, %.2f]", r, Math.exp(mean - half), Math.exp(mean + half));
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Student's t, two-sided 95%, for {@code df} degrees of freedom (the normal's 1.96 beyond 30). */
    static double tQuantile975(int df) {
        double[] t = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
            2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
            2.045, 2.042};
        return df >= 1 && df <= t.length ? t[df - 1] : 1.96;
    }
}
