package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.ReadBack;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recording process killed with SIGKILL keeps every generation it completed. */
class SigkillTest {
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
