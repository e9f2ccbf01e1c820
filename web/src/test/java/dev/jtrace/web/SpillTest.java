package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.model.SchedulerCorpus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spill files of decoded generations ({@link SpilledGen}): windows, ranges and searches answered from them
 * are byte for byte those of a fresh decode; a damaged or truncated file, a full disk or a failed write fall
 * back to decoding with a message, never to a wrong answer; and with a heap cache that holds fewer generations
 * than the trace has, decode-ahead still decodes every generation once and windows in all of them are read
 * without decoding again.
 */
class SpillTest {
    @TempDir
    static Path dir;
    /** 16 threads, 3,000 operations each (336,000 events), in generations of 128 KiB. */
    static Path many;

    @BeforeAll
    static void record() throws Exception {
        many = TestTraces.many(dir, 16, 3_000, 128 << 10);
    }

    @Test
    void windowsRangesAndSearchesFromTheSpillEqualAFreshDecode() throws Exception {
        List<Path> files = List.of(many, ModelAgreementTest.hostile(dir.resolve("hostile.jtrace")),
                SchedulerCorpus.virtual(dir.resolve("v.jtrace")), SchedulerCorpus.platform(dir.resolve("p.jtrace")),
                TestTraces.lanesSamplesCounters(dir.resolve("lanes.jtrace")),
                TestTraces.allocSamples(dir.resolve("alloc.jtrace")));
        for (Path f : files) {
            TraceIndex idx = TraceIndex.build(f, null);
            try (GenerationStore plain = new GenerationStore(idx, 1L << 30, false);
                    GenerationStore spill = new GenerationStore(idx, 1L << 30, true)) {
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                ahead(spill, log);
                assertThat(spill.spillOff()).as(f + ": " + log).isNull();
                assertThat(spill.spilledBytes()).isPositive();
                try (Stream<Path> s = Files.list(spill.spillDir())) {
                    assertThat(s.count()).isEqualTo(idx.gens.size());
                }
                long decoded = spill.decodedCount();
                assertThat(decoded).isEqualTo(idx.gens.size());
                int items = compareWindows(idx, plain, spill, 1);
                assertThat(items).as(f.toString()).isPositive();
                // every window was read from the spill files: nothing decoded again, no objects cached
                assertThat(spill.decodedCount()).isEqualTo(decoded);
                assertThat(spill.cachedBytes()).isZero();
                RangeQuery pr = new RangeQuery(idx, plain);
                RangeQuery sr = new RangeQuery(idx, spill);
                WindowQuery pw = new WindowQuery(idx, plain);
                WindowQuery sw = new WindowQuery(idx, spill);
                for (TraceIndex.Gen g : idx.gens) {
                    long a = Math.max(0, g.minTicks() - idx.origin());
                    long b = Math.max(a + 1, g.maxTicks() - idx.origin());
                    assertThat(sr.run(a, b, null)).as(f + " range of generation " + g.number()).isEqualTo(pr.run(a, b, null));
                }
                for (String q : List.of("inner", "op", "n", "(unnamed)", "x")) {
                    for (int dir : new int[] {1, -1}) {
                        long after = dir > 0 ? -1 : idx.duration() + 1;
                        for (int k = 0; k < 5; k++) {
                            String want = pw.search(q, after, dir);
                            assertThat(sw.search(q, after, dir)).as(f + " search " + q).isEqualTo(want);
                            var hit = TimelineApiTest.JSON.readTree(want).get("hit");
                            if (hit == null) {
                                break;
                            }
                            after = hit.get("start").asLong();
                        }
                    }
                }
                assertThat(spill.decodedCount()).isEqualTo(decoded);
            }
        }
    }

    @Test
    void aDamagedOrTruncatedSpillFileIsDecodedAgainWithAMessage() throws Exception {
        TraceIndex idx = TraceIndex.build(many, null);
        assertThat(idx.gens.size()).isGreaterThanOrEqualTo(4);
        try (GenerationStore plain = new GenerationStore(idx, 1L << 30, false);
                GenerationStore spill = new GenerationStore(idx, 1L << 30, true)) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            ahead(spill, log);
            long decoded = spill.decodedCount();
            Path d = spill.spillDir();
            // the four largest generations: a flipped byte among the columns, a cut end, a wrong header, an empty file
            List<TraceIndex.Gen> big = new ArrayList<>(idx.gens);
            big.sort(java.util.Comparator.comparingLong(TraceIndex.Gen::events).reversed());
            Path[] f = new Path[4];
            for (int i = 0; i < 4; i++) {
                f[i] = d.resolve("gen-" + big.get(i).index() + ".cols");
            }
            try (RandomAccessFile r = new RandomAccessFile(f[0].toFile(), "rw")) {
                long at = SpilledGen.HEADER + (r.length() - SpilledGen.HEADER) / 2;
                r.seek(at);
                int v = r.read();
                r.seek(at);
                r.write(v ^ 0x10);
            }
            try (RandomAccessFile r = new RandomAccessFile(f[1].toFile(), "rw")) {
                r.setLength(r.length() - 100);
            }
            try (RandomAccessFile r = new RandomAccessFile(f[2].toFile(), "rw")) {
                r.write(new byte[8]);
            }
            Files.write(f[3], new byte[0]);
            spill.forgetMaps();
            compareWindows(idx, plain, spill, 2);
            String said = log.toString(StandardCharsets.UTF_8);
            assertThat(said).contains("generation " + big.get(0).number() + " (" + f[0] + ")").contains("fails its checksum")
                    .contains("truncated").contains("not a spill file").contains("decoding the generation again");
            // each damaged generation decoded once more, spilled again and read from there since
            assertThat(spill.decodedCount()).isEqualTo(decoded + 4);
            assertThat(spill.spillOff()).isNull();
            compareWindows(idx, plain, spill, 3);
            assertThat(spill.decodedCount()).isEqualTo(decoded + 4);
        }
    }

    @Test
    void aFullDiskOrAFailedWriteFallsBackToTheHeapCacheWithAMessage() throws Exception {
        TraceIndex idx = TraceIndex.build(many, null);
        try (GenerationStore plain = new GenerationStore(idx, 1L << 30, false);
                GenerationStore full = new GenerationStore(idx, 1L << 30, true);
                GenerationStore gone = new GenerationStore(idx, 1L << 30, true)) {
            full.freeSpace = () -> GenerationStore.DISK_RESERVE + 4096;
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            ahead(full, log);
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("not spilling decoded generations any more")
                    .contains("MiB must stay free").contains("ready: all " + idx.gens.size() + " generations decoded");
            assertThat(full.spillOff()).contains("MiB free");
            assertThat(full.spilledBytes()).isZero();
            assertThat(full.cachedBytes()).isPositive();
            compareWindows(idx, plain, full, 4);
            // the directory vanished: the first write fails
            Files.delete(gone.spillDir());
            ByteArrayOutputStream log2 = new ByteArrayOutputStream();
            ahead(gone, log2);
            assertThat(log2.toString(StandardCharsets.UTF_8)).contains("writing ").contains("failed");
            assertThat(gone.spillOff()).startsWith("writing ");
            compareWindows(idx, plain, gone, 5);
        }
    }

    @Test
    void withACacheOfLessThanOneGenerationEveryGenerationIsDecodedOnceAndWindowsReadTheSpill() throws Exception {
        TraceIndex idx = TraceIndex.build(many, null);
        long budget = 64 << 10;
        try (GenerationStore heapOnly = new GenerationStore(idx, budget, false);
                GenerationStore spill = new GenerationStore(idx, budget, true)) {
            // without spilling, decode-ahead stops at the budget
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            ahead(heapOnly, log);
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("the cache (0 MiB) is full");
            ByteArrayOutputStream log2 = new ByteArrayOutputStream();
            ahead(spill, log2);
            assertThat(log2.toString(StandardCharsets.UTF_8))
                    .contains("ready: all " + idx.gens.size() + " generations decoded").contains("MiB spilled to");
            assertThat(spill.decodedCount()).isEqualTo(idx.gens.size());
            WindowQuery q = new WindowQuery(idx, spill);
            long[] threads = idx.threads.keySet().stream().mapToLong(Long::longValue).toArray();
            for (TraceIndex.Gen g : idx.gens) {
                if (g.events() == 0) {
                    continue;
                }
                long a = g.minTicks() - idx.origin();
                // a narrow window inside the generation, asked as the page asks (async: never waits)
                long b = a + Math.max(1, (g.maxTicks() - g.minTicks()) / 200);
                String ans = q.run(new WindowQuery.Params(a, b, threads, true, false, 1000, WindowQuery.MAX_ITEMS, true, true));
                assertThat(ans).as("generation " + g.number()).contains("\"mode\":\"items\"");
                assertThat(spill.cachedBytes()).isLessThanOrEqualTo(budget);
            }
            assertThat(spill.decodedCount()).isEqualTo(idx.gens.size());
        }
    }

    /** Runs decode-ahead on {@code store} and waits until it ended. */
    private static void ahead(GenerationStore store, ByteArrayOutputStream log) throws Exception {
        store.decodeAhead(new PrintStream(log, true, StandardCharsets.UTF_8));
        long until = System.nanoTime() + 180_000_000_000L;
        while (!store.progress().contains("\"ready\":1")) {
            assertThat(System.nanoTime()).as("decode-ahead ends").isLessThan(until);
            Thread.sleep(20);
        }
    }

    /**
     * Asks both stores the same windows: over each generation, the whole trace, and random ones (with and without
     * level of detail, all tasks, every thread); the answers must be equal. Returns how many were items.
     */
    private static int compareWindows(TraceIndex idx, GenerationStore want, GenerationStore got, long seed)
            throws Exception {
        WindowQuery w = new WindowQuery(idx, want);
        WindowQuery s = new WindowQuery(idx, got);
        long[] threads = idx.threads.keySet().stream().limit(WindowQuery.MAX_THREADS).mapToLong(Long::longValue)
                .toArray();
        List<long[]> windows = new ArrayList<>();
        for (TraceIndex.Gen g : idx.gens) {
            long a = g.minTicks() - idx.origin();
            windows.add(new long[] {a, Math.max(a + 1, g.maxTicks() - idx.origin())});
            long len = Math.max(1, (g.maxTicks() - g.minTicks()) / 50);
            windows.add(new long[] {a + len * 10, a + len * 11});
        }
        windows.add(new long[] {-1, idx.duration() + 1});
        Random rnd = new Random(seed);
        long d = Math.max(2, idx.duration());
        for (int i = 0; i < 30; i++) {
            long a = Math.floorMod(rnd.nextLong(), d);
            windows.add(new long[] {a, a + 1 + Math.floorMod(rnd.nextLong(), Math.max(1, d / (1 + rnd.nextInt(1000))))});
        }
        int items = 0;
        for (long[] ab : windows) {
            for (boolean lod : new boolean[] {false, true}) {
                WindowQuery.Params p = new WindowQuery.Params(ab[0], ab[1], threads, true, true, 800,
                        WindowQuery.MAX_ITEMS, false, lod);
                String expected = w.run(p);
                assertThat(s.run(p)).as("window %d..%d lod %s", ab[0], ab[1], lod).isEqualTo(expected);
                if (expected.contains("\"mode\":\"items\"") && expected.contains("[[")) { // (an item array not empty)
                    items++;
                }
            }
        }
        return items;
    }
}
