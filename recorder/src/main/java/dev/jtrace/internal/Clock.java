package dev.jtrace.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The clock that stamps events. Two kinds, chosen once per JVM when the class loads (so that compiled
 * code folds the choice):
 *
 * <ul>
 *   <li>{@code nanotime}: {@link System#nanoTime()}; ticks are nanoseconds.
 *   <li>{@code tsc}: the CPU's time-stamp counter, read by a three-instruction stub called through the
 *       foreign-function API with {@code Linker.Option.critical} (no thread-state transition). It costs
 *       about half of {@code nanoTime()} on this project's machine, which is most of an event's cost. Ticks
 *       are then CPU cycles; every generation pairs its first and last tick with {@code nanoTime()} so that
 *       readers convert ticks to nanoseconds (as Go does with {@code cputicks}).
 * </ul>
 *
 * <p>System property {@code jtrace.clock}: {@code auto} (default), {@code tsc} or {@code nanotime}. {@code
 * auto} takes {@code tsc} only where it is sound and silent: Linux on x86-64, JDK 22 or newer, native access
 * enabled for the recorder (e.g. {@code --enable-native-access=ALL-UNNAMED}: otherwise the JDK would print a
 * warning into the application's output), and a kernel that itself trusts the TSC as its clock source
 * (constant, non-stop and synchronized across CPUs). Everything is looked up reflectively because the
 * recorder compiles for Java 21, where the foreign-function API was a preview.
 */
public final class Clock {
    /** The stub: {@code rdtsc; shl rdx, 32; or rax, rdx; ret}. */
    private static final byte[] RDTSC_X86_64 = {0x0F, 0x31, 0x48, (byte) 0xC1, (byte) 0xE2, 0x20, 0x48, 0x09,
        (byte) 0xD0, (byte) 0xC3};

    private static final MethodHandle TSC;
    /** Why the TSC is not used (for messages and tests), or null if it is. */
    private static final String WHY_NOT_TSC;

    static {
        String requested = System.getProperty("jtrace.clock", "auto").trim().toLowerCase(Locale.ROOT);
        MethodHandle tsc = null;
        String whyNot;
        if (requested.equals("nanotime")) {
            whyNot = "jtrace.clock=nanotime";
        } else if (!requested.equals("auto") && !requested.equals("tsc")) {
            whyNot = "unknown jtrace.clock '" + requested + "' (auto, tsc or nanotime)";
            System.err.println("jtrace: " + whyNot + "; using System.nanoTime()");
        } else {
            whyNot = tscUnavailableBecause();
            if (whyNot == null) {
                try {
                    tsc = loadTscStub();
                } catch (Throwable t) {
                    whyNot = "the TSC stub could not be installed: " + t;
                }
            }
            if (whyNot != null && requested.equals("tsc")) {
                System.err.println("jtrace: jtrace.clock=tsc is not available (" + whyNot
                        + "); using System.nanoTime()");
            }
        }
        TSC = tsc;
        WHY_NOT_TSC = whyNot;
    }

    /** Whether events are stamped with the time-stamp counter rather than {@code nanoTime()}. */
    public static final boolean IS_TSC = TSC != null;

    private Clock() {}

    /** The current time in ticks of this clock. */
    public static long ticks() {
        if (IS_TSC) {
            try {
                return (long) TSC.invokeExact();
            } catch (Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("the rdtsc stub threw", t);
            }
        }
        return System.nanoTime();
    }

    /**
     * Ticks per nanosecond, measured over about two milliseconds (1 for {@code nanotime}). For thresholds
     * only: readers convert event times with the generations' clock stamps, not with this.
     */
    public static double ticksPerNanoEstimate() {
        if (!IS_TSC) {
            return 1;
        }
        long n0 = System.nanoTime();
        long t0 = ticks();
        long n1;
        do {
            n1 = System.nanoTime();
        } while (n1 - n0 < 2_000_000);
        long t1 = ticks();
        return (double) (t1 - t0) / (n1 - n0);
    }

    /** The clock's name: {@code tsc} or {@code nanotime}. */
    public static String kind() {
        return IS_TSC ? "tsc" : "nanotime";
    }

    /** Why {@code tsc} is not in use, or null when it is. */
    public static String whyNotTsc() {
        return WHY_NOT_TSC;
    }

    private static String tscUnavailableBecause() {
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return "not x86-64 (" + arch + ")";
        }
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "not Linux";
        }
        String ffm = ffmUnavailableBecause();
        if (ffm != null) {
            return ffm;
        }
        try {
            String source = Files.readString(Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource"))
                    .trim();
            if (!source.equals("tsc")) {
                return "the kernel's clock source is " + source + ", not tsc";
            }
            String cpu = Files.readString(Path.of("/proc/cpuinfo"));
            if (!cpu.contains(" constant_tsc") || !cpu.contains(" nonstop_tsc")) {
                return "the CPU's TSC is not constant and non-stop";
            }
        } catch (IOException e) {
            return "cannot read the clock source: " + e;
        }
        return null;
    }

    /**
     * Why the recorder cannot call native code silently, or null when it can: JDK 22 or newer (the final
     * foreign-function API) and native access enabled for the recorder's module (without it, the JDK would
     * print a warning into the application's output). Shared with {@link Membarrier}.
     */
    static String ffmUnavailableBecause() {
        if (Runtime.version().feature() < 22) {
            return "JDK " + Runtime.version().feature() + " has no final foreign-function API";
        }
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            if (!(boolean) enabled.invoke(Clock.class.getModule())) {
                return "native access is not enabled (--enable-native-access=ALL-UNNAMED)";
            }
        } catch (ReflectiveOperationException e) {
            return "cannot tell whether native access is enabled: " + e;
        }
        return null;
    }

    /**
     * Maps a page, copies the stub into it, makes it read+execute (never writable and executable at once)
     * and returns a critical downcall handle to it. Reflective throughout (see the class comment).
     */
    private static MethodHandle loadTscStub() throws Throwable {
        ReflectiveFfm f = new ReflectiveFfm();
        Object address = f.valueLayoutC.getField("ADDRESS").get(null);
        Object jlong = f.valueLayoutC.getField("JAVA_LONG").get(null);
        Object jint = f.valueLayoutC.getField("JAVA_INT").get(null);
        Object layouts = Array.newInstance(f.layoutC, 0);
        Object noOptions = Array.newInstance(f.optionC, 0);
        Method descOf = f.descC.getMethod("of", f.layoutC, layouts.getClass());
        Method downcall = f.linkerC.getMethod("downcallHandle", f.segmentC, f.descC, noOptions.getClass());

        Object mmapAddr = f.libc("mmap");
        Object mprotectAddr = f.libc("mprotect");
        Object mmapDesc = descOf.invoke(null, address, layoutArray(f.layoutC, address, jlong, jint, jint, jint, jlong));
        Object mprotectDesc = descOf.invoke(null, jint, layoutArray(f.layoutC, address, jlong, jint));
        MethodHandle mmap = (MethodHandle) downcall.invoke(f.linker, mmapAddr, mmapDesc, noOptions);
        MethodHandle mprotect = (MethodHandle) downcall.invoke(f.linker, mprotectAddr, mprotectDesc, noOptions);

        final int protRead = 1;
        final int protWrite = 2;
        final int protExec = 4;
        final int mapPrivateAnonymous = 0x02 | 0x20;
        long page = 4096;
        Object nullSegment = f.segmentC.getField("NULL").get(null);
        Object mapped = mmap.invoke(nullSegment, page, protRead | protWrite, mapPrivateAnonymous, -1, 0L);
        long addr = (long) f.segmentC.getMethod("address").invoke(mapped);
        if (addr == 0 || addr == -1) {
            throw new IllegalStateException("mmap failed");
        }
        Object region = f.segmentC.getMethod("reinterpret", long.class).invoke(mapped, page);
        Object code = f.segmentC.getMethod("ofArray", byte[].class).invoke(null, (Object) RDTSC_X86_64);
        f.segmentC.getMethod("copy", f.segmentC, long.class, f.segmentC, long.class, long.class)
                .invoke(null, code, 0L, region, 0L, (long) RDTSC_X86_64.length);
        int rc = (int) mprotect.invoke(mapped, page, protRead | protExec);
        if (rc != 0) {
            throw new IllegalStateException("mprotect failed");
        }
        Object critical = f.optionC.getMethod("critical", boolean.class).invoke(null, false);
        Object options = Array.newInstance(f.optionC, 1);
        Array.set(options, 0, critical);
        Object desc = descOf.invoke(null, jlong, Array.newInstance(f.layoutC, 0));
        MethodHandle stub = (MethodHandle) downcall.invoke(f.linker, mapped, desc, options);
        stub = stub.asType(MethodType.methodType(long.class));
        long a = (long) stub.invokeExact();
        long b = (long) stub.invokeExact();
        if (a <= 0 || b < a) {
            throw new IllegalStateException("the counter does not advance (" + a + ", " + b + ")");
        }
        return stub;
    }

    private static Object layoutArray(Class<?> layoutC, Object... layouts) {
        Object a = Array.newInstance(layoutC, layouts.length);
        for (int i = 0; i < layouts.length; i++) {
            Array.set(a, i, layouts[i]);
        }
        return a;
    }
}
