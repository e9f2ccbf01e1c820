package dev.jtrace.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MutableCallSite;

/**
 * The "is tracing on" check of the hot path. The answer is a constant of a {@link MutableCallSite}, so
 * compiled code folds it: with tracing off an event costs what an empty method costs. Turning it on or
 * off invalidates the compiled code that folded the old answer (a deoptimization, once per start/stop).
 * This is only a filter; the truth is the generation number read inside the tracer lock.
 */
public final class Switch {
    private static final MutableCallSite SITE = new MutableCallSite(MethodHandles.constant(boolean.class, false));
    private static final MethodHandle ON = SITE.dynamicInvoker();

    private Switch() {}

    /** Whether events should be attempted at all. */
    public static boolean on() {
        try {
            return (boolean) ON.invokeExact();
        } catch (Error e) {
            throw e; // a StackOverflowError before the event began: the caller sees it, nothing to count
        } catch (Throwable t) {
            throw new AssertionError("a constant method handle threw", t);
        }
    }

    static void set(boolean on) {
        SITE.setTarget(MethodHandles.constant(boolean.class, on));
        MutableCallSite.syncAll(new MutableCallSite[] {SITE});
    }
}
