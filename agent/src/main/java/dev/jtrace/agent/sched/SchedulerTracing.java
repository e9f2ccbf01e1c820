package dev.jtrace.agent.sched;

import dev.jtrace.internal.ThreadContext;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Scheduler events from inside the JDK: defines the bridge in java.base ({@link BridgeClass}), instruments
 * the JDK's scheduler classes that the recording's families need ({@link JdkInstrumenter},
 * {@link #jdkClassesFor}) and sets the hooks.
 * Which hook points this JDK has is found while instrumenting: {@link #missing} lists the ones it lacks, and
 * the agent records those families from JFR.
 *
 * <p>Stopping clears the hooks; the JDK's classes keep their calls to the bridge, which then return at once
 * (a static volatile read and a branch). Giving them their own code back would make the JIT recompile much
 * of a warm application a second time (docs/agent.md, "What an attach costs a warm JVM"), so each is
 * instrumented at most once per JVM, by the first recording that needs it: a later recording finds it so,
 * and the transformer stays registered, so that a retransformation by anyone else keeps the hooks.
 */
public final class SchedulerTracing {

    private final Instrumentation inst;
    private final JdkInstrumenter instrumenter;
    private final long startNanos;
    /** The instrumenter whose hooks the JDK's classes carry in this JVM, kept across recordings. */
    private static JdkInstrumenter jdkInstrumenter;

    /** The JDK classes (internal names) this recording's families need ({@link #jdkClassesFor}). */
    private final List<String> asked;
    /** Those of them this recording instrumented; an earlier recording had instrumented the others. */
    private final List<String> instrumentedNow;
    private int lookedAtApplicationClasses;
    private int retransformedApplicationClasses;

    private SchedulerTracing(Instrumentation inst, JdkInstrumenter instrumenter, List<String> asked,
            List<String> instrumentedNow, long startNanos) {
        this.inst = inst;
        this.startNanos = startNanos;
        this.instrumenter = instrumenter;
        this.asked = asked;
        this.instrumentedNow = instrumentedNow;
    }

    /**
     * The JDK classes whose hook points the families need: park {@code LockSupport} and {@code Thread} (for
     * yield), waits {@code Object}, sleep {@code Thread}, virtual threads {@code VirtualThread}. Only these
     * are retransformed: each one redefined makes the JIT drop the compiled code that inlined it, and
     * {@code Object} and {@code Thread} are inlined nearly everywhere (docs/agent.md, "What an attach costs
     * a warm JVM").
     */
    static List<String> jdkClassesFor(boolean park, boolean waits, boolean sleep, boolean vthreads) {
        List<String> c = new ArrayList<>();
        if (park) {
            c.add(JdkInstrumenter.LOCK_SUPPORT);
        }
        if (waits) {
            c.add(JdkInstrumenter.OBJECT);
        }
        if (park || sleep) {
            c.add(JdkInstrumenter.THREAD);
        }
        if (vthreads) {
            c.add(JdkInstrumenter.VIRTUAL_THREAD);
        }
        return c;
    }

    /**
     * Instruments the JDK classes these families need that are not instrumented yet (and, with
     * {@code waits}, the notify calls of application classes); nothing is recorded until {@link #activate}.
     * {@code blockStackNanos}: a block at least this long carries its stack. Throws when the JVM cannot
     * retransform classes; a JDK without some hook point is not an error ({@link #missing}).
     */
    public static synchronized SchedulerTracing install(Instrumentation inst, boolean park, boolean waits,
            boolean sleep, boolean vthreads, long blockStackNanos) throws ReflectiveOperationException {
        if (!inst.isRetransformClassesSupported()) {
            throw new IllegalStateException("this JVM cannot retransform classes (needed for the scheduler hooks)");
        }
        long start = System.nanoTime();
        BridgeClass.install(inst);
        ThreadContext.blockStackThreshold(blockStackNanos);
        if (jdkInstrumenter == null) {
            jdkInstrumenter = new JdkInstrumenter(waits);
            inst.addTransformer(jdkInstrumenter, true);
        }
        List<String> asked = jdkClassesFor(park, waits, sleep, vthreads);
        List<String> now = asked.stream().filter(c -> !jdkInstrumenter.jdkClassWanted(c)).toList();
        instrumentJdk(inst, jdkInstrumenter, now);
        jdkInstrumenter.notifyCallSites(waits);
        SchedulerTracing t = new SchedulerTracing(inst, jdkInstrumenter, asked, now, start);
        if (waits) {
            t.retransformLoadedApplicationClasses();
        }
        return t;
    }

    /**
     * Retransforms these JDK classes (internal names) with the registered transformer, which instruments
     * them from now on (also when someone else retransforms them).
     */
    private static void instrumentJdk(Instrumentation inst, JdkInstrumenter ins, List<String> classes) {
        for (String name : classes) {
            ins.wantJdkClass(name);
            Class<?> c;
            try {
                c = Class.forName(name.replace('/', '.'));
            } catch (ClassNotFoundException noLoom) {
                continue; // before JDK 21: no virtual threads, their hook points are missing
            }
            try {
                inst.retransformClasses(c); // one by one: a class the JVM refuses costs only its hook points
            } catch (Exception | LinkageError e) {
                ins.failures.add("retransforming " + c.getName() + ": " + e);
            }
        }
    }

    /**
     * Turns the hooks on for these families (give only those whose hook points are all there: {@link #has};
     * the others' calls then record nothing, so that a JFR fallback does not count twice).
     */
    public void activate(boolean park, boolean waits, boolean sleep, boolean vthreads) {
        new SchedulerEvents(park, waits, sleep, vthreads).install();
    }

    /**
     * Already loaded application classes get their notify calls replaced too (an attach to a running JVM).
     * Only those whose class file mentions notify are retransformed: the JVM redefines every class it is
     * asked to retransform, even when no transformer changes it, and throws away the compiled code that
     * depends on it. Asking for all of them made an attach to a warm Jetty server redefine 459 classes (342
     * of Jetty's), and its JIT recompile the application for more than 10 s while requests queued.
     */
    private void retransformLoadedApplicationClasses() {
        List<Class<?>> todo = new ArrayList<>();
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            ClassLoader l = c.getClassLoader();
            // the transformer itself skips the tracer's classes (by their jar)
            if (l != null && l != platform && !c.isArray() && !c.isHidden() && inst.isModifiableClass(c)) {
                lookedAtApplicationClasses++;
                if (mayCallNotify(c)) {
                    todo.add(c);
                }
            }
        }
        for (int i = 0; i < todo.size(); i += 256) {
            List<Class<?>> batch = todo.subList(i, Math.min(todo.size(), i + 256));
            try {
                inst.retransformClasses(batch.toArray(new Class<?>[0]));
            } catch (Exception | LinkageError e) {
                for (Class<?> c : batch) { // find the one that failed; the others still count
                    try {
                        inst.retransformClasses(c);
                    } catch (Exception | LinkageError e1) {
                        instrumenter.failures.add("retransforming " + c.getName() + ": " + e1);
                    }
                }
            }
        }
        retransformedApplicationClasses = todo.size();
    }

    /**
     * Whether a loaded class may call notify or notifyAll: its class file, read from its loader, mentions
     * "notify" (the transformer's own first test). A class whose file its loader does not give (one defined
     * at run time) is retransformed, as before: the transformer then sees its bytes.
     */
    static boolean mayCallNotify(Class<?> c) {
        String resource = c.getName().replace('.', '/') + ".class";
        try (java.io.InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
            return in == null || JdkInstrumenter.mentionsNotify(in.readAllBytes());
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
    }

    /** Hook points this JDK lacks (empty on JDK 21 to 25 as tested; docs/agent.md lists them per version). */
    public Set<String> missing() {
        Set<String> m = new LinkedHashSet<>(hookPointsAskedFor());
        m.removeAll(instrumenter.found);
        return m;
    }

    /** The hook points of the JDK classes this recording needs ({@link #jdkClassesFor}). */
    private List<String> hookPointsAskedFor() {
        List<String> points = new ArrayList<>();
        for (String p : JdkInstrumenter.HOOK_POINTS) {
            String simple = p.substring(0, p.indexOf('.'));
            if (asked.stream().anyMatch(c -> c.endsWith("/" + simple))) {
                points.add(p);
            }
        }
        return points;
    }

    /** The JDK classes this recording needs that an earlier recording had instrumented. */
    private List<String> kept() {
        return asked.stream().filter(c -> !instrumentedNow.contains(c)).toList();
    }

    /** The simple names of these internal class names, comma-separated. */
    private static String simpleNames(List<String> classes) {
        return String.join(", ", classes.stream().map(c -> c.substring(c.lastIndexOf('/') + 1)).toList());
    }

    /** Whether every hook point of {@code prefix} (e.g. {@code "LockSupport."}) was instrumented. */
    public boolean has(String prefix) {
        for (String p : JdkInstrumenter.HOOK_POINTS) {
            if (p.startsWith(prefix) && !instrumenter.found.contains(p)) {
                return false;
            }
        }
        return true;
    }

    /** Failures while instrumenting, one line each. */
    public Set<String> failures() {
        return Set.copyOf(instrumenter.failures);
    }

    /** One line for the status reply. */
    public String describe() {
        List<String> asked = hookPointsAskedFor();
        int found = (int) asked.stream().filter(instrumenter.found::contains).count();
        return "scheduler hooks: " + found + " of " + asked.size() + " hook points"
                + (missing().isEmpty() ? "" : " (missing: " + String.join(", ", missing()) + ")")
                + (instrumentedNow.isEmpty() ? "" : ", JDK classes instrumented: " + simpleNames(instrumentedNow))
                + ", notify calls replaced in " + instrumenter.notifyClasses.size() + " classes"
                + (lookedAtApplicationClasses == 0 ? "" : " (" + lookedAtApplicationClasses
                        + " loaded classes looked at, " + retransformedApplicationClasses + " retransformed)")
                + ", installed in " + (System.nanoTime() - startNanos) / 1_000_000 + " ms"
                + (kept().isEmpty() ? "" : " (" + (instrumentedNow.isEmpty() ? "the JDK's classes"
                        : simpleNames(kept())) + " kept the hooks of an earlier recording)")
                + (instrumenter.failures.isEmpty() ? "" : "; failures: " + instrumenter.failures);
    }

    /**
     * Clears the hooks. The JDK's classes and the application classes whose notify calls were replaced keep
     * their bridge calls, which do nothing without hooks (see the class comment); classes loaded from now on
     * are left as they are.
     */
    public void stop() {
        SchedulerEvents.uninstall();
        instrumenter.notifyCallSites(false);
    }

}
