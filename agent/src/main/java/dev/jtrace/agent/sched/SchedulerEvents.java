package dev.jtrace.agent.sched;

import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import dev.jtrace.internal.TracerThread;

/**
 * The agent's scheduler hooks, one method per hook of {@link BridgeClass} (each is set there as its own
 * {@code ObjLongConsumer}, so every call site stays monomorphic): turns each call from the instrumented JDK
 * into one scheduler event of
 * the calling thread (docs/format.md, types 27 to 36) through {@link ThreadContext#schedulerEvent}.
 *
 * <p>What it must never do, and why it does not: throw (the context never throws, the bridge catches all
 * the same); recurse (the tracer's own parks and wake-ups run muted, its threads are {@link TracerThread}s
 * and are refused first, before a context could be created for them); run application code (blockers and
 * monitors are named by class and identity hash, never by {@code toString()}); allocate on the common path
 * (class names are cached by the JVM, identity hashes are ints).
 *
 * <p>Which families are on is fixed at construction, so that a hook whose family is off costs one
 * field read.
 */
final class SchedulerEvents {
    private final boolean park;
    private final boolean waits;
    private final boolean sleep;
    private final boolean vthreads;

    SchedulerEvents(boolean park, boolean waits, boolean sleep, boolean vthreads) {
        this.park = park;
        this.waits = waits;
        this.sleep = sleep;
        this.vthreads = vthreads;
    }

    /** Sets every hook of the bridge to this instance's methods. */
    void install() {
        BridgeClass.set("parkBegin", (o, v) -> parkBegin(o, 0));
        BridgeClass.set("parkNanosBegin", (o, v) -> {
            if (v > 0) { // parkNanos parks only then
                parkBegin(o, v);
            }
        });
        BridgeClass.set("parkNanosEnd", (o, v) -> {
            if (v > 0) {
                blockEnd();
            }
        });
        BridgeClass.set("parkUntilBegin", (o, v) -> {
            // the blocker, if any, was set by parkUntil(Object, long) before it called parkUntil(long)
            long left = v - System.currentTimeMillis();
            parkBegin(java.util.concurrent.locks.LockSupport.getBlocker(Thread.currentThread()),
                    left <= 0 ? 1 : left * 1_000_000L);
        });
        BridgeClass.set("waitBegin", this::waitBegin);
        BridgeClass.set("sleepBegin", (o, v) -> sleepBegin(v));
        BridgeClass.set("blockEnd", (o, v) -> blockEnd());
        BridgeClass.set("unpark", (o, v) -> {
            if (o != null) {
                unpark((Thread) o);
            }
        });
        BridgeClass.set("notified", (o, v) -> notified(o, v != 0));
        BridgeClass.set("yielded", (o, v) -> yielded());
        BridgeClass.set("mount", (o, v) -> mount((Thread) o));
        BridgeClass.set("unmount", (o, v) -> unmount((Thread) o));
        BridgeClass.set("submit", (o, v) -> submit((Thread) o));
    }

    /** Clears every hook: instrumented code then returns at once. */
    static void uninstall() {
        for (String h : BridgeClass.HOOKS) {
            BridgeClass.set(h, null);
        }
    }

    /** One event of the calling thread, unless its family is off or the thread is the tracer's own. */
    private static void emit(boolean on, int type, long x, long y, String name, boolean stack) {
        if (on && !(Thread.currentThread() instanceof TracerThread)) {
            ThreadContext.current().schedulerEvent(type, x, y, name, stack);
        }
    }

    void parkBegin(Object blocker, long timeoutNanos) {
        // a Class as blocker (LockSupport.park(Foo.class)) names itself; any other its class, as JFR does
        emit(park, EventTypes.PARK_BEGIN, timeoutNanos, 0, blocker == null ? null
                : blocker instanceof Class<?> k ? k.getName() : blocker.getClass().getName(), false);
    }

    void waitBegin(Object monitor, long timeoutMillis) {
        emit(waits, EventTypes.WAIT_BEGIN, System.identityHashCode(monitor), timeoutMillis,
                monitor.getClass().getName(), false);
    }

    void sleepBegin(long nanos) {
        emit(sleep, EventTypes.SLEEP_BEGIN, nanos, 0, null, false);
    }

    void blockEnd() {
        // one end for the three: a thread whose begin was not recorded writes an end that the model
        // ignores (an end closes only an open block)
        emit(park || waits || sleep, EventTypes.BLOCK_END, 0, 0, null, true);
    }

    void unpark(Thread target) {
        emit(park, EventTypes.UNPARK, target.threadId(), 0, null, false);
    }

    void notified(Object monitor, boolean all) {
        emit(waits, EventTypes.NOTIFY, System.identityHashCode(monitor), all ? 1 : 0, null, false);
    }

    void yielded() {
        emit(park, EventTypes.YIELD, 0, 0, null, false);
    }

    void mount(Thread vthread) {
        emit(vthreads, EventTypes.VIRTUAL_THREAD_MOUNT, vthread.threadId(), 0, null, false);
    }

    void unmount(Thread vthread) {
        emit(vthreads, EventTypes.VIRTUAL_THREAD_UNMOUNT, vthread.threadId(), 0, null, false);
    }

    void submit(Thread vthread) {
        emit(vthreads, EventTypes.VIRTUAL_THREAD_SUBMIT, vthread.threadId(), 0, null, false);
    }
}
