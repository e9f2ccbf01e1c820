package dev.jtrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jtrace stats} on a damaged file says what the file lost. */
class StatsLossTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aCorruptBatchIsPrintedAsLostEvents() throws Exception {
        Path f = dir.resolve("t.jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        Task t = JTrace.newTask(null, "job");
        for (int i = 0; i < 100; i++) {
            try (Region r = JTrace.region(t, "step")) {
                JTrace.log(t, "cat", "line " + i);
            }
        }
        t.end();
        JTrace.stop();
        byte[] b = Files.readAllBytes(f);
        int flipped = dev.jtrace.model.TraceBuilder.flipBitInFirstBatch(b);
        assertThat(flipped).as("a batch in the trace").isPositive();
        Path bad = Files.write(dir.resolve("bad.jtrace"), b);
        Run text = run("stats", bad.toString());
        assertThat(text.code()).isZero();
        assertThat(text.out()).containsPattern("lost in the file: 0 generations, [\\d,]+ bytes, [\\d,]+ events")
                .contains("bad checksum").contains("batches missing by GEN_END's counts");
        Run json = run("stats", "--json", bad.toString());
        assertThat(json.out()).containsPattern("\"lostFileEvents\":[1-9]\\d*").contains("\"lostFileGenerations\":0");
    }
}
