package dev.jtrace.web;

import dev.jtrace.reader.StackTrace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pairs region begins with their ends per thread and task begins with their ends by id, the way
 * {@code TraceAnalysis} does: a region end closes the innermost open region of the same task and name, and
 * the regions opened above it end with it ({@link Items#ENDED_BY_OUTER}).
 *
 * <p>The index pass runs one matcher over the whole trace. A window query re-reads one generation and runs a
 * fresh matcher {@linkplain #seed(Items.Region) seeded} with the spans the index saw open at that
 * generation's start; since the state is then the same as the index pass's, it rebuilds the same spans, with
 * the same depths and task lanes, without reading any other generation.
 */
final class SpanMatcher {
    /** Regions deeper than this on one thread are dropped (counted): a bound on hostile traces. */
    static final int MAX_DEPTH = 256;
    /** Open tasks beyond this are dropped (counted). */
    static final int MAX_OPEN_TASKS = 100_000;
    /** Lanes per task name in the timeline's task rows; more overlapping tasks share the last ones. */
    static final int TASK_LANES = 4;

    /** Receives completed spans. */
    interface Sink {
        void region(Items.Region r);

        void task(Items.Task t);
    }

    private record OpenRegion(long task, String name, long start, int depth, StackTrace stack, long gen,
            boolean seeded) {}

    private record OpenTask(long parent, String name, int lane, long start, long thread, StackTrace stack,
            long gen, boolean seeded) {}

    private final Sink sink;
    private final Map<Long, List<OpenRegion>> regions = new HashMap<>();
    private final Map<Long, OpenTask> tasks = new HashMap<>();
    private final Map<String, int[]> laneUse = new HashMap<>();
    /** The highest lane used per task name plus one. */
    final Map<String, Integer> lanesUsed = new HashMap<>();
    long droppedRegions;
    long droppedTasks;

    SpanMatcher(Sink sink) {
        this.sink = sink;
    }

    /** Makes {@code r}, seen open at a generation's start by the index, open again; it is never emitted. */
    void seed(Items.Region r) {
        regions.computeIfAbsent(r.thread(), k -> new ArrayList<>())
                .add(new OpenRegion(r.task(), r.name(), r.start(), r.depth(), r.stack(), r.beginGen(), true));
    }

    /** Like {@link #seed(Items.Region)} for a task. */
    void seed(Items.Task t) {
        tasks.put(t.id(), new OpenTask(t.parent(), t.name(), t.lane(), t.start(), t.beginThread(), t.stack(),
                t.beginGen(), true));
        laneUse.computeIfAbsent(t.name(), k -> new int[TASK_LANES])[t.lane()]++;
    }

    void regionBegin(long thread, long task, String name, long t, StackTrace stack, long gen) {
        List<OpenRegion> s = regions.computeIfAbsent(thread, k -> new ArrayList<>());
        if (s.size() >= MAX_DEPTH) {
            droppedRegions++;
            return;
        }
        s.add(new OpenRegion(task, name, t, s.size(), stack, gen, false));
    }

    void regionEnd(long thread, long task, String name, long t, long gen) {
        List<OpenRegion> s = regions.get(thread);
        if (s == null) {
            return;
        }
        for (int i = s.size() - 1; i >= 0; i--) {
            OpenRegion o = s.get(i);
            if (o.task() == task && Objects.equals(o.name(), name)) {
                while (s.size() > i + 1) {
                    emit(thread, s.remove(s.size() - 1), t, gen, Items.ENDED_BY_OUTER);
                }
                emit(thread, s.remove(i), t, gen, 0);
                return;
            }
        }
        // an end without a begin: nothing to draw
    }

    private void emit(long thread, OpenRegion o, long end, long gen, int flags) {
        if (!o.seeded()) {
            sink.region(new Items.Region(thread, o.depth(), o.start(), Math.max(o.start(), end), o.name(), o.task(),
                    o.stack(), o.gen(), gen, flags));
        }
    }

    void taskBegin(long id, long parent, String name, long t, long thread, StackTrace stack, long gen) {
        OpenTask old = tasks.remove(id);
        if (old != null) {
            endTask(id, old, t, thread, gen, Items.REPLACED);
        } else if (tasks.size() >= MAX_OPEN_TASKS) {
            droppedTasks++;
            return;
        }
        int[] use = laneUse.computeIfAbsent(name, k -> new int[TASK_LANES]);
        int lane = 0;
        for (int i = 1; i < use.length; i++) {
            if (use[i] < use[lane]) {
                lane = i;
            }
        }
        use[lane]++;
        lanesUsed.merge(name, lane + 1, Math::max);
        tasks.put(id, new OpenTask(parent, name, lane, t, thread, stack, gen, false));
    }

    void taskEnd(long id, long t, long thread, long gen) {
        OpenTask o = tasks.remove(id);
        if (o != null) {
            endTask(id, o, t, thread, gen, 0);
        }
    }

    private void endTask(long id, OpenTask o, long t, long thread, long gen, int flags) {
        laneUse.get(o.name())[o.lane()]--;
        if (!o.seeded()) {
            sink.task(new Items.Task(id, o.parent(), o.name(), o.lane(), o.start(), Math.max(o.start(), t),
                    o.thread(), thread, o.stack(), o.gen(), gen, flags));
        }
    }

    /** Emits every span still open as ending at {@code t} ({@link Items#OPEN_AT_END}); the matcher is then empty. */
    void closeAll(long t, long gen) {
        for (Map.Entry<Long, List<OpenRegion>> e : regions.entrySet()) {
            for (OpenRegion o : e.getValue()) {
                emit(e.getKey(), o, t, gen, Items.OPEN_AT_END);
            }
        }
        regions.clear();
        for (Map.Entry<Long, OpenTask> e : tasks.entrySet()) {
            OpenTask o = e.getValue();
            if (!o.seeded()) {
                sink.task(new Items.Task(e.getKey(), o.parent(), o.name(), o.lane(), o.start(), Math.max(o.start(), t),
                        o.thread(), o.thread(), o.stack(), o.gen(), gen, Items.OPEN_AT_END));
            }
        }
        tasks.clear();
    }
}
