package dev.jtrace.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Locale;

/**
 * The asymmetric barrier of the seqlock protocol (docs/design.md, "The seqlock fence"): Linux's
 * {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)}, issued by the generation advance after it published
 * the new generation and before it reads the lanes' seqlocks. Every thread of the process that is running at
 * that moment executes a full memory barrier (an IPI), and every other one passes one in the scheduler before
 * it runs again, so entering an event needs only program order of its seqlock store and generation load, no
 * fence instruction of its own. Chosen once per JVM when the class loads ({@link #ENABLED} is a static final,
 * folded by the JIT); where it is not available, every event fences itself as before.
 *
 * <p>System property {@code jtrace.barrier}: {@code auto} (default: membarrier where available, silently),
 * {@code membarrier} (the same, saying on stderr why not when it cannot be had) or {@code fence} (the fenced
 * path whatever the platform, e.g. to compare both in one JMH run). Available means: Linux on x86-64 or
 * AArch64, a HotSpot JVM (the emitting side's compiler barrier is an argument about its compilers), JDK 22
 * or newer, native access enabled for the recorder (as for the TSC clock: otherwise the JDK
 * would print a warning into the application's output), the kernel supports the private expedited command
 * (4.14+), and registering for it and one trial call succeed (a seccomp filter that refuses the system call
 * makes them fail). Looked up reflectively, as in {@link Clock}, because the recorder compiles for Java 21.
 */
final class Membarrier {
    private static final int MEMBARRIER_CMD_QUERY = 0;
    private static final int MEMBARRIER_CMD_PRIVATE_EXPEDITED = 1 << 3;
    private static final int MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    /** {@code long syscall(long number, ...)} bound to (number, cmd, flags, cpu), or null. */
    private static final MethodHandle SYSCALL;
    private static final long NR_MEMBARRIER;
    private static final String WHY_NOT;

    static {
        String requested = System.getProperty("jtrace.barrier", "auto").trim().toLowerCase(Locale.ROOT);
        MethodHandle call = null;
        long nr = -1;
        String whyNot;
        if (requested.equals("fence")) {
            whyNot = "jtrace.barrier=fence";
        } else if (!requested.equals("auto") && !requested.equals("membarrier")) {
            whyNot = "unknown jtrace.barrier '" + requested + "' (auto, membarrier or fence)";
            System.err.println("jtrace: " + whyNot + "; every event fences itself");
        } else {
            nr = syscallNumber();
            String vm = System.getProperty("java.vm.name", "");
            whyNot = nr < 0 ? "not Linux on x86-64 or AArch64 (" + System.getProperty("os.name") + ", "
                    + System.getProperty("os.arch") + ")"
                    // the compiler barrier on the emitting side is an argument about HotSpot's compilers
                    : !vm.contains("HotSpot") && !vm.contains("OpenJDK") ? "not a HotSpot JVM (" + vm + ")"
                    : Clock.ffmUnavailableBecause();
            if (whyNot == null) {
                try {
                    call = bindSyscall();
                    whyNot = register(call, nr);
                } catch (Throwable t) {
                    whyNot = "the system call could not be bound: " + t;
                }
                if (whyNot != null) {
                    call = null;
                }
            }
            if (whyNot != null && requested.equals("membarrier")) {
                System.err.println("jtrace: jtrace.barrier=membarrier is not available (" + whyNot
                        + "); every event fences itself");
            }
        }
        SYSCALL = call;
        NR_MEMBARRIER = nr;
        WHY_NOT = whyNot;
    }

    /** Whether the advance issues membarrier, so that entering an event needs no fence. */
    static final boolean ENABLED = SYSCALL != null;

    private static volatile boolean failureReported;

    private Membarrier() {}

    /** {@code membarrier} or {@code fence}: the protocol this JVM uses. */
    static String kind() {
        return ENABLED ? "membarrier" : "fence";
    }

    /** Why membarrier is not in use, or null when it is. */
    static String whyNot() {
        return WHY_NOT;
    }

    /**
     * The advance's half of the asymmetric barrier: returns once every thread of the process has executed a
     * full memory barrier since the call began (running ones by IPI, the others in the scheduler). A no-op on
     * the fenced path, where each event fenced itself.
     */
    static void serialize() {
        if (!ENABLED) {
            return;
        }
        if (Faults.ENABLED && Faults.storeBufferModel) {
            Faults.drainStoreBuffers();
        }
        long rc;
        try {
            rc = (long) SYSCALL.invokeExact(NR_MEMBARRIER, (long) MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0L, 0L);
        } catch (Throwable t) {
            rc = Long.MIN_VALUE;
        }
        if (rc != 0 && !failureReported) {
            // Registered processes cannot get an error from this command (membarrier(2): EINVAL for an unknown
            // command, EPERM when not registered); a seccomp filter installed after the start could make it.
            failureReported = true;
            try {
                System.err.println("jtrace: membarrier failed after it was registered (" + rc
                        + "): generations may lose events; run with -Djtrace.barrier=fence");
            } catch (Throwable ignored) {
                // the advance goes on
            }
        }
    }

    private static long syscallNumber() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return -1;
        }
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> 324;
            case "aarch64" -> 283; // the generic table (asm-generic/unistd.h)
            default -> -1;
        };
    }

    /** Queries, registers, and calls once; returns why that failed, or null. */
    private static String register(MethodHandle call, long nr) throws Throwable {
        long supported = (long) call.invokeExact(nr, (long) MEMBARRIER_CMD_QUERY, 0L, 0L);
        if (supported < 0) {
            return "membarrier(MEMBARRIER_CMD_QUERY) failed (a kernel without it, or a seccomp filter)";
        }
        int needed = MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
        if ((supported & needed) != needed) {
            return "the kernel has no MEMBARRIER_CMD_PRIVATE_EXPEDITED (4.14+)";
        }
        long rc = (long) call.invokeExact(nr, (long) MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0L, 0L);
        if (rc != 0) {
            return "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED failed";
        }
        rc = (long) call.invokeExact(nr, (long) MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0L, 0L);
        if (rc != 0) {
            return "MEMBARRIER_CMD_PRIVATE_EXPEDITED failed";
        }
        return null;
    }

    /**
     * A downcall handle to libc's {@code syscall}, variadic after the number; all arguments as longs, which
     * is what syscall(2) reads from its variadic list.
     */
    private static MethodHandle bindSyscall() throws Throwable {
        ReflectiveFfm f = new ReflectiveFfm();
        Object jlong = f.valueLayoutC.getField("JAVA_LONG").get(null);
        Object layouts = Array.newInstance(f.layoutC, 4);
        for (int i = 0; i < 4; i++) {
            Array.set(layouts, i, jlong);
        }
        Object desc = f.descC.getMethod("of", f.layoutC, layouts.getClass()).invoke(null, jlong, layouts);
        Object variadic = f.optionC.getMethod("firstVariadicArg", int.class).invoke(null, 1);
        Object options = Array.newInstance(f.optionC, 1);
        Array.set(options, 0, variadic);
        Object address = f.libc("syscall");
        MethodHandle h = (MethodHandle) f.linkerC.getMethod("downcallHandle", f.segmentC, f.descC, options.getClass())
                .invoke(f.linker, address, desc, options);
        return h.asType(MethodType.methodType(long.class, long.class, long.class, long.class, long.class));
    }
}
