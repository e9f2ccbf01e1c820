package dev.jtrace.web;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Walks the events of one generation and turns them into the viewer's items: task and region events go to a
 * {@link SpanMatcher}, everything else to a {@link Visitor}. Event types are recognised by name and by the
 * arguments the viewer needs; a type that lacks one (a schema from another version) is only counted.
 */
final class Scan {
    private Scan() {}

    /** Receives what a generation holds besides spans. */
    interface Visitor {
        /** Every event, attributed to the thread it is about, at its true time. */
        void event(long thread, long time);

        void log(Items.Log log);

        void block(Items.Block block);

        void gc(Items.GcPause pause);

        void heap(long time, long used, long committed);

        void threadStart(long thread, String name, boolean virtual);
    }

    enum Kind { TASK_BEGIN, TASK_END, REGION_BEGIN, REGION_END, LOG, BLOCK, GC_PAUSE, HEAP_SUMMARY, THREAD_START, OTHER }

    /** What the viewer makes of one event type of one generation. */
    record Shape(Kind kind, int threadArg, String blockKind) {
        static Shape of(EventSpec spec) {
            int threadArg = -1;
            for (int i = 0; i < spec.args().size(); i++) {
                EventSpec.Arg a = spec.args().get(i);
                if (a.name().equals("thread") && a.kind() == ArgKind.THREAD) {
                    threadArg = i;
                }
            }
            String block = Items.blockKind(spec.name());
            Kind k = switch (spec.name()) {
                case "TaskBegin" -> has(spec, "task", "name") ? Kind.TASK_BEGIN : Kind.OTHER;
                case "TaskEnd" -> has(spec, "task") ? Kind.TASK_END : Kind.OTHER;
                case "RegionBegin" -> has(spec, "task", "name") ? Kind.REGION_BEGIN : Kind.OTHER;
                case "RegionEnd" -> has(spec, "task", "name") ? Kind.REGION_END : Kind.OTHER;
                case "Log" -> Kind.LOG;
                case "GCPause" -> has(spec, "start", "duration") ? Kind.GC_PAUSE : Kind.OTHER;
                case "HeapSummary" -> has(spec, "time", "used") ? Kind.HEAP_SUMMARY : Kind.OTHER;
                case "ThreadStart" -> threadArg >= 0 && has(spec, "name") ? Kind.THREAD_START : Kind.OTHER;
                default -> block != null && threadArg >= 0 && has(spec, "start", "duration") ? Kind.BLOCK : Kind.OTHER;
            };
            return new Shape(k, threadArg, block);
        }

        private static boolean has(EventSpec spec, String... names) {
            for (String n : names) {
                if (spec.indexOf(n) < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private static long argOr(Event e, String name, long otherwise) {
        return e.has(name) ? e.arg(name) : otherwise;
    }

    private static String stringOr(Event e, String name) {
        if (!e.has(name)) {
            return null;
        }
        EventSpec.Arg a = e.type().args().get(e.type().indexOf(name));
        return a.kind() == ArgKind.STRING ? e.string(name) : null;
    }

    private static dev.jtrace.reader.StackTrace stackOr(Event e, String name) {
        if (!e.has(name)) {
            return null;
        }
        EventSpec.Arg a = e.type().args().get(e.type().indexOf(name));
        return a.kind() == ArgKind.STACK ? e.stack(name) : null;
    }

    /** Walks generation {@code g}, the {@code genIndex}th of the file. */
    static void generation(Generation g, int genIndex, SpanMatcher spans, Visitor v) {
        Map<EventSpec, Shape> shapes = new IdentityHashMap<>();
        for (Event e : g.events()) {
            Shape s = shapes.computeIfAbsent(e.type(), Shape::of);
            long thread = s.threadArg() >= 0 ? e.arg(s.threadArg()) : e.threadId();
            long t = e.trueTicks();
            v.event(thread, t);
            switch (s.kind()) {
                case TASK_BEGIN -> spans.taskBegin(e.arg("task"), argOr(e, "parent", 0), nameOf(stringOr(e, "name")), t,
                        thread, stackOr(e, "stack"), genIndex);
                case TASK_END -> spans.taskEnd(e.arg("task"), t, thread, genIndex);
                case REGION_BEGIN -> spans.regionBegin(thread, e.arg("task"), nameOf(stringOr(e, "name")), t,
                        stackOr(e, "stack"), genIndex);
                case REGION_END -> spans.regionEnd(thread, e.arg("task"), nameOf(stringOr(e, "name")), t, genIndex);
                case LOG -> v.log(new Items.Log(thread, t, argOr(e, "task", 0), stringOr(e, "category"),
                        stringOr(e, "message"), stackOr(e, "stack")));
                case BLOCK -> {
                    String detail = stringOr(e, "blocker");
                    if (detail == null) {
                        detail = stringOr(e, "monitorClass");
                    }
                    v.block(new Items.Block(thread, s.blockKind(), t, Math.max(0, e.arg("duration")), detail,
                            stackOr(e, "stack")));
                }
                case GC_PAUSE -> v.gc(new Items.GcPause(argOr(e, "gc", 0), t, Math.max(0, e.arg("duration")),
                        stringOr(e, "name"), stringOr(e, "cause")));
                case HEAP_SUMMARY -> v.heap(t, e.arg("used"), argOr(e, "committed", 0));
                case THREAD_START -> v.threadStart(thread, stringOr(e, "name"), argOr(e, "virtual", 0) != 0);
                case OTHER -> {
                }
            }
        }
    }

    /** Region and task names as the analysis keys them. */
    static String nameOf(String name) {
        return name == null ? "(unnamed)" : name;
    }
}
