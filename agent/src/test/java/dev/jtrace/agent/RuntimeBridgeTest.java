package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR bridge in this JVM, without the agent's hooks: what it turns JFR's samples into. */
class RuntimeBridgeTest {
    static volatile long sink;

    @Test
    void eachJfrStackIsConvertedOnceAndEverySampleStillCarriesItsOwnFrames(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("cpu.jtrace");
        AgentOptions o = AgentOptions.parse("file=" + trace + ",events=cpu");
        JTrace.start(o.config);
        RuntimeBridge bridge;
        try {
            bridge = new RuntimeBridge(o, Set.of());
            try {
                long end = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < end) {
                    sink += spinInTheTest(10_000);
                }
            } finally {
                bridge.close();
            }
        } finally {
            JTrace.stop();
        }
        // A loop in one method gives few distinct stacks: JFR hands the same object to their samples.
        assertThat(bridge.stackCacheMisses).isPositive();
        assertThat(bridge.stackCacheHits).isGreaterThan(bridge.stackCacheMisses);

        List<StackTrace> stacks = new ArrayList<>();
        long samples = 0;
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (Event e : g.events()) {
                    if (e.type().name().equals("CPUSample")) {
                        samples++;
                        if (e.stack("stack") != null) {
                            stacks.add(e.stack("stack"));
                        }
                    }
                }
            }
            assertThat(r.report().problems()).isEmpty();
        }
        // every sample the cache answered is in the trace, with the frames of the loop that was sampled
        assertThat(samples).isEqualTo(bridge.stackCacheHits + bridge.stackCacheMisses);
        assertThat(stacks).hasSize((int) samples);
        assertThat(stacks).filteredOn(s -> s.frames().stream()
                .anyMatch(f -> f.methodName().equals("eachJfrStackIsConvertedOnceAndEverySampleStillCarriesItsOwnFrames")
                        && f.className().equals(RuntimeBridgeTest.class.getName())))
                .hasSizeGreaterThan(stacks.size() / 2);
    }

    private static long spinInTheTest(int n) {
        long x = 0;
        for (int i = 0; i < n; i++) {
            x += (long) i * i ^ (x >>> 3);
        }
        return x;
    }
}
