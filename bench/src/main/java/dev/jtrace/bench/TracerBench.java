package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import io.perfmark.Link;
import io.perfmark.PerfMark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The same operations through jtrace, JFR and PerfMark, each recording for real (jtrace and JFR to a
 * file, PerfMark into its in-memory rings), plus the baselines. JMH runs each benchmark in its own fork,
 * so only one tracer is on at a time. Method names are {@code <tracer>_<operation>}; {@link BenchMain}
 * turns them into one table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracerBench {

    // ------------------------------------------------------------------ JFR events with jtrace's fields

    @Name("jtrace.bench.Log")
    @Category("jtrace bench")
    @StackTrace(false)
    static final class JfrLog extends Event {
        long task;
        String category;
        String message;
    }

    @Name("jtrace.bench.LogWithStack")
    @Category("jtrace bench")
    @StackTrace(true)
    static final class JfrLogWithStack extends Event {
        long task;
        String category;
        String message;
    }

    @Name("jtrace.bench.Region")
    @Category("jtrace bench")
    @StackTrace(false)
    static final class JfrRegion extends Event {
        long task;
        String name;
    }

    @Name("jtrace.bench.TaskBegin")
    @Category("jtrace bench")
    @StackTrace(false)
    static final class JfrTaskBegin extends Event {
        long task;
        long parent;
        String name;
    }

    @Name("jtrace.bench.TaskEnd")
    @Category("jtrace bench")
    @StackTrace(false)
    static final class JfrTaskEnd extends Event {
        long task;
    }

    // ------------------------------------------------------------------ tracer states

    /**
     * jtrace recording to a temporary file with default settings, or to the file that the system property
     * {@code jtrace.bench.file} names, which is then left in place: {@code /dev/null} measures the recorder
     * and its writer without the kernel's copy of every byte into the page cache (docs/performance.md,
     * "The writer's cost per MiB").
     */
    @State(Scope.Benchmark)
    public static class JTraceOn {
        Path file;
        boolean temporary;
        Task task;

        @Setup(Level.Trial)
        public void start() throws IOException {
            String given = System.getProperty("jtrace.bench.file");
            temporary = given == null || given.isEmpty();
            file = temporary ? Files.createTempFile("bench-", ".jtrace") : Path.of(given);
            JTrace.start(TraceConfig.builder().file(file).build());
            task = JTrace.newTask(null, "bench");
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            JTrace.stop();
            if (temporary) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** A JFR recording of only the benchmark's event types, to a temporary file. */
    @State(Scope.Benchmark)
    public static class JfrOn {
        Recording recording;
        Path file;
        long taskIds;

        @Setup(Level.Trial)
        public void start() throws IOException {
            file = Files.createTempFile("bench-", ".jfr");
            recording = new Recording();
            recording.enable(JfrLog.class).withoutStackTrace();
            recording.enable(JfrRegion.class).withoutStackTrace().withThreshold(java.time.Duration.ZERO);
            recording.enable(JfrTaskBegin.class).withoutStackTrace();
            recording.enable(JfrTaskEnd.class).withoutStackTrace();
            recording.enable(JfrLogWithStack.class).withStackTrace();
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

    /** PerfMark enabled (its in-memory per-thread rings). */
    @State(Scope.Benchmark)
    public static class PerfMarkOn {
        @Setup(Level.Trial)
        public void start() {
            PerfMark.setEnabled(true);
        }

        @TearDown(Level.Trial)
        public void stop() {
            PerfMark.setEnabled(false);
        }
    }

    /** The queue that hands tasks from one thread to another in the cross-thread benchmarks. */
    @State(Scope.Group)
    public static class Handoff {
        final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
    }

    // ------------------------------------------------------------------ baselines

    @Benchmark
    public void baseline_empty() {
    }

    @Benchmark
    public long baseline_nanoTime() {
        return System.nanoTime();
    }

    // ------------------------------------------------------------------ tracing off

    @Benchmark
    public void jtrace_off() {
        JTrace.log(null, "bench", "message");
    }

    @Benchmark
    public void jfr_off() {
        JfrLog e = new JfrLog();
        e.task = 1;
        e.category = "bench";
        e.message = "message";
        e.commit();
    }

    @Benchmark
    public void perfmark_off() {
        PerfMark.event("bench", "message");
    }

    // ------------------------------------------------------------------ one log event

    @Benchmark
    public void jtrace_log(JTraceOn s) {
        JTrace.log(s.task, "bench", "message");
    }

    @Benchmark
    public void jfr_log(JfrOn s) {
        JfrLog e = new JfrLog();
        e.task = 1;
        e.category = "bench";
        e.message = "message";
        e.commit();
    }

    @Benchmark
    public void perfmark_log(PerfMarkOn s) {
        PerfMark.event("bench", "message");
    }

    // ------------------------------------------------------------------ region begin + end

    @Benchmark
    public void jtrace_region(JTraceOn s) {
        try (Region r = JTrace.region(s.task, "region")) {
            // empty region: the cost of begin and end
        }
    }

    @Benchmark
    public void jfr_region(JfrOn s) {
        JfrRegion e = new JfrRegion();
        e.begin();
        e.task = 1;
        e.name = "region";
        e.commit();
    }

    @Benchmark
    public void perfmark_region(PerfMarkOn s) {
        PerfMark.startTask("region");
        PerfMark.stopTask("region");
    }

    // ------------------------------------------------------------------ the fenced path, next to the default

    /**
     * {@link #jtrace_log} with every event fencing itself ({@code -Djtrace.barrier=fence}), in its own fork:
     * where the JVM can use membarrier (Linux, native access enabled), {@code jtrace_log} runs without the
     * fence, so one run compares both (docs/design.md, "The seqlock fence").
     */
    @Benchmark
    @Fork(jvmArgsPrepend = "-Djtrace.barrier=fence")
    public void jtraceFenced_log(JTraceOn s) {
        JTrace.log(s.task, "bench", "message");
    }

    /** {@link #jtrace_region} on the fenced path, as {@link #jtraceFenced_log}. */
    @Benchmark
    @Fork(jvmArgsPrepend = "-Djtrace.barrier=fence")
    public void jtraceFenced_region(JTraceOn s) {
        try (Region r = JTrace.region(s.task, "region")) {
            // empty region: the cost of begin and end
        }
    }

    // ------------------------------------------------------------------ task begin + end

    @Benchmark
    public Task jtrace_task(JTraceOn s) {
        Task t = JTrace.newTask(s.task, "task");
        t.end();
        return t;
    }

    @Benchmark
    public void jfr_task(JfrOn s) {
        long id = ++s.taskIds;
        JfrTaskBegin b = new JfrTaskBegin();
        b.task = id;
        b.parent = 1;
        b.name = "task";
        b.commit();
        JfrTaskEnd e = new JfrTaskEnd();
        e.task = id;
        e.commit();
    }

    @Benchmark
    public void perfmark_task(PerfMarkOn s) {
        // PerfMark's tasks are its regions; a task that other threads can join is a startTask plus a link
        PerfMark.startTask("task");
        Link l = PerfMark.linkOut();
        PerfMark.stopTask("task");
        if (l == null) {
            throw new AssertionError();
        }
    }

    // ------------------------------------------------------------------ an event with the caller's stack

    @Benchmark
    public void jtrace_stack(JTraceOn s) {
        JTrace.logWithStack(s.task, "bench", "message");
    }

    @Benchmark
    public void jfr_stack(JfrOn s) {
        JfrLogWithStack e = new JfrLogWithStack();
        e.task = 1;
        e.category = "bench";
        e.message = "message";
        e.commit();
    }

    // ------------------------------------------------------------------ a task begun on one thread, ended on another

    @Benchmark
    @Group("baseline_cross")
    @GroupThreads(1)
    public void baselineCrossBegin(Handoff h) {
        h.queue.offer(Boolean.TRUE);
    }

    @Benchmark
    @Group("baseline_cross")
    @GroupThreads(1)
    public Object baselineCrossEnd(Handoff h) {
        return h.queue.poll();
    }

    @Benchmark
    @Group("jtrace_cross")
    @GroupThreads(1)
    public void jtraceCrossBegin(JTraceOn s, Handoff h) {
        Task t = JTrace.newTask(s.task, "cross");
        if (!h.queue.offer(t)) {
            t.end(); // queue full: end here so that every begun task ends
        }
    }

    @Benchmark
    @Group("jtrace_cross")
    @GroupThreads(1)
    public void jtraceCrossEnd(Handoff h, Blackhole bh) {
        Object t = h.queue.poll();
        if (t != null) {
            ((Task) t).end();
        }
        bh.consume(t);
    }

    @Benchmark
    @Group("jfr_cross")
    @GroupThreads(1)
    public void jfrCrossBegin(JfrOn s, Handoff h) {
        JfrTaskBegin b = new JfrTaskBegin();
        b.task = ++s.taskIds;
        b.parent = 1;
        b.name = "cross";
        b.commit();
        if (!h.queue.offer(b.task)) {
            JfrTaskEnd e = new JfrTaskEnd();
            e.task = b.task;
            e.commit();
        }
    }

    @Benchmark
    @Group("jfr_cross")
    @GroupThreads(1)
    public void jfrCrossEnd(JfrOn s, Handoff h, Blackhole bh) {
        Object id = h.queue.poll();
        if (id != null) {
            JfrTaskEnd e = new JfrTaskEnd();
            e.task = (Long) id;
            e.commit();
        }
        bh.consume(id);
    }

    @Benchmark
    @Group("perfmark_cross")
    @GroupThreads(1)
    public void perfmarkCrossBegin(PerfMarkOn s, Handoff h) {
        PerfMark.startTask("cross");
        Link l = PerfMark.linkOut();
        PerfMark.stopTask("cross");
        h.queue.offer(l);
    }

    @Benchmark
    @Group("perfmark_cross")
    @GroupThreads(1)
    public void perfmarkCrossEnd(PerfMarkOn s, Handoff h, Blackhole bh) {
        Object l = h.queue.poll();
        if (l != null) {
            PerfMark.startTask("cross-end");
            PerfMark.linkIn((Link) l);
            PerfMark.stopTask("cross-end");
        }
        bh.consume(l);
    }
}
