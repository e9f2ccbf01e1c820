package dev.jtrace.web;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests' own reading of a well-formed trace, all in memory and without generations: regions by thread
 * stack, tasks by id, logs, blocking events and GC pauses, each with its absolute times.
 */
final class Reference {
    record Span(String kind, long thread, String name, long start, long end, int depth, long task) {}

    final List<Span> regions = new ArrayList<>();
    final List<Span> tasks = new ArrayList<>();
    final List<Span> logs = new ArrayList<>();
    final List<Span> blocks = new ArrayList<>();
    final List<Span> gc = new ArrayList<>();
    final Map<Long, Long> eventsByThread = new HashMap<>();
    /** Events the timeline draws (regions, tasks, logs, blocking, CPU and allocation samples) by thread. */
    final Map<Long, Long> drawnEventsByThread = new HashMap<>();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    /** The trace's start and end: first GEN_BEGIN, last GEN_END. */
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    int generations;

    static Reference read(Path f) throws Exception {
        Reference ref = new Reference();
        Map<Long, ArrayDeque<Span>> open = new HashMap<>();
        Map<Long, Span> openTasks = new HashMap<>();
        try (TraceReader r = TraceReader.open(f)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                ref.generations++;
                ref.min = Math.min(ref.min, g.startTicks());
                ref.max = Math.max(ref.max, g.endTicks());
                ref.start = Math.min(ref.start, g.startTicks());
                ref.end = Math.max(ref.end, g.endTicks());
                for (Event e : g.events()) {
                    long t = e.trueTicks();
                    ref.min = Math.min(ref.min, t);
                    ref.max = Math.max(ref.max, t);
                    long thread = e.has("thread") ? e.arg("thread") : e.threadId();
                    ref.eventsByThread.merge(thread, 1L, Long::sum);
                    if (java.util.Set.of("RegionBegin", "RegionEnd", "TaskBegin", "TaskEnd", "Log", "Park",
                            "MonitorBlocked", "Sleep", "VirtualThreadPinned", "CPUSample", "AllocSample").contains(e.type().name())) {
                        ref.drawnEventsByThread.merge(thread, 1L, Long::sum);
                    }
                    switch (e.type().name()) {
                        case "RegionBegin" -> {
                            ArrayDeque<Span> s = open.computeIfAbsent(thread, k -> new ArrayDeque<>());
                            s.push(new Span("region", thread, e.string("name"), t, -1, s.size(), e.arg("task")));
                        }
                        case "RegionEnd" -> {
                            Span b = open.get(thread).pop();
                            if (!b.name().equals(e.string("name"))) {
                                throw new AssertionError("the test traces nest properly: " + b + " vs " + e);
                            }
                            ref.regions.add(new Span("region", thread, b.name(), b.start(), t, b.depth(), b.task()));
                        }
                        case "TaskBegin" -> openTasks.put(e.arg("task"),
                                new Span("task", thread, e.string("name"), t, -1, 0, e.arg("task")));
                        case "TaskEnd" -> {
                            Span b = openTasks.remove(e.arg("task"));
                            ref.tasks.add(new Span("task", b.thread(), b.name(), b.start(), t, 0, b.task()));
                        }
                        case "Log" -> ref.logs.add(new Span("log", thread, e.string("message"), t, t, 0, e.arg("task")));
                        case "Park", "MonitorBlocked", "Sleep" -> {
                            long d = e.arg("duration");
                            ref.max = Math.max(ref.max, t + d);
                            ref.blocks.add(new Span(e.type().name(), thread, null, t, t + d, 0, 0));
                        }
                        case "GCPause" -> {
                            long d = e.arg("duration");
                            ref.max = Math.max(ref.max, t + d);
                            ref.gc.add(new Span("gc", 0, e.string("name"), t, t + d, 0, e.arg("gc")));
                        }
                        default -> {
                        }
                    }
                }
            }
        }
        return ref;
    }

    Span region(String name) {
        return regions.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
