package dev.jtrace.web;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.model.Span;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.StackTrace;

/**
 * What the timeline draws, in ticks of the trace's clock, as the model concluded it: spans from the model's
 * {@link dev.jtrace.model.SpanMatcher} (blocking intervals are the model's {@link dev.jtrace.model.Blocking}s, GC
 * pauses and cycles its GcModel's). Spans know the generations their begin and end were read in, which is how the index tells the
 * spans a single generation cannot rebuild (those crossing a generation boundary) from the ones a re-read of that
 * generation yields.
 */
final class Items {
    private Items() {}

    /** A region on one thread; {@code beginGen} is 0 for a region without begin (it starts at the trace's start). */
    record Region(Span span, int beginGen, int endGen) {
        long thread() {
            return span.thread();
        }

        /** Nesting depth (0 = outermost); a region without begin, on no thread's stack, is drawn at 0. */
        int depth() {
            return Math.max(0, span.depth());
        }

        long start() {
            return span.start();
        }

        long end() {
            return span.end();
        }

        String name() {
            return span.name();
        }

        long task() {
            return span.task();
        }

        StackTrace stack() {
            return span.stack();
        }

        /** {@link Span#BEGIN_MISSING} and {@link Span#END_MISSING} bits. */
        int flags() {
            return span.flags();
        }

        boolean crossesGenerations() {
            return beginGen != endGen;
        }
    }

    /** A task: begun on one thread, maybe ended on another; {@code lane} packs overlapping tasks of a name. */
    record Task(Span span, int lane, int beginGen, int endGen) {
        long id() {
            return span.task();
        }

        long parent() {
            return span.parent();
        }

        String name() {
            return span.name();
        }

        long start() {
            return span.start();
        }

        long end() {
            return span.end();
        }

        long beginThread() {
            return span.thread();
        }

        long endThread() {
            return span.endThread();
        }

        StackTrace stack() {
            return span.stack();
        }

        int flags() {
            return span.flags();
        }

        boolean crossesGenerations() {
            return beginGen != endGen;
        }
    }

    /** A CPU sample (the runtime's, at its true time) of a thread: where it was executing. */
    record Sample(long thread, long time, StackTrace stack) {
        /** The CPUSample event {@code e} about {@code thread} at {@code time}. */
        static Sample of(Event e, long thread, long time) {
            return new Sample(thread, time, Log.stack(e, "stack"));
        }
    }

    /**
     * An allocation sample (the runtime's, at its true time: JFR's ObjectAllocationSample) of a thread: the class
     * of the object allocated, the sample's weight (the bytes allocated that it stands for, its own size
     * included) and where it was allocated.
     */
    record AllocSample(long thread, long time, String type, long weight, StackTrace stack) {
        /** The AllocSample event {@code e} about {@code thread} at {@code time}. */
        static AllocSample of(Event e, long thread, long time) {
            return new AllocSample(thread, time, Log.string(e, "class"), e.has("weight") ? e.arg("weight") : 0,
                    Log.stack(e, "stack"));
        }
    }

    /** A log event. */
    record Log(long thread, long time, long task, String category, String message, StackTrace stack) {
        /** The Log event {@code e} (of kind LOG) about {@code thread} at {@code time}. */
        static Log of(Event e, long thread, long time) {
            return new Log(thread, time, e.has("task") ? e.arg("task") : 0, string(e, "category"), string(e, "message"),
                    stack(e, "stack"));
        }

        private static String string(Event e, String name) {
            int i = e.type().indexOf(name);
            return i >= 0 && e.type().args().get(i).kind() == ArgKind.STRING ? e.string(name) : null;
        }

        private static StackTrace stack(Event e, String name) {
            EventSpec t = e.type();
            int i = t.indexOf(name);
            return i >= 0 && t.args().get(i).kind() == ArgKind.STACK ? e.stack(name) : null;
        }
    }
}
