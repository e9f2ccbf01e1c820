package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.ReadBack;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Errors on the writer thread (injected at each writer step, and real ones from a full heap): the writer
 * survives, every generation in the file is well-formed, every event whose call returned is in the trace
 * or counted lost, and stop completes.
 */
class WriterFaultTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        Faults.disarm();
        JTrace.stop();
    }

    static Stream<Arguments> writerSteps() {
        return Stream.of(Faults.Step.ADVANCE_CLOCK, Faults.Step.RECORD_MID, Faults.Step.TABLES,
                Faults.Step.WRITER_POLL).flatMap(s -> Stream.of(Arguments.of(s, "OutOfMemoryError"),
                        Arguments.of(s, "StackOverflowError")));
    }

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("writerSteps")
    void writerSurvivesErrorsAtEveryStep(Faults.Step step, String kind) throws Exception {
        Path file = dir.resolve(step + "-" + kind + ".jtrace");
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(20)).build());
        Session s = Session.active();
        Throwable error = kind.equals("OutOfMemoryError") ? new OutOfMemoryError("injected")
                : new StackOverflowError("injected");
        Faults.armTimes(s.writerThread(), step, error, 5);
        int threads = 4;
        int perThread = 30_000;
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    JTrace.counter("n", i);
                    if (i % 1000 == 0) {
                        sleep(2);
                    }
                }
            }));
        }
        for (Thread t : all) {
            t.join();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long extra = 0;
        while (!Faults.fired() && System.nanoTime() < deadline) {
            JTrace.counter("n", -1);
            extra++;
            sleep(5);
        }
        assertThat(Faults.fired()).as("the writer reached %s five times", step).isTrue();
        // a few more generations after the last fault, so that carried loss counts reach a LOSS table
        long written = s.generationsWritten();
        while (s.generationsWritten() < written + 3 && System.nanoTime() < deadline) {
            JTrace.counter("n", -1);
            extra++;
            sleep(5);
        }
        if (step != Faults.Step.ADVANCE_CLOCK) {
            assertThat(s.writerErrors()).as("errors the writer survived").isGreaterThanOrEqualTo(5);
        }
        assertThat(s.writerThread().isAlive()).as("writer thread alive").isTrue();
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                JTrace.stop();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        stopper.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(stopper.isAlive()).as("stop() completed").isFalse();

        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).as("every generation in the file is well-formed").isEmpty();
        long recorded = r.ofType("Counter").size();
        long lost = r.lossByReason.entrySet().stream().filter(e -> Format.lossCountsEvents(e.getKey()))
                .mapToLong(e -> e.getValue()).sum() + r.traceEndLostEvents;
        assertThat(recorded + lost).as("recorded %d + lost %s", recorded, r.lossByReason)
                .isEqualTo((long) threads * perThread + extra);
        if (step == Faults.Step.TABLES) {
            assertThat(r.loss(Format.LOSS_WRITER_ERROR)).as("generations broken by the error are counted").isPositive();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A child JVM on a 48 MiB heap records while another thread keeps the heap full: real
     * OutOfMemoryErrors hit the writer (advance, clocks, tables, sinks) and the application threads at random
     * points. The writer survives, stop completes, the file is well-formed and the accounting holds.
     */
    @Test
    void fullHeapNeverKillsTheWriterNorCorruptsTheTrace() throws Exception {
        Path file = dir.resolve("fullheap.jtrace");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx48m", "-XX:-UseGCOverheadLimit", "-cp",
                System.getProperty("java.class.path"), FullHeap.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            in.lines().forEach(lines::add);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String result = lines.stream().filter(l -> l.startsWith("result ")).findFirst().orElse(null);
        assertThat(result).as("child output: %s", lines).isNotNull();
        // result returned=N thrown=M writerErrors=E
        String[] f = result.split(" ");
        long returned = Long.parseLong(f[1].substring("returned=".length()));
        long thrown = Long.parseLong(f[2].substring("thrown=".length()));
        long writerErrors = Long.parseLong(f[3].substring("writerErrors=".length()));
        System.out.println("full heap: " + result);
        ReadBack r = ReadBack.read(file);
        r.problems.forEach(x -> System.out.println("full heap problem: " + x));
        // a generation broken by an error is not in the file (the reader says which are missing); its events
        // are counted in a later LOSS table (writerError); nothing else may be wrong
        List<String> other = r.problems.stream().filter(x -> !x.matches(".*generations \\d+\\.\\.\\d+ are missing.*"))
                .filter(x -> !x.contains("events lost to errors on its writer thread at the end"))
                .toList();
        assertThat(other).as("well-formed after %d writer errors", writerErrors).isEmpty();
        if (r.problems.stream().anyMatch(x -> x.matches(".*generations \\d+\\.\\.\\d+ are missing.*"))) {
            assertThat(r.loss(Format.LOSS_WRITER_ERROR)).isPositive();
        }
        long recorded = r.ofType("Counter").size();
        long lost = r.lossByReason.entrySet().stream().filter(e -> Format.lossCountsEvents(e.getKey()))
                .mapToLong(e -> e.getValue()).sum() + r.traceEndLostEvents;
        assertThat(recorded + lost).as("recorded %d lost %s returned %d thrown %d", recorded, r.lossByReason, returned,
                thrown).isBetween(returned, returned + thrown);
    }
}
