package dev.jtrace.agent;

import dev.jtrace.JTrace;
import dev.jtrace.ReentrantEventException;
import dev.jtrace.agent.AgentOptions.Family;
import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Turns the JVM's own events, read from JFR's streaming API (the cheapest honest source: the JVM
 * already records them), into jtrace runtime events. JFR delivers events in chunks, about a second late;
 * each is written when it arrives, into the current generation, with its true start time as a TIME
 * argument (docs/format.md). Events about jtrace's own threads and JFR's stream thread are dropped.
 */
final class RuntimeBridge implements AutoCloseable {
    private final RecordingStream stream = new RecordingStream();
    /** Counted down when the stream has opened its first chunk (its first metadata). */
    private final CountDownLatch opened = new CountDownLatch(1);
    /** Runs the stream: {@code stream.start()} returns when the stream has ended. */
    private final Thread thread;
    /** When the stream last delivered an event or finished a segment of JFR's data (System.nanoTime()). */
    private volatile long lastActivity = System.nanoTime();
    /** ticks = wall-clock nanoseconds + offset. */
    private final long offset;
    /** The agent's threshold in nanoseconds: shorter spans are dropped whatever JFR delivers. */
    private final long thresholdNanos;
    private final AgentOptions options;
    /** The settings last recorded (a Log of category jtrace.settings); written again when they change. */
    private String settings;
    /** Set by {@link #close}: the settings are no longer checked. */
    private volatile boolean closing;
    /** When the settings were last checked (System.nanoTime()). */
    private long settingsChecked;

    /** The period of CPU samples the agent asks JFR for. */
    static final Duration CPU_PERIOD = Duration.ofMillis(20);

    /**
     * The stacks last converted, keyed by the identity of JFR's object. JFR resolves a stack once per chunk
     * and hands that one object to every event with it (1,541 CPU and allocation samples of a loop carried 11
     * objects), so most events skip building up to 64 frames. Direct-mapped: a slot taken by another stack is
     * overwritten. Used by the stream's one dispatch thread only.
     */
    private final RecordedStackTrace[] convertedKeys = new RecordedStackTrace[STACK_CACHE_SLOTS];
    private final StackTraceElement[][] converted = new StackTraceElement[STACK_CACHE_SLOTS][];
    private static final int STACK_CACHE_SLOTS = 512;
    /** Conversions {@link #stack} skipped and made, for the test that the cache is hit. */
    long stackCacheHits;
    long stackCacheMisses;

    /** Families whose events come from the scheduler hooks: their JFR events stay off. */
    private final Set<Family> hooked;

    RuntimeBridge(AgentOptions o, Set<Family> hooked) {
        this.offset = clockOffset();
        this.options = o;
        this.hooked = hooked;
        Duration t = o.threshold;
        this.thresholdNanos = t.toNanos();
        stream.onFlush(() -> {
            lastActivity = System.nanoTime();
            if (lastActivity - settingsChecked > 1_000_000_000L) {
                recordSettings();
            }
        });
        stream.onMetadata(m -> opened.countDown());
        if (o.families.contains(Family.THREADS)) {
            stream.enable("jdk.ThreadStart");
            stream.enable("jdk.ThreadEnd");
            stream.onEvent("jdk.ThreadStart", e -> {
                RecordedThread th = e.getThread("thread");
                if (th != null && !excluded(th)) {
                    emit(EventTypes.THREAD_START, th.getJavaThreadId(), name(th), th.isVirtual() ? 1L : 0L, ticks(e));
                }
            });
            stream.onEvent("jdk.ThreadEnd", e -> {
                RecordedThread th = e.getThread("thread");
                if (th != null && !excluded(th)) {
                    emit(EventTypes.THREAD_END, th.getJavaThreadId(), ticks(e));
                }
            });
        }
        if (o.families.contains(Family.VTHREADS)) {
            // Off in JFR's default settings (an application may start millions); the family can be left out.
            stream.enable("jdk.VirtualThreadStart");
            stream.enable("jdk.VirtualThreadEnd");
            stream.onEvent("jdk.VirtualThreadStart", e -> {
                RecordedThread th = e.getThread();
                if (th == null || !excluded(th)) {
                    emit(EventTypes.THREAD_START, e.getLong("javaThreadId"), th == null ? null : nonEmpty(name(th)), 1L,
                            ticks(e));
                }
            });
            stream.onEvent("jdk.VirtualThreadEnd", e -> {
                RecordedThread th = e.getThread();
                if (th == null || !excluded(th)) {
                    emit(EventTypes.THREAD_END, e.getLong("javaThreadId"), ticks(e));
                }
            });
        }
        if (o.families.contains(Family.PARK) && !hooked.contains(Family.PARK)) {
            stream.enable("jdk.ThreadPark").withThreshold(t).withStackTrace();
            stream.onEvent("jdk.ThreadPark", e -> span(EventTypes.PARK, e, className(e, "parkedClass")));
        }
        if (o.families.contains(Family.MONITOR)) {
            stream.enable("jdk.JavaMonitorEnter").withThreshold(t).withStackTrace();
            stream.onEvent("jdk.JavaMonitorEnter", e -> span(EventTypes.MONITOR_BLOCKED, e, className(e, "monitorClass")));
        }
        if (o.families.contains(Family.SLEEP) && !hooked.contains(Family.SLEEP)) {
            stream.enable("jdk.ThreadSleep").withThreshold(t).withStackTrace();
            stream.onEvent("jdk.ThreadSleep", e -> span(EventTypes.SLEEP, e, null));
        }
        if (o.families.contains(Family.IO)) {
            // JFR's own defaults record these above 20 ms; the agent's threshold applies, as for park
            stream.enable("jdk.SocketRead").withThreshold(t).withStackTrace();
            stream.enable("jdk.SocketWrite").withThreshold(t).withStackTrace();
            stream.enable("jdk.FileRead").withThreshold(t).withStackTrace();
            stream.enable("jdk.FileWrite").withThreshold(t).withStackTrace();
            stream.onEvent("jdk.SocketRead", e -> io(EventTypes.SOCKET_READ, e, endpoint(e), e.getLong("bytesRead")));
            stream.onEvent("jdk.SocketWrite", e -> io(EventTypes.SOCKET_WRITE, e, endpoint(e),
                    e.getLong("bytesWritten")));
            stream.onEvent("jdk.FileRead", e -> io(EventTypes.FILE_READ, e, e.getString("path"), e.getLong("bytesRead")));
            stream.onEvent("jdk.FileWrite", e -> io(EventTypes.FILE_WRITE, e, e.getString("path"),
                    e.getLong("bytesWritten")));
        }
        if (o.families.contains(Family.PINNED)) {
            stream.enable("jdk.VirtualThreadPinned").withThreshold(t).withStackTrace();
            stream.onEvent("jdk.VirtualThreadPinned", e -> span(EventTypes.VIRTUAL_THREAD_PINNED, e, null));
        }
        if (o.families.contains(Family.GC)) {
            stream.enable("jdk.GarbageCollection");
            stream.enable("jdk.GCPhasePause");
            stream.onEvent("jdk.GarbageCollection", e -> emit(EventTypes.GC_PAUSE, (long) e.getInt("gcId"), ticks(e),
                    e.getDuration("sumOfPauses").toNanos(), e.getString("name"), e.getString("cause")));
            stream.onEvent("jdk.GCPhasePause", e -> emit(EventTypes.GC_PHASE, (long) e.getInt("gcId"), ticks(e),
                    e.getDuration().toNanos(), e.getString("name")));
        }
        if (o.families.contains(Family.HEAP)) {
            stream.enable("jdk.GCHeapSummary");
            stream.onEvent("jdk.GCHeapSummary", e -> emit(EventTypes.HEAP_SUMMARY, ticks(e), e.getLong("heapUsed"),
                    e.getLong("heapSpace.committedSize")));
        }
        if (o.families.contains(Family.ALLOC)) {
            // JFR's own default throttle unless asked otherwise (allocrate=): unthrottled, the samples of a busy
            // allocator are most of the trace
            stream.enable("jdk.ObjectAllocationSample").with("throttle", o.allocRate + "/s").withStackTrace();
            stream.onEvent("jdk.ObjectAllocationSample", e -> {
                RecordedThread th = e.getThread();
                if (th != null && !excluded(th)) {
                    emit(EventTypes.ALLOC_SAMPLE, th.getJavaThreadId(), ticks(e), className(e, "objectClass"),
                            e.getLong("weight"), stack(e.getStackTrace()));
                }
            });
        }
        if (o.families.contains(Family.CPU)) {
            stream.enable("jdk.ExecutionSample").withPeriod(CPU_PERIOD);
            stream.onEvent("jdk.ExecutionSample", e -> {
                RecordedThread th = e.getThread("sampledThread");
                if (th != null && !excluded(th)) {
                    emit(EventTypes.CPU_SAMPLE, th.getJavaThreadId(), ticks(e), stack(e.getStackTrace()));
                }
            });
        }
        // startAsync() would run the stream on a non-daemon thread, which keeps the JVM from exiting, so
        // the shutdown hook that stops tracing would never run. Our own daemon thread instead.
        thread = new dev.jtrace.internal.TracerThread(stream::start, "jtrace-jfr-bridge");
        thread.setDaemon(true);
        thread.start();
        // Return once the stream has opened JFR's current chunk. Until then it looks for one once a second,
        // and a recording stopped before it found one delivers nothing at all (a program that runs for less
        // than a second would leave an empty trace). Its recording runs with our settings by then, so the
        // application's first threads are seen. At most 10 s.
        try {
            if (!opened.await(10, TimeUnit.SECONDS)) {
                System.err.println("jtrace agent: JFR's stream did not start within 10 s; runtime events may be missing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recordSettings();
    }

    /** Records JFR's effective settings if they changed since last recorded (see {@link JfrSettings}). */
    private synchronized void recordSettings() {
        settingsChecked = System.nanoTime();
        if (closing) {
            return; // the stream's own recording is stopping: what JFR applied until now is recorded
        }
        String now = JfrSettings.describe(options, CPU_PERIOD.toNanos(), hooked);
        // a flight recorder's window drops its oldest generations: repeated there, every window holds them
        if ((options.flight != null || !now.equals(settings)) && JTrace.isEnabled()) {
            settings = now;
            try {
                JTrace.log(null, JfrSettings.CATEGORY, now);
            } catch (ReentrantEventException e) {
                // reentrancy=fail with allocfree (see emit): counted lost by the recorder
            }
        }
    }

    /**
     * A ThreadStart, at this moment, for every live platform thread: JFR reports only threads that start
     * while it records, so threads running before an attach (or the JVM's own, under -javaagent) would stay
     * unnamed. Such a ThreadStart's time is the recording's start, not the thread's (docs/agent.md).
     */
    void nameRunningThreads() {
        if (!options.families.contains(Family.THREADS)) {
            return;
        }
        long now = System.nanoTime();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && !n.startsWith("jtrace-") && !n.startsWith("JFR ")) {
                emit(EventTypes.THREAD_START, t.threadId(), n, 0L, now);
            }
        }
    }

    private void span(int type, RecordedEvent e, String what) {
        RecordedThread th = e.getThread();
        if (th == null || excluded(th)) {
            return;
        }
        long d = e.getDuration().toNanos();
        if (d < thresholdNanos) {
            return; // another JFR recording in this JVM asked for shorter ones: not ours to record
        }
        StackTraceElement[] st = stack(e.getStackTrace());
        if (type == EventTypes.PARK) {
            emit(type, th.getJavaThreadId(), ticks(e), d, what, st);
        } else if (type == EventTypes.MONITOR_BLOCKED) {
            RecordedThread previous = e.hasField("previousOwner") ? e.getThread("previousOwner") : null;
            emit(type, th.getJavaThreadId(), ticks(e), d, what, st, previous == null ? 0L : previous.getJavaThreadId());
        } else if (type == EventTypes.VIRTUAL_THREAD_PINNED) {
            // since JDK 24 (JEP 491); absent before
            emit(type, th.getJavaThreadId(), ticks(e), d, st, e.hasField("pinnedReason") ? e.getString("pinnedReason") : null);
        } else {
            emit(type, th.getJavaThreadId(), ticks(e), d, st);
        }
    }

    private void io(int type, RecordedEvent e, String target, long bytes) {
        RecordedThread th = e.getThread();
        if (th == null || excluded(th)) {
            return;
        }
        long d = e.getDuration().toNanos();
        if (d < thresholdNanos) {
            return; // asked for by another recording
        }
        // the trace file the recorder writes is the tracer's own I/O
        if ((type == EventTypes.FILE_WRITE || type == EventTypes.FILE_READ) && target != null && options.file != null
                && target.equals(options.file.toAbsolutePath().toString())) {
            return;
        }
        emit(type, th.getJavaThreadId(), ticks(e), d, target, Math.max(0, bytes), stack(e.getStackTrace()));
    }

    private static String endpoint(RecordedEvent e) {
        String host = e.getString("host");
        String where = host == null || host.isEmpty() ? e.getString("address") : host;
        return (where == null ? "?" : where) + ":" + e.getInt("port");
    }

    private void emit(int type, Object... args) {
        lastActivity = System.nanoTime();
        if (JTrace.isEnabled()) {
            try {
                ThreadContext.current().runtimeEvent(type, args);
            } catch (ReentrantEventException e) {
                // reentrancy=fail with allocfree: the recorder's own buffer events nested in this one failed
                // it. The recorder counted the loss; the stream must go on.
            }
        }
    }

    private long ticks(RecordedEvent e) {
        Instant i = e.getStartTime();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano() + offset;
    }

    private static String name(RecordedThread th) {
        String n = th.getJavaName();
        return n == null ? th.getOSName() : n;
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** jtrace's own threads (this bridge runs on one), and JFR's. */
    static boolean excluded(RecordedThread th) {
        String n = name(th);
        return n != null && (n.startsWith("jtrace-") || n.startsWith("JFR "));
    }

    private static String className(RecordedEvent e, String field) {
        RecordedClass c = e.getClass(field);
        return c == null ? null : c.getName();
    }

    /** The frames of {@code st}, converted once per JFR stack object (see {@link #converted}). */
    private StackTraceElement[] stack(RecordedStackTrace st) {
        if (st == null) {
            return null;
        }
        int slot = System.identityHashCode(st) & (STACK_CACHE_SLOTS - 1);
        if (convertedKeys[slot] == st) {
            stackCacheHits++;
            return converted[slot];
        }
        stackCacheMisses++;
        StackTraceElement[] out = convert(st);
        convertedKeys[slot] = st;
        converted[slot] = out;
        return out;
    }

    private static StackTraceElement[] convert(RecordedStackTrace st) {
        List<RecordedFrame> frames = st.getFrames();
        int n = Math.min(frames.size(), 64);
        StackTraceElement[] out = new StackTraceElement[n];
        for (int i = 0; i < n; i++) {
            RecordedFrame f = frames.get(i);
            out[i] = new StackTraceElement(f.getMethod().getType().getName(), f.getMethod().getName(), null,
                    f.getLineNumber());
        }
        return out;
    }

    /**
     * Offset from the wall clock to System.nanoTime(), from the pair of reads that were closest together
     * (JFR reports times as wall-clock Instants).
     */
    private static long clockOffset() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 50; i++) {
            long a = System.nanoTime();
            Instant w = Instant.now();
            long b = System.nanoTime();
            if (b - a < best) {
                best = b - a;
                offset = (a + (b - a) / 2) - (w.getEpochSecond() * 1_000_000_000L + w.getNano());
            }
        }
        return offset;
    }

    /**
     * Delivers the events JFR still holds, then stops. {@code RecordingStream.stop()} waits, without a
     * timeout, until the stream has delivered everything up to the stop. At exit that can be forever: JFR's
     * own shutdown hook runs at the same time as ours, and if the stream has already finished JFR's last
     * chunk it waits for a next one that a shutting-down JFR never writes (its end-of-stream check comes only
     * at the end of a chunk). So stop() runs on a helper thread, and the stream gets as long as it keeps
     * delivering (at most 10 s); once it has been idle for 2 s it is closed, which also releases stop().
     */
    @Override
    public void close() {
        closing = true;
        Thread stopper = new dev.jtrace.internal.TracerThread(() -> {
            try {
                stream.stop();
            } catch (IllegalStateException alreadyStopped) {
                // JFR's shutdown hook stopped the recording first: the stream delivers what it can read
            }
        }, "jtrace-jfr-stop");
        stopper.setDaemon(true);
        long begin = System.nanoTime();
        stopper.start();
        try {
            while (thread.isAlive() && System.nanoTime() - begin < 10_000_000_000L
                    && System.nanoTime() - Math.max(begin, lastActivity) < 2_000_000_000L) {
                thread.join(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stream.close();
        try {
            stopper.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
