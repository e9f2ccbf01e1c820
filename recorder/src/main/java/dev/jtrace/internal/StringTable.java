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
 */
final class StringTable {
    static final Comparator<String> HASH_THEN_CONTENT = (a, b) -> {
        int c = Integer.compare(a.hashCode(), b.hashCode());
        return c != 0 ? c : a.compareTo(b);
    };

    /** Longer strings are cut: an event must never make a record exceed the format's limit. */
    static final int MAX_CHARS = 16 * 1024;

    private final ConcurrentSkipListMap<String, Integer> ids = new ConcurrentSkipListMap<>(HASH_THEN_CONTENT);
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicLong approxBytes = new AtomicLong();

    int intern(String s) {
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        if (s.length() > MAX_CHARS) {
            return intern(Strings.cut(s, MAX_CHARS));
        }
        int fresh = nextId.getAndIncrement();
        Integer prev = ids.putIfAbsent(s, fresh);
        if (prev != null) {
            return prev;
        }
        approxBytes.addAndGet(s.length() + 4);
        return fresh;
    }

    /** Rough encoded size, for the generation size threshold. */
    long approxBytes() {
        return approxBytes.get();
    }

    Iterable<Map.Entry<String, Integer>> entries() {
        return ids.entrySet();
    }

    int size() {
        return ids.size();
    }

    void clear() {
        ids.clear();
        nextId.set(1);
        approxBytes.set(0);
    }
}
