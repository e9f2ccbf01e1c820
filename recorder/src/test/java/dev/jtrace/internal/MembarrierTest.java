package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which seqlock protocol a JVM chooses (docs/design.md, "The seqlock fence"): membarrier where it can be
 * had, the fenced path otherwise and whenever {@code jtrace.barrier=fence} asks for it. The two runs of the
 * recorder's tests (recorder/pom.xml) expect one each: without native access the fenced path, with it, on
 * this project's Linux x86-64 machines, membarrier.
 */
class MembarrierTest {
    @Test
    void theChoiceFollowsNativeAccessAndThePlatform() {
        String expected = System.getProperty("jtrace.test.expectBarrier");
        boolean linuxX64 = System.getProperty("os.name", "").startsWith("Linux")
                && System.getProperty("os.arch", "").equals("amd64");
        if ("fence".equals(expected)) {
            assertThat(Membarrier.kind()).isEqualTo("fence");
            assertThat(Membarrier.whyNot()).contains("native access");
        } else if ("membarrier".equals(expected) && linuxX64) {
            assertThat(Membarrier.whyNot()).isNull();
            assertThat(Membarrier.kind()).isEqualTo("membarrier");
        }
        // either way the advance's half returns (a no-op on the fenced path)
        Membarrier.serialize();
    }

    @Test
    void theFencedPathCanBeForcedAndAnUnknownValueFallsBackToIt() throws Exception {
        assertThat(childKind("-Djtrace.barrier=fence")).containsExactly("fence jtrace.barrier=fence");
        List<String> unknown = childKind("-Djtrace.barrier=sometimes");
        assertThat(unknown).contains("fence unknown jtrace.barrier 'sometimes' (auto, membarrier or fence)");
        assertThat(unknown).anyMatch(l -> l.startsWith("jtrace: unknown jtrace.barrier 'sometimes'"));
    }

    @Test
    void askingForMembarrierWithoutNativeAccessSaysWhy() throws Exception {
        List<String> out = childKind("-Djtrace.barrier=membarrier");
        assertThat(out).contains("fence native access is not enabled (--enable-native-access=ALL-UNNAMED)");
        assertThat(out).anyMatch(l -> l.startsWith("jtrace: jtrace.barrier=membarrier is not available ("));
    }

    /** The child's {@link Membarrier#kind} and {@link Membarrier#whyNot}, after what it printed on stderr. */
    private static List<String> childKind(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** Prints the barrier this JVM chose. */
    static final class Child {
        public static void main(String[] args) {
            Membarrier.serialize();
            System.out.println(Membarrier.kind() + " " + Membarrier.whyNot());
        }
    }
}
