package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The cost of recording one park/unpark pair whose park returns at once ({@code unpark(self)} then
 * {@code park()}: the permit is there, so nothing blocks and the benchmark measures the tracer, not the
 * scheduler), in every way the pair can be recorded, next to a jtrace log event for the ratio. Each
 * benchmark runs in its own JVM, so only one tracer is on at a time. Method names are
 * {@code <mode>_<operation>}; {@link BenchMain#park} runs them and prints the table (docs/performance.md,
 * "Scheduler events: a park/unpark pair").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParkBench {
    /**
     * The agent jar relative to the repository root, where bench/run runs JMH. {@link BenchMain} passes an
     * absolute path and a temporary trace file instead, and skips the agent mode when the jar is missing.
     */
    static final String AGENT_JAR = "agent/target/jtrace-agent.jar";
    /** System property naming a file where each fork's {@link Watchdog} appends its lost wake-ups. */
    static final String LOST_PROPERTY = "jtrace.bench.parklost";

    /** jtrace recording to a temporary file with default settings, as {@link TracerBench.JTraceOn}. */
    @State(Scope.Benchmark)
    public static class JTraceOn {
        Path file;
        Task task;

        @Setup(Level.Trial)
        public void start() throws IOException {
            file = Files.createTempFile("bench-park-", ".jtrace");
            // what the agent sets at its start (blockstack=1us, its default): a BlockEnd after a shorter block
            // carries no stack
            ThreadContext.blockStackThreshold(1_000);
            JTrace.start(TraceConfig.builder().file(file).build());
            task = JTrace.newTask(null, "bench");
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            JTrace.stop();
            Files.deleteIfExists(file);
        }
    }

    /** A JFR recording of jdk.ThreadPark alone, with its stack (as default.jfc has it), to a temporary file. */
    abstract static class JfrParkOn {
        Recording recording;
        Path file;

        void start(Duration threshold, boolean stack) throws IOException {
            file = Files.createTempFile("bench-park-", ".jfr");
            recording = new Recording();
            var settings = recording.enable("jdk.ThreadPark").withThreshold(threshold);
            if (stack) {
                settings.withStackTrace();
            } else {
                settings.withoutStackTrace();
            }
            recording.setDestination(file);
            recording.start();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            recording.stop();
            recording.close();
            Files.deleteIfExists(file);
        }
    }

    /** jdk.ThreadPark at default.jfc's threshold, 20 ms: no park here is recorded, but every park is timed. */
    @State(Scope.Benchmark)
    public static class JfrPark20ms extends JfrParkOn {
        @Setup(Level.Trial)
        public void start() throws IOException {
            start(Duration.ofMillis(20), true);
        }
    }

    /** jdk.ThreadPark at threshold 0 with its stack: every park is recorded, as jtrace records them. */
    @State(Scope.Benchmark)
    public static class JfrPark0 extends JfrParkOn {
        @Setup(Level.Trial)
        public void start() throws IOException {
            start(Duration.ZERO, true);
        }
    }

    /** jdk.ThreadPark at threshold 0 without a stack, like jtrace's BlockEnd of a park that returned at once. */
    @State(Scope.Benchmark)
    public static class JfrPark0NoStack extends JfrParkOn {
        @Setup(Level.Trial)
        public void start() throws IOException {
            start(Duration.ZERO, false);
        }
    }

    /**
     * Unsticks a park that lost its permit, so that a lost wake-up costs a second and a line on stderr rather
     * than the whole run. The pair's park never blocks when the permit is kept: a benchmark thread blocked in
     * a pair's own {@code park()} for a second (parked there, using no CPU) has lost it, to a park the tracer
     * did on the same thread between the unpark and the park (a back-pressure wait, for example). Sampling
     * the thread costs the benchmark thread nothing; its stack is looked at only while it is parked.
     */
    @State(Scope.Thread)
    public static class Watchdog {
        private Thread worker;
        private Thread dog;
        private String benchmark;
        private volatile boolean stop;
        volatile int lost;

        @Setup(Level.Trial)
        public void start(BenchmarkParams params) {
            benchmark = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1)
                    + params.getJvmArgs().stream().filter(a -> a.startsWith("-Djtrace.clock=") || a.startsWith("-javaagent"))
                            .map(a -> a.startsWith("-javaagent") ? " agent" : " " + a.substring(2)).reduce("", String::concat);
            worker = Thread.currentThread(); // thread-scoped state: set up by the benchmark thread itself
            dog = Thread.ofPlatform().daemon().name("park-watchdog").start(this::watch);
        }

        private void watch() {
            // parked in the pair's park() and using no CPU for 20 samples in a row: blocked, not just found
            // there often (JFR at threshold 0 spends most of each pair inside park(), walking the stack)
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            int stuckSamples = 0;
            long cpu = -1;
            while (!stop) {
                LockSupport.parkNanos(50_000_000);
                long now = threads.getThreadCpuTime(worker.threadId());
                boolean parked = worker.getState() == Thread.State.WAITING && inPairPark(worker.getStackTrace());
                stuckSamples = parked && now == cpu ? stuckSamples + 1 : 0;
                cpu = now;
                if (stuckSamples == 20) {
                    lost++;
                    System.err.println("ParkBench: lost wake-up: the pair's park() blocked for 1 s (the permit was"
                            + " consumed before it); unparking it");
                    LockSupport.unpark(worker);
                    stuckSamples = 0;
                }
            }
        }

        private static boolean inPairPark(StackTraceElement[] st) {
            for (StackTraceElement e : st) {
                if (e.getClassName().equals(ParkBench.class.getName()) && e.getMethodName().endsWith("_park")) {
                    return true;
                }
            }
            return false;
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException, IOException {
            stop = true;
            dog.join();
            if (lost > 0) {
                System.err.println("ParkBench: " + lost + " lost wake-up(s) in this fork: its score is not the"
                        + " pair's cost");
                String file = System.getProperty(LOST_PROPERTY);
                if (file != null) {
                    Files.writeString(Path.of(file), benchmark + ": " + lost + " lost wake-up(s)\n",
                            java.nio.file.StandardOpenOption.APPEND);
                }
            }
        }
    }

    // ------------------------------------------------------------------ the pair, no tracer

    @Benchmark
    public void plain_park(Watchdog w) {
        LockSupport.unpark(Thread.currentThread());
        LockSupport.park();
    }

    // ------------------------------------------------------------------ jtrace, recorder level

    /**
     * The three events the agent's hooks write for this pair, through the entry the hooks call, as
     * {@code SchedulerEvents} calls it: Unpark by the waker (here the thread itself) at the entry of
     * {@code unpark}, then ParkBegin and BlockEnd around the real park. BlockEnd asks for a stack, and the
     * recorder gives it none: the park returned at once, under {@code blockstack} (docs/format.md).
     */
    @Benchmark
    public void jtrace_park(JTraceOn s, Watchdog w) {
        Thread self = Thread.currentThread();
        ThreadContext.current().schedulerEvent(EventTypes.UNPARK, self.threadId(), 0, null, false);
        LockSupport.unpark(self);
        ThreadContext.current().schedulerEvent(EventTypes.PARK_BEGIN, 0, 0, null, false);
        LockSupport.park();
        ThreadContext.current().schedulerEvent(EventTypes.BLOCK_END, 0, 0, null, true);
    }

    /**
     * The same three events and calls, with the permit given after both events that come before the park:
     * a park the recorder does while it writes them (a back-pressure wait) cannot take the permit away, so
     * this is the events' cost even where {@link #jtrace_park} loses wake-ups. Its BlockEnd asks for no
     * stack: here the block it closes began before {@code unpark(self)}, and under load that stretch often
     * passes {@code blockstack}, which would add stack walks the hook order does not have.
     */
    @Benchmark
    public void jtraceEventsFirst_park(JTraceOn s, Watchdog w) {
        Thread self = Thread.currentThread();
        ThreadContext.current().schedulerEvent(EventTypes.UNPARK, self.threadId(), 0, null, false);
        ThreadContext.current().schedulerEvent(EventTypes.PARK_BEGIN, 0, 0, null, false);
        LockSupport.unpark(self);
        LockSupport.park();
        ThreadContext.current().schedulerEvent(EventTypes.BLOCK_END, 0, 0, null, false);
    }

    /** One log event, the unit of the goal (as {@link TracerBench#jtrace_log}). */
    @Benchmark
    public void jtrace_log(JTraceOn s) {
        JTrace.log(s.task, "bench", "message");
    }

    // ------------------------------------------------------------------ JFR's jdk.ThreadPark

    @Benchmark
    public void jfr20ms_park(JfrPark20ms s, Watchdog w) {
        LockSupport.unpark(Thread.currentThread());
        LockSupport.park();
    }

    @Benchmark
    public void jfr0_park(JfrPark0 s, Watchdog w) {
        LockSupport.unpark(Thread.currentThread());
        LockSupport.park();
    }

    @Benchmark
    public void jfr0nostack_park(JfrPark0NoStack s, Watchdog w) {
        LockSupport.unpark(Thread.currentThread());
        LockSupport.park();
    }

    // ------------------------------------------------------------------ the real agent

    /**
     * The plain pair in a JVM started with the agent: whatever the agent records of it (its hooks inside
     * LockSupport once they exist; before them, only JFR's thresholded park events, so nothing here) is
     * what this costs. The fork's arguments here serve a JMH run from the repository root; {@link BenchMain}
     * replaces them with the absolute jar and a trace file it reads back and deletes.
     */
    @Benchmark
    @Fork(jvmArgsAppend = {"-javaagent:" + AGENT_JAR + "=file=/tmp/jtrace-bench-park-agent.jtrace"})
    public void agent_park(Watchdog w) {
        LockSupport.unpark(Thread.currentThread());
        LockSupport.park();
    }
}
