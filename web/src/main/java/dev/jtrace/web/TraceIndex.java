package dev.jtrace.web;

import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.format.Format;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * What the viewer knows about a trace without holding its events, built in one streaming pass (which also
 * feeds {@link TraceAnalysis}): where each generation lies in the file and which times its events cover, the
 * threads, level-of-detail summaries per thread and task name ({@link Grid}), the spans that cross a
 * generation boundary (a re-read of one generation cannot rebuild those), GC pauses and heap samples.
 * Every collection is bounded, so memory depends on the trace's shape (threads, names, concurrency), never
 * on its number of events.
 */
public final class TraceIndex {
    /** Threads given a row; the events of further threads are not shown (counted in {@link #threadsNotShown}). */
    static final int MAX_THREADS = 100_000;
    /** Spans crossing generation boundaries that are kept (further ones are counted, not drawn). */
    static final int MAX_CROSSING = 200_000;
    /** Task names with a row of their own; tasks of other names share the row {@link #OTHER_TASKS}. */
    static final int MAX_TASK_NAMES = 64;
    /** GC pauses kept for the timeline's GC band. */
    static final int MAX_GC_PAUSES = 200_000;
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

    /** A thread of the trace. */
    static final class ThreadRow {
        final long id;
        String name = "";
        boolean virtual;
        int maxDepth;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long events;

        ThreadRow(long id) {
            this.id = id;
        }

        void see(long t) {
            first = Math.min(first, t);
            last = Math.max(last, t);
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
    final List<Items.GcPause> gcPauses = new ArrayList<>();
    long maxGcPause;
    /** {ticks, used, committed} from the agent's HeapSummary events. */
    final List<long[]> heapSamples = new ArrayList<>();
    private int heapStride = 1;
    private long heapSeen;
    Grid grid;
    TraceAnalysis analysis;
    ReadReport report;
    long events;
    long minTicks = Long.MAX_VALUE;
    long maxTicks = Long.MIN_VALUE;
    long threadsNotShown;
    long crossingNotShown;
    long gcPausesNotShown;
    long droppedSpans;

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

    /** Complete generations. */
    public int generations() {
        return gens.size();
    }

    /** Events read. */
    public long events() {
        return events;
    }

    /** Threads with a row. */
    public int threads() {
        return threads.size();
    }

    /** The time every relative time of the viewer counts from: the earliest time in the trace (ticks). */
    public long origin() {
        return minTicks;
    }

    /** Length of the trace from its earliest to its latest time, in ns. */
    public long duration() {
        return Math.max(0, maxTicks - minTicks);
    }

    /** Estimated bytes the index holds (excluding the analysis). */
    public long estimatedBytes() {
        return (grid == null ? 0 : grid.bytes()) + threads.size() * 120L + gens.size() * 96L
                + (crossingRegions.size() + crossingTasks.size()) * 96L + gcPauses.size() * 64L
                + heapSamples.size() * 40L;
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
            return idx;
        }
    }

    private ThreadRow row(long id) {
        ThreadRow t = threads.get(id);
        if (t == null) {
            if (threads.size() >= MAX_THREADS) {
                threadsNotShown++;
                return null;
            }
            t = new ThreadRow(id);
            threads.put(id, t);
        }
        return t;
    }

    static String taskKey(String name) {
        return "task:" + name;
    }

    /** The name of the task row that shows tasks called {@code name}. */
    String taskRow(String name) {
        return taskNames.containsKey(name) ? name : OTHER_TASKS;
    }

    private void read(TraceReader r, LongConsumer progress) throws IOException {
        analysis = TraceAnalysis.incremental();
        int[] genIndex = {0};
        long[] genRange = new long[2];
        SpanMatcher matcher = new SpanMatcher(new SpanMatcher.Sink() {
            @Override
            public void region(Items.Region s) {
                ThreadRow t = threads.get(s.thread());
                if (t != null) {
                    t.maxDepth = Math.max(t.maxDepth, s.depth() + 1);
                    if (s.depth() == 0) {
                        grid.cover(s.thread(), s.start(), s.end(), false);
                        if (t.virtual) {
                            grid.cover(VIRTUAL_GROUP, s.start(), s.end(), false);
                        }
                    }
                }
                if (s.crossesGenerations() || (s.flags() & Items.OPEN_AT_END) != 0) {
                    if (crossingRegions.size() < MAX_CROSSING) {
                        crossingRegions.add(s);
                    } else {
                        crossingNotShown++;
                    }
                }
            }

            @Override
            public void task(Items.Task s) {
                TaskName n = taskNames.get(s.name());
                if (n == null && taskNames.size() < MAX_TASK_NAMES) {
                    n = new TaskName(s.name());
                    taskNames.put(s.name(), n);
                } else if (n == null) {
                    n = taskNames.computeIfAbsent(OTHER_TASKS, TaskName::new);
                }
                n.count++;
                n.lanes = Math.max(n.lanes, s.lane() + 1);
                grid.cover(taskKey(n.name), s.start(), s.end(), false);
                grid.count(taskKey(n.name), s.start());
                if (s.crossesGenerations() || (s.flags() & Items.OPEN_AT_END) != 0) {
                    if (crossingTasks.size() < MAX_CROSSING) {
                        crossingTasks.add(s);
                    } else {
                        crossingNotShown++;
                    }
                }
            }
        });
        Scan.Visitor visitor = new Scan.Visitor() {
            private void range(long a, long b) {
                genRange[0] = Math.min(genRange[0], a);
                genRange[1] = Math.max(genRange[1], b);
            }

            @Override
            public void event(long thread, long time) {
                events++;
                range(time, time);
                ThreadRow t = row(thread);
                if (t != null) {
                    t.events++;
                    t.see(time);
                    grid.count(thread, time);
                    if (t.virtual) {
                        grid.count(VIRTUAL_GROUP, time);
                    }
                }
            }

            @Override
            public void log(Items.Log log) {
            }

            @Override
            public void block(Items.Block b) {
                range(b.start(), b.end());
                ThreadRow t = row(b.thread());
                if (t != null) {
                    t.see(b.end());
                    grid.cover(b.thread(), b.start(), b.end(), true);
                    if (t.virtual) {
                        grid.cover(VIRTUAL_GROUP, b.start(), b.end(), true);
                    }
                }
            }

            @Override
            public void gc(Items.GcPause p) {
                range(p.start(), p.end());
                if (gcPauses.size() < MAX_GC_PAUSES) {
                    gcPauses.add(p);
                    maxGcPause = Math.max(maxGcPause, p.duration());
                } else {
                    gcPausesNotShown++;
                }
            }

            @Override
            public void heap(long time, long used, long committed) {
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

            @Override
            public void threadStart(long thread, String name, boolean virtual) {
                ThreadRow t = row(thread);
                if (t != null) {
                    if (t.name.isEmpty() && name != null) {
                        t.name = name;
                    }
                    t.virtual |= virtual;
                }
            }
        };
        Generation g;
        long lastEnd = Long.MIN_VALUE;
        while ((g = r.nextGeneration()) != null) {
            long endOffset = r.position();
            if (grid == null) {
                grid = new Grid(g.startTicks(), GRID_CELLS);
            }
            for (ThreadInfo ti : g.threads().values()) {
                ThreadRow t = row(ti.id());
                if (t != null) {
                    if (!ti.name().isEmpty()) {
                        t.name = ti.name();
                    }
                    t.virtual |= ti.virtual();
                }
            }
            genRange[0] = g.startTicks();
            genRange[1] = Math.max(g.startTicks(), g.endTicks());
            long before = events;
            Scan.generation(g, genIndex[0], matcher, visitor);
            analysis.add(g);
            gens.add(new Gen(genIndex[0], g.number(), g.fileOffset(), endOffset, g.startTicks(), g.endTicks(),
                    genRange[0], genRange[1], events - before));
            minTicks = Math.min(minTicks, genRange[0]);
            maxTicks = Math.max(maxTicks, genRange[1]);
            lastEnd = Math.max(lastEnd, genRange[1]);
            genIndex[0]++;
            if (progress != null) {
                progress.accept(endOffset);
            }
        }
        if (grid == null) {
            grid = new Grid(0, GRID_CELLS);
            minTicks = 0;
            maxTicks = 0;
        } else {
            matcher.closeAll(lastEnd, genIndex[0] - 1);
        }
        droppedSpans = matcher.droppedRegions + matcher.droppedTasks;
        analysis.complete(r.report());
        report = r.report();
        gcPauses.sort(Comparator.comparingLong(Items.GcPause::start));
        crossingRegions.sort(Comparator.comparingLong(Items.Region::start));
        crossingTasks.sort(Comparator.comparingLong(Items.Task::start));
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

    /** Crossing regions open at the start of generation {@code gen} (index), innermost last per thread. */
    List<Items.Region> regionsOpenAt(int gen) {
        List<Items.Region> l = new ArrayList<>();
        for (Items.Region s : crossingRegions) {
            if (s.beginGen() < gen && s.endGen() >= gen) {
                l.add(s);
            }
        }
        l.sort(Comparator.comparingLong(Items.Region::thread).thenComparingInt(Items.Region::depth));
        return l;
    }

    /** Crossing tasks open at the start of generation {@code gen} (index). */
    List<Items.Task> tasksOpenAt(int gen) {
        List<Items.Task> l = new ArrayList<>();
        for (Items.Task s : crossingTasks) {
            if (s.beginGen() < gen && s.endGen() >= gen) {
                l.add(s);
            }
        }
        return l;
    }
}
