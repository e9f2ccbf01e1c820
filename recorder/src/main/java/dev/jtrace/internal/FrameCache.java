package dev.jtrace.internal;

import java.lang.ref.WeakReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The frames of captured stacks, each resolved once. A frame of a {@code Throwable}'s backtrace (see
 * {@link Backtraces}) is looked up by what the VM stored for it, none of which needs a name resolved: the
 * declaring class, the method's id number in that class and the word holding the bytecode index and the
 * class's redefinition version. It maps to one {@link Frame} holding the class name, method name, file and
 * line that the frame's {@code StackTraceElement} gave the one time the frame was resolved (on a miss), so
 * a stack is then an array of frames compared by identity.
 *
 * <p>Exact: the id number names one method of the class (overloads have their own), the version one
 * redefinition of it, the index one instruction, so one line; the file is the class's. A version the VM
 * saturated (after 65,535 redefinitions) is never cached: such a frame is resolved each time.
 *
 * <p>Bounded: a fixed table of {@value #SLOTS} slots, each frame in one of {@value #PROBES} slots after its
 * hash. A frame that finds them all taken by live frames replaces one of them, counted in {@link #evicted}:
 * the evicted frame stays valid for the stacks that hold it, and is resolved again when next met. A frame
 * holds its class weakly, so the cache never keeps a class from being unloaded; a slot whose class was
 * unloaded is free. Lock-free: a lookup is reads only, an insert one compare-and-set.
 */
final class FrameCache {
    /** Slots in the table; a power of two. At most about 150 bytes each when full (a frame and its strings). */
    static final int SLOTS = 1 << 14;
    /** Slots a frame may occupy, from its hash on. */
    static final int PROBES = 4;
    private static final int MASK = SLOTS - 1;
    /** The version the VM stores once a class was redefined more than 65,534 times (they all share it). */
    private static final int SATURATED_VERSION = 0xFFFF;

    /**
     * One resolved frame. Identity is the point: a stack is an array of frames, interned by their identity.
     * {@link #serial} orders frames in the stack tables' skip lists; never reused.
     */
    static final class Frame extends WeakReference<Class<?>> {
        final int method;
        final int bciAndVersion;
        final int hash;
        /** The recorder's own frame or a reflection frame: left out of stacks, as StackWalker leaves them. */
        final boolean skipped;
        final long serial;
        final String className;
        final String methodName;
        final String fileName;
        final int line;

        Frame(Class<?> cls, int method, int bciAndVersion, int hash, long serial, StackTraceElement e) {
            super(cls);
            this.method = method;
            this.bciAndVersion = bciAndVersion;
            this.hash = hash;
            this.serial = serial;
            this.className = e.getClassName();
            this.methodName = e.getMethodName();
            this.fileName = e.getFileName();
            this.line = e.getLineNumber();
            this.skipped = StackTable.isRecorderFrame(className) || isReflectionFrame(cls);
        }
    }

    private static final AtomicReferenceArray<Frame> TABLE = new AtomicReferenceArray<>(SLOTS);
    private static final AtomicLong SERIALS = new AtomicLong();
    private static final AtomicLong EVICTED = new AtomicLong();
    private static final AtomicLong RESOLVED = new AtomicLong();

    /** The JDK's reflection accessors, which StackWalker hides by default (null if not found). */
    private static final Class<?> METHOD_ACCESSOR = jdkClass("jdk.internal.reflect.MethodAccessor");
    private static final Class<?> CONSTRUCTOR_ACCESSOR = jdkClass("jdk.internal.reflect.ConstructorAccessor");

    private FrameCache() {}

    private static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /**
     * StackWalker's rule for the frames it hides without {@code SHOW_REFLECT_FRAMES}
     * ({@code StackStreamFactory.isReflectionFrame}): Method.invoke, Constructor.newInstance, the accessors
     * behind them, and lambda forms.
     */
    static boolean isReflectionFrame(Class<?> c) {
        return c == Method.class || c == Constructor.class
                || (METHOD_ACCESSOR != null && METHOD_ACCESSOR.isAssignableFrom(c))
                || (CONSTRUCTOR_ACCESSOR != null && CONSTRUCTOR_ACCESSOR.isAssignableFrom(c))
                || c.getName().startsWith("java.lang.invoke.LambdaForm");
    }

    /** The cached frame of (class, method id number, bytecode index and version), or null: resolve it. */
    static Frame find(Class<?> cls, int method, int bciAndVersion) {
        int h = hash(cls, method, bciAndVersion);
        int home = h & MASK;
        for (int p = 0; p < PROBES; p++) {
            Frame e = TABLE.get((home + p) & MASK);
            if (e != null && e.hash == h && e.bciAndVersion == bciAndVersion && e.method == method && e.refersTo(cls)) {
                return e;
            }
        }
        return null;
    }

    /** The frame resolved to {@code e}, cached for the next lookups of the same key. */
    static Frame resolved(Class<?> cls, int method, int bciAndVersion, StackTraceElement e) {
        RESOLVED.incrementAndGet();
        int h = hash(cls, method, bciAndVersion);
        Frame fresh = new Frame(cls, method, bciAndVersion, h, SERIALS.getAndIncrement(), e);
        if ((bciAndVersion & 0xFFFF) == SATURATED_VERSION) {
            return fresh; // one key for many versions: not an identity
        }
        int home = h & MASK;
        for (int p = 0; p < PROBES; p++) {
            int i = (home + p) & MASK;
            Frame old = TABLE.get(i);
            if ((old == null || old.refersTo(null)) && TABLE.compareAndSet(i, old, fresh)) {
                return fresh;
            }
        }
        // the newest frame is the likelier to be met again: it takes one of its slots, a different one each
        // time, so that two frames of one stack that share their slots do not keep replacing each other
        TABLE.set((home + (int) (fresh.serial & (PROBES - 1))) & MASK, fresh);
        EVICTED.incrementAndGet();
        return fresh;
    }

    /** Spreads the class's identity hash, the method's number and the index over the slots' bits. */
    static int hash(Class<?> cls, int method, int bciAndVersion) {
        int h = (System.identityHashCode(cls) * 31 + method) * 31 + bciAndVersion;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** Frames that replaced a live frame because all its slots were taken (the bound at work). */
    static long evicted() {
        return EVICTED.get();
    }

    /** Frames resolved (a StackTraceElement read) since the start. */
    static long resolved() {
        return RESOLVED.get();
    }

    /** Live frames in the table, for tests of the bound. */
    static int size() {
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            Frame e = TABLE.get(i);
            if (e != null && !e.refersTo(null)) {
                n++;
            }
        }
        return n;
    }
}
