package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;

/**
 * Bytes per event in the file, jtrace next to JFR, for the same events: a region-heavy workload (begin and
 * end of a few region names) and a log-heavy one (a few categories, messages from a small set).
 */
public final class BytesPerEvent {
    private static final int N = 1_000_000;

    public static void main(String[] args) throws Exception {
        System.out.println("\nbytes per event in the file (" + N + " operations each)\n");
        System.out.println("| workload | events | jtrace bytes/event | JFR bytes/event | file size jtrace/JFR |");
        System.out.println("| --- | --- | --- | --- | --- |");
        row("region-heavy (begin+end)", 2L * N, jtraceRegions(), jfrRegions());
        row("log-heavy", N, jtraceLogs(), jfrLogs());
        // the mix: per operation jtrace writes 7 events (task begin and end, 2 regions' begin and end, a log)
        row("demo-like mix (task, 2 regions, log)", 7L * N / 10, jtraceMix(), jfrMix());
    }

    private static void row(String name, long events, long jtraceBytes, long jfrBytes) {
        // JFR writes one event per region (a duration event) where jtrace writes two (begin, end): in the mix 5
        // events to jtrace's 7
        long jfrEvents = name.startsWith("region") ? events / 2 : name.startsWith("demo") ? events * 5 / 7 : events;
        System.out.printf("| %s | %,d (JFR: %,d) | %.2f | %.2f | %.2fx |%n", name, events, jfrEvents,
                jtraceBytes / (double) events, jfrBytes / (double) jfrEvents,
                (jtraceBytes / (double) N) / (jfrBytes / (double) N));
    }

    private static final String[] NAMES = {"parse", "validate", "store", "render"};

    private static long jtraceRegions() throws Exception {
        Path f = Files.createTempFile("bytes", ".jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        Task t = JTrace.newTask(null, "t");
        for (int i = 0; i < N; i++) {
            try (Region r = JTrace.region(t, NAMES[i & 3])) {
                // nothing
            }
        }
        JTrace.stop();
        return sizeAndDelete(f);
    }

    private static long jfrRegions() throws Exception {
        Path f = Files.createTempFile("bytes", ".jfr");
        try (Recording rec = jfr(f)) {
            for (int i = 0; i < N; i++) {
                TracerBench.JfrRegion e = new TracerBench.JfrRegion();
                e.begin();
                e.task = 1;
                e.name = NAMES[i & 3];
                e.commit();
            }
            rec.stop();
        }
        return sizeAndDelete(f);
    }

    private static long jtraceLogs() throws Exception {
        Path f = Files.createTempFile("bytes", ".jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        Task t = JTrace.newTask(null, "t");
        for (int i = 0; i < N; i++) {
            JTrace.log(t, NAMES[i & 3], NAMES[(i >> 2) & 3]);
        }
        JTrace.stop();
        return sizeAndDelete(f);
    }

    private static long jfrLogs() throws Exception {
        Path f = Files.createTempFile("bytes", ".jfr");
        try (Recording rec = jfr(f)) {
            for (int i = 0; i < N; i++) {
                TracerBench.JfrLog e = new TracerBench.JfrLog();
                e.task = 1;
                e.category = NAMES[i & 3];
                e.message = NAMES[(i >> 2) & 3];
                e.commit();
            }
            rec.stop();
        }
        return sizeAndDelete(f);
    }

    private static long jtraceMix() throws Exception {
        Path f = Files.createTempFile("bytes", ".jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        for (int i = 0; i < N / 10; i++) {
            Task t = JTrace.newTask(null, "order");
            try (Region r = JTrace.region(t, "handle")) {
                try (Region p = JTrace.region(t, "parse")) {
                    JTrace.log(t, "request", NAMES[i & 3]);
                }
            }
            t.end();
        }
        JTrace.stop();
        return sizeAndDelete(f);
    }

    private static long jfrMix() throws Exception {
        Path f = Files.createTempFile("bytes", ".jfr");
        try (Recording rec = jfr(f)) {
            for (int i = 0; i < N / 10; i++) {
                TracerBench.JfrTaskBegin b = new TracerBench.JfrTaskBegin();
                b.task = i;
                b.name = "order";
                b.commit();
                TracerBench.JfrRegion outer = new TracerBench.JfrRegion();
                outer.begin();
                TracerBench.JfrRegion inner = new TracerBench.JfrRegion();
                inner.begin();
                TracerBench.JfrLog l = new TracerBench.JfrLog();
                l.task = i;
                l.category = "request";
                l.message = NAMES[i & 3];
                l.commit();
                inner.task = i;
                inner.name = "parse";
                inner.commit();
                outer.task = i;
                outer.name = "handle";
                outer.commit();
                TracerBench.JfrTaskEnd e = new TracerBench.JfrTaskEnd();
                e.task = i;
                e.commit();
            }
            rec.stop();
        }
        return sizeAndDelete(f);
    }

    static Recording jfr(Path f) throws Exception {
        Recording rec = new Recording();
        rec.enable(TracerBench.JfrLog.class).withoutStackTrace();
        rec.enable(TracerBench.JfrRegion.class).withoutStackTrace().withThreshold(java.time.Duration.ZERO);
        rec.enable(TracerBench.JfrTaskBegin.class).withoutStackTrace();
        rec.enable(TracerBench.JfrTaskEnd.class).withoutStackTrace();
        rec.setDestination(f);
        rec.start();
        return rec;
    }

    private static long sizeAndDelete(Path f) throws Exception {
        long n = Files.size(f);
        Files.delete(f);
        return n;
    }
}
