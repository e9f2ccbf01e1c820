package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.ReadBack;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the recorder holds stays within the bound of docs/design.md, whatever the application does. */
class MemoryBoundTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        JTrace.stop();
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime(); // (java.lang.management is not read by the recorder module)
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void distinctStringsAreDroppedAndCountedAtTheBudget() throws Exception {
        Path file = dir.resolve("unique.jtrace");
        TraceConfig config = TraceConfig.builder().file(file).generationMaxBytes(4L << 20)
                .maxBufferedBytes(8L << 20).build();
        long baseline = liveHeap();
        JTrace.start(config);
        Session s = Session.active();
        long tableBudget = Session.tableBudget(config);
        AtomicBoolean stop = new AtomicBoolean();
        int threads = 4;
        long[] counts = new long[threads];
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            all.add(Thread.ofPlatform().start(() -> {
                long k = 0;
                while (!stop.get()) {
                    JTrace.log(null, "u", id + ":" + k++); // a new string every call
                    counts[id]++;
                }
            }));
        }
        long maxTable = 0;
        long maxLive = 0;
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            maxTable = Math.max(maxTable, Math.max(s.strings(0).heapBytes(), s.strings(1).heapBytes()));
            maxLive = Math.max(maxLive, liveHeap() - baseline);
        }
        stop.set(true);
        for (Thread t : all) {
            t.join();
        }
        JTrace.stop();
        // bound: the buffers (lanes x 2 x buffer + budget + pool) and four tables of tableBudget each, plus
        // the strings the loop itself has in flight and the JVM's noise
        long bound = s.memoryBoundBytes() + 4 * tableBudget + (16L << 20);
        System.out.printf("unique strings: table max %.1f MiB (budget %.1f), recorder live heap max %.1f MiB (bound %.1f)%n",
                maxTable / 1048576.0, tableBudget / 1048576.0, maxLive / 1048576.0, bound / 1048576.0);
        assertThat(maxTable).isLessThanOrEqualTo(tableBudget);
        assertThat(maxLive).isLessThanOrEqualTo(bound);

        // counted, not kept: at full speed the threads write millions of events, most of them markers, whose
        // kept form overflowed the test JVM's heap
        long[] markerCount = new long[1];
        ReadBack r = ReadBack.read(file, e -> {
            if (e.type().name().equals("Log") && StringTable.DROPPED.equals(e.string("message"))) {
                markerCount[0]++;
            }
            return false;
        });
        assertThat(r.problems).isEmpty();
        long emitted = 0;
        for (long c : counts) {
            emitted += c;
        }
        long logs = r.countByType.getOrDefault("Log", 0L);
        long lost = r.totalLoss();
        long markers = markerCount[0];
        System.out.printf("unique strings: %,d events emitted, %,d recorded (%,d with the marker), %,d lost%n",
                emitted, logs, markers, lost);
        assertThat(logs + lost).as("recorded + lost, %s", r.lossByReason).isEqualTo(emitted);
        assertThat(markers).as("events whose message was dropped show the marker").isPositive();
        assertThat(r.loss(Format.LOSS_STRINGS_DROPPED)).as("and are counted").isEqualTo(markers);
    }

    @Test
    void manyPlatformThreadsReuseTheirBuffersInsteadOfAllocatingAtEverySwitch() throws Exception {
        // A pool sized for the shared lanes alone (2 x 4 + 32) made nearly every buffer switch of 128 platform
        // threads allocate: the garbage, as fast as the trace's bytes, made young-GC pauses of up to a second
        // under load, which stopped every thread and made generations last seconds (OverloadTest).
        Path file = dir.resolve("reuse.jtrace");
        int buffer = 16 * 1024;
        long budget = 4L << 20;
        JTrace.start(TraceConfig.builder().file(file).bufferSize(buffer).maxBufferedBytes(budget)
                .generationPeriod(Duration.ofMillis(200)).build());
        Session s = Session.active();
        int threads = 128;
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    JTrace.log(null, "reuse", "m");
                }
            }));
        }
        Thread.sleep(1500);
        int capacity = s.poolCapacity();
        stop.set(true);
        for (Thread t : all) {
            t.join();
        }
        JTrace.stop();
        long switches = java.nio.file.Files.size(file) / buffer; // buffers filled, about
        long allocated = s.buffersAllocated();
        System.out.printf("buffer reuse: %d threads, about %d buffers filled, %d allocated, pool capacity %d%n",
                threads, switches, allocated, capacity);
        assertThat(capacity).as("the pool follows the lanes").isGreaterThanOrEqualTo(threads);
        // what a pool that fits the lanes still allocates: each lane's two buffers, the pool itself and a
        // queue as deep as the budget, once; never one per switch
        long lanes = threads + s.sharedLaneCount() + 2;
        assertThat(allocated).as("allocated of %d switches", switches)
                .isLessThanOrEqualTo(3 * lanes + 32 + budget / buffer).isLessThan(switches / 4);
    }

    @Test
    void shortLivedThreadsReturnTheirLanes() throws Exception {
        Path file = dir.resolve("short.jtrace");
        long baseline = liveHeap();
        // no advance during the test: before, every dead thread's 64 KiB buffer waited for it
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofSeconds(30)).build());
        int total = 20_000;
        int wave = 200;
        long maxLive = 0;
        for (int done = 0; done < total; done += wave) {
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < wave; i++) {
                int k = done + i;
                ts.add(Thread.ofPlatform().start(() -> JTrace.counter("once", k)));
            }
            for (Thread t : ts) {
                t.join();
            }
            if (done % 5000 == 0) {
                maxLive = Math.max(maxLive, liveHeap() - baseline);
            }
        }
        // the last wave's lanes come back at the writer's next wake-up: within a second
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Session.registeredLanes() >= 50 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        maxLive = Math.max(maxLive, liveHeap() - baseline);
        long lanes = Session.registeredLanes();
        System.out.printf("short-lived threads: %d threads, live heap max %.1f MiB, lanes left %d%n", total,
                maxLive / 1048576.0, lanes);
        // bound: the session's buffers (the budget is not used: nothing queues) plus per ended thread of the
        // generation a thread-table entry (~100 bytes); 20,000 buffers of 64 KiB would be 1.2 GiB
        assertThat(maxLive).isLessThanOrEqualTo(Session.active().memoryBoundBytes() + total * 200L);
        assertThat(maxLive).isLessThan(64L << 20);
        assertThat(lanes).isLessThan(50);
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Counter")).hasSize(total);
        assertThat(r.ofType("Counter").stream().map(ReadBack.Ev::thread).filter(r.threadNames::containsKey)
                .distinct().count()).isEqualTo(total);
    }
}
