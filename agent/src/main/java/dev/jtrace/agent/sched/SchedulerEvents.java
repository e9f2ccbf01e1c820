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

    /** The calling thread's context, or null for the tracer's own threads. */
    private static ThreadContext context() {
        if (Thread.currentThread() instanceof TracerThread) {
            return null;
        }
        return ThreadContext.current();
    }

    void parkBegin(Object blocker, long timeoutNanos) {
        if (park) {
            ThreadContext c = context();
            if (c != null) {
                // a Class as blocker (LockSupport.park(Foo.class)) names itself; any other its class, as JFR does
                c.schedulerEvent(EventTypes.PARK_BEGIN, timeoutNanos, 0, blocker == null ? null
                        : blocker instanceof Class<?> k ? k.getName() : blocker.getClass().getName(), false);
            }
        }
    }

    void waitBegin(Object monitor, long timeoutMillis) {
        if (waits) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.WAIT_BEGIN, System.identityHashCode(monitor), timeoutMillis,
                        monitor.getClass().getName(), false);
            }
        }
    }

    void sleepBegin(long nanos) {
        if (sleep) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.SLEEP_BEGIN, nanos, 0, null, false);
            }
        }
    }

    void blockEnd() {
        // one end for the three: the family test is done by the begin (a thread whose begin was not
        // recorded writes an end that the model ignores: an end closes only an open block)
        if (park || waits || sleep) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.BLOCK_END, 0, 0, null, true);
            }
        }
    }

    void unpark(Thread target) {
        if (park) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.UNPARK, target.threadId(), 0, null, false);
            }
        }
    }

    void notified(Object monitor, boolean all) {
        if (waits) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.NOTIFY, System.identityHashCode(monitor), all ? 1 : 0, null, false);
            }
        }
    }

    void yielded() {
        if (park) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.YIELD, 0, 0, null, false);
            }
        }
    }

    void mount(Thread vthread) {
        if (vthreads) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.VIRTUAL_THREAD_MOUNT, vthread.threadId(), 0, null, false);
            }
        }
    }

    void unmount(Thread vthread) {
        if (vthreads) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.VIRTUAL_THREAD_UNMOUNT, vthread.threadId(), 0, null, false);
            }
        }
    }

    void submit(Thread vthread) {
        if (vthreads) {
            ThreadContext c = context();
            if (c != null) {
                c.schedulerEvent(EventTypes.VIRTUAL_THREAD_SUBMIT, vthread.threadId(), 0, null, false);
            }
        }
    }
}
