package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.ReadBack;
import dev.jtrace.format.Format;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recording process killed with SIGKILL keeps every generation it completed, and they are fresh. */
class SigkillTest {
    /**
     * Eight threads log flat out on two cores; the process is killed at a random moment. Every event emitted
     * more than two periods before the kill is in the file or counted lost: the last complete generation
     * ended no earlier than two periods before the kill, and each thread's numbers are contiguous from 0 up to
     * its last recorded one except for as many as the file counts lost for that thread.
     */
    @Test
    void killedUnderLoadTheFileIsFreshAndItsLossesCounted() throws Exception {
        long periodMs = 250;
        for (int trial = 0; trial < 3; trial++) {
            Path file = dir.resolve("load-" + trial + ".jtrace");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    KillUnderLoad.class.getName(), file.toString(), Long.toString(periodMs), "8")
                    .redirectErrorStream(true).start();
            long killWallNanos;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                assertThat(out.readLine()).isEqualTo("ready");
                Thread.sleep(ThreadLocalRandom.current().nextLong(200, 1500));
                killWallNanos = System.currentTimeMillis() * 1_000_000L;
                p.destroyForcibly();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            long lastEndWall = 0;
            Map<Long, long[]> perThread = new HashMap<>(); // thread -> {count, max}
            Map<Long, Long> lostPerThread = new HashMap<>();
            long lostUnattributed = 0;
            try (TraceReader r = TraceReader.open(file)) {
                Generation g;
                while ((g = r.nextGeneration()) != null) {
                    lastEndWall = g.endWallNanos();
                    for (var e : g.events()) {
                        if (e.type().name().equals("Counter")) {
                            long[] c = perThread.computeIfAbsent(e.threadId(), k -> new long[] {0, -1});
                            c[0]++;
                            c[1] = Math.max(c[1], e.arg("value"));
                        }
                    }
                    for (LossRecord l : g.losses()) {
                        if (Format.lossCountsEvents(l.reason())) {
                            if (l.threadId() == 0) {
                                lostUnattributed += l.count();
                            } else {
                                lostPerThread.merge(l.threadId(), l.count(), Long::sum);
                            }
                        }
                    }
                }
            }
            long staleness = killWallNanos - lastEndWall;
            System.out.printf("sigkill trial %d: last generation ended %.0f ms before the kill, %d threads%n", trial,
                    staleness / 1e6, perThread.size());
            // two periods, plus the scheduling slack of a shared 2-core machine (the kill itself is not instant)
            assertThat(staleness).as("freshness").isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2 * periodMs + 250));
            assertThat(perThread).hasSize(8);
            for (var e : perThread.entrySet()) {
                long missing = e.getValue()[1] + 1 - e.getValue()[0];
                long counted = lostPerThread.getOrDefault(e.getKey(), 0L);
                // events of the last complete generation may come after losses counted only in a later one
                assertThat(missing).as("thread %d: missing numbers vs lost counted", e.getKey())
                        .isLessThanOrEqualTo(counted + lostUnattributed);
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void killedRecordingKeepsItsCompleteGenerations() throws Exception {
        Path file = dir.resolve("killed.jtrace");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KillMe.class.getName(),
                file.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line = out.readLine();
            assertThat(line).isEqualTo("ready");
            Thread.sleep(300);
            p.destroyForcibly(); // SIGKILL on Linux
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isEqualTo(137);
        ReadBack r = ReadBack.read(file);
        assertThat(r.generations.size()).isGreaterThanOrEqualTo(5);
        var values = r.ofType("Counter").stream().map(e -> e.num("value")).toList();
        assertThat(values).isNotEmpty();
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).as("contiguous from the start").isEqualTo(i);
        }
    }
}
