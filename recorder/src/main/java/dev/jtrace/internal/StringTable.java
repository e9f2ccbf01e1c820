package dev.jtrace.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The strings of one generation. Ids start at 1 (0 means "no string"); an id lost to a race is simply
 * never written, which the format allows. Cleared by the generation advance once the generation's table
 * is written, so memory is bounded by one generation's distinct strings.
 */
final class StringTable {
    /** Longer strings are cut: an event must never make a record exceed the format's limit. */
    static final int MAX_CHARS = 16 * 1024;

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicLong approxBytes = new AtomicLong();

    int intern(String s) {
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        if (s.length() > MAX_CHARS) {
            return intern(s.substring(0, MAX_CHARS));
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
