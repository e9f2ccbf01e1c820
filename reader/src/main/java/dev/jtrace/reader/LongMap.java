package dev.jtrace.reader;

import java.util.Arrays;

/**
 * A map from {@code long} to {@code long} with open addressing (linear probing, deletion by backward
 * shift): about 32 bytes an entry where a {@code HashMap<Long, Long>} takes about 80. For the ids tools track
 * across a whole trace (threads, open tasks, live allocations), whose number can reach millions.
 */
public final class LongMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;
    private boolean hasEmptyKey;
    private long emptyKeyValue;

    /** An empty map. */
    public LongMap() {
        keys = new long[16];
        values = new long[16];
        Arrays.fill(keys, EMPTY);
    }

    /** Number of entries. */
    public int size() {
        return size + (hasEmptyKey ? 1 : 0);
    }

    /** Whether {@code key} has a value. */
    public boolean containsKey(long key) {
        if (key == EMPTY) {
            return hasEmptyKey;
        }
        return keys[slot(key)] == key;
    }

    /** The value of {@code key}, or {@code absent}. */
    public long get(long key, long absent) {
        if (key == EMPTY) {
            return hasEmptyKey ? emptyKeyValue : absent;
        }
        int i = slot(key);
        return keys[i] == key ? values[i] : absent;
    }

    /** Sets {@code key} to {@code value}; returns the previous value, or {@code absent}. */
    public long put(long key, long value, long absent) {
        if (key == EMPTY) {
            long prev = hasEmptyKey ? emptyKeyValue : absent;
            hasEmptyKey = true;
            emptyKeyValue = value;
            return prev;
        }
        int i = slot(key);
        if (keys[i] == key) {
            long prev = values[i];
            values[i] = value;
            return prev;
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return absent;
    }

    /** Removes {@code key}; returns its value, or {@code absent} if it had none. */
    public long remove(long key, long absent) {
        if (key == EMPTY) {
            long prev = hasEmptyKey ? emptyKeyValue : absent;
            hasEmptyKey = false;
            return prev;
        }
        int i = slot(key);
        if (keys[i] != key) {
            return absent;
        }
        long prev = values[i];
        int mask = keys.length - 1;
        // backward shift: move later entries of the probe run into the hole when their home allows it
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = home(keys[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        size--;
        return prev;
    }

    /** Calls {@code action} with every key and value, in no particular order. */
    public void forEach(Entry action) {
        if (hasEmptyKey) {
            action.accept(EMPTY, emptyKeyValue);
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                action.accept(keys[i], values[i]);
            }
        }
    }

    /** Receives entries from {@link #forEach}. */
    @FunctionalInterface
    public interface Entry {
        void accept(long key, long value);
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & (keys.length - 1);
    }

    private int slot(long key) {
        int mask = keys.length - 1;
        int i = home(key);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int j = slot(oldKeys[i]);
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
