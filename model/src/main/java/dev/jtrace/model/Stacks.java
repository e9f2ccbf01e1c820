package dev.jtrace.model;

import dev.jtrace.reader.StackTrace;
import java.util.List;

/** What the model reads from stacks: call sites outside the JDK, idle pool waits, I/O and Object.wait. */
public final class Stacks {
    private Stacks() {}

    /** The name given to a missing stack. */
    public static final String NO_STACK = "(no stack)";

    /**
     * Frames of the JDK, and of jtrace itself (the agent's hooks sit on the blocked call's stack): skipped
     * when looking for the application's call site.
     */
    public static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.")
                || className.startsWith("dev.jtrace.");
    }

    /** The innermost frame outside the JDK; the innermost frame if all are the JDK's; null without frames. */
    public static StackTrace.Frame callSite(StackTrace st) {
        if (st == null || st.frames().isEmpty()) {
            return null;
        }
        for (StackTrace.Frame f : st.frames()) {
            if (!isJdk(f.className())) {
                return f;
            }
        }
        return st.frames().get(0);
    }

    private static boolean has(List<StackTrace.Frame> fs, String cls, String method) {
        for (StackTrace.Frame f : fs) {
            if (f.className().equals(cls) && f.methodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the stack is a pool worker waiting for its next task: in ThreadPoolExecutor.getTask or
     * ForkJoinPool.awaitWork, or taking from a blocking queue inside a pool worker's run loop.
     */
    public static boolean isIdlePoolWait(StackTrace st) {
        if (st == null) {
            return false;
        }
        List<StackTrace.Frame> fs = st.frames();
        if (has(fs, "java.util.concurrent.ThreadPoolExecutor", "getTask")
                || has(fs, "java.util.concurrent.ForkJoinPool", "awaitWork")
                || has(fs, "java.util.concurrent.ForkJoinPool", "awaitQuiescence")) {
            return true;
        }
        boolean queueWait = false;
        boolean worker = false;
        for (StackTrace.Frame f : fs) {
            String c = f.className();
            String m = f.methodName();
            if ((c.endsWith("BlockingQueue") || c.endsWith("BlockingDeque") || c.endsWith("SynchronousQueue")
                    || c.endsWith("$DelayedWorkQueue")) && (m.equals("take") || m.equals("poll"))) {
                queueWait = true;
            }
            if (c.equals("java.util.concurrent.ThreadPoolExecutor") && m.equals("runWorker")
                    || c.equals("java.util.concurrent.ForkJoinWorkerThread") && m.equals("run")) {
                worker = true;
            }
        }
        return queueWait && worker;
    }

    /** The state a park means, from its stack: Object.wait, I/O, or a plain park. */
    public static ThreadState parkState(StackTrace st) {
        if (st == null) {
            return ThreadState.PARKED;
        }
        for (StackTrace.Frame f : st.frames()) {
            String c = f.className();
            if (c.equals("java.lang.Object") && f.methodName().startsWith("wait")) {
                return ThreadState.WAITING;
            }
            if (c.startsWith("sun.nio.ch.") || c.startsWith("java.net.Socket") || c.startsWith("java.nio.channels.")
                    || c.startsWith("sun.nio.fs.")) {
                return ThreadState.IO;
            }
        }
        return ThreadState.PARKED;
    }
}
