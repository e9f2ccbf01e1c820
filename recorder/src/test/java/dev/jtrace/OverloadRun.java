package dev.jtrace;

import dev.jtrace.format.Format;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code threads} platform threads call {@code JTrace.log} flat out for a while; the trace is then read
 * back generation by generation (never all of it in memory). Also a command line program, so that the
 * same load can be measured against any build of the recorder: {@code OverloadRun threads millis file
 * [config]}.
 */
public final class OverloadRun {
    /** One generation of the trace as the file has it. */
    public record Gen(long number, long bytes, long nanos, long events, long lost) {}

    /** What the threads did and what the file says. */
    public record Result(int threads, long millis, long emitted, long recorded, long lost, List<Gen> generations,
            java.util.Map<Integer, Long> lossByReason, List<String> problems, long fileBytes, long gcPauseMillis) {
        public Gen largestBySize() {
            return generations.stream().max(java.util.Comparator.comparingLong(Gen::bytes)).orElseThrow();
        }

        public Gen longest() {
            return generations.stream().max(java.util.Comparator.comparingLong(Gen::nanos)).orElseThrow();
        }

        @Override
        public String toString() {
            Gen big = largestBySize();
            Gen lng = longest();
            return String.format("threads=%d emitted=%d recorded=%d lost=%d (%s) generations=%d largest=%.1f MiB"
                    + " (gen %d, %.2f s) longest=%.2f s (gen %d, %.1f MiB) file=%.1f MiB gcPauses=%d ms", threads, emitted,
                    recorded, lost, lossByReason, generations.size(), big.bytes / 1048576.0, big.number, big.nanos / 1e9,
                    lng.nanos / 1e9, lng.number, lng.bytes / 1048576.0, fileBytes / 1048576.0, gcPauseMillis);
        }
    }

    private OverloadRun() {}

    /** Records the load into {@code file} with {@code config} (its file is replaced) and reads it back. */
    public static Result run(int threads, long millis, Path file, TraceConfig config) throws Exception {
        long gc0 = gcPauseMillis();
        JTrace.start(config.toBuilder().file(file).build());
        long[] counts = new long[threads];
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(threads);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            all.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                ready.countDown();
                long n = 0;
                while (!stop.get()) {
                    JTrace.log(null, "load", "m");
                    n++; // counts calls that returned
                }
                counts[id] = n;
            }));
        }
        ready.await();
        Thread.sleep(millis);
        stop.set(true);
        for (Thread t : all) {
            t.join();
        }
        JTrace.stop();
        long gc = gcPauseMillis() - gc0;
        long emitted = 0;
        for (long c : counts) {
            emitted += c;
        }
        return read(threads, millis, emitted, gc, file);
    }

    /**
     * The JVM's stop-the-world collection time so far, in ms: every collector's but G1's concurrent cycles
     * (which run beside the application and stop nothing).
     */
    static long gcPauseMillis() {
        long sum = 0;
        for (var b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!b.getName().contains("Concurrent")) {
                sum += Math.max(0, b.getCollectionTime());
            }
        }
        return sum;
    }

    /** Reads the trace back, one generation at a time ({@code gcPauseMillis}: measured during the run). */
    public static Result read(int threads, long millis, long emitted, long gcPauseMillis, Path file)
            throws IOException {
        List<Gen> gens = new ArrayList<>();
        java.util.Map<Integer, Long> loss = new java.util.TreeMap<>();
        long recorded = 0;
        long lost = 0;
        List<String> problems = new ArrayList<>();
        long size;
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                long events = 0;
                for (var e : g.events()) {
                    if ("Log".equals(e.type().name())) {
                        events++;
                    }
                }
                long genLost = 0;
                for (LossRecord l : g.losses()) {
                    loss.merge(l.reason(), l.count(), Long::sum);
                    if (Format.lossCountsEvents(l.reason())) {
                        genLost += l.count();
                    }
                }
                recorded += events;
                lost += genLost;
                gens.add(new Gen(g.number(), r.position() - g.fileOffset(), g.endWallNanos() - g.startWallNanos(),
                        events, genLost));
            }
            r.report().problems().stream().map(Object::toString)
                    .filter(p -> !p.contains("unknown record kind " + Format.REC_TRACE_END + " skipped"))
                    .forEach(problems::add);
            size = r.fileSize();
        }
        return new Result(threads, millis, emitted, recorded, lost, gens, loss, problems, size, gcPauseMillis);
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long millis = Long.parseLong(args[1]);
        TraceConfig config = TraceConfig.parse(args.length > 3 ? args[3] : "");
        System.out.println(run(threads, millis, Path.of(args[2]), config));
    }
}
