package dev.jtrace.internal;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stacks of one generation. A captured stack is an array of {@link FrameCache.Frame}s, each frame
 * resolved once (see {@link FrameCache}), and is interned by the frames' identity; only a stack new in this
 * generation interns its frames' strings into the generation's {@link StringTable}. A stack given as
 * {@code StackTraceElement}s (a generic event's stack field, or a capture where backtraces cannot be read)
 * is interned by content. A stack is captured and its strings interned before any byte of the event is
 * written (it allocates, and may load classes). Bounded like {@link StringTable}: beyond the budget a stack
 * becomes "no stack" (id 0), counted as loss reason 8.
 */
final class StackTable {
    /** One interned stack: its id and its frames as (class, method, file) string ids and line. */
    record Entry(int id, int[] frames) {}

    /** A stack given by content. */
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

    /** A captured stack: frames compared by identity (Frame does not override equals). */
    private record Captured(FrameCache.Frame[] frames, int hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Captured k && k.hash == hash && Arrays.equals(k.frames, frames);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Lock-free for the same reason as {@link StringTable}: ordered by kind, then hash, then frame by frame,
     * a captured stack on its frames' serials (unique per frame object, so the order agrees with identity),
     * a given one on the frames' own fields (no string building).
     */
    private static final Comparator<Object> ORDER = (p, q) -> {
        if (p instanceof Captured a) {
            if (!(q instanceof Captured b)) {
                return -1;
            }
            int c = Integer.compare(a.hash, b.hash);
            if (c == 0) {
                c = Integer.compare(a.frames.length, b.frames.length);
            }
            for (int i = 0; c == 0 && i < a.frames.length; i++) {
                c = Long.compare(a.frames[i].serial, b.frames[i].serial);
            }
            return c;
        }
        if (q instanceof Captured) {
            return 1;
        }
        Key a = (Key) p;
        Key b = (Key) q;
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

    private final ConcurrentSkipListMap<Object, Entry> stacks = new ConcurrentSkipListMap<>(ORDER);
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
     * The heap an entry holds, over-estimated: per frame the StackTraceElement kept in the key, or the
     * frame that the stack may keep alive after the frame cache evicted it (either about 64, its strings
     * shared with the class), the key's reference and the entry's four ints; plus the key, entry, arrays and
     * skip list nodes (160).
     */
    static long cost(int frames) {
        return 160 + 88L * frames;
    }

    /** Walks the stack without class references where backtraces cannot be read (see {@link Backtraces}). */
    private static final StackWalker WALKER = StackWalker.getInstance();
    /**
     * Frames a Throwable holds at most by default (-XX:MaxJavaStackTraceDepth): a backtrace this deep may
     * have been cut, so a capture that wanted more of it walks instead.
     */
    static final int BACKTRACE_LIMIT = 1024;
    /**
     * How many times deeper than the frames kept a backtrace may be before walking is cheaper: filling a
     * backtrace costs about a sixth of what walking and resolving a frame costs, per frame of the whole
     * stack (docs/performance.md, "Stacks").
     */
    static final int DEEP_FACTOR = 6;
    /** Captures a thread walks after a backtrace deeper than that, before it reads one again. */
    static final int WALKS_WHEN_DEEP = 64;
    /** Whether the line saying that stacks are walked (backtraces not readable) was printed. */
    private static final AtomicInteger SAID = new AtomicInteger();

    /**
     * Captures the caller's stack, at most {@code maxDepth} frames innermost first, without any of the
     * recorder's own frames: neither those above the caller nor those in the middle of the stack of an event
     * nested in a {@code toString()} being recorded, nor the reflection frames that StackWalker hides.
     * Where {@link Backtraces} can read a Throwable's backtrace, the frames come from it through the
     * {@link FrameCache}, and only frames new to the cache are resolved (the same Throwable's
     * {@code getStackTrace()}); otherwise StackWalker walks at most {@code maxDepth} frames and each is
     * resolved.
     */
    int captureCurrent(StringTable strings, int maxDepth) {
        return captureCurrent(strings, maxDepth, null);
    }

    /**
     * As {@link #captureCurrent(StringTable, int)}, for the thread of {@code tc} (null: no thread's hint).
     * A Throwable's backtrace holds the whole stack (up to {@link #BACKTRACE_LIMIT} frames), StackWalker
     * only the frames kept: when a backtrace was more than {@link #DEEP_FACTOR} times deeper than
     * {@code maxDepth}, the thread walks its next {@link #WALKS_WHEN_DEEP} captures, then tries again.
     */
    int captureCurrent(StringTable strings, int maxDepth, ThreadContext tc) {
        if (Backtraces.usable()) {
            if (tc != null && tc.stackWalksLeft > 0) {
                tc.stackWalksLeft--;
                return walk(strings, maxDepth);
            }
            Throwable t = new Throwable();
            if (tc != null && Backtraces.depth(t) > DEEP_FACTOR * Math.max(maxDepth, 16)) {
                tc.stackWalksLeft = WALKS_WHEN_DEEP;
            }
            FrameCache.Frame[] frames = fromBacktrace(t, maxDepth);
            if (frames != null) {
                return intern(frames, strings);
            }
        } else if (SAID.getAndSet(1) == 0) {
            System.err.println("jtrace: stacks are walked with StackWalker, at about twice the cost, because "
                    + Backtraces.WHY_NOT + " (the agent opens it; an application can give --add-opens "
                    + "java.base/java.lang=" + (StackTable.class.getModule().isNamed()
                            ? StackTable.class.getModule().getName() : "ALL-UNNAMED") + ")");
        }
        return walk(strings, maxDepth);
    }

    private int walk(StringTable strings, int maxDepth) {
        StackTraceElement[] frames = WALKER.walk(s -> s.filter(f -> !isRecorderFrame(f.getClassName()))
                .limit(maxDepth)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new));
        return intern(frames, strings, maxDepth);
    }

    /**
     * The first {@code maxDepth} frames of {@code t}'s backtrace that are not skipped, or null when the
     * backtrace may have been cut short of them (it holds {@link #BACKTRACE_LIMIT} frames or more).
     */
    static FrameCache.Frame[] fromBacktrace(Throwable t, int maxDepth) {
        Object[] chunk = Backtraces.of(t);
        int depth = Backtraces.depth(t);
        FrameCache.Frame[] out = new FrameCache.Frame[Math.min(depth, maxDepth)];
        StackTraceElement[] resolved = null;
        int n = 0;
        short[] methods = null;
        int[] bcis = null;
        Object[] mirrors = null;
        for (int i = 0; i < depth && n < out.length; i++) {
            int j = i & (Backtraces.CHUNK - 1);
            if (j == 0) {
                if (i > 0) {
                    chunk = (Object[]) chunk[Backtraces.NEXT];
                }
                methods = (short[]) chunk[Backtraces.METHODS];
                bcis = (int[]) chunk[Backtraces.BCIS];
                mirrors = (Object[]) chunk[Backtraces.MIRRORS];
            }
            Class<?> cls = (Class<?>) mirrors[j];
            int method = methods[j] & 0xFFFF;
            FrameCache.Frame f = FrameCache.find(cls, method, bcis[j]);
            if (f == null) {
                if (resolved == null) {
                    resolved = t.getStackTrace(); // one element per backtrace frame, in order
                }
                f = FrameCache.resolved(cls, method, bcis[j], resolved[i]);
            }
            if (!f.skipped) {
                out[n++] = f;
            }
        }
        if (n < maxDepth && depth >= BACKTRACE_LIMIT) {
            return null;
        }
        return n < out.length ? Arrays.copyOf(out, n) : out;
    }

    /** Interns captured frames by identity; only a stack new in this generation interns their strings. */
    int intern(FrameCache.Frame[] frames, StringTable strings) {
        int h = 1;
        for (FrameCache.Frame f : frames) {
            h = 31 * h + f.hash;
        }
        Captured key = new Captured(frames, h);
        Entry e = stacks.get(key);
        if (e != null) {
            return e.id();
        }
        long c = cost(frames.length);
        if (!reserve(c)) {
            return 0;
        }
        int[] enc = new int[frames.length * 4];
        for (int i = 0; i < frames.length; i++) {
            FrameCache.Frame f = frames[i];
            enc[i * 4] = strings.intern(f.className);
            enc[i * 4 + 1] = strings.intern(f.methodName);
            enc[i * 4 + 2] = f.fileName == null ? 0 : strings.intern(f.fileName);
            enc[i * 4 + 3] = f.line;
        }
        return insert(key, enc, c);
    }

    /** Takes {@code c} bytes of the budget, or counts a dropped stack (reason 8) when it cannot. */
    private boolean reserve(long c) {
        long held;
        do {
            held = heapBytes.get();
            if (held + c > budget) {
                dropped.incrementAndGet();
                return false;
            }
        } while (!heapBytes.compareAndSet(held, held + c));
        return true;
    }

    private int insert(Object key, int[] enc, long c) {
        Entry fresh = new Entry(nextId.getAndIncrement(), enc);
        Entry prev = stacks.putIfAbsent(key, fresh);
        if (prev != null) {
            heapBytes.addAndGet(-c);
            return prev.id();
        }
        return fresh.id();
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
        if (!reserve(c)) {
            return 0;
        }
        int[] enc = new int[frames.length * 4];
        for (int i = 0; i < frames.length; i++) {
            StackTraceElement f = frames[i];
            enc[i * 4] = strings.intern(f.getClassName());
            enc[i * 4 + 1] = strings.intern(f.getMethodName());
            enc[i * 4 + 2] = f.getFileName() == null ? 0 : strings.intern(f.getFileName());
            enc[i * 4 + 3] = f.getLineNumber();
        }
        return insert(key, enc, c);
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
