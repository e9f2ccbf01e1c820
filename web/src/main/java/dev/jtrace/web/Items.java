package dev.jtrace.web;

import dev.jtrace.reader.StackTrace;

/**
 * What the timeline draws, in ticks of the trace's clock. Spans know the generations their begin and end
 * were read in, which is how the index tells the spans a single generation cannot rebuild (those crossing a
 * generation boundary) from the ones a re-read of that generation yields.
 */
final class Items {
    private Items() {}

    /** The span ended because an enclosing region ended first (its own end is missing). */
    static final int ENDED_BY_OUTER = 1;
    /** The span has no end in the trace; it is drawn up to the trace's end. */
    static final int OPEN_AT_END = 2;
    /** A task whose id was begun again before it ended; this instance ends at the second begin. */
    static final int REPLACED = 4;

    /** A region on one thread, at nesting depth {@code depth} (0 = outermost). */
    record Region(long thread, int depth, long start, long end, String name, long task, StackTrace stack,
            long beginGen, long endGen, int flags) {
        boolean crossesGenerations() {
            return beginGen != endGen;
        }
    }

    /** A task: begun on one thread, maybe ended on another; {@code lane} packs overlapping tasks of a name. */
    record Task(long id, long parent, String name, int lane, long start, long end, long beginThread,
            long endThread, StackTrace stack, long beginGen, long endGen, int flags) {
        boolean crossesGenerations() {
            return beginGen != endGen;
        }
    }

    /** A log event. */
    record Log(long thread, long time, long task, String category, String message, StackTrace stack) {}

    /** A runtime blocking event (park, monitor, sleep, pinned) at its true time, on the thread it is about. */
    record Block(long thread, String kind, long start, long duration, String detail, StackTrace stack) {
        long end() {
            return start + duration;
        }
    }

    /** A stop-the-world GC pause. */
    record GcPause(long gc, long start, long duration, String name, String cause) {
        long end() {
            return start + duration;
        }
    }

    /** The kind of blocking a runtime event type stands for, or null when it is not one. */
    static String blockKind(String type) {
        return switch (type) {
            case "Park" -> "park";
            case "MonitorBlocked" -> "monitor";
            case "Sleep" -> "sleep";
            case "VirtualThreadPinned" -> "pinned";
            default -> null;
        };
    }
}
