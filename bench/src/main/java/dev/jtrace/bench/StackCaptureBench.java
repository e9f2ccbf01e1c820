package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a stack capture costs at a shallow and at a deep call stack: the JDK's two ways of taking the first
 * 64 frames ({@code Throwable.getStackTrace()} then a copy, against {@code StackWalker} with a limit), and
 * one recorded event with its stack through jtrace ({@code JTrace.logWithStack}, recording to a file) and
 * through JFR (an event with {@code @StackTrace(true)}, recording to a file); both keep at most 64 frames by
 * default. Each operation first recurses {@code depth} frames, then captures 16 times at the bottom; the
 * scores are per operation (divide by 16 for one capture; the recursion itself is a few hundred ns at depth
 * 1000). JMH runs each benchmark in its own fork, so only one tracer is on at a time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StackCaptureBench {
    private static final int CAPTURES = 16;
    private static final StackWalker WALKER = StackWalker.getInstance();
    /** Told to expect 80 frames: it then fetches them in one batch instead of growing batches. */
    private static final StackWalker SIZED = StackWalker.getInstance(java.util.Set.of(), 80);

    @Param({"10", "50", "1000"})
    int depth;

    /** jtrace recording to a temporary file with default settings (at most 64 frames). */
    @State(Scope.Benchmark)
    public static class JTraceOn {
        Path file;

        @Setup(Level.Trial)
        public void start() throws IOException {
            file = Files.createTempFile("bench-", ".jtrace");
            JTrace.start(TraceConfig.builder().file(file).build());
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            JTrace.stop();
            Files.deleteIfExists(file);
        }
    }

    /** A JFR recording of only {@link TracerBench.JfrLogWithStack} with its stack (at most 64 frames), to a file. */
    @State(Scope.Benchmark)
    public static class JfrOn {
        Recording recording;
        Path file;

        @Setup(Level.Trial)
        public void start() throws IOException {
            file = Files.createTempFile("bench-", ".jfr");
            recording = new Recording();
            recording.enable(TracerBench.JfrLogWithStack.class).withStackTrace();
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

    private interface Capture {
        Object take();
    }

    private static Object recurse(int n, Capture c) {
        if (n > 0) {
            return recurse(n - 1, c);
        }
        Object last = null;
        for (int i = 0; i < CAPTURES; i++) {
            last = c.take();
        }
        return last;
    }

    @Benchmark
    public Object throwable64() {
        return recurse(depth, () -> {
            StackTraceElement[] all = new Throwable().getStackTrace();
            return Arrays.copyOf(all, Math.min(all.length, 64));
        });
    }

    @Benchmark
    public Object stackWalker64() {
        return recurse(depth, () -> WALKER.walk(s -> s.limit(64).map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new)));
    }

    @Benchmark
    public Object stackWalker64Sized() {
        return recurse(depth, () -> SIZED.walk(s -> s.limit(64).map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new)));
    }

    @Benchmark
    public Object jtraceLogWithStack(JTraceOn on) {
        return recurse(depth, () -> {
            JTrace.logWithStack(null, "bench", "message");
            return null;
        });
    }

    @Benchmark
    public Object jfrLogWithStack(JfrOn on) {
        return recurse(depth, () -> {
            TracerBench.JfrLogWithStack e = new TracerBench.JfrLogWithStack();
            e.task = 1;
            e.category = "bench";
            e.message = "message";
            e.commit();
            return null;
        });
    }
}
