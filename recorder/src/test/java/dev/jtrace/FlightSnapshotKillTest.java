package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL while it writes a flight snapshot over the previous one: the file under the
 * final name is always a whole snapshot (the previous or the new one), never a partial or empty file.
 */
class FlightSnapshotKillTest {
    @TempDir
    Path dir;

    @Test
    void killDuringWriteToLeavesTheLastCompleteSnapshot() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Random random = new Random(42);
        int leftovers = 0;
        for (int trial = 0; trial < 4; trial++) {
            Path file = dir.resolve("snap-" + trial + ".jtrace");
            Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    SnapshotLoop.class.getName(), file.toString()).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                // wait until at least two snapshots were completed, then kill at a random moment of a later one
                int target = 3 + random.nextInt(3);
                String line;
                while ((line = out.readLine()) != null && !line.equals("writing " + target)) {
                    assertThat(line).startsWith("writing ");
                }
                assertThat(line).as("child output").isNotNull();
                Thread.sleep(random.nextInt(15));
                p.destroyForcibly(); // SIGKILL on Linux
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(p.exitValue()).isEqualTo(137);
            ReadBack r = ReadBack.read(file);
            assertThat(r.problems).as("trial %d: reader problems", trial).isEmpty();
            assertThat(r.lostTailBytes).as("trial %d: a partial tail", trial).isZero();
            assertThat(r.generations).as("trial %d: complete generations", trial).isNotEmpty();
            assertThat(r.ofType("Log")).isNotEmpty();
            // nothing else carries the final name; a killed write may leave only its hidden temporary file
            String name = file.getFileName().toString();
            try (Stream<Path> files = Files.list(dir)) {
                List<String> others = files.map(f -> f.getFileName().toString())
                        .filter(n -> n.contains(name) && !n.equals(name)).toList();
                for (String n : others) {
                    assertThat(n).startsWith("." + name + ".").endsWith(".tmp");
                    leftovers++;
                }
            }
        }
        System.out.println("FlightSnapshotKillTest: " + leftovers + " of 4 kills landed inside a write");
    }
}
