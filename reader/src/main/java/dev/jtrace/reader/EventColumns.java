package dev.jtrace.reader;

import dev.jtrace.format.EventSpec;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * A generation's events as columns of primitive arrays, about 45 bytes an event instead of an object and an
 * argument array each (about 95): the generation is the reader's unit of memory, so this is what bounds the
 * heap a tool needs. {@link Event}s are views made on access. Events are appended in lane order, then
 * {@link #sortByTime()} orders a permutation stably (ties keep lane order).
 */
final class EventColumns {
    private final Generation generation;
    private int size;
    private long[] ticks;
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
        ticks = new long[n];
        threads = new long[n];
        lanes = new long[n];
        types = new EventSpec[n];
        argStart = new int[n + 1];
        args = new long[n * 3];
    }

    /** Starts an event; its arguments follow with {@link #arg}. */
    void begin(long time, long thread, long lane, EventSpec type) {
        if (size == ticks.length) {
            int n = size + (size >> 1) + 16;
            ticks = Arrays.copyOf(ticks, n);
            threads = Arrays.copyOf(threads, n);
            lanes = Arrays.copyOf(lanes, n);
            types = Arrays.copyOf(types, n);
            argStart = Arrays.copyOf(argStart, n + 1);
        }
        ticks[size] = time;
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

    /** A stable merge sort of the permutation by time. */
    void sortByTime() {
        int[] a = new int[size];
        boolean sorted = true;
        for (int i = 0; i < size; i++) {
            a[i] = i;
            if (i > 0 && ticks[i] < ticks[i - 1]) {
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
                long t = ticks[x];
                int j = i - 1;
                while (j >= from && ticks[a[j]] > t) {
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
        if (ticks[a[mid - 1]] <= ticks[a[mid]]) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || i < mid && ticks[tmp[i]] <= ticks[tmp[j]]) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    /** Drops the spare capacity once the generation is complete. */
    void trim() {
        ticks = Arrays.copyOf(ticks, size);
        threads = Arrays.copyOf(threads, size);
        lanes = Arrays.copyOf(lanes, size);
        types = Arrays.copyOf(types, size);
        argStart = Arrays.copyOf(argStart, size + 1);
        args = Arrays.copyOf(args, argSize);
    }

    long ticks(int i) {
        return ticks[i];
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
