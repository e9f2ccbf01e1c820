package dev.jtrace.bench;

import dev.jtrace.JTrace;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What a stack capture costs at a shallow and at a deep call stack: the JDK's two ways of taking the first
 * 64 frames ({@code Throwable.getStackTrace()} then a copy, against {@code StackWalker} with a limit), and
 * one recorded event with its stack through jtrace ({@code JTrace.logWithStack}, recording to a file) and
 * through JFR (an event with {@code @StackTrace(true)}, recording to a file); both keep at most 64 frames by
 * default. Each operation first recurses {@code depth} frames, then captures 16 times at the bottom; the
 * scores are per operation (divide by 16 for one capture; the recursion itself is a few hundred ns at depth
 * 1000). The tracers are TracerBench's recordings (jtrace with default settings, at most 64 frames; JFR
 * with TracerBench's event types, of which only the event with a stack is emitted here). JMH runs each
 * benchmark in its own fork, so only one tracer is on at a time. jtrace reads stacks from a Throwable's
 * backtrace only where java.lang is open to it, as the agent opens it: give the forks
 * {@code -jvmArgsAppend "--add-opens java.base/java.lang=ALL-UNNAMED"}; without it jtrace walks with
 * StackWalker, and says so (docs/performance.md, "Stacks against JFR").
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
    public Object jtraceLogWithStack(TracerBench.JTraceOn on) {
        return recurse(depth, () -> {
            JTrace.logWithStack(null, "bench", "message");
            return null;
        });
    }

    @Benchmark
    public Object jfrLogWithStack(TracerBench.JfrOn on) {
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
