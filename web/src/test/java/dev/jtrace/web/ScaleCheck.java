package dev.jtrace.web;

import dev.jtrace.TraceConfig;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Not a test: a measurement (docs/viewer.md says how to run it). When the file does not exist, records a trace
 * of about EVENTS events into it and stops (8 threads; per operation a task, a region around a nested region and
 * a log: 7 events). Otherwise builds the index and reports its time and the heap's peak, then times window
 * queries over HTTP: the whole trace, and zoomed windows at random places.
 *
 * <pre>java -Xmx1g -cp ... dev.jtrace.web.ScaleCheck FILE [EVENTS]</pre>
 */
public final class ScaleCheck {
    private ScaleCheck() {}

    public static void main(String[] args) throws Exception {
        Path f = Path.of(args[0]);
        long events = args.length > 1 ? Long.parseLong(args[1]) : 5_000_000;
        if (!Files.exists(f)) {
            record(f, events); // measured in a JVM of its own: run again to measure the viewer
            return;
        }
        System.out.printf("trace: %s, %,d bytes; max heap %,d MiB%n", f, Files.size(f),
                Runtime.getRuntime().maxMemory() >> 20);
        resetPeaks();
        long t0 = System.nanoTime();
        TraceIndex idx = TraceIndex.build(f, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.gc();
        long retained = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf("index: %,d events, %,d generations, %,d threads in %.2f s (%.1f M events/s); most heap in"
                + " use during the pass %,d MiB, retained after GC %,d MiB (index estimate %,d MiB, grid bucket %,d ns)%n",
                idx.events(), idx.generations(), idx.threads(), secs, idx.events() / secs / 1e6, peak() >> 20,
                retained >> 20, idx.estimatedBytes() >> 20, idx.grid.width());
        System.out.printf("state track: %,d intervals, %,d KiB, merged below %,d ns%n", idx.states.intervals(),
                idx.states.bytes() >> 10, idx.states.resolution());
        try (ViewerServer s = ViewerServer.start(idx, 0, ViewerServer.defaultCacheBytes(), System.err)) {
            HttpClient http = HttpClient.newHttpClient();
            // the rows a page asks for at once: at most a request's worth (a trace may have millions of threads)
            String threads = idx.threads.keySet().stream().limit(WindowQuery.MAX_THREADS).map(String::valueOf)
                    .collect(Collectors.joining(","));
            long d = idx.duration();
            query(http, s, "whole trace, all rows", 0, d, threads);
            query(http, s, "whole trace again", 0, d, threads);
            Random rnd = new Random(3);
            for (long div : new long[] {100, 1000, 10_000, 100_000}) {
                List<Double> ms = new ArrayList<>();
                String last = "";
                for (int i = 0; i < 5; i++) {
                    long from = (long) (rnd.nextDouble() * (d - d / div));
                    last = query(http, s, null, from, from + d / div, threads);
                    ms.add(lastMillis);
                }
                System.out.printf("  1/%-7d of the trace, 5 places: %s ms; last: %s%n", div,
                        ms.stream().map(x -> String.format("%.0f", x)).collect(Collectors.joining(", ")), last);
            }
            System.out.printf("generations decoded: %d; most heap in use overall %,d MiB%n", s.generationsDecoded(),
                    peak() >> 20);
        }
    }

    private static double lastMillis;
    private static final Pattern MODE = Pattern.compile("\"mode\":\"(\\w+)\"");
    private static final Pattern SOURCE = Pattern.compile("\"source\":\"(\\w+)\"");
    private static final Pattern READ = Pattern.compile("\"generationsRead\":(\\d+)");

    private static String query(HttpClient http, ViewerServer s, String label, long from, long to, String threads)
            throws Exception {
        URI uri = URI.create(s.uri() + "api/window?from=" + from + "&to=" + to + "&threads=" + threads
                + "&tasks=1&px=1500");
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        lastMillis = (System.nanoTime() - t0) / 1e6;
        String b = r.body();
        Matcher m = MODE.matcher(b);
        Matcher src = SOURCE.matcher(b);
        Matcher read = READ.matcher(b);
        String what = r.statusCode() + " " + (m.find() ? m.group(1) : "?") + (src.find() ? " from " + src.group(1) : "")
                + (read.find() ? ", " + read.group(1) + " generations read" : "") + String.format(", %,d bytes", b.length());
        if (label != null) {
            System.out.printf("  %-28s %6.0f ms: %s%n", label, lastMillis, what);
        }
        return what;
    }

    /** The most heap in use seen by a sampler every 5 ms since the last reset (garbage included). */
    private static final java.util.concurrent.atomic.AtomicLong PEAK = new java.util.concurrent.atomic.AtomicLong();

    private static void resetPeaks() {
        PEAK.set(0);
        if (SAMPLER.getState() == Thread.State.NEW) {
            SAMPLER.start();
        }
    }

    private static final Thread SAMPLER = new Thread(() -> {
        var mem = ManagementFactory.getMemoryMXBean();
        while (true) {
            PEAK.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    });

    static {
        SAMPLER.setDaemon(true);
    }

    private static long peak() {
        return PEAK.get();
    }

    private static void record(Path f, long events) throws Exception {
        int threads = 8;
        long ops = events / 7 / threads;
        long t0 = System.nanoTime();
        TestTraces.load(TraceConfig.builder().file(f).build(), threads, ops);
        System.out.printf("recorded %,d operations (%,d events) in %.1f s%n", ops * threads, ops * threads * 7,
                (System.nanoTime() - t0) / 1e9);
    }
}
