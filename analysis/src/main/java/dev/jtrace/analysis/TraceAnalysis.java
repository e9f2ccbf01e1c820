package dev.jtrace.analysis;

import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.GcCycle;
import dev.jtrace.model.GcPause;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.ModelThread;
import dev.jtrace.model.Span;
import dev.jtrace.model.Stacks;
import dev.jtrace.model.ThreadState;
import dev.jtrace.model.TraceModel;
import dev.jtrace.model.TraceSummary;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LongMap;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * The analyses of {@code go tool trace}, in one streaming pass over a trace, all read from the
 * {@link TraceModel}: per-thread time by state, blocking profiles by call site (count, total, p50, p99,
 * max), scheduler latency from the model's wake-up edges (platform threads: wake-up to running; virtual
 * threads: submit to mount) with the worst instances, virtual threads by name group (Go's goroutine
 * analysis) and the carriers that ran them, task and region latency distributions, GC pauses with the
 * minimum mutator utilization curve, and heap in use from the alloc/free experiment. Memory grows with threads, names, open tasks and regions, distinct blocking call
 * sites, GC pauses and live allocations; never with events.
 */
public final class TraceAnalysis implements ModelListener {
    /** Instances kept per task or region name, slowest first. */
    public static final int SLOWEST = 5;
    /** Frames of a stack shown with a blocking-profile row. */
    public static final int PROFILE_FRAMES = 8;
    /** Worst instances kept per scheduler-latency distribution. */
    public static final int WORST = 10;
    /** Virtual threads listed one by one (the longest-lived); every one is in its name group. */
    public static final int VIRTUAL_LISTED = 100;

    /** Time split of one thread, in nanoseconds: a snapshot of the model's thread. */
    public static final class ThreadTime {
        public final long id;
        public final String name;
        public final boolean virtual;
        public final long first;
        public final long last;
        public final long parked;
        public final long blocked;
        public final long sleeping;
        public final long inGc;
        public final long waiting;
        public final long io;
        public final long runnable;
        public final long unknown;
        public final long runningNanos;
        public final long cpuSamples;
        public final long allocSamples;
        /** The model's thread. */
        public final ModelThread thread;

        ThreadTime(ModelThread t) {
            thread = t;
            id = t.id();
            name = t.name();
            virtual = t.virtual();
            first = t.first();
            last = t.last();
            parked = t.nanos(ThreadState.PARKED);
            blocked = t.nanos(ThreadState.BLOCKED);
            sleeping = t.nanos(ThreadState.SLEEPING);
            inGc = t.nanos(ThreadState.GC_PAUSE);
            waiting = t.nanos(ThreadState.WAITING);
            io = t.nanos(ThreadState.IO);
            runnable = t.nanos(ThreadState.RUNNABLE);
            unknown = t.nanos(ThreadState.UNKNOWN);
            runningNanos = t.nanos(ThreadState.RUNNING);
            cpuSamples = t.cpuSamples();
            allocSamples = t.allocSamples();
        }

        /** Between the thread's first and last instant. */
        public long lifetime() {
            return last >= first ? last - first : 0;
        }

        /** Known to run (inside its own regions, not blocked or paused); see docs/model.md. */
        public long running() {
            return runningNanos;
        }

        /** The name to show. */
        public String displayName() {
            return thread.displayName();
        }
    }

    /** One finished task or region. */
    public record Instance(long task, long thread, long start, long nanos) {}

    /** The latency distribution of one task or region name: spans with both halves only. */
    public static final class Latency {
        public final String name;
        public final Histogram histogram = new Histogram(3);
        /** Spans of this name with a missing half (not in the histogram). */
        public long incomplete;
        final PriorityQueue<Instance> slowest = new PriorityQueue<>(Comparator.comparingLong(Instance::nanos));

        Latency(String name) {
            this.name = name;
        }

        void add(Instance i) {
            histogram.recordValue(Math.max(0, i.nanos()));
            slowest.add(i);
            if (slowest.size() > SLOWEST) {
                slowest.poll();
            }
        }

        /** The slowest instances, slowest first. */
        public List<Instance> slowest() {
            List<Instance> l = new ArrayList<>(slowest);
            l.sort(Comparator.comparingLong(Instance::nanos).reversed());
            return l;
        }
    }

    /**
     * Time spent blocked at one call site (the first frame outside the JDK), for one kind of blocking;
     * idle pool workers waiting for work are rows of their own.
     */
    public static final class Blocking {
        public final String kind;
        /** A pool worker waiting for its next task, not contention. */
        public final boolean idle;
        public final String callSite;
        /** The first stack seen at this call site, innermost first, at most {@link #PROFILE_FRAMES}. */
        public final List<String> frames;
        public long count;
        public long nanos;
        /** Every blocking interval's duration (exact, not sampled): p50, p99, max. */
        public final Histogram histogram = new Histogram(3);
        /** The longest interval (the first of equal ones): where a viewer jumps to see one. */
        public dev.jtrace.model.Blocking longest;

        Blocking(String kind, boolean idle, String callSite, List<String> frames) {
            this.kind = kind;
            this.idle = idle;
            this.callSite = callSite;
            this.frames = frames;
        }
    }

    /** One wake-up with its latency, thread names resolved at the end. */
    public record WakeInstance(Wakeup wakeup, long latency) {}

    /**
     * Scheduler latency, Go's "scheduler wait": from a wake-up to the woken thread running again. For
     * platform threads an unpark or notify to its BlockEnd (the time it was runnable, waiting for a CPU or
     * for the monitor it re-enters after a wait); for virtual threads a submit to its mount (waiting for a
     * carrier).
     */
    public static final class SchedLatency {
        public final String name;
        public final Histogram histogram = new Histogram(3);
        /** Least bad first; of equal latencies the latest first, so that the earliest instances stay. */
        final PriorityQueue<WakeInstance> worst = new PriorityQueue<>(Comparator.comparingLong(WakeInstance::latency)
                .thenComparing(Comparator.comparingLong((WakeInstance i) -> i.wakeup().wakeTime()).reversed()));

        SchedLatency(String name) {
            this.name = name;
        }

        void add(Wakeup w) {
            long l = w.latency();
            histogram.recordValue(l);
            worst.add(new WakeInstance(w, l));
            if (worst.size() > WORST) {
                worst.poll();
            }
        }

        /** The worst instances, worst first. */
        public List<WakeInstance> worst() {
            List<WakeInstance> l = new ArrayList<>(worst);
            l.sort(Comparator.comparingLong(WakeInstance::latency).reversed()
                    .thenComparingLong(i -> i.wakeup().wakeTime()));
            return l;
        }
    }

    /**
     * Virtual threads of one name group (Go's goroutine analysis groups by start function; virtual threads
     * have names, often numbered: "request-17" and "request-18" are the group "request-*"): how many, and
     * their time by state: running, runnable (waiting for a carrier), parked, waiting, sleeping, blocked on a
     * monitor, and the rest.
     */
    public static final class VirtualGroup {
        public final String name;
        public long threads;
        public long lifetimeNanos;
        public final long[] stateNanos = new long[ThreadState.values().length];
        /** Times mounted on a carrier. */
        public long mounts;

        VirtualGroup(String name) {
            this.name = name;
        }

        public long nanos(ThreadState s) {
            return stateNanos[s.ordinal()];
        }
    }

    /** A carrier thread: the stretches it ran virtual threads. */
    public static final class Carrier {
        public final long id;
        public long mounts;
        public long mountedNanos;
        public long first = Long.MAX_VALUE;
        public long last = Long.MIN_VALUE;

        Carrier(long id) {
            this.id = id;
        }
    }

    private final TraceModel model;

    /** Time split per thread, by id (iterated in id order): a read-only view of the model's threads. */
    public final Map<Long, ThreadTime> threads = new ThreadView();
    public final Map<String, Latency> tasks = new TreeMap<>();
    public final Map<String, Latency> regions = new TreeMap<>();
    public final Map<String, Blocking> blocking = new HashMap<>();
    /** Platform threads: wake-up (unpark, notify) to BlockEnd. */
    public final SchedLatency platformLatency = new SchedLatency("platform threads: wake-up to running");
    /** Virtual threads: submit to mount. */
    public final SchedLatency virtualLatency = new SchedLatency("virtual threads: submit to mount");
    /** Wake-up edges by kind label. */
    public final Map<String, Long> wakeupsByKind = new TreeMap<>();
    /** Virtual-thread name groups (set by {@link #complete}). */
    public final Map<String, VirtualGroup> virtualGroups = new TreeMap<>();
    /** Carriers by thread id (iterated in id order). */
    public final Map<Long, Carrier> carriers = new TreeMap<>();
    /** Mounts per virtual thread (summed into its group at the end: a name may be learnt late). */
    private final LongMap mountsByThread = new LongMap();
    /** GC pauses as {start, duration}, in time order, each at its own start (set by {@link #complete}). */
    public final List<long[]> gcPauses = new ArrayList<>();
    /** Heap in use from the alloc/free experiment, {ticks, bytes}, sampled at every generation end. */
    public final List<long[]> heap = new ArrayList<>();
    /** The recorder's own buffers, {ticks, bytes}, from the same experiment. */
    public final List<long[]> recorderBuffers = new ArrayList<>();
    public long freeWithoutAlloc;
    public long allocWithoutFree;
    public long regionEndWithoutBegin;
    public long regionBeginWithoutEnd;
    public long taskEndWithoutBegin;
    public long taskBeginWithoutEnd;
    public long generations;
    public long events;
    /** The trace's start and end: first GEN_BEGIN, last GEN_END. */
    public long startTicks;
    public long endTicks;
    public ReadReport report;
    /** The model's summary (after {@link #complete}). */
    public TraceSummary summary;

    private TraceAnalysis(ModelListener also) {
        model = new TraceModel(also == null ? this : ModelListener.all(this, also));
    }

    /** Analyses {@code file}; {@code progress} (may be null) receives the bytes read so far. */
    public static TraceAnalysis run(Path file, LongConsumer progress) throws IOException {
        TraceAnalysis a = incremental();
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                a.add(g);
                g = null; // the reader builds the next generation while this one would still be held
                if (progress != null) {
                    progress.accept(r.position());
                }
            }
            a.complete(r.report());
        }
        return a;
    }

    /**
     * An empty analysis fed by a caller that reads the trace itself, so that a tool needing other results
     * from the same pass (the web viewer's index) reads the file once: {@link #add} each generation in
     * file order, then {@link #complete}.
     */
    public static TraceAnalysis incremental() {
        return new TraceAnalysis(null);
    }

    /**
     * Like {@link #incremental()}, with the model's conclusions also handed to {@code also} (after the
     * analysis has seen each): a tool that draws what the model concludes (the web viewer's index) reads
     * the trace once, through the same model as the analysis.
     */
    public static TraceAnalysis incremental(ModelListener also) {
        return new TraceAnalysis(also);
    }

    /** The model the analysis reads. */
    public TraceModel model() {
        return model;
    }

    /** Adds the next generation of the trace. */
    public void add(Generation g) {
        model.add(g);
    }

    /** Ends an {@link #incremental()} analysis: closes what stayed open; {@code report} is the reader's. */
    public TraceAnalysis complete(ReadReport report) {
        model.complete(report);
        this.report = report;
        summary = model.summary();
        generations = summary.generations();
        events = summary.events();
        startTicks = summary.startNanos();
        endTicks = summary.endNanos();
        regionEndWithoutBegin = summary.regionBeginMissing();
        regionBeginWithoutEnd = summary.regionEndMissing();
        taskEndWithoutBegin = summary.taskBeginMissing();
        taskBeginWithoutEnd = summary.taskEndMissing();
        allocWithoutFree = summary.allocWithoutFree();
        freeWithoutAlloc = summary.freeWithoutAlloc();
        for (GcPause p : model.gc().pauses()) {
            gcPauses.add(new long[] {p.start(), p.duration()});
        }
        for (ModelThread t : model.threads()) {
            if (!t.virtual()) {
                continue;
            }
            VirtualGroup g = virtualGroups.computeIfAbsent(groupOf(t.name()), VirtualGroup::new);
            g.threads++;
            g.lifetimeNanos += t.lifetime();
            for (ThreadState st : ThreadState.values()) {
                g.stateNanos[st.ordinal()] += t.nanos(st);
            }
            g.mounts += mountsByThread.get(t.id(), 0);
        }
        return this;
    }

    /** A trailing number, or an id of hex digits (with at least one digit) after a separator. */
    private static final Pattern TRAILING_ID =
            Pattern.compile("(?:[-_#.:@/ ]+[0-9a-fA-F]*\\d[0-9a-fA-F]*|[-_#.:@/ ]*\\d+)$");

    /**
     * The name group of a virtual thread: its name without trailing numbers and ids ("request-17" and
     * "request-7f3a" are "request-*", "worker-3-1" is "worker-*"); "(unnamed)" for virtual threads without
     * a name; a name that is all number is "*".
     */
    public static String groupOf(String name) {
        if (name == null || name.isEmpty()) {
            return "(unnamed)";
        }
        String n = name;
        while (true) {
            String m = TRAILING_ID.matcher(n).replaceFirst("");
            if (m.length() == n.length()) {
                break;
            }
            n = m;
        }
        if (n.length() == name.length()) {
            return name;
        }
        char next = name.charAt(n.length());
        return n + ("-_#.:@/ ".indexOf(next) >= 0 ? String.valueOf(next) : "") + "*";
    }

    @Override
    public void generationEnd(Generation g) {
        heap.add(new long[] {g.endTicks(), model.heap().liveBytes()});
        recorderBuffers.add(new long[] {g.endTicks(), model.heap().liveBufferBytes()});
    }

    @Override
    public void spanEnd(Span s) {
        Map<String, Latency> m = s.kind() == Span.Kind.TASK ? tasks : regions;
        Latency l = m.computeIfAbsent(s.name(), Latency::new);
        if (s.beginMissing() || s.endMissing()) {
            l.incomplete++;
        } else {
            l.add(new Instance(s.task(), s.kind() == Span.Kind.TASK ? s.thread() : s.endThread(), s.start(),
                    s.duration()));
        }
    }

    @Override
    public void blocking(dev.jtrace.model.Blocking b) {
        String kind = b.kindName();
        String site = b.callSiteName();
        String key = kind + (b.idle() ? "\nidle\n" : "\n") + site;
        Blocking row = blocking.get(key);
        if (row == null) {
            row = new Blocking(kind, b.idle(), site, frames(b.stack()));
            blocking.put(key, row);
        }
        row.count++;
        row.nanos += b.duration();
        row.histogram.recordValue(Math.max(0, b.duration()));
        if (row.longest == null || b.duration() > row.longest.duration()) {
            row.longest = b;
        }
    }

    @Override
    public void wakeup(Wakeup w) {
        wakeupsByKind.merge(w.kind().label, 1L, Long::sum);
        if (w.kind() == Wakeup.Kind.SUBMIT) {
            virtualLatency.add(w);
        } else if (!model.threads().isVirtual(w.wakee())) {
            // a virtual thread's unpark is followed by its submit: its wait is the submit's, counted there
            platformLatency.add(w);
        }
    }

    @Override
    public void carrierRun(CarrierRun r) {
        Carrier c = carriers.computeIfAbsent(r.carrier(), Carrier::new);
        c.mounts++;
        c.mountedNanos += r.duration();
        c.first = Math.min(c.first, r.start());
        c.last = Math.max(c.last, r.end());
        mountsByThread.put(r.thread(), mountsByThread.get(r.thread(), 0) + 1, 0);
    }

    private static List<String> frames(StackTrace st) {
        if (st == null || st.frames().isEmpty()) {
            return List.of(Stacks.NO_STACK);
        }
        List<String> f = new ArrayList<>();
        for (StackTrace.Frame fr : st.frames()) {
            if (f.size() == PROFILE_FRAMES) {
                break;
            }
            f.add(fr.toString());
        }
        return List.copyOf(f);
    }

    // ------------------------------------------------------------------ results

    /** A read-only view of the model's threads. */
    private final class ThreadView extends AbstractMap<Long, ThreadTime> {
        @Override
        public ThreadTime get(Object key) {
            ModelThread t = key instanceof Long id ? model.threads().get(id) : null;
            return t == null ? null : new ThreadTime(t);
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof Long id && model.threads().contains(id);
        }

        @Override
        public int size() {
            return model.threads().size();
        }

        @Override
        public Set<Entry<Long, ThreadTime>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<Long, ThreadTime>> iterator() {
                    Iterator<ModelThread> it = model.threads().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<Long, ThreadTime> next() {
                            ModelThread t = it.next();
                            return new SimpleImmutableEntry<>(t.id(), new ThreadTime(t));
                        }
                    };
                }

                @Override
                public int size() {
                    return model.threads().size();
                }
            };
        }
    }

    /** GC pause time inside [a, b]. */
    public long gcTimeIn(long a, long b) {
        return model.gc().pauseTimeIn(a, b);
    }

    /** Minimum mutator utilization for window {@code w} over the trace (Go's definition). */
    public double mmu(long w) {
        return model.gc().mmu(startTicks, endTicks, w);
    }

    /** Window sizes for the MMU curve: 1 ms doubling up to the trace length. */
    public List<Long> mmuWindows() {
        List<Long> ws = new ArrayList<>();
        long span = endTicks - startTicks;
        for (long w = 1_000_000; w < span; w *= 2) {
            ws.add(w);
        }
        if (span > 0) {
            ws.add(span);
        }
        return ws;
    }

    /** Total GC pause time. */
    public long gcTotal() {
        return model.gc().totalPauseNanos();
    }

    /** GC cycles (a concurrent cycle spans its pauses). */
    public List<GcCycle> gcCycles() {
        return model.gc().cycles();
    }

    /** The heaviest blocking call sites first. */
    public List<Blocking> blockingProfile() {
        List<Blocking> l = new ArrayList<>(blocking.values());
        l.sort(Comparator.comparingLong((Blocking b) -> b.nanos).reversed().thenComparing(b -> b.callSite));
        return l;
    }

    /** Everything above as one JSON object (small traces; see {@link #writeJson}). */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        writeJson(sb);
        return sb.toString();
    }

    /**
     * Everything above as one JSON object, streamed: a trace's thread list can run to millions of rows.
     * The keys are documented in docs/model.md; times are nanoseconds ({@code ...Nanos}), instants relative
     * to the trace's start.
     */
    public void writeJson(Appendable out) {
        writeJson(out, Integer.MAX_VALUE);
    }

    /**
     * {@link #writeJson(Appendable)} with at most {@code maxThreads} rows in "threads" (a page cannot show
     * millions): when there are more, platform threads are listed before virtual ones, each in id order, and
     * the threads not listed are summed in "threadsNotListed" ({@code count}, {@code lifetimeNanos} and the
     * same per-state keys as a row). With all threads listed the output is that of writeJson(out).
     */
    public void writeJson(Appendable out, int maxThreads) {
        JsonWriter j = new JsonWriter(out);
        j.beginObject();
        j.field("generations", generations).field("events", events).field("durationNanos", endTicks - startTicks);
        TraceSummary s = summary;
        j.name("summary").beginObject().field("threads", s.threads()).field("platformThreads", s.platformThreads())
                .field("virtualThreads", s.virtualThreads()).field("regions", s.regions()).field("tasks", s.tasks())
                .field("lostEvents", s.lostEvents()).field("skippedReentrant", s.skippedReentrant())
                .field("lateStateNanos", s.lateStateNanos()).endObject();
        j.name("threads").beginArray();
        long[] rest = null;
        if (threads.size() <= maxThreads) {
            for (ThreadTime t : threads.values()) {
                threadJson(j, t);
            }
        } else {
            rest = new long[2 + ThreadState.values().length];
            int listed = 0;
            for (boolean virtual : new boolean[] {false, true}) {
                for (ThreadTime t : threads.values()) {
                    if (t.virtual != virtual) {
                        continue;
                    }
                    if (listed < maxThreads) {
                        threadJson(j, t);
                        listed++;
                    } else {
                        rest[0]++;
                        rest[1] += t.lifetime();
                        for (ThreadState st : ThreadState.values()) {
                            rest[2 + st.ordinal()] += t.thread.nanos(st);
                        }
                    }
                }
            }
        }
        j.endArray();
        if (rest != null) {
            j.name("threadsNotListed").beginObject().field("count", rest[0]).field("lifetimeNanos", rest[1]);
            for (ThreadState st : ThreadState.values()) {
                j.field(st.label + "Nanos", rest[2 + st.ordinal()]);
            }
            j.endObject();
        }
        latencyJson(j, "tasks", tasks);
        latencyJson(j, "regions", regions);
        j.name("blocking").beginArray();
        for (Blocking b : blockingProfile()) {
            j.beginObject().field("kind", b.kind).name("idle").value(b.idle ? 1 : 0).field("callSite", b.callSite)
                    .field("count", b.count).field("nanos", b.nanos)
                    .field("p50Nanos", b.histogram.getValueAtPercentile(50))
                    .field("p99Nanos", b.histogram.getValueAtPercentile(99))
                    .field("maxNanos", b.histogram.getMaxValue()).name("longest").beginObject()
                    .field("thread", b.longest.thread()).field("threadName", model.threads().label(b.longest.thread()))
                    .field("startNanos", b.longest.start() - startTicks).field("nanos", b.longest.duration()).endObject()
                    .name("stack").beginArray();
            b.frames.forEach(j::value);
            j.endArray().endObject();
        }
        j.endArray();
        j.name("scheduler").beginObject().name("wakeups").beginObject();
        wakeupsByKind.forEach(j::field);
        j.endObject();
        schedJson(j, "platform", platformLatency);
        schedJson(j, "virtual", virtualLatency);
        j.endObject();
        virtualJson(j);
        j.name("carriers").beginArray();
        for (Carrier c : carriers.values()) {
            j.beginObject().field("id", c.id).field("name", model.threads().displayName(c.id)).field("mounts", c.mounts)
                    .field("mountedNanos", c.mountedNanos).endObject();
        }
        j.endArray();
        j.name("gc").beginObject().field("pauses", gcPauses.size()).field("totalNanos", gcTotal())
                .field("maxNanos", model.gc().maxPauseNanos()).field("cycles", gcCycles().size());
        j.name("mmu").beginArray();
        for (long w : mmuWindows()) {
            j.beginObject().field("windowNanos", w).field("utilization", mmu(w)).endObject();
        }
        j.endArray().endObject();
        j.name("heap").beginObject().field("allocWithoutFree", allocWithoutFree).field("freeWithoutAlloc", freeWithoutAlloc)
                .name("samples").beginArray();
        for (long[] h : heap) {
            j.beginArray().value(h[0] - startTicks).value(h[1]).endArray();
        }
        j.endArray().name("recorderBufferSamples").beginArray();
        for (long[] h : recorderBuffers) {
            j.beginArray().value(h[0] - startTicks).value(h[1]).endArray();
        }
        j.endArray().endObject();
        j.name("unmatched").beginObject().field("regionEndWithoutBegin", regionEndWithoutBegin)
                .field("regionBeginWithoutEnd", regionBeginWithoutEnd).field("taskEndWithoutBegin", taskEndWithoutBegin)
                .field("taskBeginWithoutEnd", taskBeginWithoutEnd).endObject();
        j.endObject();
    }

    private void schedJson(JsonWriter j, String key, SchedLatency l) {
        Histogram h = l.histogram;
        j.name(key).beginObject().field("name", l.name).field("count", h.getTotalCount())
                .field("p50Nanos", h.getValueAtPercentile(50)).field("p90Nanos", h.getValueAtPercentile(90))
                .field("p99Nanos", h.getValueAtPercentile(99)).field("maxNanos", h.getMaxValue());
        j.name("worst").beginArray();
        for (WakeInstance i : l.worst()) {
            Wakeup w = i.wakeup();
            j.beginObject().field("kind", w.kind().label).field("waker", w.waker())
                    .field("wakerName", model.threads().displayName(w.waker())).field("wakee", w.wakee())
                    .field("wakeeName", model.threads().displayName(w.wakee()))
                    .field("wakeNanos", w.wakeTime() - startTicks).field("resumeNanos", w.resumeTime() - startTicks)
                    .field("nanos", i.latency()).field("link", link(w.wakee(), w.resumeTime() - i.latency(), i.latency()))
                    .endObject();
        }
        j.endArray().endObject();
    }

    /**
     * A link into the viewer's timeline, in the form its analysis pages use for a span: the stretch from
     * {@code start} (trace clock) for {@code nanos}, padded by 15% (at least 1 us) each side, on
     * {@code thread}'s row.
     */
    public String link(long thread, long start, long nanos) {
        long rel = start - startTicks;
        long pad = Math.max(1000, Math.round(nanos * 0.15));
        return "#/timeline?from=" + (rel - pad) + "&to=" + (rel + nanos + pad) + "&kind=wakeup&thread=" + thread
                + "&start=" + rel;
    }

    /** The virtual threads listed one by one: the longest-lived, then by id. */
    public List<ThreadTime> listedVirtualThreads() {
        PriorityQueue<ThreadTime> top = new PriorityQueue<>(
                Comparator.comparingLong(ThreadTime::lifetime).thenComparing(t -> -t.id));
        for (ModelThread t : model.threads()) {
            if (t.virtual()) {
                top.add(new ThreadTime(t));
                if (top.size() > VIRTUAL_LISTED) {
                    top.poll();
                }
            }
        }
        List<ThreadTime> l = new ArrayList<>(top);
        l.sort(Comparator.comparingLong(ThreadTime::lifetime).reversed().thenComparingLong(t -> t.id));
        return l;
    }

    private void virtualJson(JsonWriter j) {
        j.name("virtualThreads").beginObject().field("count", summary.virtualThreads()).name("groups").beginArray();
        for (VirtualGroup g : virtualGroups.values()) {
            j.beginObject().field("name", g.name).field("threads", g.threads).field("mounts", g.mounts)
                    .field("lifetimeNanos", g.lifetimeNanos);
            for (ThreadState st : ThreadState.values()) {
                j.field(st.label + "Nanos", g.nanos(st));
            }
            j.endObject();
        }
        j.endArray().name("listed").beginArray();
        for (ThreadTime t : listedVirtualThreads()) {
            j.beginObject().field("id", t.id).field("name", t.name).field("group", groupOf(t.name))
                    .field("mounts", mountsOf(t.id)).field("lifetimeNanos", t.lifetime());
            for (ThreadState st : ThreadState.values()) {
                j.field(st.label + "Nanos", t.thread.nanos(st));
            }
            j.endObject();
        }
        j.endArray().endObject();
    }

    /** Times virtual thread {@code id} was mounted. */
    public long mountsOf(long id) {
        return mountsByThread.get(id, 0);
    }

    private void threadJson(JsonWriter j, ThreadTime t) {
        j.beginObject().field("id", t.id).field("name", t.name).field("displayName", t.displayName()).name("virtual").value(t.virtual ? 1 : 0)
                .field("startNanos", t.first - startTicks).field("lifetimeNanos", t.lifetime());
        for (ThreadState st : ThreadState.values()) {
            j.field(st.label + "Nanos", t.thread.nanos(st));
        }
        j.field("cpuSamples", t.cpuSamples).field("allocSamples", t.allocSamples).endObject();
    }

    private void latencyJson(JsonWriter j, String key, Map<String, Latency> m) {
        j.name(key).beginArray();
        for (Latency l : m.values()) {
            Histogram h = l.histogram;
            j.beginObject().field("name", l.name).field("count", h.getTotalCount()).field("incomplete", l.incomplete)
                    .field("p50Nanos", h.getValueAtPercentile(50)).field("p90Nanos", h.getValueAtPercentile(90))
                    .field("p99Nanos", h.getValueAtPercentile(99)).field("maxNanos", h.getMaxValue());
            j.name("slowest").beginArray();
            for (Instance i : l.slowest()) {
                j.beginObject().field("task", i.task()).field("thread", i.thread())
                        .field("threadName", model.threads().label(i.thread()))
                        .field("startNanos", i.start() - startTicks).field("nanos", i.nanos()).endObject();
            }
            j.endArray().endObject();
        }
        j.endArray();
    }
}
