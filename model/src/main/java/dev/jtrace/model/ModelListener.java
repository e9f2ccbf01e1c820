package dev.jtrace.model;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import java.util.List;

/**
 * Receives the model's conclusions while a trace streams through a {@link TraceModel}. Every method has
 * an empty default: a tool implements what it draws. Calls come in file order, generation by generation;
 * for one event, the model first updates the thread's identity ({@link #thread}), then calls
 * {@link #event}, then what the event means (a span, a blocking interval, a pause, the heap).
 *
 * <p>Times are nanoseconds of the trace clock (as {@link Generation#startTicks()}); runtime events come
 * late, so times are not in order across calls, except that each thread's {@link #threadState} intervals
 * follow each other without gaps or overlaps.
 */
public interface ModelListener extends SpanListener {
    /** A generation is about to be processed. */
    default void generationBegin(Generation g) {}

    /** A generation was processed (its states up to the model's watermark are final). */
    default void generationEnd(Generation g) {}

    /**
     * Every event, with its kind (by type id), the thread it is about (the "thread" argument of runtime
     * events, else the thread that emitted it; 0 for process-wide events) and its true time.
     */
    default void event(Event e, EventKind kind, long thread, long time) {}

    /**
     * A thread was seen for the first time, or its name or virtual flag became known or changed (its
     * carrier is in the snapshot; every mount comes as a {@link #carrierRun}).
     */
    default void thread(ModelThread t) {}

    /**
     * A blocking interval: one the runtime reported (Park, MonitorBlocked, Sleep, VirtualThreadPinned), or
     * a scheduler block (ParkBegin, WaitBegin, SleepBegin) when its BlockEnd closed it.
     */
    default void blocking(Blocking b) {}

    /**
     * A wake-up edge from the scheduler events (an unpark, a notify, a virtual thread's submit), delivered
     * when the woken thread resumed; see {@link Wakeup}.
     */
    default void wakeup(Wakeup w) {}

    /** A virtual thread ran on a carrier from its mount to its unmount (delivered at the unmount). */
    default void carrierRun(CarrierRun r) {}

    /** A stop-the-world pause (at its own start time). */
    default void gcPause(GcPause p) {}

    /** A GC cycle, once all its events were seen. */
    default void gcCycle(GcCycle c) {}

    /** The heap in use from the alloc/free experiment changed: the application's and the recorder's buffers. */
    default void liveHeap(long time, long applicationBytes, long recorderBufferBytes) {}

    /** A HeapSummary event: the runtime's heap used and committed. */
    default void heapSummary(long time, long used, long committed) {}

    /** Thread {@code thread} was in state {@code s} in [start, end). */
    default void threadState(long thread, ThreadState s, long start, long end) {}

    /**
     * Thread {@code thread} was in state {@code s} in [start, end), with what explains it (the model's one
     * answer; see {@link StateMachine}). The default calls {@link #threadState(long, ThreadState, long, long)}.
     *
     * @param blocking the blocking interval of this thread and state that overlaps it; null when none
     * @param wakeup for RUNNABLE, the wake-up it waits to resume from; for a scheduler block, the wake-up
     *     that ended it; null when none is in the trace (a timeout, an interrupt, a JFR-only block)
     */
    default void threadState(long thread, ThreadState s, long start, long end, Blocking blocking, Wakeup wakeup) {
        threadState(thread, s, start, end);
    }

    /** A listener calling each of {@code listeners} in order. */
    static ModelListener all(ModelListener... listeners) {
        List<ModelListener> ls = List.of(listeners);
        return new ModelListener() {
            @Override
            public void generationBegin(Generation g) {
                ls.forEach(l -> l.generationBegin(g));
            }

            @Override
            public void generationEnd(Generation g) {
                ls.forEach(l -> l.generationEnd(g));
            }

            @Override
            public void event(Event e, EventKind kind, long thread, long time) {
                for (ModelListener l : ls) {
                    l.event(e, kind, thread, time);
                }
            }

            @Override
            public void thread(ModelThread t) {
                ls.forEach(l -> l.thread(t));
            }

            @Override
            public void blocking(Blocking b) {
                ls.forEach(l -> l.blocking(b));
            }

            @Override
            public void wakeup(Wakeup w) {
                ls.forEach(l -> l.wakeup(w));
            }

            @Override
            public void carrierRun(CarrierRun r) {
                ls.forEach(l -> l.carrierRun(r));
            }

            @Override
            public void gcPause(GcPause p) {
                ls.forEach(l -> l.gcPause(p));
            }

            @Override
            public void gcCycle(GcCycle c) {
                ls.forEach(l -> l.gcCycle(c));
            }

            @Override
            public void liveHeap(long time, long applicationBytes, long recorderBufferBytes) {
                ls.forEach(l -> l.liveHeap(time, applicationBytes, recorderBufferBytes));
            }

            @Override
            public void heapSummary(long time, long used, long committed) {
                ls.forEach(l -> l.heapSummary(time, used, committed));
            }

            @Override
            public void threadState(long thread, ThreadState s, long start, long end) {
                for (ModelListener l : ls) {
                    l.threadState(thread, s, start, end);
                }
            }

            @Override
            public void threadState(long thread, ThreadState s, long start, long end, Blocking blocking,
                    Wakeup wakeup) {
                for (ModelListener l : ls) {
                    l.threadState(thread, s, start, end, blocking, wakeup);
                }
            }

            @Override
            public void spanBegin(Span s) {
                ls.forEach(l -> l.spanBegin(s));
            }

            @Override
            public void spanEnd(Span s) {
                ls.forEach(l -> l.spanEnd(s));
            }
        };
    }
}
