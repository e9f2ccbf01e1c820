package dev.jtrace.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regions the recorder writes in the compact types (RegionBeginNoStack, RegionEndAfterBegin: docs/format.md)
 * become the same spans as full ones: every region matched with its end, its name, task, thread and depth.
 */
class CompactRegionsTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    @Test
    void leafAndNestedRegionsOfARecordingMatchAsSpans() throws Exception {
        Path file = dir.resolve("regions.jtrace");
        // small buffers: ends in the batch after their begin (written in full) as well as compact ones
        JTrace.start(TraceConfig.builder().file(file).bufferSize(TraceConfig.MIN_BUFFER_SIZE).build());
        Task t = JTrace.newTask(null, "t");
        int n = 3_000;
        for (int i = 0; i < n; i++) {
            try (Region outer = JTrace.region(t, "outer")) {
                try (Region leaf = JTrace.region(i % 2 == 0 ? t : null, "leaf" + (i & 3))) {
                    // nothing inside: its end is written right after its begin
                }
                JTrace.log(t, "cat", "between");
            }
        }
        t.end();
        JTrace.stop();

        List<Span> regions = new ArrayList<>();
        TraceModel m = TraceModel.read(file, new ModelListener() {
            @Override
            public void spanEnd(Span s) {
                if (s.kind() == Span.Kind.REGION) {
                    regions.add(s);
                }
            }
        }, null);
        TraceSummary sum = m.summary();
        assertThat(sum.regions()).isEqualTo(2L * n);
        assertThat(sum.regionBeginMissing()).isZero();
        assertThat(sum.regionEndMissing()).isZero();
        assertThat(sum.malformedEvents()).isZero();
        assertThat(sum.lostEvents()).isZero();
        assertThat(sum.eventsByType()).containsEntry("RegionBegin", 2L * n).containsEntry("RegionEnd", 2L * n)
                .doesNotContainKeys("RegionBeginNoStack", "RegionEndAfterBegin", "LogNoStack");
        long me = Thread.currentThread().threadId();
        assertThat(regions).hasSize(2 * n).allSatisfy(s -> {
            assertThat(s.flags()).as("matched: no begin or end missing").isZero();
            assertThat(s.thread()).isEqualTo(me);
            assertThat(s.endThread()).isEqualTo(me);
            assertThat(s.end()).isGreaterThanOrEqualTo(s.start());
        });
        List<Span> leaves = regions.stream().filter(s -> s.name().startsWith("leaf")).toList();
        assertThat(leaves).hasSize(n).allSatisfy(s -> assertThat(s.depth()).isEqualTo(1));
        assertThat(leaves.stream().filter(s -> s.task() == 0)).hasSize(n / 2);
        assertThat(leaves.stream().filter(s -> s.task() == t.id())).hasSize(n / 2);
        assertThat(leaves).extracting(Span::name).containsOnly("leaf0", "leaf1", "leaf2", "leaf3");
        assertThat(regions.stream().filter(s -> s.name().equals("outer")))
                .hasSize(n).allSatisfy(s -> assertThat(s.depth()).isZero());
        // spans end in order: each leaf before its outer region, which contains it
        for (int i = 0; i < regions.size(); i += 2) {
            Span leaf = regions.get(i);
            Span outer = regions.get(i + 1);
            assertThat(leaf.name()).startsWith("leaf");
            assertThat(outer.name()).isEqualTo("outer");
            assertThat(leaf.start()).isGreaterThanOrEqualTo(outer.start());
            assertThat(leaf.end()).isLessThanOrEqualTo(outer.end());
        }
    }
}
