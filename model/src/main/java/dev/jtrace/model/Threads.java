package dev.jtrace.model;

import dev.jtrace.reader.LongMap;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Every thread of a trace: identity and time per state, as parallel columns indexed through a primitive
 * map (about 80 bytes a thread, since a trace can hold millions of virtual threads; per-state times other
 * than running are kept only for threads that have any). A thread is in the table once any event is about
 * it; its name comes from ThreadStart events, the generations' THREADS tables and ThreadSwitch events (the
 * last non-empty name seen wins), and it is virtual once any of them says so.
 */
public final class Threads implements Iterable<ModelThread> {
    /** Slots of a thread's extra block: states other than running and unknown, then samples, then carrier. */
    private static final int X_CPU = ThreadState.COUNT;
    private static final int X_ALLOC = ThreadState.COUNT + 1;
    private static final int X_CARRIER = ThreadState.COUNT + 2;
    private static final int X_SIZE = ThreadState.COUNT + 3;

    private final LongMap index = new LongMap();
    private int n;
    private long[] ids = new long[64];
    private String[] names = new String[64];
    private final BitSet virtual = new BitSet();
    private long[] first = new long[64];
    private long[] last = new long[64];
    private long[] running = new long[64];
    private int[] extra = new int[64];
    private long[] ext = new long[X_SIZE * 16];
    private int extCount;
    private long virtualCount;

    Threads() {}

    /** The row of {@code id}, or -1. */
    int row(long id) {
        return (int) index.get(id, -1);
    }

    /** The row of {@code id}, added if new; {@code created[0]} says whether it was. */
    int rowOf(long id, boolean[] created) {
        long i = index.get(id, -1);
        if (i >= 0) {
            created[0] = false;
            return (int) i;
        }
        if (n == ids.length) {
            int c = n * 2;
            ids = Arrays.copyOf(ids, c);
            names = Arrays.copyOf(names, c);
            first = Arrays.copyOf(first, c);
            last = Arrays.copyOf(last, c);
            running = Arrays.copyOf(running, c);
            extra = Arrays.copyOf(extra, c);
        }
        ids[n] = id;
        first[n] = Long.MAX_VALUE;
        last[n] = Long.MIN_VALUE;
        extra[n] = -1;
        index.put(id, n, -1);
        created[0] = true;
        return n++;
    }

    /** Sets the name if non-empty and different; returns whether the identity changed. */
    boolean name(int row, String name) {
        if (name == null || name.isEmpty() || name.equals(names[row])) {
            return false;
        }
        names[row] = name;
        return true;
    }

    boolean markVirtual(int row) {
        if (virtual.get(row)) {
            return false;
        }
        virtual.set(row);
        virtualCount++;
        return true;
    }

    boolean carrier(int row, long carrier) {
        int x = ext(row);
        if (ext[x + X_CARRIER] == carrier) {
            return false;
        }
        ext[x + X_CARRIER] = carrier;
        return true;
    }

    void see(int row, long t) {
        if (t < first[row]) {
            first[row] = t;
        }
        if (t > last[row]) {
            last[row] = t;
        }
    }

    long first(int row) {
        return first[row];
    }

    long last(int row) {
        return last[row];
    }

    void setFirst(int row, long t) {
        first[row] = t;
    }

    long id(int row) {
        return ids[row];
    }

    private int ext(int row) {
        int x = extra[row];
        if (x < 0) {
            if ((extCount + 1) * X_SIZE > ext.length) {
                ext = Arrays.copyOf(ext, ext.length * 2);
            }
            x = extCount++ * X_SIZE;
            extra[row] = x;
        }
        return x;
    }

    void add(int row, ThreadState s, long nanos) {
        if (nanos <= 0 || s == ThreadState.UNKNOWN) {
            return;
        }
        if (s == ThreadState.RUNNING) {
            running[row] += nanos;
        } else {
            int x = ext(row); // before indexing: ext(row) may replace the array
            ext[x + s.ordinal()] += nanos;
        }
    }

    void cpuSample(int row) {
        int x = ext(row);
        ext[x + X_CPU]++;
    }

    void allocSample(int row) {
        int x = ext(row);
        ext[x + X_ALLOC]++;
    }

    /** Number of threads. */
    public int size() {
        return n;
    }

    /** Threads the trace marks virtual. */
    public long virtualCount() {
        return virtualCount;
    }

    /** Platform threads (the others). */
    public long platformCount() {
        return n - virtualCount;
    }

    /** Whether {@code id} is in the table. */
    public boolean contains(long id) {
        return index.containsKey(id);
    }

    /** The recorded name of {@code id} (null when unknown). */
    public String name(long id) {
        int r = row(id);
        return r < 0 ? null : names[r];
    }

    /** The name to show for {@code id}: its name, else "thread #id" / "virtual thread #id". */
    public String displayName(long id) {
        int r = row(id);
        if (r < 0 || names[r] == null || names[r].isEmpty()) {
            return (r >= 0 && virtual.get(r) ? "virtual thread #" : "thread #") + id;
        }
        return names[r];
    }

    /** Whether {@code id} is a virtual thread. */
    public boolean isVirtual(long id) {
        int r = row(id);
        return r >= 0 && virtual.get(r);
    }

    /** A snapshot of {@code id}, or null. */
    public ModelThread get(long id) {
        int r = row(id);
        return r < 0 ? null : snapshot(r);
    }

    ModelThread snapshot(int r) {
        long[] s = new long[ThreadState.COUNT];
        int x = extra[r];
        long f = first[r] == Long.MAX_VALUE ? 0 : first[r];
        long l = last[r] == Long.MIN_VALUE ? f : last[r];
        long known = running[r];
        s[ThreadState.RUNNING.ordinal()] = running[r];
        long cpu = 0;
        long alloc = 0;
        long carrier = 0;
        if (x >= 0) {
            for (ThreadState st : ThreadState.ALL) {
                if (st != ThreadState.RUNNING && st != ThreadState.UNKNOWN) {
                    s[st.ordinal()] = ext[x + st.ordinal()];
                    known += s[st.ordinal()];
                }
            }
            cpu = ext[x + X_CPU];
            alloc = ext[x + X_ALLOC];
            carrier = ext[x + X_CARRIER];
        }
        s[ThreadState.UNKNOWN.ordinal()] = Math.max(0, Math.max(0, l - f) - known);
        return new ModelThread(ids[r], names[r] == null ? "" : names[r], virtual.get(r), carrier, f, l, s, cpu,
                alloc);
    }

    /** Snapshots in id order (sorted on each call: a view over the columns, not a copy of all rows). */
    @Override
    public Iterator<ModelThread> iterator() {
        long[] sorted = Arrays.copyOf(ids, n);
        Arrays.sort(sorted);
        return new Iterator<>() {
            int k;

            @Override
            public boolean hasNext() {
                return k < sorted.length;
            }

            @Override
            public ModelThread next() {
                if (k >= sorted.length) {
                    throw new NoSuchElementException();
                }
                return snapshot(row(sorted[k++]));
            }
        };
    }
}
