package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.CarrierRun;
import dev.jtrace.model.EventKind;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.Span;
import dev.jtrace.model.TraceModel;
import dev.jtrace.model.Wakeup;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Re-reads single generations of the trace for window queries and keeps the items of the most recently used
 * ones. A generation is read by its file offset from the index: its bytes behind the file's header make a
 * one-generation trace that {@link TraceReader#fromBytes} validates and decodes like any other, so no reader
 * change is needed to seek. The generation is read through a fresh {@link TraceModel} whose span matcher is
 * resumed with the spans the index saw open at the generation's start, so that its items are exactly the
 * model's (the same spans, depths and lanes as the index pass). One generation is decoded at a time (decoding
 * holds all of its events), and the cache holds at most {@link #cacheBudget} estimated bytes.
 *
 * <p>A generation is decoded once: its items are then written to a spill file ({@link SpilledGen}: columns,
 * memory-mapped) in a directory the store owns and deletes when closed, and windows read them from there; the
 * heap cache holds the items as objects only for the range aggregation and search (the most recently used).
 * When the disk lacks room (less than {@link #DISK_RESERVE} would be left), a spill file cannot be written, or
 * one fails its check (right after it is written, or when a window opens it again), the store says so on its log and decodes as it would without: the heap
 * cache alone.
 */
final class GenerationStore implements AutoCloseable {
    /** A generation larger than this is never decoded for a window (its summary comes from the index). */
    static final long MAX_GENERATION_BYTES = 64L << 20;
    /** Heap the reader takes per event while it holds a generation (Event, its arguments, the sort). */
    private static final long DECODE_BYTES_PER_EVENT = 200;
    /** Heap kept for everything else (requests, answers, the analysis). */
    private static final long HEAP_RESERVE = 96L << 20;
    // an item, the model's object it wraps and its slot in the array, with compressed references
    private static final int REGION_BYTES = 112;
    private static final int TASK_BYTES = 120;
    private static final int LOG_BYTES = 56;
    private static final int BLOCK_BYTES = 72;
    private static final int WAKEUP_BYTES = 72;
    private static final int RUN_BYTES = 56;
    private static final int SAMPLE_BYTES = 48;
    private static final int ALLOC_SAMPLE_BYTES = 64;
    /** Free disk a spill file must leave. */
    static final long DISK_RESERVE = 256L << 20;

    /**
     * The items of one generation, each array sorted by start time: spans, logs, blocking, the wake-up edges
     * resumed in it and the carrier runs ended in it (those the whole pass also made inside this generation;
     * the ones reaching into an earlier generation are the index's), its CPU samples and its allocation samples.
     */
    record GenItems(Items.Region[] regions, long maxRegion, Items.Task[] tasks, long maxTask, Items.Log[] logs,
            Blocking[] blocks, long maxBlock, Wakeup[] wakeups, long maxWakeup, CarrierRun[] runs, long maxRun,
            Items.Sample[] samples, Items.AllocSample[] allocs, long bytes) {}

    private final TraceIndex index;
    private final FileChannel channel;
    private final long cacheBudget;
    private final Semaphore decoding = new Semaphore(1, true);
    /** Decodes asked for by requests that do not wait ({@link #prefetch}), one at a time. */
    private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jtrace-view-decoder");
                t.setDaemon(true);
                return t;
            });
    private final java.util.Set<Integer> queued = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final LinkedHashMap<Integer, GenItems> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cached;
    private long decoded;
    /** Events and estimated item bytes of the generations decoded so far: what the next one will likely take. */
    private long decodedEvents;
    private long decodedItemBytes;
    // decode-ahead: how far it got, and why it ended (null while it runs or before it starts)
    private volatile int aheadDone;
    private volatile int aheadTotal;
    private volatile boolean aheadStarted;
    private volatile String aheadEnded;
    private volatile long aheadMillis;
    /** Numbers of the generations decode-ahead passed over: too large to decode (more than 64 MiB, or the heap). */
    private final List<Long> skipped = new java.util.concurrent.CopyOnWriteArrayList<>();
    // spilling: the directory (null when off), files written and not yet found damaged, those opened
    private final Path spillDir;
    private volatile String spillOff;
    private final Map<Integer, Path> spillFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, SpilledGen> spilled = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object spillLock = new Object();
    private final java.util.concurrent.atomic.AtomicLong spilledBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.io.PrintStream log = System.err;
    /** Free bytes on the spill directory's disk (tests make it small). */
    volatile java.util.function.LongSupplier freeSpace;

    /** Spill directories of stores not closed yet: removed at the JVM's exit if their store never was. */
    private static final Set<Path> OPEN_SPILL_DIRS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN_SPILL_DIRS.forEach(GenerationStore::deleteTree),
                "jtrace-view-spill-cleanup"));
    }

    /** A store that spills decoded generations to a new temporary directory. */
    GenerationStore(TraceIndex index, long cacheBudget) throws IOException {
        this(index, cacheBudget, true);
    }

    /** A store that spills ({@code spill}) or keeps decoded generations in the heap cache alone. */
    GenerationStore(TraceIndex index, long cacheBudget, boolean spill) throws IOException {
        this.index = index;
        this.channel = FileChannel.open(index.file, StandardOpenOption.READ);
        this.cacheBudget = cacheBudget;
        Path dir = null;
        if (spill) {
            try {
                dir = Files.createTempDirectory("jtrace-view-spill-");
            } catch (IOException e) {
                spillOff = "no spill directory: " + e.getMessage();
                log.println("jtrace view: " + spillOff + "; decoded generations stay in the heap cache alone");
            }
        } else {
            spillOff = "off";
        }
        this.spillDir = dir;
        if (dir != null) {
            OPEN_SPILL_DIRS.add(dir);
            FileStore fs = Files.getFileStore(dir);
            freeSpace = () -> {
                try {
                    return fs.getUsableSpace();
                } catch (IOException e) {
                    return Long.MAX_VALUE; // unknown: the write will tell
                }
            };
        }
    }

    /** The directory of the spill files, or null when the store does not spill. */
    Path spillDir() {
        return spillDir;
    }

    /** Why the store does not spill (null while it does). */
    String spillOff() {
        return spillOff;
    }

    /** Bytes of the spill files written. */
    long spilledBytes() {
        return spilledBytes.get();
    }

    /** Whether a window can read {@code g} without decoding it: its items are spilled or cached. */
    boolean ready(TraceIndex.Gen g) {
        return spillFiles.containsKey(g.index()) || cached(g) != null;
    }

    /**
     * The spilled items of {@code g}, mapped (and checked the first time), or null when it has none: then the
     * caller decodes it. A file that fails its check is deleted, with a message, and decoded again when asked.
     */
    SpilledGen spilled(TraceIndex.Gen g) {
        SpilledGen s = spilled.get(g.index());
        if (s != null || !spillFiles.containsKey(g.index())) {
            return s;
        }
        synchronized (spillLock) {
            s = spilled.get(g.index());
            Path f = spillFiles.get(g.index());
            if (s != null || f == null) {
                return s;
            }
            try {
                s = SpilledGen.open(f, g.index());
                spilled.put(g.index(), s);
                return s;
            } catch (IOException e) {
                spillFiles.remove(g.index());
                log.println("jtrace view: the spill file of generation " + g.number() + " (" + f + ") " + e.getMessage()
                        + "; decoding the generation again");
                try {
                    Files.deleteIfExists(f);
                } catch (IOException x) {
                    // it is in the store's directory, removed when the store closes
                }
                return null;
            }
        }
    }

    /**
     * Forgets the maps of the spill files (not the files), so that the next window opens and checks them again:
     * what a window meets when its file changed since (tests).
     */
    void forgetMaps() {
        synchronized (spillLock) {
            spilled.clear();
        }
    }

    /**
     * Writes {@code c}, the items of {@code g} just decoded, to a spill file; false, with the reason on the log and
     * spilling turned off for good, when the disk lacks room or the write fails.
     */
    private boolean spill(TraceIndex.Gen g, GenItems c) {
        if (spillDir == null || spillOff != null) {
            return false;
        }
        Path f = spillDir.resolve("gen-" + g.index() + ".cols");
        long free = freeSpace.getAsLong();
        // the file is smaller than the objects' estimate: that bound is safe
        if (free - c.bytes() < DISK_RESERVE) {
            spillOff(String.format(java.util.Locale.ROOT, "the disk of %s has %,d MiB free, a spill file of generation"
                    + " %d could take %,d MiB and %,d MiB must stay free", spillDir, free >> 20, g.number(),
                    c.bytes() >> 20, DISK_RESERVE >> 20));
            return false;
        }
        try {
            long n = SpilledGen.write(c, g.index(), f);
            spilledBytes.addAndGet(n);
            spillFiles.put(g.index(), f);
            return true;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException x) {
                // removed with the directory when the store closes
            }
            spillOff("writing " + f + " failed: " + e.getMessage());
            return false;
        }
    }

    private void spillOff(String why) {
        spillOff = why;
        log.println("jtrace view: not spilling decoded generations any more: " + why + "; the heap cache holds"
                + " what it can, the others are decoded when viewed");
    }

    /** The cached items of {@code g}, or null. */
    synchronized GenItems cached(TraceIndex.Gen g) {
        return cache.get(g.index());
    }

    /** Generations decoded so far (for tests and the meta page). */
    synchronized long decodedCount() {
        return decoded;
    }

    /**
     * The items of {@code g} as objects: cached, rebuilt from its spill file, or decoded (and spilled); waits at
     * most {@code waitMillis} for the decoder. They are cached (least recently used evicted).
     */
    GenItems items(TraceIndex.Gen g, long waitMillis) throws IOException, InterruptedException, Busy {
        GenItems c = cached(g);
        if (c != null) {
            return c;
        }
        SpilledGen s = spilled(g);
        if (s != null) {
            c = s.items();
            cache(g, c);
            return c;
        }
        return decoded(g, waitMillis, true);
    }

    /**
     * Makes sure {@code g} is decoded: spilled (or, when the store does not spill, cached); waits at most
     * {@code waitMillis} for the decoder. Decode-ahead and the prefetch of windows call this.
     */
    void decode(TraceIndex.Gen g, long waitMillis) throws IOException, InterruptedException, Busy {
        if (!ready(g)) {
            decoded(g, waitMillis, false);
        }
    }

    /** What a window reads of a generation: its spilled columns, or else its items as objects. */
    record Source(SpilledGen spill, GenItems items) {}

    /**
     * What a window reads of {@code g}: its cached objects, else its spill file, else it is decoded (and spilled)
     * now, waiting at most {@code waitMillis} for the decoder.
     */
    Source source(TraceIndex.Gen g, long waitMillis) throws IOException, InterruptedException, Busy {
        GenItems c = cached(g);
        if (c != null) {
            return new Source(null, c);
        }
        SpilledGen s = spilled(g);
        if (s != null) {
            return new Source(s, null);
        }
        c = decoded(g, waitMillis, false);
        s = spilled(g);
        if (s != null) {
            return new Source(s, null);
        }
        return new Source(null, c != null ? c : items(g, waitMillis));
    }

    /** Decodes {@code g} and spills it; caches its objects when {@code keep} or when it could not be spilled. */
    private GenItems decoded(TraceIndex.Gen g, long waitMillis, boolean keep)
            throws IOException, InterruptedException, Busy {
        if (!decoding.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
            throw new Busy();
        }
        try {
            GenItems c = cached(g);
            if (c != null) {
                return c;
            }
            if (!keep && spillFiles.containsKey(g.index())) {
                return null;
            }
            makeRoomFor(g);
            c = decode(g);
            boolean spilt = spillFiles.containsKey(g.index()) || spill(g, c);
            if (spilt) {
                // map, check and read the tables now, in the decoder: a window's first visit then reads only columns
                SpilledGen s = spilled(g);
                if (s == null) {
                    spilt = false;
                } else {
                    s.tables();
                }
            }
            synchronized (this) {
                decoded++;
                decodedEvents += g.events();
                decodedItemBytes += c.bytes();
            }
            if (keep || !spilt) {
                cache(g, c);
            }
            return c;
        } finally {
            decoding.release();
        }
    }

    /** Puts {@code c} into the heap cache, evicting the least recently used beyond the budget. */
    private synchronized void cache(TraceIndex.Gen g, GenItems c) {
        if (cache.containsKey(g.index())) {
            return;
        }
        cache.put(g.index(), c);
        cached += c.bytes();
        var it = cache.entrySet().iterator();
        while (cached > cacheBudget && cache.size() > 1 && it.hasNext()) {
            Map.Entry<Integer, GenItems> e = it.next();
            if (e.getKey() != g.index()) {
                cached -= e.getValue().bytes();
                it.remove();
            }
        }
    }

    /**
     * Decodes {@code g} in the background unless it is cached, already on its way or not {@link #decodable}, so
     * that a request can be answered at once (from the index) and asked again when the items are there.
     */
    void prefetch(TraceIndex.Gen g) {
        if (ready(g) || !decodable(g) || !queued.add(g.index())) {
            return;
        }
        background.execute(() -> {
            try {
                decode(g, Long.MAX_VALUE);
            } catch (IOException | Busy | RuntimeException e) {
                System.err.println("jtrace view: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                queued.remove(g.index());
            }
        });
    }

    /**
     * Decodes every generation in the background, in file order, from the moment the trace is opened, so that no
     * view waits for a first decode later: Perfetto's loading. It shares the decoder with the requests' own
     * decodes (one at a time) and goes one generation per task, so a generation a view asks for meanwhile is
     * decoded next. The memory policy: decode-ahead never evicts. It stops, leaving the rest to be decoded when
     * viewed (least recently used evicted then), at the first generation whose items (estimated from the bytes
     * per event of those decoded so far) would not fit the cache's budget or whose decode would not fit the heap.
     * While the store spills, the cache's budget does not stop it: spilled generations take no heap. Progress
     * goes to {@code log} and to {@link #progress}.
     */
    void decodeAhead(java.io.PrintStream log) {
        if (log != null) {
            this.log = log;
        }
        List<TraceIndex.Gen> gens = index.gens;
        aheadTotal = gens.size();
        aheadStarted = true;
        long t0 = System.nanoTime();
        aheadStep(gens, 0, log, t0);
    }

    private void aheadStep(List<TraceIndex.Gen> gens, int i, java.io.PrintStream log, long t0) {
        if (i == gens.size()) {
            aheadEnd(log, t0, skipped.isEmpty() ? "all " + gens.size() + " generations decoded"
                    : (gens.size() - skipped.size()) + " of " + gens.size() + " generations decoded; generation"
                    + (skipped.size() == 1 ? " " : "s ") + skippedList() + " too large to decode");
            return;
        }
        TraceIndex.Gen g = gens.get(i);
        String stop = null;
        synchronized (this) {
            if (cache.get(g.index()) == null && spillOff != null) {
                long perEvent = decodedEvents == 0 ? 0 : Math.ceilDiv(decodedItemBytes, decodedEvents);
                if (cached + perEvent * g.events() > cacheBudget) {
                    stop = String.format(java.util.Locale.ROOT, "%d of %d generations decoded, the cache (%,d MiB) is"
                            + " full; the others are decoded when viewed", i, gens.size(), cacheBudget >> 20);
                }
            }
        }
        if (stop == null && !decodable(g)) {
            if (spillOff == null) {
                // spilled generations take no heap: the next one may well fit
                skipped.add(g.number());
                if (log != null) {
                    log.printf(java.util.Locale.ROOT, "jtrace view: generation %d of %d (%,d events, %,d MiB) is too"
                            + " large to decode (%s); its views are summaries from the index%n", i + 1, gens.size(),
                            g.events(), g.bytes() >> 20, g.bytes() > MAX_GENERATION_BYTES ? "more than "
                            + (MAX_GENERATION_BYTES >> 20) + " MiB" : "in this heap");
                }
                aheadDone = i + 1;
                aheadStep(gens, i + 1, log, t0);
                return;
            }
            stop = i + " of " + gens.size() + " generations decoded; generation " + g.number()
                    + " is too large to decode in this heap";
        }
        if (stop != null) {
            aheadEnd(log, t0, stop);
            return;
        }
        try {
            background.execute(() -> {
                try {
                    long s = System.nanoTime();
                    boolean had = ready(g);
                    decode(g, Long.MAX_VALUE);
                    aheadDone = i + 1;
                    if (log != null && !had) {
                        synchronized (this) {
                            log.printf(java.util.Locale.ROOT, "jtrace view: decoded generation %d of %d (%,d events) in"
                                    + " %.1f s, %,d MiB cached%s%n", i + 1, gens.size(), g.events(),
                                    (System.nanoTime() - s) / 1e9, cached >> 20, spillNote());
                        }
                    }
                    aheadStep(gens, i + 1, log, t0);
                } catch (IOException | Busy | RuntimeException e) {
                    aheadEnd(log, t0, "stopped at generation " + g.number() + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private String skippedList() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < skipped.size(); k++) {
            if (k == 8) {
                return sb.append(" and ").append(skipped.size() - 8).append(" more").toString();
            }
            sb.append(k == 0 ? "" : ", ").append(skipped.get(k));
        }
        return sb.toString();
    }

    private void aheadEnd(java.io.PrintStream log, long t0, String why) {
        aheadMillis = (System.nanoTime() - t0) / 1_000_000;
        aheadEnded = why;
        if (log != null) {
            log.printf(java.util.Locale.ROOT, "jtrace view: ready: %s in %.1f s (%,d MiB cached%s)%n", why,
                    aheadMillis / 1e3, cachedBytes() >> 20, spillNote());
        }
    }

    private String spillNote() {
        return spillFiles.isEmpty() ? "" : String.format(java.util.Locale.ROOT, ", %,d MiB spilled to %s",
                spilledBytes.get() >> 20, spillDir);
    }

    /** Estimated bytes of the cached items. */
    synchronized long cachedBytes() {
        return cached;
    }

    /** Decode-ahead's progress for {@code /api/progress}. */
    String progress() {
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        String ended = aheadEnded;
        j.beginObject().name("ready").value(!aheadStarted || ended != null ? 1 : 0).field("decoded", aheadDone)
                .field("generations", aheadStarted ? aheadTotal : index.gens.size())
                .field("cachedBytes", cachedBytes()).field("cacheBudget", cacheBudget).field("spilledBytes", spilledBytes.get()).field("millis", aheadMillis);
        if (ended != null) {
            j.field("state", ended);
        }
        j.endObject();
        return sb.toString();
    }

    /** Heap needed to decode {@code g}: the reader holds all of a generation's events at once. */
    static long decodeBytes(TraceIndex.Gen g) {
        return g.events() * DECODE_BYTES_PER_EVENT + 4 * g.bytes();
    }

    /**
     * Whether {@code g} is cached or can be decoded: at most {@link #MAX_GENERATION_BYTES} and within the heap
     * decoding may use (what {@link #decode} refuses otherwise).
     */
    boolean decodable(TraceIndex.Gen g) {
        return ready(g) || g.bytes() <= MAX_GENERATION_BYTES && decodeBytes(g) <= heapForDecoding();
    }

    /** Heap that decoding may use once the cache is empty: what the index and a reserve leave. */
    long heapForDecoding() {
        return Runtime.getRuntime().maxMemory() - index.estimatedBytes() - index.modelBytes() - HEAP_RESERVE;
    }

    /**
     * Drops cached generations, least recently used first, until the heap has room for decoding {@code g}.
     */
    private void makeRoomFor(TraceIndex.Gen g) {
        long need = decodeBytes(g);
        synchronized (this) {
            // what the heap holds for good: the index and the cache (the rest is garbage a GC reclaims)
            long free = heapForDecoding() - cached;
            var it = cache.entrySet().iterator();
            while (free < need && it.hasNext()) {
                long b = it.next().getValue().bytes();
                it.remove();
                cached -= b;
                free += b;
            }
        }
    }

    /** The decoder stayed busy longer than a request may wait. */
    static final class Busy extends Exception {
        Busy() {
            super("the server is busy decoding other generations", null, false, false);
        }
    }

    private GenItems decode(TraceIndex.Gen g) throws IOException {
        long len = g.bytes();
        if (decodeBytes(g) > heapForDecoding()) {
            throw new IOException("generation " + g.number() + " of " + index.file + " needs about "
                    + (decodeBytes(g) >> 20) + " MiB of heap to decode, more than the viewer has");
        }
        if (len > MAX_GENERATION_BYTES) {
            throw new IOException("generation " + g.number() + " of " + index.file + " has " + len
                    + " bytes, more than a window may decode (" + MAX_GENERATION_BYTES + ")");
        }
        byte[] buf = new byte[index.header.length + (int) len];
        System.arraycopy(index.header, 0, buf, 0, index.header.length);
        ByteBuffer bb = ByteBuffer.wrap(buf, index.header.length, (int) len);
        long pos = g.fileOffset();
        while (bb.hasRemaining()) {
            int n = channel.read(bb, pos);
            if (n < 0) {
                throw new IOException(index.file + " ends inside generation " + g.number() + " (was it changed"
                        + " since the viewer started?)");
            }
            pos += n;
        }
        Generation gen;
        try (TraceReader r = TraceReader.fromBytes(buf, index.file + " at offset " + g.fileOffset())) {
            gen = r.nextGeneration();
        }
        if (gen == null || gen.number() != g.number()) {
            throw new IOException(index.file + ": generation " + g.number() + " no longer reads at offset "
                    + g.fileOffset() + " (was the file changed since the viewer started?)");
        }
        long genStart = gen.startTicks();
        List<Items.Region> regions = new ArrayList<>();
        List<Items.Task> tasks = new ArrayList<>();
        List<Items.Log> logs = new ArrayList<>();
        List<Blocking> blocks = new ArrayList<>();
        List<Wakeup> wakeups = new ArrayList<>();
        List<CarrierRun> runs = new ArrayList<>();
        List<Items.Sample> samples = new ArrayList<>();
        List<Items.AllocSample> allocs = new ArrayList<>();
        int k = g.index();
        // the model's matcher, resumed with the spans the index saw open at this generation's start, rebuilds
        // the spans the index pass made here: the same depths, the same lanes
        Set<Span> seeded = Collections.newSetFromMap(new IdentityHashMap<>());
        TaskLanes lanes = new TaskLanes();
        TraceModel model = new TraceModel(new ModelListener() {
            @Override
            public void event(Event e, EventKind kind, long thread, long time) {
                if (kind == EventKind.LOG) {
                    logs.add(Items.Log.of(e, thread, time));
                } else if (kind == EventKind.CPU_SAMPLE && thread >= 0) {
                    samples.add(Items.Sample.of(e, thread, time));
                } else if (kind == EventKind.ALLOC_SAMPLE && thread >= 0) {
                    allocs.add(Items.AllocSample.of(e, thread, time));
                }
            }

            @Override
            public void blocking(Blocking b) {
                // a scheduler block begun in an earlier generation is the index's (this decode cannot pair it)
                if (!(b.scheduler() && b.start() < genStart)) {
                    blocks.add(b);
                }
            }

            // this model starts the generation with nothing open: keep only what the whole pass made here
            @Override
            public void wakeup(Wakeup w) {
                if (index.madeIn(k, TraceIndex.fingerprint(w))) {
                    wakeups.add(w);
                }
            }

            @Override
            public void carrierRun(CarrierRun r) {
                if (index.madeIn(k, TraceIndex.fingerprint(r))) {
                    runs.add(r);
                }
            }

            @Override
            public void spanBegin(Span s) {
                if (s.kind() == Span.Kind.TASK) {
                    lanes.begin(s);
                }
            }

            @Override
            public void spanEnd(Span s) {
                int lane = s.kind() == Span.Kind.TASK ? lanes.end(s) : 0;
                // begun in an earlier generation (or, without begin, at the trace's start): the index holds it
                if (seeded.contains(s) || s.beginMissing() && k > 0) {
                    return;
                }
                if (s.kind() == Span.Kind.REGION) {
                    regions.add(new Items.Region(s, k, k));
                } else {
                    tasks.add(new Items.Task(s, lane, k, k));
                }
            }
        });
        model.resumeAt(index.model().recordingSince()); // not this generation's start: the trace's
        for (Items.Region r : index.regionsOpenAt(k)) {
            seeded.add(model.spans().reopen(r.span()));
        }
        for (Items.Task t : index.tasksOpenAt(k)) {
            Span c = model.spans().reopen(t.span());
            seeded.add(c);
            lanes.seed(c, t.lane());
        }
        model.add(gen);
        // what is still open at the end continues in a later generation or to the trace's end: the index holds it
        regions.sort(Comparator.comparingLong(Items.Region::start));
        tasks.sort(Comparator.comparingLong(Items.Task::start));
        logs.sort(Comparator.comparingLong(Items.Log::time));
        blocks.sort(Comparator.comparingLong(Blocking::start));
        wakeups.sort(Comparator.comparingLong(TraceIndex::wakeStart));
        runs.sort(Comparator.comparingLong(CarrierRun::start));
        samples.sort(Comparator.comparingLong(Items.Sample::time));
        allocs.sort(Comparator.comparingLong(Items.AllocSample::time));
        long maxWakeup = wakeups.stream().mapToLong(w -> TraceIndex.wakeEnd(w) - TraceIndex.wakeStart(w)).max().orElse(0);
        long maxRun = runs.stream().mapToLong(CarrierRun::duration).max().orElse(0);
        long maxRegion = regions.stream().mapToLong(r -> r.end() - r.start()).max().orElse(0);
        long maxTask = tasks.stream().mapToLong(t -> t.end() - t.start()).max().orElse(0);
        long maxBlock = blocks.stream().mapToLong(Blocking::duration).max().orElse(0);
        // strings and stacks belong to the generation's tables, shared by the items
        long bytes = 4096L + (long) regions.size() * REGION_BYTES + (long) tasks.size() * TASK_BYTES
                + (long) logs.size() * LOG_BYTES + (long) blocks.size() * BLOCK_BYTES
                + (long) wakeups.size() * WAKEUP_BYTES + (long) runs.size() * RUN_BYTES
                + (long) samples.size() * SAMPLE_BYTES + (long) allocs.size() * ALLOC_SAMPLE_BYTES
                + gen.strings().values().stream().mapToLong(x -> 48 + x.length()).sum();
        return new GenItems(regions.toArray(Items.Region[]::new), maxRegion, tasks.toArray(Items.Task[]::new), maxTask,
                logs.toArray(Items.Log[]::new), blocks.toArray(Blocking[]::new), maxBlock,
                wakeups.toArray(Wakeup[]::new), maxWakeup, runs.toArray(CarrierRun[]::new), maxRun,
                samples.toArray(Items.Sample[]::new), allocs.toArray(Items.AllocSample[]::new), bytes);
    }

    @Override
    public void close() throws IOException {
        background.shutdownNow();
        channel.close();
        if (spillDir != null) {
            // the maps stay readable after their files are deleted (a request still reading one is not hurt); they
            // are unmapped once unreachable
            synchronized (spillLock) {
                spilled.clear();
                spillFiles.clear();
            }
            OPEN_SPILL_DIRS.remove(spillDir);
            String why = deleteTree(spillDir);
            if (why != null) {
                log.println("jtrace view: could not remove " + spillDir + ": " + why);
            }
        }
    }

    /** Deletes {@code dir} and its files; returns why not, or null. */
    private static String deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return null;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
