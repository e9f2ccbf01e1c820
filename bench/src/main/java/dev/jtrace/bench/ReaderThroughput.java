package dev.jtrace.bench;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reader throughput: a large trace of region and log events read with jtrace's reader, next to JFR's
 * {@code RecordingFile} reading a JFR file of the same operations. Best of three reads each.
 */
public final class ReaderThroughput {
    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        Path jt = Files.createTempFile("reader", ".jtrace");
        Path jf = Files.createTempFile("reader", ".jfr");
        JTrace.start(TraceConfig.builder().file(jt).build());
        Task t = JTrace.newTask(null, "t");
        for (int i = 0; i < ops; i++) {
            try (Region r = JTrace.region(t, "r" + (i & 7))) {
                JTrace.log(t, "c", "m" + (i & 15));
            }
        }
        JTrace.stop();
        try (Recording rec = BytesPerEvent.jfr(jf)) {
            for (int i = 0; i < ops; i++) {
                TracerBench.JfrRegion e = new TracerBench.JfrRegion();
                e.begin();
                TracerBench.JfrLog l = new TracerBench.JfrLog();
                l.task = 1;
                l.category = "c";
                l.message = "m" + (i & 15);
                l.commit();
                e.task = 1;
                e.name = "r" + (i & 7);
                e.commit();
            }
            rec.stop();
        }
        double jtBest = Double.MAX_VALUE;
        double jfBest = Double.MAX_VALUE;
        long jtEvents = 0;
        long jfEvents = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            jtEvents = 0;
            try (TraceReader r = TraceReader.open(jt)) {
                Generation g;
                while ((g = r.nextGeneration()) != null) {
                    jtEvents += g.events().size();
                }
            }
            jtBest = Math.min(jtBest, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            jfEvents = 0;
            try (RecordingFile f = new RecordingFile(jf)) {
                while (f.hasMoreEvents()) {
                    RecordedEvent e = f.readEvent();
                    if (e.getEventType().getName().startsWith("jtrace.bench")) {
                        jfEvents++;
                    }
                }
            }
            jfBest = Math.min(jfBest, (System.nanoTime() - t0) / 1e9);
        }
        long jtBytes = Files.size(jt);
        long jfBytes = Files.size(jf);
        System.out.printf("%nreader throughput (%,d region+log operations; best of 3)%n%n", ops);
        System.out.println("| reader | file MB | events | seconds | M events/s | MB/s | ns per operation |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        System.out.printf("| jtrace TraceReader | %.1f | %,d | %.2f | %.2f | %.1f | %.0f |%n", jtBytes / 1e6, jtEvents, jtBest,
                jtEvents / jtBest / 1e6, jtBytes / jtBest / 1e6, jtBest * 1e9 / ops);
        System.out.printf("| JFR RecordingFile | %.1f | %,d | %.2f | %.2f | %.1f | %.0f |%n", jfBytes / 1e6, jfEvents, jfBest,
                jfEvents / jfBest / 1e6, jfBytes / jfBest / 1e6, jfBest * 1e9 / ops);
        System.out.printf("(jtrace writes 3 events per operation: region begin, log, region end; JFR 2: log, region)%n");
        Files.delete(jt);
        Files.delete(jf);
    }
}
