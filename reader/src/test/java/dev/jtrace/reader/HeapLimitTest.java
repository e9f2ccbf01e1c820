package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.EventTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generation too big for the heap, in a child JVM with -Xmx64m: it is skipped with an error that says
 * which, how big, and what heap it needs, the next generation is read, and no OutOfMemoryError escapes.
 */
class HeapLimitTest {
    @TempDir
    static Path dir;

    static Path trace;
    static final int BIG_EVENTS = 3_000_000;

    @BeforeAll
    static void writeTrace() throws IOException {
        HandEncoder h = new HandEncoder().simpleGeneration(1, 0);
        h.genBegin(2, 1_000);
        int perBatch = 10_000;
        for (int seq = 0; seq < BIG_EVENTS / perBatch; seq++) {
            HandEncoder.Payload ev = HandEncoder.p();
            for (int i = 0; i < perBatch; i++) {
                ev.raw(EventTypes.TASK_END).u(1).u(i & 0x7F);
            }
            h.batch(2, 1, 1, seq, 1_000 + seq * (long) perBatch, perBatch, ev);
        }
        h.eventTypes(2).genEnd(2, 1_000 + BIG_EVENTS + 10, BIG_EVENTS / perBatch, BIG_EVENTS);
        h.simpleGeneration(3, 10_000_000);
        trace = h.writeTo(dir.resolve("big.jtrace"));
    }

    private static String runChild(String... extra) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("child-" + extra.length + ".txt");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), HeapChild.class.getName(), trace.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    @Test
    void theEstimateRefusesTheGenerationBeforeDecodingIt() throws Exception {
        String out = runChild();
        assertThat(out).contains("gen 1 events 4").contains("gen 3 events 4").doesNotContain("gen 2 ")
                .doesNotContain("OutOfMemoryError");
        assertThat(out).containsPattern("problem: ERROR at offset \\d+ \\(generation 2\\): generation 2 lost at offset"
                + " \\d+: \\d+ bytes, 3000000 events \\(generation skipped: it is too big for the heap: \\d+ bytes,"
                + " 3000000 events need about [\\d,.]+ MiB of heap to decode, [\\d,.]+ MiB are free \\(max heap"
                + " [\\d,.]+ MiB\\)");
    }

    @Test
    void anOutOfMemoryErrorWhileDecodingCostsOnlyThatGeneration() throws Exception {
        String out = runChild("lie");
        assertThat(out).contains("gen 1 events 4").contains("gen 3 events 4").doesNotContain("gen 2 ")
                .doesNotContain("OutOfMemoryError");
        assertThat(out).containsPattern("\\(generation 2\\): generation 2 lost .*3000000 events \\(generation skipped:"
                + " the heap ran out while decoding it \\(\\d+ bytes, 3000000 events, about [\\d,.]+ MiB needed,"
                + " max heap [\\d,.]+ MiB\\)");
    }
}
