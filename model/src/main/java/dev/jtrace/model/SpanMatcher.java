package dev.jtrace.model;

import dev.jtrace.reader.StackTrace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one pairing of begin and end events, for regions and tasks alike. Every tool gets its spans from
 * here, so every tool counts and draws the same spans.
 *
 * <ul>
 *   <li>Regions nest per thread. A RegionEnd closes the innermost open region of its thread with the same
 *       task and name; names are compared null-safely, a null name equal to an empty one. Regions opened
 *       above it and not yet ended end with it, flagged {@link Span#END_MISSING}.
 *   <li>A RegionEnd that matches no open region is a region without begin: it starts at the trace's start,
 *       flagged {@link Span#BEGIN_MISSING}, and is not on the thread's stack.
 *   <li>Tasks pair by id across threads. A TaskEnd without open task of its id is a task without begin,
 *       starting at the trace's start ({@link Span#BEGIN_MISSING}); a TaskBegin of an id already open ends
 *       the earlier one there ({@link Span#END_MISSING}).
 *   <li>Whatever is open when the trace ends ends at the trace's end, flagged {@link Span#END_MISSING}.
 * </ul>
 *
 * <p>Memory: open spans only (a thread's stack is dropped when it empties: millions of virtual threads
 * each open a few regions).
 */
public final class SpanMatcher {
    private final SpanListener out;
    private final Map<Long, ArrayDeque<Span>> openRegions = new HashMap<>();
    private final Map<Long, Span> openTasks = new HashMap<>();
    private long traceStart;
    private long serials;
    private long regions;
    private long tasks;
    private long regionBeginMissing;
    private long regionEndMissing;
    private long taskBeginMissing;
    private long taskEndMissing;

    /** A matcher handing its spans to {@code out}. */
    public SpanMatcher(SpanListener out) {
        this.out = out;
    }

    /** Where spans without begin start (the model sets it to the trace's start). */
    public void traceStart(long t) {
        traceStart = t;
    }

    private static boolean sameName(String a, String b) {
        if (a == null || a.isEmpty()) {
            return b == null || b.isEmpty();
        }
        return a.equals(b);
    }

    public void regionBegin(long thread, long task, String name, StackTrace stack, long t) {
        ArrayDeque<Span> s = openRegions.computeIfAbsent(thread, k -> new ArrayDeque<>(4));
        Span r = new Span(Span.Kind.REGION, ++serials, task, 0, name, thread, s.size(), stack, t);
        regions++;
        s.push(r);
        out.spanBegin(r);
    }

    public void regionEnd(long thread, long task, String name, long t) {
        ArrayDeque<Span> s = openRegions.get(thread);
        if (s != null) {
            for (Iterator<Span> it = s.iterator(); it.hasNext();) {
                Span o = it.next();
                if (o.task == task && sameName(o.rawName, name)) {
                    Span top;
                    do {
                        top = s.pop();
                        if (top != o) {
                            top.flags |= Span.END_MISSING;
                            regionEndMissing++;
                        }
                        end(top, thread, t);
                    } while (top != o);
                    if (s.isEmpty()) {
                        openRegions.remove(thread);
                    }
                    return;
                }
            }
        }
        Span r = new Span(Span.Kind.REGION, ++serials, task, 0, name, thread, -1, null, Math.min(traceStart, t));
        r.flags |= Span.BEGIN_MISSING;
        regions++;
        regionBeginMissing++;
        end(r, thread, t);
    }

    public void taskBegin(long thread, long task, long parent, String name, StackTrace stack, long t) {
        Span old = openTasks.remove(task);
        if (old != null) {
            old.flags |= Span.END_MISSING;
            taskEndMissing++;
            end(old, old.beginThread, t);
        }
        Span k = new Span(Span.Kind.TASK, ++serials, task, parent, name, thread, 0, stack, t);
        tasks++;
        openTasks.put(task, k);
        out.spanBegin(k);
    }

    public void taskEnd(long thread, long task, long t) {
        Span k = openTasks.remove(task);
        if (k == null) {
            k = new Span(Span.Kind.TASK, ++serials, task, 0, null, thread, 0, null, Math.min(traceStart, t));
            k.flags |= Span.BEGIN_MISSING;
            tasks++;
            taskBeginMissing++;
        }
        end(k, thread, t);
    }

    /**
     * Makes a copy of {@code s}, a span that was open at some instant of an earlier pass over the same trace,
     * open again in this matcher, without handing it to the listener or counting it: a tool that re-reads one
     * generation alone seeds a fresh matcher with the spans open at that generation's start (regions of a
     * thread outermost first) and so rebuilds exactly the spans the whole pass made there, with the same
     * depths. The copy (returned) is what this matcher later ends; {@code s} itself is never changed. Spans
     * without begin are never open: they are refused.
     */
    public Span reopen(Span s) {
        if (s.beginMissing()) {
            throw new IllegalArgumentException("a span without begin is never open: " + s);
        }
        Span c = new Span(s.kind, s.serial, s.task, s.parent, s.rawName, s.beginThread, s.depth, s.stack, s.start);
        if (s.kind == Span.Kind.REGION) {
            openRegions.computeIfAbsent(s.beginThread, k -> new ArrayDeque<>(4)).push(c);
        } else {
            openTasks.put(s.task, c);
        }
        return c;
    }

    /** The open task of id {@code task}, or null. */
    public Span openTask(long task) {
        return openTasks.get(task);
    }

    /** The innermost open region of {@code thread}, or null. */
    public Span innermostRegion(long thread) {
        ArrayDeque<Span> s = openRegions.get(thread);
        return s == null ? null : s.peek();
    }

    private void end(Span s, long thread, long t) {
        s.end = Math.max(t, s.start);
        s.endThread = thread;
        out.spanEnd(s);
    }

    /** Ends everything still open at {@code traceEnd} ({@link Span#END_MISSING}): regions innermost first. */
    public void finish(long traceEnd) {
        List<Long> threads = new ArrayList<>(openRegions.keySet());
        threads.sort(null);
        for (long thread : threads) {
            ArrayDeque<Span> s = openRegions.remove(thread);
            while (!s.isEmpty()) {
                Span r = s.pop();
                r.flags |= Span.END_MISSING;
                regionEndMissing++;
                end(r, r.beginThread, traceEnd);
            }
        }
        List<Span> left = new ArrayList<>(openTasks.values());
        openTasks.clear();
        left.sort((a, b) -> Long.compare(a.serial, b.serial));
        for (Span k : left) {
            k.flags |= Span.END_MISSING;
            taskEndMissing++;
            end(k, k.beginThread, traceEnd);
        }
    }

    /** Region spans: RegionBegin events plus RegionEnd events without begin. */
    public long regions() {
        return regions;
    }

    /** Task spans: TaskBegin events plus TaskEnd events without begin. */
    public long tasks() {
        return tasks;
    }

    public long regionBeginMissing() {
        return regionBeginMissing;
    }

    public long regionEndMissing() {
        return regionEndMissing;
    }

    public long taskBeginMissing() {
        return taskBeginMissing;
    }

    public long taskEndMissing() {
        return taskEndMissing;
    }
}
