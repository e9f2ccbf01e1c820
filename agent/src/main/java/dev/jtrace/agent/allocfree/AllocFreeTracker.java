package dev.jtrace.agent.allocfree;

import dev.jtrace.JTrace;
import dev.jtrace.Reentrancy;
import dev.jtrace.ReentrantEventException;
import dev.jtrace.internal.ThreadContext;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ObjIntConsumer;

/**
 * The alloc/free experiment for chosen classes. Their constructors call {@link #accept} once per object
 * (see {@link ConstructorInstrumenter}); it records {@code Alloc(id, class, shallow size)} and registers a
 * phantom reference; the daemon thread {@code jtrace-allocfree} records {@code Free(id)} when the
 * reference queue delivers it.
 *
 * <p>Reentrancy: the hook itself allocates only JDK and jtrace objects, which cannot be chosen, so it never
 * fires inside itself. It can fire inside the recorder: a {@code toString()} the recorder calls may construct
 * a chosen class. The Alloc is then a nested event and the recorder's reentrancy mode decides: {@code nest}
 * records it, {@code skip} drops and counts it (and the object is not tracked, so no Free without Alloc
 * follows), {@code fail} throws {@link dev.jtrace.ReentrantEventException} out of the constructor (the object
 * is not tracked either). Objects constructed on jtrace's own threads are not recorded.
 *
 * <p>Memory: at most {@code maxTracked} objects are tracked at once (one phantom reference each, about 50
 * bytes); objects constructed beyond that are not recorded, and their number is recorded as the counter
 * {@code jtrace.allocfree.untracked}. Registration is lock-free: a Treiber stack that the drain thread
 * empties into its own doubly linked list, so the hook never blocks, even inside the recorder.
 */
public final class AllocFreeTracker implements ObjIntConsumer<Object> {
    /** Name of the counter of constructions not recorded because {@code maxtracked} objects were live. */
    public static final String UNTRACKED_COUNTER = "jtrace.allocfree.untracked";

    private final Instrumentation inst;
    private final String[] names;
    /** Per type: the last class object seen to match (a benign race: only a cache of the name comparison). */
    private final Class<?>[] matched;
    private final long maxTracked;
    private final Reentrancy mode;
    private final ConstructorInstrumenter instrumenter;
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final AtomicReference<Tracked> incoming = new AtomicReference<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong tracked = new AtomicLong();
    private final AtomicLong untracked = new AtomicLong();
    /** Sentinel of the drain thread's list of registered references. */
    private final Tracked list = new Tracked(null, null, 0);
    private final Thread drainer;
    private volatile boolean running = true;
    private long frees;

    /** A registered object: its id, and the links of the incoming stack and of the drain thread's list. */
    private static final class Tracked extends PhantomReference<Object> {
        final long id;
        Tracked pushed;
        Tracked prev;
        Tracked next;

        Tracked(Object referent, ReferenceQueue<Object> q, long id) {
            super(referent, q);
            this.id = id;
        }
    }

    private AllocFreeTracker(Instrumentation inst, List<String> classes, long maxTracked, Reentrancy mode,
            Module bridgeModule) {
        this.inst = inst;
        this.names = classes.toArray(new String[0]);
        this.matched = new Class<?>[names.length];
        this.maxTracked = maxTracked;
        this.mode = mode;
        this.instrumenter = new ConstructorInstrumenter(classes, inst, bridgeModule);
        list.prev = list;
        list.next = list;
        this.drainer = new dev.jtrace.internal.TracerThread(this::drain, "jtrace-allocfree");
        drainer.setDaemon(true);
    }

    /**
     * Starts the experiment: defines the bridge, installs the transformer and retransforms the chosen classes
     * that are already loaded (an attach to a running JVM). The recording must be running, with allocfree on.
     */
    public static AllocFreeTracker start(Instrumentation inst, List<String> classes, long maxTracked,
            Reentrancy mode) throws IOException, ReflectiveOperationException {
        if (!inst.isRetransformClassesSupported()) {
            throw new IllegalStateException("this JVM cannot retransform classes (needed by allocfree)");
        }
        Module bridge = BootstrapBridge.install(inst);
        AllocFreeTracker t = new AllocFreeTracker(inst, classes, maxTracked, mode, bridge);
        t.drainer.start();
        try {
            BootstrapBridge.hook(t);
            inst.addTransformer(t.instrumenter, true);
            List<Class<?>> loaded = t.loadedChosenClasses();
            if (!loaded.isEmpty()) {
                try {
                    inst.retransformClasses(loaded.toArray(new Class<?>[0]));
                } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                    t.instrumenter.failures.add("retransforming " + loaded + ": " + e);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            t.stop();
            throw e;
        }
        return t;
    }

    private List<Class<?>> loadedChosenClasses() {
        List<Class<?>> l = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (!c.isArray() && !c.isPrimitive() && instrumenter.chosen(c.getName()) && inst.isModifiableClass(c)) {
                l.add(c);
            }
        }
        return l;
    }

    /** One line for the agent's status: what is instrumented, what is not (yet), what failed. */
    public String describe() {
        List<String> done = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (String n : names) {
            (instrumenter.instrumented.contains(n.replace('.', '/')) ? done : waiting).add(n);
        }
        StringBuilder b = new StringBuilder("alloc/free: instrumented ").append(done);
        if (!waiting.isEmpty()) {
            b.append("; not loaded yet (instrumented when loaded): ").append(waiting);
        }
        if (!instrumenter.failures.isEmpty()) {
            b.append("; FAILED: ").append(instrumenter.failures);
        }
        return b.toString();
    }

    /** Failures to instrument, if any. */
    public List<String> failures() {
        return List.copyOf(instrumenter.failures);
    }

    /** Called by every instrumented constructor before it returns normally. */
    @Override
    public void accept(Object o, int type) {
        if (type < 0 || type >= names.length || !JTrace.isEnabled()) {
            return;
        }
        Class<?> c = o.getClass();
        if (c != matched[type]) {
            if (!c.getName().equals(names[type])) {
                return; // a subclass passing through the chosen class's constructor, or a stale type number
            }
            matched[type] = c;
        }
        if (Thread.currentThread().getName().startsWith("jtrace-")) {
            return;
        }
        if (tracked.incrementAndGet() > maxTracked) {
            tracked.decrementAndGet();
            untracked.incrementAndGet();
            return;
        }
        boolean registered = false;
        try {
            // Called from inside the recorder (a toString() it runs): the mode decides about this Alloc.
            boolean nested = mode != Reentrancy.NEST && ThreadContext.current().insideRecorder();
            long id = ids.incrementAndGet();
            try {
                JTrace.alloc(id, names[type], inst.getObjectSize(o));
            } catch (ReentrantEventException e) {
                if (nested) {
                    throw e; // reentrancy=fail: the caller of the recorder hears of it (the object is untracked)
                }
                // Not ours to throw: the recorder's own buffer events nest inside this Alloc, and with
                // reentrancy=fail they fail it. The recorder counted the loss; an application's constructor
                // must not throw for it.
                return;
            }
            if (!nested) { // reentrancy=skip dropped the nested Alloc: no Free without Alloc either
                Tracked t = new Tracked(o, queue, id);
                Tracked head;
                do {
                    head = incoming.get();
                    t.pushed = head;
                } while (!incoming.compareAndSet(head, t));
                registered = true;
            }
        } finally {
            if (!registered) {
                tracked.decrementAndGet();
            }
            // The reference must be on the stack before the object can die, so that the drain finds it.
            Reference.reachabilityFence(o);
        }
    }

    private void drain() {
        long reported = 0;
        try {
            while (running) {
                Reference<?> r = queue.remove(100);
                adoptIncoming();
                for (; r != null; r = queue.poll()) {
                    freed((Tracked) r);
                }
                reported = reportUntracked(reported);
            }
        } catch (InterruptedException e) {
            // stop() interrupts only after clearing running; fall through to the final drain
        }
        adoptIncoming();
        for (Reference<?> r = queue.poll(); r != null; r = queue.poll()) {
            freed((Tracked) r);
        }
        reportUntracked(reported);
    }

    private long reportUntracked(long reported) {
        long u = untracked.get();
        if (u != reported) {
            try {
                JTrace.counter(UNTRACKED_COUNTER, u);
            } catch (ReentrantEventException e) {
                return reported; // reentrancy=fail and a buffer switch: counted as lost; try again later
            }
        }
        return u;
    }

    private void adoptIncoming() {
        for (Tracked t = incoming.getAndSet(null); t != null;) {
            Tracked next = t.pushed;
            t.pushed = null;
            t.prev = list;
            t.next = list.next;
            list.next.prev = t;
            list.next = t;
            t = next;
        }
    }

    private void freed(Tracked t) {
        if (t.next != null) {
            t.prev.next = t.next;
            t.next.prev = t.prev;
            t.next = null;
            t.prev = null;
        }
        tracked.decrementAndGet();
        frees++;
        try {
            JTrace.free(t.id);
        } catch (ReentrantEventException e) {
            // reentrancy=fail and the recorder's own buffer events nested in this Free: counted as lost
        }
    }

    /**
     * Ends the experiment before the recording stops: constructors stop calling the hook, the chosen classes
     * get their original code back, and the frees the queue already delivered are recorded. Objects still
     * alive have an Alloc and no Free, as they should.
     */
    public void stop() {
        BootstrapBridge.hook(null);
        inst.removeTransformer(instrumenter);
        List<Class<?>> loaded = loadedChosenClasses();
        if (!loaded.isEmpty()) {
            try {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                // The hook is cleared: instrumented code that stays only calls an empty bridge.
            }
        }
        running = false;
        drainer.interrupt();
        try {
            drainer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        incoming.set(null);
        list.next = list;
        list.prev = list;
    }

    /** Frees recorded so far (read after {@link #stop()}). */
    public long frees() {
        return frees;
    }

    /** Objects recorded so far. */
    public long allocs() {
        return ids.get();
    }
}
