package dev.jtrace.reader;

import dev.jtrace.format.EventSpec;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * A generation's events as columns of primitive arrays, about 45 bytes an event instead of an object and an
 * argument array each (about 95): the generation is the reader's unit of memory, so this is what bounds the
 * heap a tool needs. {@link Event}s are views made on access. Events are appended lane by lane in lane id
 * order, each lane's batches in batch sequence order, then {@link #sortByTime()} orders a permutation
 * stably by nanoseconds: ties keep that order (docs/format.md "Batches and lanes").
 */
final class EventColumns {
    private final Generation generation;
    private int size;
    private long[] nanos;
    private long[] threads;
    private long[] lanes;
    private EventSpec[] types;
    private int[] argStart;
    private long[] args;
    private int argSize;
    /** Position in time order -> index of the event; null until sorted (identity). */
    private int[] order;

    EventColumns(Generation generation, int expectedEvents) {
        this.generation = generation;
        int n = Math.max(16, expectedEvents);
        nanos = new long[n];
        threads = new long[n];
        lanes = new long[n];
        types = new EventSpec[n];
        argStart = new int[n + 1];
        args = new long[n * 3];
    }

    /** Starts an event; its arguments follow with {@link #arg}. */
    void begin(long time, long thread, long lane, EventSpec type) {
        if (size == nanos.length) {
            int n = size + (size >> 1) + 16;
            nanos = Arrays.copyOf(nanos, n);
            threads = Arrays.copyOf(threads, n);
            lanes = Arrays.copyOf(lanes, n);
            types = Arrays.copyOf(types, n);
            argStart = Arrays.copyOf(argStart, n + 1);
        }
        nanos[size] = time;
        threads[size] = thread;
        lanes[size] = lane;
        types[size] = type;
        argStart[size] = argSize;
        size++;
        argStart[size] = argSize;
    }

    void arg(long value) {
        if (argSize == args.length) {
            args = Arrays.copyOf(args, argSize + (argSize >> 1) + 16);
        }
        args[argSize++] = value;
        argStart[size] = argSize;
    }

    int size() {
        return size;
    }

    int argSize() {
        return argSize;
    }

    /** Drops the events from {@code size} on (a batch that turned out unreadable). */
    void truncate(int size, int argSize) {
        this.size = size;
        this.argSize = argSize;
        argStart[size] = argSize;
    }

    /** A stable merge sort of the permutation by time. */
    void sortByTime() {
        int[] a = new int[size];
        boolean sorted = true;
        for (int i = 0; i < size; i++) {
            a[i] = i;
            if (i > 0 && nanos[i] < nanos[i - 1]) {
                sorted = false;
            }
        }
        if (!sorted) {
            int[] tmp = new int[size];
            mergeSort(a, tmp, 0, size);
        }
        order = sorted ? null : a;
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 24) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                long t = nanos[x];
                int j = i - 1;
                while (j >= from && nanos[a[j]] > t) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (nanos[a[mid - 1]] <= nanos[a[mid]]) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || i < mid && nanos[tmp[i]] <= nanos[tmp[j]]) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    /** Drops the spare capacity once the generation is complete. */
    void trim() {
        nanos = Arrays.copyOf(nanos, size);
        threads = Arrays.copyOf(threads, size);
        lanes = Arrays.copyOf(lanes, size);
        types = Arrays.copyOf(types, size);
        argStart = Arrays.copyOf(argStart, size + 1);
        args = Arrays.copyOf(args, argSize);
    }

    long nanos(int i) {
        return nanos[i];
    }

    long thread(int i) {
        return threads[i];
    }

    long lane(int i) {
        return lanes[i];
    }

    EventSpec type(int i) {
        return types[i];
    }

    int argCount(int i) {
        return argStart[i + 1] - argStart[i];
    }

    long arg(int i, int k) {
        if (k < 0 || k >= argCount(i)) {
            throw new IndexOutOfBoundsException("argument " + k + " of " + types[i].name());
        }
        return args[argStart[i] + k];
    }

    /** The events in time order, as views. */
    java.util.List<Event> inTimeOrder() {
        return new Ordered();
    }

    private final class Ordered extends AbstractList<Event> implements RandomAccess {
        @Override
        public Event get(int position) {
            if (position < 0 || position >= size) {
                throw new IndexOutOfBoundsException(position);
            }
            return new Event(EventColumns.this, order == null ? position : order[position], generation);
        }

        @Override
        public int size() {
            return size;
        }
    }
}
