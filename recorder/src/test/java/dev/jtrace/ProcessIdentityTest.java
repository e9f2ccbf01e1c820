package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format 2.3: every generation's GEN_BEGIN names the recording process, and the reader gives it back. */
class ProcessIdentityTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    @Test
    void everyGenerationNamesThisProcessItsHostAndItsJvm() throws Exception {
        Path f = dir.resolve("p.jtrace");
        JTrace.start(TraceConfig.builder().file(f).generationPeriod(Duration.ofMillis(50)).build());
        for (int i = 0; i < 5; i++) {
            JTrace.log(null, "step", "step " + i);
            JTrace.advanceGeneration();
        }
        JTrace.stop();
        List<Generation> gens = new ArrayList<>();
        try (TraceReader r = TraceReader.open(f)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                gens.add(g);
            }
            assertThat(r.report().problems()).isEmpty();
        }
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        String host = Files.isReadable(kernel) ? Files.readString(kernel).trim() : System.getenv("HOSTNAME");
        assertThat(gens).hasSizeGreaterThanOrEqualTo(5).allSatisfy(g -> {
            assertThat(g.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(g.host()).isEqualTo(host);
            assertThat(g.jvm()).contains(System.getProperty("java.runtime.version"))
                    .startsWith(System.getProperty("java.vm.name"));
        });
    }
}
