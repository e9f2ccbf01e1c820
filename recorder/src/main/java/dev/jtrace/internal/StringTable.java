package dev.jtrace.internal;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The strings of one generation. Ids start at 1 (0 means "no string"); an id lost to a race is simply
 * never written, which the format allows. Cleared by the generation advance once the generation's table
 * is written, so memory is bounded by one generation's distinct strings.
 *
 * <p>Lock-free (a skip list ordered by hash, then by content), because it is called inside the tracer
 * lock: a {@code ConcurrentHashMap} insert can block on a bin's monitor, and since JDK 24 a virtual thread
 * blocked on a monitor unmounts while still holding its shared lane.
 *
 * <p>Bounded: the entries never hold more than the budget's heap bytes; a string beyond it gets the id of
 * the marker {@value #DROPPED}, and the caller counts it (loss reason 7). Only a miss pays for the check.
 */
final class StringTable {
    static final Comparator<String> HASH_THEN_CONTENT = (a, b) -> {
        int c = Integer.compare(a.hashCode(), b.hashCode());
        return c != 0 ? c : a.compareTo(b);
    };

    /** Longer strings are cut: an event must never make a record exceed the format's limit. */
    static final int MAX_CHARS = 16 * 1024;

    /** The id of {@link #DROPPED} in every generation: what an argument becomes once the budget is spent. */
    static final int DROPPED_ID = 1;
    /** The visible marker of a string the budget could not take. */
    static final String DROPPED = "<string dropped>";

    private final ConcurrentSkipListMap<String, Integer> ids = new ConcurrentSkipListMap<>(HASH_THEN_CONTENT);
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicLong approxBytes = new AtomicLong();
    /** Heap bytes the entries hold (estimated per entry by {@link #cost}); never above {@link #budget}. */
    private final AtomicLong heapBytes = new AtomicLong();
    private final long budget;

    /** A table whose entries may hold at most {@code budget} bytes of heap. */
    StringTable(long budget) {
        this.budget = budget;
        clear();
    }

    /**
     * The heap an entry holds, over-estimated: the String (24) and its array (16 + up to 2 per char), the
     * boxed id (16), the skip list node (24) and its share of index nodes (at most 24).
     */
    static long cost(String s) {
        return 104 + 2L * s.length();
    }

    /** The string's id in this generation, or {@link #DROPPED_ID} when the budget cannot take it. */
    int intern(String s) {
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        if (s.length() > MAX_CHARS) {
            return intern(Strings.cut(s, MAX_CHARS));
        }
        if (s.equals(DROPPED)) {
            return DROPPED_ID;
        }
        long c = cost(s);
        // reserve first, so that racing threads cannot together overshoot the budget (never even for a moment)
        long held;
        do {
            held = heapBytes.get();
            if (held + c > budget) {
                return DROPPED_ID;
            }
        } while (!heapBytes.compareAndSet(held, held + c));
        int fresh = nextId.getAndIncrement();
        Integer prev = ids.putIfAbsent(s, fresh);
        if (prev != null) {
            heapBytes.addAndGet(-c);
            return prev;
        }
        approxBytes.addAndGet(s.length() + 4);
        return fresh;
    }

    /** Rough encoded size, for the generation size threshold. */
    long approxBytes() {
        return approxBytes.get();
    }

    /** Heap bytes held by the entries (an over-estimate); at most the budget. */
    long heapBytes() {
        return heapBytes.get();
    }

    long budget() {
        return budget;
    }

    Iterable<Map.Entry<String, Integer>> entries() {
        return ids.entrySet();
    }

    int size() {
        return ids.size();
    }

    /**
     * Empties the table for a new generation. The map first, the counters after: if clearing fails half way
     * (it allocates, and the heap may be full) the entries left keep their unique ids and are written again
     * with the next generation of this parity, which is wasteful but correct; the writer retries later.
     * The marker is never in the map: {@link #intern} answers it, and the writer writes it first.
     */
    void clear() {
        ids.clear();
        nextId.set(DROPPED_ID + 1);
        approxBytes.set(DROPPED.length() + 4);
        heapBytes.set(0);
    }
}
