package dev.jtrace.bench;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The ingredients of a stack capture, each alone, one walk of at most 64 frames per operation after
 * recursing {@code depth} frames: what the walk costs when a frame is only counted, and what each
 * {@code StackFrame} accessor adds (the class reference and bytecode index are fields; the method name
 * makes the VM expand the frame; the method type parses the descriptor against the class loader; the
 * StackTraceElement computes the line and builds the strings). These numbers chose how
 * {@code StackTable} keys a frame (docs/design.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StackFrameCostBench {
    private static final StackWalker PLAIN = StackWalker.getInstance();
    private static final StackWalker CLASSES = StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));

    /** Told to expect 80 frames (the recorder's 64 and its own above them): fewer, larger batches. */
    private static final StackWalker CLASSES_SIZED = StackWalker.getInstance(
            Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE), 80);

    /**
     * The VM's per-method identity in a walked frame ({@code ClassFrameInfo.classOrMemberName}, a
     * {@code ResolvedMethodName} on JDK 22+), readable only where {@code java.lang} is opened to this
     * class ({@code --add-opens java.base/java.lang=ALL-UNNAMED}); null otherwise.
     */
    private static final java.lang.invoke.VarHandle METHOD = methodIdentity();

    private static java.lang.invoke.VarHandle methodIdentity() {
        try {
            Class<?> c = Class.forName("java.lang.ClassFrameInfo");
            return java.lang.invoke.MethodHandles.privateLookupIn(c, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(c, "classOrMemberName", Object.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Param({"10", "50"})
    int depth;

    private interface Walk {
        long take();
    }

    private static long recurse(int n, Walk w) {
        return n > 0 ? recurse(n - 1, w) + 1 : w.take();
    }

    @Benchmark
    public long countOnly() {
        return recurse(depth, () -> PLAIN.walk(s -> s.limit(64).count()));
    }

    @Benchmark
    public long classAndBci() {
        return recurse(depth, () -> CLASSES.walk(s -> s.limit(64)
                .mapToLong(f -> System.identityHashCode(f.getDeclaringClass()) + f.getByteCodeIndex()).sum()));
    }

    @Benchmark
    public long classBciAndName() {
        return recurse(depth, () -> CLASSES.walk(s -> s.limit(64)
                .mapToLong(f -> System.identityHashCode(f.getDeclaringClass()) + f.getByteCodeIndex()
                        + f.getMethodName().length()).sum()));
    }

    /** Needs java.lang opened (see {@link #METHOD}): the method's identity instead of its name. */
    @Benchmark
    public long classBciAndMethodIdentity() {
        if (METHOD == null) {
            throw new IllegalStateException("run with --add-opens java.base/java.lang=ALL-UNNAMED");
        }
        return recurse(depth, () -> CLASSES.walk(s -> s.limit(64)
                .mapToLong(f -> System.identityHashCode(f.getDeclaringClass()) + f.getByteCodeIndex()
                        + System.identityHashCode(METHOD.get(f))).sum()));
    }

    @Benchmark
    public long classBciAndNameSized() {
        return recurse(depth, () -> CLASSES_SIZED.walk(s -> s.limit(64)
                .mapToLong(f -> System.identityHashCode(f.getDeclaringClass()) + f.getByteCodeIndex()
                        + f.getMethodName().length()).sum()));
    }

    @Benchmark
    public long classBciNameAndDescriptor() {
        return recurse(depth, () -> CLASSES.walk(s -> s.limit(64)
                .mapToLong(f -> System.identityHashCode(f.getDeclaringClass()) + f.getByteCodeIndex()
                        + f.getMethodName().length() + f.getDescriptor().length()).sum()));
    }

    @Benchmark
    public long stackTraceElement() {
        return recurse(depth, () -> PLAIN.walk(s -> s.limit(64)
                .mapToLong(f -> f.toStackTraceElement().getLineNumber()).sum()));
    }
}
