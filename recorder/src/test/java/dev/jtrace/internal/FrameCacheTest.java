package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Backtraces are read exactly where java.lang is open (this JDK passes the layout self-check); the frame
 * cache's bound: frames of more live classes than it has slots replace each other, counted, and the table
 * never holds more than its slots; it holds classes weakly, so they unload. And a captured stack is
 * interned once per generation by its frames' identity.
 */
public class FrameCacheTest {
    /** The cached frame of frame {@code i} of {@code t}'s backtrace, resolved if new (as a capture does). */
    static FrameCache.Frame frameAt(Throwable t, int i) {
        Object[] chunk = Backtraces.of(t);
        for (int k = 0; k < i / Backtraces.CHUNK; k++) {
            chunk = (Object[]) chunk[Backtraces.NEXT];
        }
        int j = i % Backtraces.CHUNK;
        Class<?> cls = (Class<?>) ((Object[]) chunk[Backtraces.MIRRORS])[j];
        int method = ((short[]) chunk[Backtraces.METHODS])[j] & 0xFFFF;
        int bci = ((int[]) chunk[Backtraces.BCIS])[j];
        FrameCache.Frame f = FrameCache.find(cls, method, bci);
        return f != null ? f : FrameCache.resolved(cls, method, bci, t.getStackTrace()[i]);
    }

    /** The cached frame of the caller (the probe's get()). */
    public static Object probeFrame() {
        return frameAt(new Throwable(), 1);
    }

    /** Defines copies of {@link FrameCacheProbe00000} under new names, each a class of its own. */
    private static final class Copies extends ClassLoader {
        private final byte[] template;

        Copies(byte[] template) {
            super(FrameCacheTest.class.getClassLoader());
            this.template = template;
        }

        Class<?> copy(int n) {
            String name = String.format("FrameCacheProbe%05d", n);
            byte[] b = template.clone();
            byte[] from = "FrameCacheProbe00000".getBytes(StandardCharsets.US_ASCII);
            byte[] to = name.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i + from.length <= b.length; i++) {
                if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
                    System.arraycopy(to, 0, b, i, to.length);
                }
            }
            return defineClass("dev.jtrace.internal." + name, b, 0, b.length);
        }

        /** A new probe of class number {@code n}. */
        Supplier<?> probe(int n) throws ReflectiveOperationException {
            var c = copy(n).getDeclaredConstructor();
            c.setAccessible(true); // package-private, and in another runtime package (this loader's)
            return (Supplier<?>) c.newInstance();
        }
    }

    private static byte[] template() throws Exception {
        try (InputStream in = FrameCacheTest.class.getResourceAsStream("FrameCacheProbe00000.class")) {
            return in.readAllBytes();
        }
    }

    private static boolean javaLangOpen() {
        return Object.class.getModule().isOpen("java.lang", FrameCacheTest.class.getModule());
    }

    @Test
    void backtracesAreReadExactlyWhereJavaLangIsOpen() {
        assertThat(Backtraces.usable()).as(String.valueOf(Backtraces.WHY_NOT)).isEqualTo(javaLangOpen());
        if (!javaLangOpen()) {
            assertThat(Backtraces.WHY_NOT).contains("java.lang is not open");
        }
    }

    @Test
    void moreLiveClassesThanSlotsEvictCountedAndTheTableStaysBounded() throws Exception {
        assumeTrue(Backtraces.usable(), "java.lang is not open: stacks are walked");
        int classes = FrameCache.SLOTS + 1024;
        Copies loader = new Copies(template());
        List<Supplier<?>> probes = new ArrayList<>();
        for (int i = 1; i <= classes; i++) {
            probes.add(loader.probe(i));
        }
        long evicted = FrameCache.evicted();
        List<Object> frames = new ArrayList<>();
        for (Supplier<?> p : probes) {
            frames.add(p.get());
        }
        assertThat(FrameCache.size()).isLessThanOrEqualTo(FrameCache.SLOTS);
        // at least the classes beyond the slots replaced a live frame, and each was counted
        assertThat(FrameCache.evicted() - evicted).isGreaterThanOrEqualTo(classes - FrameCache.SLOTS);
        // every probe got its own frame, resolved to its own class and line
        for (int i = 0; i < classes; i++) {
            FrameCache.Frame f = (FrameCache.Frame) frames.get(i);
            assertThat(f.className).isEqualTo(String.format("dev.jtrace.internal.FrameCacheProbe%05d", i + 1));
            assertThat(f.methodName).isEqualTo("get");
            assertThat(f.fileName).isEqualTo("FrameCacheTest.java");
            assertThat(f.line).isEqualTo(FrameCacheProbe00000.LINE);
        }
        // a probe met again finds its frame, unless it was evicted
        assertThat(probes.get(classes - 1).get()).isSameAs(frames.get(classes - 1));
        // once the classes are gone their slots are free again (for the other tests in this JVM too)
        int full = FrameCache.size();
        probes.clear();
        frames.clear();
        loader = null;
        for (int i = 0; i < 20 && FrameCache.size() > full - classes / 2; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(FrameCache.size()).isLessThan(full - classes / 2);
    }

    @Test
    void theCacheDoesNotKeepClassesFromUnloading() throws Exception {
        assumeTrue(Backtraces.usable(), "java.lang is not open: stacks are walked");
        WeakReference<ClassLoader> gone = loadProbesAndForget();
        for (int i = 0; i < 20 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(gone.get()).as("the probes' loader was collected").isNull();
    }

    private static WeakReference<ClassLoader> loadProbesAndForget() throws Exception {
        Copies loader = new Copies(template());
        for (int i = 1; i <= 100; i++) {
            Supplier<?> p = loader.probe(i);
            FrameCache.Frame f = (FrameCache.Frame) p.get();
            assertThat(f.refersTo(p.getClass())).isTrue();
        }
        return new WeakReference<>(loader);
    }

    @Test
    void aCapturedStackIsInternedOncePerGenerationByItsFrames() {
        StringTable strings = new StringTable(1 << 20);
        StackTable stacks = new StackTable(1 << 20);
        int[] ids = new int[3];
        long[] resolved = new long[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = stacks.captureCurrent(strings, 64); // one call site: the same frames each time
            resolved[i] = FrameCache.resolved();
        }
        if (Backtraces.usable()) {
            assertThat(resolved[2]).as("the second and third found every frame cached").isEqualTo(resolved[0]);
        }
        assertThat(ids[0]).isPositive();
        assertThat(ids[1]).isEqualTo(ids[0]);
        assertThat(ids[2]).isEqualTo(ids[0]);
        // this class's own frames are the recorder's (dev.jtrace.internal) and left out: a JDK frame between
        int other = java.util.Optional.of(0).map(x -> stacks.captureCurrent(strings, 64)).orElseThrow();
        assertThat(other).as("another frame, another stack").isNotEqualTo(ids[0]);
        assertThat(stacks.entries()).hasSize(2);
    }

    @Test
    void theBudgetStillBoundsCapturedStacks() {
        StringTable strings = new StringTable(1 << 20);
        StackTable stacks = new StackTable(StackTable.cost(1) - 1);
        assertThat(stacks.captureCurrent(strings, 64)).isZero();
        assertThat(stacks.peekDropped()).isEqualTo(1);
        assertThat(stacks.heapBytes()).isZero();
    }

    @Test
    void aBacktraceThatMayBeCutIsWalkedInstead() {
        assumeTrue(Backtraces.usable(), "java.lang is not open: stacks are walked");
        Throwable[] t = new Throwable[1];
        deep(StackTable.BACKTRACE_LIMIT + 10, t);
        assertThat(Backtraces.depth(t[0])).isEqualTo(StackTable.BACKTRACE_LIMIT);
        assertThat(StackTable.fromBacktrace(t[0], 2000)).as("wanted more than the backtrace could hold").isNull();
        assertThat(StackTable.fromBacktrace(t[0], 64)).hasSize(64);
    }

    @Test
    void aThreadWhoseStackIsFarDeeperThanKeptWalksItsNextCapturesWithTheSameFrames() {
        assumeTrue(Backtraces.usable(), "java.lang is not open: stacks are walked");
        StringTable strings = new StringTable(1 << 20);
        StackTable stacks = new StackTable(1 << 20);
        ThreadContext tc = ThreadContext.current();
        tc.stackWalksLeft = 0;
        int[] ids = new int[3];
        int[] left = new int[3];
        atDepth(StackTable.DEEP_FACTOR * 64 + 30, () -> {
            for (int i = 0; i < 3; i++) { // one call site: the same frames each time
                ids[i] = stacks.captureCurrent(strings, 64, tc);
                left[i] = tc.stackWalksLeft;
            }
        });
        tc.stackWalksLeft = 0;
        assertThat(left).containsExactly(StackTable.WALKS_WHEN_DEEP, StackTable.WALKS_WHEN_DEEP - 1,
                StackTable.WALKS_WHEN_DEEP - 2);
        // the first read the backtrace (interned by identity), the others walked (by content): two entries
        // with the same frames
        assertThat(ids[0]).isNotEqualTo(ids[1]);
        assertThat(ids[2]).isEqualTo(ids[1]);
        List<StackTable.Entry> entries = new ArrayList<>(stacks.entries());
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).frames()).hasSize(64 * 4).containsExactly(entries.get(1).frames());
        // a shallow stack does not set the hint
        stacks.captureCurrent(strings, 64, tc);
        assertThat(tc.stackWalksLeft).isZero();
    }

    private static void atDepth(int n, Runnable r) {
        if (n > 0) {
            java.util.Optional.of(n).map(k -> {
                atDepth(k - 3, r);
                return k;
            });
        } else {
            r.run();
        }
    }

    /** Recurses through Optional.map, a JDK frame (this class's frames are the recorder's, left out). */
    private static void deep(int n, Throwable[] out) {
        if (n > 0) {
            java.util.Optional.of(n).map(k -> {
                deep(k - 3, out);
                return k;
            });
        } else {
            out[0] = new Throwable();
        }
    }
}

/** A probe: its get() returns the cached frame of itself. Copied under other names by the test. */
final class FrameCacheProbe00000 implements Supplier<Object> {
    static final int LINE = 249; // the line of the return below

    @Override
    public Object get() {
        return FrameCacheTest.probeFrame();
    }
}
