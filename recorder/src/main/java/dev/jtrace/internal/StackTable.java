package dev.jtrace.internal;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stacks of one generation, interned by content. A stack is captured and its frame strings interned
 * before any byte of the event is written (it allocates, and may run class loading). Bounded like
 * {@link StringTable}: beyond the budget a stack becomes "no stack" (id 0), counted as loss reason 8.
 */
final class StackTable {
    /** One interned stack: its id and its frames as (class, method, file) string ids and line. */
    record Entry(int id, int[] frames) {}

    private record Key(StackTraceElement[] frames, int hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.frames, frames);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Lock-free for the same reason as {@link StringTable}: ordered by hash, then frame by frame on the
     * frames' own fields (no string building).
     */
    private static final Comparator<Key> ORDER = (a, b) -> {
        int c = Integer.compare(a.hash, b.hash);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.frames.length, b.frames.length);
        for (int i = 0; c == 0 && i < a.frames.length; i++) {
            StackTraceElement x = a.frames[i];
            StackTraceElement y = b.frames[i];
            c = Integer.compare(x.getLineNumber(), y.getLineNumber());
            if (c == 0) {
                c = x.getMethodName().compareTo(y.getMethodName());
            }
            if (c == 0) {
                c = x.getClassName().compareTo(y.getClassName());
            }
            if (c == 0) {
                c = String.valueOf(x.getFileName()).compareTo(String.valueOf(y.getFileName()));
            }
        }
        return c;
    };

    private final ConcurrentSkipListMap<Key, Entry> stacks = new ConcurrentSkipListMap<>(ORDER);
    private final AtomicInteger nextId = new AtomicInteger(1);
    /** Heap bytes the entries hold (estimated by {@link #cost}); never above {@link #budget}. */
    private final AtomicLong heapBytes = new AtomicLong();
    /** Stacks replaced by "no stack" because the budget was spent (loss reason 8). */
    private final AtomicLong dropped = new AtomicLong();
    private final long budget;

    /** A table whose entries may hold at most {@code budget} bytes of heap. */
    StackTable(long budget) {
        this.budget = budget;
    }

    /**
     * The heap an entry holds, over-estimated: per frame the StackTraceElement kept in the key (about 64, its
     * strings shared with the class), the key's reference and the entry's four ints; plus the key, entry,
     * arrays and skip list nodes (160).
     */
    static long cost(int frames) {
        return 160 + 88L * frames;
    }

    /** Walks the stack without class references: names, lines and files are all a trace needs. */
    private static final StackWalker WALKER = StackWalker.getInstance();

    /**
     * Captures the caller's stack, at most {@code maxDepth} frames innermost first, without any of the
     * recorder's own frames: neither those above the caller nor those in the middle of the stack of an event
     * nested in a {@code toString()} being recorded. StackWalker fetches frames lazily in small batches, so
     * the cost is bounded by {@code maxDepth} and not by the depth of the thread's stack (Throwable's
     * stack trace materializes every frame up to -XX:MaxJavaStackTraceDepth).
     */
    int captureCurrent(StringTable strings, int maxDepth) {
        StackTraceElement[] frames = WALKER.walk(s -> s.filter(f -> !isRecorderFrame(f.getClassName()))
                .limit(maxDepth)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new));
        return intern(frames, strings, maxDepth);
    }

    /** Interns given frames (innermost first; at most {@code maxDepth} are kept) and returns the id. */
    int intern(StackTraceElement[] given, StringTable strings, int maxDepth) {
        StackTraceElement[] frames = given.length > maxDepth ? Arrays.copyOf(given, maxDepth) : given;
        Key key = new Key(frames, Arrays.hashCode(frames));
        Entry e = stacks.get(key);
        if (e != null) {
            return e.id();
        }
        long c = cost(frames.length);
        long held;
        do {
            held = heapBytes.get();
            if (held + c > budget) {
                dropped.incrementAndGet();
                return 0;
            }
        } while (!heapBytes.compareAndSet(held, held + c));
        int[] enc = new int[frames.length * 4];
        for (int i = 0; i < frames.length; i++) {
            StackTraceElement f = frames[i];
            enc[i * 4] = strings.intern(f.getClassName());
            enc[i * 4 + 1] = strings.intern(f.getMethodName());
            enc[i * 4 + 2] = f.getFileName() == null ? 0 : strings.intern(f.getFileName());
            enc[i * 4 + 3] = f.getLineNumber();
        }
        Entry fresh = new Entry(nextId.getAndIncrement(), enc);
        Entry prev = stacks.putIfAbsent(key, fresh);
        if (prev != null) {
            heapBytes.addAndGet(-c);
            return prev.id();
        }
        return fresh.id();
    }

    /** The recorder's classes on an event's path: the internals and the API classes that call them. */
    static boolean isRecorderFrame(String cls) {
        // the agent's scheduler hooks call the recorder from inside the JDK: their frames are the tracer's too
        return cls.startsWith("dev.jtrace.internal.") || cls.equals("dev.jtrace.JTrace") || cls.equals("dev.jtrace.Task")
                || cls.startsWith("dev.jtrace.agent.sched.") || cls.equals("java.util.concurrent.locks.JTraceSchedulerBridge");
    }

    Collection<Entry> entries() {
        return stacks.values();
    }

    /** Heap bytes held by the entries (an over-estimate); at most the budget. */
    long heapBytes() {
        return heapBytes.get();
    }

    long peekDropped() {
        return dropped.get();
    }

    /** Takes (and resets) the count of stacks dropped for the budget. */
    long takeDropped() {
        return dropped.getAndSet(0);
    }

    /** As {@link StringTable#clear}: the map first, so that a clear that fails half way leaves ids unique. */
    void clear() {
        stacks.clear();
        nextId.set(1);
        heapBytes.set(0);
    }
}
