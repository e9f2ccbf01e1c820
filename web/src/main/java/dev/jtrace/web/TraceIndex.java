package dev.jtrace.web;

import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.format.Format;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.EventKind;
import dev.jtrace.model.GcCycle;
import dev.jtrace.model.GcPause;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.ModelThread;
import dev.jtrace.model.Span;
import dev.jtrace.model.Threads;
import dev.jtrace.model.TraceModel;
import dev.jtrace.model.TraceSummary;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * What the viewer knows about a trace without holding its events, built in one streaming pass through the
 * execution model ({@link TraceModel}, the one that {@link TraceAnalysis} reads in the same pass): where each
 * generation lies in the file and which times its events cover, the threads (names and virtual flag from the
 * model's {@link Threads}), level-of-detail summaries per thread and task name ({@link Grid}), the spans that
 * cross a generation boundary or stay open to the trace's end (a re-read of one generation cannot rebuild
 * those), the scheduler's wake-ups, carrier runs and blocks that cross a generation boundary (or that a
 * generation's decode, starting with nothing open, would pair wrong), and heap samples; GC pauses and cycles are
 * the model's. Every collection is bounded, so memory depends on the trace's shape (threads, names, concurrency),
 * never on its number of events, except for the 8-byte fingerprint of each wake-up and carrier run made inside a
 * generation, which lets a decode show exactly the whole pass's ({@link #MAX_SCHEDULER_FINGERPRINTS}, 32 MiB, at
 * most).
 *
 * <p>Times count from the trace's start (its first GEN_BEGIN, {@link TraceSummary#startNanos()}), and the
 * trace's duration is the model's: the same numbers as {@code jtrace stats} and {@code jtrace analyze}.
 */
public final class TraceIndex {
    /** Threads given a row; the events of further threads are not shown (counted in {@link #threadsNotShown}). */
    static final int MAX_THREADS = 100_000;
    /** Spans crossing generation boundaries that are kept (further ones are counted, not drawn). */
    static final int MAX_CROSSING = 200_000;
    /** Wake-up edges and carrier runs kept whole because they cross a generation boundary (further ones are counted). */
    static final int MAX_SCHEDULER_CROSSING = 200_000;
    /**
     * Fingerprints of the wake-ups and carrier runs inside single generations, kept so that a generation's decode
     * shows exactly those (8 bytes each); the items of generations beyond the budget are not drawn (counted).
     */
    static final long MAX_SCHEDULER_FINGERPRINTS = 4_000_000;
    /** Task names with a row of their own; tasks of other names share the row {@link #OTHER_TASKS}. */
    static final int MAX_TASK_NAMES = 64;
    /** Heap samples (agent HeapSummary) kept; beyond, every other one is dropped. */
    static final int MAX_HEAP_SAMPLES = 4096;
    /** Cells of the summary grid (20 bytes each). */
    static final long GRID_CELLS = 2_000_000;
    /** Name of the shared row of tasks whose name has no row of its own. */
    static final String OTHER_TASKS = "(other tasks)";
    /** Grid key of the virtual threads taken together. */
    static final String VIRTUAL_GROUP = "vt";

    /** One complete generation: where it lies in the file and the times its events cover. */
    record Gen(int index, long number, long fileOffset, long endOffset, long startTicks, long endTicks,
            long minTicks, long maxTicks, long events) {
        long bytes() {
            return endOffset - fileOffset;
        }
    }

    /** What the viewer adds to a model thread: its row's depth and event count. */
    static final class ThreadRow {
        final long id;
        boolean virtual;
        int maxDepth;
        long events;
        /** Virtual threads this thread ran as their carrier (stretches): its row gets a carrier lane. */
        long carrierRuns;

        ThreadRow(long id) {
            this.id = id;
        }
    }

    /** A task name's row. */
    static final class TaskName {
        final String name;
        long count;
        int lanes = 1;

        TaskName(String name) {
            this.name = name;
        }
    }

    final Path file;
    final long fileSize;
    final byte[] header;
    final List<Gen> gens = new ArrayList<>();
    final Map<Long, ThreadRow> threads = new TreeMap<>();
    final Map<String, TaskName> taskNames = new LinkedHashMap<>();
    final List<Items.Region> crossingRegions = new ArrayList<>();
    final List<Items.Task> crossingTasks = new ArrayList<>();
    /** Wake-ups whose wake-up (or the block it ended) lies before their resumption's generation, by start. */
    final List<Wakeup> crossingWakeups = new ArrayList<>();
    /** Carrier runs mounted before the generation that ended them, or open at the trace's end, by start. */
    final List<CarrierRun> crossingRuns = new ArrayList<>();
    /** Scheduler blocks begun before the generation of their BlockEnd (a decode of that one alone cannot pair them). */
    final List<Blocking> crossingBlocks = new ArrayList<>();
    long maxCrossingBlock;
    long maxCrossingWakeup;
    long maxCrossingRun;
    /**
     * Per generation (index): the sorted fingerprints of the wake-ups and carrier runs the model made inside it,
     * or null when the budget ran out; a decode of the generation alone starts with no scheduler state, so it
     * may pair a wake-up differently (an unpark of a thread parked since an earlier generation looks like a
     * permit): only what it makes that the whole pass also made is shown.
     */
    final List<long[]> schedulerFingerprints = new ArrayList<>();
    long fingerprints;
    /** Wake-ups and carrier runs the index could not keep (crossing ones beyond the bound, or not fingerprinted). */
    long schedulerNotShown;
    /** The model's pauses, in start order, and the longest (for window lookups). */
    List<GcPause> gcPauses = List.of();
    long maxGcPause;
    /** The model's GC cycles in start order, the longest, and each by gc id (for a pause's cause). */
    List<GcCycle> gcCycles = List.of();
    long maxGcCycle;
    final Map<Long, GcCycle> cycleById = new HashMap<>();
    /** {ticks, used, committed} from the agent's HeapSummary events. */
    final List<long[]> heapSamples = new ArrayList<>();
    private int heapStride = 1;
    private long heapSeen;
    Grid grid;
    /** Every row's thread states from the model (the whole pass: a decode alone would start them unknown). */
    final StateTrack states = new StateTrack();
    /** Counter names with a track; further names are counted in {@link #countersNotShown}. */
    static final int MAX_COUNTER_NAMES = 64;
    /** Samples kept per counter track; beyond, every other one is dropped (the stride doubles). */
    static final int MAX_COUNTER_SAMPLES = 4096;

    /**
     * A counter track: {time, value} in time order, every {@code stride}-th sample of the counter kept (the
     * stride doubles whenever {@link #MAX_COUNTER_SAMPLES} are reached, as for the heap samples).
     */
    static final class Series {
        private final String name;
        private final boolean heap;
        private final List<long[]> points = new ArrayList<>();
        private int stride = 1;
        private long seen;

        Series(String name, boolean heap) {
            this.name = name;
            this.heap = heap;
        }

        void add(long time, long value) {
            if (seen++ % stride != 0) {
                return;
            }
            if (!points.isEmpty() && time < points.get(points.size() - 1)[0]) {
                // counters of several threads interleave slightly out of order: keep the list sorted
                int i = points.size();
                while (i > 0 && points.get(i - 1)[0] > time) {
                    i--;
                }
                points.add(i, new long[] {time, value});
            } else {
                points.add(new long[] {time, value});
            }
            if (points.size() >= MAX_COUNTER_SAMPLES) {
                for (int i = 0; i < points.size() / 2; i++) {
                    points.set(i, points.get(2 * i));
                }
                points.subList(points.size() / 2, points.size()).clear();
                stride *= 2;
            }
        }

        String name() {
            return name;
        }

        boolean heap() {
            return heap;
        }

        /** 1 while every sample is kept, else the sampling stride. */
        int stride() {
            return stride;
        }

        List<long[]> points() {
            return points;
        }
    }

    final Map<String, Series> counters = new LinkedHashMap<>();
    final Series heapUsed = new Series("JVM heap used", true);
    final Series heapCommitted = new Series("JVM heap committed", true);
    long countersNotShown;

    /** The counter tracks: user counters by name in order of appearance, then the JVM heap when sampled. */
    List<Series> counterSeries() {
        List<Series> l = new ArrayList<>(counters.values());
        if (!heapUsed.points().isEmpty()) {
            l.add(heapUsed);
            l.add(heapCommitted);
        }
        return l;
    }

    /** Distinct names a generation's search may match (regions, tasks, log categories and messages) at most. */
    static final int MAX_GENERATION_NAMES = 4096;
    /**
     * Per generation (index): the region and task names and log categories and messages in it, so that a search
     * reads only generations that can hold a hit; null where there were more than {@link #MAX_GENERATION_NAMES}.
     */
    final List<String[]> generationNames = new ArrayList<>();
    private long generationNameChars;
    /** Times of the first and last event (ticks): what the timeline first shows. */
    long firstEvent = Long.MAX_VALUE;
    long lastEvent = Long.MIN_VALUE;
    TraceAnalysis analysis;
    TraceModel model;
    TraceSummary summary;
    ReadReport report;
    long events;
    long threadsNotShown;
    long crossingNotShown;

    private TraceIndex(Path file, long fileSize, byte[] header) {
        this.file = file;
        this.fileSize = fileSize;
        this.header = header;
    }

    /** The trace file. */
    public Path file() {
        return file;
    }

    /** The analyses of the trace, computed in the same pass. */
    public TraceAnalysis analysis() {
        return analysis;
    }

    /** The model the index and the analysis read (complete). */
    public TraceModel model() {
        return model;
    }

    /** Complete generations. */
    public int generations() {
        return gens.size();
    }

    /** Events read. */
    public long events() {
        return events;
    }

    /** Threads with a row: the model's threads (at most {@link #MAX_THREADS}). */
    public int threads() {
        return threads.size();
    }

    /** Region spans the model made (as {@code jtrace stats} counts them). */
    public long regions() {
        return summary.regions();
    }

    /** Task spans the model made. */
    public long tasks() {
        return summary.tasks();
    }

    /** The time every relative time of the viewer counts from: the trace's start (ticks). */
    public long origin() {
        return summary.startNanos();
    }

    /** The trace's duration, first GEN_BEGIN to last GEN_END, in ns (the model's definition). */
    public long duration() {
        return summary.durationNanos();
    }

    /** The end of the trace (ticks). */
    long endTicks() {
        return summary.endNanos();
    }

    /** The name to show for thread {@code id}: the model's. */
    String threadName(long id) {
        return model.threads().displayName(id);
    }

    /** Estimated bytes the index holds (excluding the analysis and the model). */
    public long estimatedBytes() {
        return (grid == null ? 0 : grid.bytes()) + states.bytes() + threads.size() * 64L + gens.size() * 96L
                + (crossingRegions.size() + crossingTasks.size()) * 140L + cycleById.size() * 48L
                + heapSamples.size() * 40L + (counters.size() + 2L) * MAX_COUNTER_SAMPLES * 40L + generationNameChars * 2 + (crossingWakeups.size() + crossingRuns.size() + crossingBlocks.size()) * 72L + fingerprints * 8L;
    }

    /**
     * Estimated bytes the model keeps after the pass (its thread columns, a thread's name, its GC pauses and
     * cycles): with millions of virtual threads, more than the index.
     */
    long modelBytes() {
        return model.threads().size() * 72L + (gcPauses.size() + gcCycles.size()) * 64L;
    }

    /**
     * Reads {@code file} once; {@code progress} (may be null) receives the bytes read so far. A file that is
     * not a trace is a {@link TraceFormatException}.
     */
    public static TraceIndex build(Path file, LongConsumer progress) throws IOException {
        byte[] header;
        try (TraceReader r = TraceReader.open(file); InputStream in = Files.newInputStream(file)) {
            header = in.readNBytes(Format.HEADER_SIZE);
            TraceIndex idx = new TraceIndex(file, r.fileSize(), header);
            idx.read(r, progress);
            // built once now, so that no window pays for them
            idx.states.buildLevels();
            return idx;
        }
    }

    /** A fingerprint of a wake-up edge (its times, threads and kind: what a decode of its generation reproduces). */
    static long fingerprint(Wakeup w) {
        long h = mix(0x9E3779B97F4A7C15L ^ w.waker());
        h = mix(h ^ w.wakeTime());
        h = mix(h ^ w.wakee());
        h = mix(h ^ w.resumeTime());
        return mix(h ^ w.kind().ordinal());
    }

    /** A fingerprint of a carrier run. */
    static long fingerprint(CarrierRun r) {
        long h = mix(0xC2B2AE3D27D4EB4FL ^ r.carrier());
        h = mix(h ^ r.thread());
        h = mix(h ^ r.start());
        return mix(h ^ r.end());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Whether the whole pass made the wake-up or carrier run of fingerprint {@code f} inside generation {@code gen}. */
    boolean madeIn(int gen, long f) {
        long[] fs = gen < schedulerFingerprints.size() ? schedulerFingerprints.get(gen) : null;
        return fs != null && Arrays.binarySearch(fs, f) >= 0;
    }

    static String taskKey(String name) {
        return "task:" + name;
    }

    /** The name of the task row that shows tasks called {@code name}. */
    String taskRow(String name) {
        return taskNames.containsKey(name) ? name : OTHER_TASKS;
    }

    /** The index's side of the pass: what the model concludes, drawn into the grid and kept where bounded. */
    private final class Pass implements ModelListener {
        int gen;
        long genMin;
        long genMax;
        long genEvents;
        /** Spans ending now end at the trace's end: the model is completing. */
        boolean completing;
        final Map<Span, Integer> beginGen = new IdentityHashMap<>();
        final TaskLanes lanes = new TaskLanes();
        long genStart;
        /**
         * Threads whose scheduler state this generation inherited (a block, a wake-up or a mount reaching into an
         * earlier one): a decode of the generation alone starts them wrong (an unpark of a thread parked since
         * before looks like a permit that its next park consumes), so their later wake-ups and runs here are kept
         * whole too; likewise every notify after one that woke a waiter blocked since before.
         */
        final java.util.Set<Long> inherited = new java.util.HashSet<>();
        boolean notifyInherited;
        final java.util.Set<String> genNames = new java.util.HashSet<>();
        boolean genNamesLost;
        long[] genPrints = new long[64];
        int genPrintCount;
        boolean genPrintsLost;

        /** The searchable names of the generation just read (null when there were too many). */
        String[] takeNames() {
            String[] r = genNamesLost ? null : genNames.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT))
                    .distinct().toArray(String[]::new);
            if (r != null) {
                for (String n : r) {
                    generationNameChars += n.length();
                }
            }
            genNames.clear();
            genNamesLost = false;
            return r;
        }

        private void name(String n) {
            if (n == null || genNamesLost) {
                return;
            }
            if (genNames.size() >= MAX_GENERATION_NAMES) {
                genNamesLost = true;
                genNames.clear();
            } else {
                genNames.add(n); // lower-cased once per distinct name, when the generation ends
            }
        }

        /** The fingerprints of the generation just read, sorted (null when some were not kept). */
        long[] takePrints() {
            long[] r = genPrintsLost ? null : Arrays.copyOf(genPrints, genPrintCount);
            if (r != null) {
                Arrays.sort(r);
            }
            genPrintCount = 0;
            genPrintsLost = false;
            return r;
        }

        private void print(long f) {
            if (fingerprints >= MAX_SCHEDULER_FINGERPRINTS) {
                genPrintsLost = true;
                schedulerNotShown++;
                return;
            }
            if (genPrintCount == genPrints.length) {
                genPrints = Arrays.copyOf(genPrints, genPrintCount * 2);
            }
            genPrints[genPrintCount++] = f;
            fingerprints++;
        }

        private void range(long a, long b) {
            genMin = Math.min(genMin, a);
            genMax = Math.max(genMax, b);
        }

        @Override
        public void generationBegin(Generation g) {
            if (grid == null) {
                grid = new Grid(g.startTicks(), GRID_CELLS);
            }
            gen = gens.size();
            genMin = g.startTicks();
            genMax = Math.max(g.startTicks(), g.endTicks());
            genEvents = 0;
            genStart = g.startTicks();
            inherited.clear();
            notifyInherited = false;
        }

        private boolean notify(Wakeup w) {
            return w.kind() == Wakeup.Kind.NOTIFY || w.kind() == Wakeup.Kind.NOTIFY_ALL;
        }

        @Override
        public void wakeup(Wakeup w) {
            long begin = w.blockStart() == Long.MIN_VALUE ? w.wakeTime() : Math.min(w.wakeTime(), w.blockStart());
            boolean crossing = begin < genStart || completing;
            if (crossing) {
                inherited.add(w.wakee());
                notifyInherited |= notify(w);
            }
            if (crossing || inherited.contains(w.wakee()) || notifyInherited && notify(w)) {
                if (crossingWakeups.size() < MAX_SCHEDULER_CROSSING) {
                    crossingWakeups.add(w);
                    maxCrossingWakeup = Math.max(maxCrossingWakeup, Math.abs(w.resumeTime() - w.wakeTime()));
                } else {
                    schedulerNotShown++;
                }
            } else {
                print(fingerprint(w));
            }
        }

        @Override
        public void carrierRun(CarrierRun r) {
            ThreadRow t = threads.get(r.carrier());
            if (t != null) {
                t.carrierRuns++;
            }
            boolean crossing = r.start() < genStart || completing;
            if (crossing) {
                inherited.add(r.carrier());
                inherited.add(r.thread());
            }
            if (crossing || inherited.contains(r.carrier()) || inherited.contains(r.thread())) {
                if (crossingRuns.size() < MAX_SCHEDULER_CROSSING) {
                    crossingRuns.add(r);
                    maxCrossingRun = Math.max(maxCrossingRun, r.duration());
                } else {
                    schedulerNotShown++;
                }
            } else {
                print(fingerprint(r));
            }
        }

        @Override
        public void thread(ModelThread t) {
            ThreadRow r = threads.get(t.id());
            if (r == null) {
                if (threads.size() >= MAX_THREADS) {
                    threadsNotShown++;
                    return;
                }
                r = new ThreadRow(t.id());
                threads.put(t.id(), r);
            }
            r.virtual = t.virtual();
        }

        @Override
        public void event(Event e, EventKind kind, long thread, long time) {
            events++;
            genEvents++;
            range(time, time);
            firstEvent = Math.min(firstEvent, time);
            lastEvent = Math.max(lastEvent, time);
            if (kind == EventKind.COUNTER) {
                String n = counterName(e);
                Series s = counters.get(n);
                if (s == null && counters.size() < MAX_COUNTER_NAMES) {
                    s = new Series(n, false);
                    counters.put(n, s);
                }
                if (s != null) {
                    s.add(time, e.arg("value"));
                } else {
                    countersNotShown++;
                }
            }
            if (kind == EventKind.LOG) {
                Items.Log l = Items.Log.of(e, thread, time);
                name(l.category());
                name(l.message());
            }
            ThreadRow t = kind.isProcessWide() ? null : threads.get(thread);
            if (t != null) {
                t.events++;
                grid.count(thread, time);
                if (t.virtual) {
                    grid.count(VIRTUAL_GROUP, time);
                }
            }
        }

        @Override
        public void spanBegin(Span s) {
            beginGen.put(s, gen);
            name(s.name() == null ? "" : s.name());
            if (s.kind() == Span.Kind.TASK) {
                lanes.begin(s);
            }
        }

        @Override
        public void spanEnd(Span s) {
            if (s.beginMissing()) {
                name(s.name() == null ? "" : s.name());
            }
            Integer b = beginGen.remove(s);
            int begin = b == null ? 0 : b; // no begin: it starts at the trace's start
            range(s.end(), s.end());
            boolean keep = begin != gen || completing;
            if (s.kind() == Span.Kind.REGION) {
                Items.Region r = new Items.Region(s, begin, gen);
                ThreadRow t = threads.get(s.thread());
                if (t != null) {
                    t.maxDepth = Math.max(t.maxDepth, r.depth() + 1);
                    if (s.depth() == 0) {
                        grid.cover(s.thread(), s.start(), s.end(), false);
                        if (t.virtual) {
                            grid.cover(VIRTUAL_GROUP, s.start(), s.end(), false);
                        }
                    }
                }
                if (keep) {
                    if (crossingRegions.size() < MAX_CROSSING) {
                        crossingRegions.add(r);
                    } else {
                        crossingNotShown++;
                    }
                }
            } else {
                int lane = lanes.end(s);
                Items.Task k = new Items.Task(s, lane, begin, gen);
                TaskName n = taskNames.get(s.name());
                if (n == null && taskNames.size() < MAX_TASK_NAMES) {
                    n = new TaskName(s.name());
                    taskNames.put(s.name(), n);
                } else if (n == null) {
                    n = taskNames.computeIfAbsent(OTHER_TASKS, TaskName::new);
                }
                n.count++;
                n.lanes = Math.max(n.lanes, lane + 1);
                grid.cover(taskKey(n.name), s.start(), s.end(), false);
                grid.count(taskKey(n.name), s.start());
                if (keep) {
                    if (crossingTasks.size() < MAX_CROSSING) {
                        crossingTasks.add(k);
                    } else {
                        crossingNotShown++;
                    }
                }
            }
        }

        @Override
        public void blocking(Blocking b) {
            if (b.scheduler() && (b.start() < genStart || completing)) {
                inherited.add(b.thread());
                if (crossingBlocks.size() < MAX_SCHEDULER_CROSSING) {
                    crossingBlocks.add(b);
                    maxCrossingBlock = Math.max(maxCrossingBlock, b.duration());
                } else {
                    schedulerNotShown++;
                }
            } else {
                range(b.start(), TimeMath.add(b.start(), b.duration()));
            }
            ThreadRow t = threads.get(b.thread());
            if (t != null) {
                grid.cover(b.thread(), b.start(), TimeMath.add(b.start(), b.duration()), true);
                if (t.virtual) {
                    grid.cover(VIRTUAL_GROUP, b.start(), TimeMath.add(b.start(), b.duration()), true);
                }
            }
        }

        @Override
        public void threadState(long thread, dev.jtrace.model.ThreadState s, long start, long end,
                dev.jtrace.model.Blocking b, dev.jtrace.model.Wakeup w) {
            if (threads.containsKey(thread)) {
                states.add(thread, s, start, end, b == null ? Long.MIN_VALUE : b.start(),
                        w == null ? Long.MIN_VALUE : w.wakeTime(), w == null ? Long.MIN_VALUE : w.resumeTime());
            }
        }

        @Override
        public void gcPause(GcPause p) {
            range(p.start(), p.end());
        }

        @Override
        public void heapSummary(long time, long used, long committed) {
            heapUsed.add(time, used);
            heapCommitted.add(time, committed);
            if (heapSeen++ % heapStride != 0) {
                return;
            }
            heapSamples.add(new long[] {time, used, committed});
            if (heapSamples.size() >= MAX_HEAP_SAMPLES) {
                for (int i = 0; i < heapSamples.size() / 2; i++) {
                    heapSamples.set(i, heapSamples.get(2 * i));
                }
                heapSamples.subList(heapSamples.size() / 2, heapSamples.size()).clear();
                heapStride *= 2;
            }
        }
    }

    private void read(TraceReader r, LongConsumer progress) throws IOException {
        Pass pass = new Pass();
        analysis = TraceAnalysis.incremental(pass);
        model = analysis.model();
        Generation g;
        while ((g = r.nextGeneration()) != null) {
            long endOffset = r.position();
            analysis.add(g);
            gens.add(new Gen(pass.gen, g.number(), g.fileOffset(), endOffset, g.startTicks(), g.endTicks(),
                    pass.genMin, pass.genMax, pass.genEvents));
            schedulerFingerprints.add(pass.takePrints());
            generationNames.add(pass.takeNames());
            if (progress != null) {
                progress.accept(endOffset);
            }
        }
        if (grid == null) {
            grid = new Grid(0, GRID_CELLS);
        }
        pass.completing = true;
        analysis.complete(r.report());
        report = r.report();
        summary = model.summary();
        gcPauses = model.gc().pauses();
        for (GcPause p : gcPauses) {
            maxGcPause = Math.max(maxGcPause, p.duration());
        }
        List<GcCycle> cycles = new ArrayList<>(model.gc().cycles());
        cycles.sort(Comparator.comparingLong(GcCycle::start));
        gcCycles = cycles;
        for (GcCycle c : cycles) {
            maxGcCycle = Math.max(maxGcCycle, c.duration());
            cycleById.put(c.gcId(), c);
        }
        crossingRegions.sort(Comparator.comparingLong(Items.Region::start));
        crossingTasks.sort(Comparator.comparingLong(Items.Task::start));
        crossingWakeups.sort(Comparator.comparingLong(TraceIndex::wakeStart));
        crossingRuns.sort(Comparator.comparingLong(CarrierRun::start));
        crossingBlocks.sort(Comparator.comparingLong(Blocking::start));
    }

    private static String counterName(Event e) {
        int i = e.type().indexOf("name");
        String n = i >= 0 && e.type().args().get(i).kind() == dev.jtrace.format.ArgKind.STRING ? e.string("name") : null;
        return n == null ? "(unnamed)" : n;
    }

    /** Where a wake-up's arrow begins on the time axis (its wake-up, or its resumption if the clocks disagree). */
    static long wakeStart(Wakeup w) {
        return Math.min(w.wakeTime(), w.resumeTime());
    }

    /** Where a wake-up's arrow ends on the time axis. */
    static long wakeEnd(Wakeup w) {
        return Math.max(w.wakeTime(), w.resumeTime());
    }

    /** Generations whose events may fall in [a, b] (ticks), in file order. */
    List<Gen> overlapping(long a, long b) {
        List<Gen> l = new ArrayList<>();
        for (Gen g : gens) {
            if (g.maxTicks() >= a && g.minTicks() <= b) {
                l.add(g);
            }
        }
        return l;
    }

    /**
     * Regions the index kept that were open at the start of generation {@code gen} (index), by thread and
     * outermost first: what a matcher re-reading that generation alone must start from.
     */
    List<Items.Region> regionsOpenAt(int gen) {
        List<Items.Region> l = new ArrayList<>();
        for (Items.Region s : crossingRegions) {
            if (!s.span().beginMissing() && s.beginGen() < gen && s.endGen() >= gen) {
                l.add(s);
            }
        }
        l.sort(Comparator.comparingLong(Items.Region::thread).thenComparingInt(Items.Region::depth));
        return l;
    }

    /** Tasks the index kept that were open at the start of generation {@code gen} (index). */
    List<Items.Task> tasksOpenAt(int gen) {
        List<Items.Task> l = new ArrayList<>();
        for (Items.Task s : crossingTasks) {
            if (!s.span().beginMissing() && s.beginGen() < gen && s.endGen() >= gen) {
                l.add(s);
            }
        }
        return l;
    }
}
