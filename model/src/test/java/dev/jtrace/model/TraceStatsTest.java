package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.ALLOC;
import static dev.jtrace.format.EventTypes.FREE;
import static dev.jtrace.format.EventTypes.REGION_BEGIN;
import static dev.jtrace.format.EventTypes.REGION_END;
import static dev.jtrace.format.EventTypes.TASK_END;
import static dev.jtrace.format.EventTypes.THREAD_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.Format;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceStatsTest {
    @TempDir
    Path dir;

    @Test
    void statsCountSemanticProblemsWithoutFailing() throws Exception {
        TraceBuilder b = new TraceBuilder();
        b.generation(0, 9).event(1, 1, 0, REGION_END, 0L, "r") // end without begin
                .event(1, 1, 1, REGION_BEGIN, 0L, "r", 0L) // begin without end
                .event(1, 1, 2, TASK_END, 77L) // task end without begin
                .event(1, 1, 3, ALLOC, 5L, "T", 64L, 0L) // alloc without free
                .event(1, 1, 4, FREE, 6L) // free without alloc
                .end();
        TraceStats s = TraceStats.of(b.write(dir.resolve("sem.jtrace")), null);
        assertThat(s.events).isEqualTo(5);
        assertThat(s.regions).isEqualTo(2);
        assertThat(s.regionEndWithoutBegin).isEqualTo(1);
        assertThat(s.regionBeginWithoutEnd).isEqualTo(1);
        assertThat(s.taskEndWithoutBegin).isEqualTo(1);
        assertThat(s.allocWithoutFree).isEqualTo(1);
        assertThat(s.freeWithoutAlloc).isEqualTo(1);
        assertThat(s.semanticWarnings()).hasSize(5);
        assertThat(s.report.errors()).isEmpty();
        assertThat(s.durationNanos()).isEqualTo(9);
    }

    @Test
    void threadsCountEveryThreadEventsAreAboutWithNamesAndVirtualFlags() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 100).thread(1, "main", false);
        g.event(1, 1, 1, REGION_BEGIN, 0L, "r", 0L).event(1, 1, 2, REGION_END, 0L, "r");
        // the bridge (lane owner 50) reports two threads; neither owns a lane
        g.event(2, 50, 10, THREAD_START, 20L, "vt-a", 1L, 5L);
        g.event(2, 50, 11, THREAD_START, 21L, "pool-1", 0L, 6L);
        g.loss(1, 1, Format.LOSS_GENERATION_FULL, 3).loss(1, 1, Format.LOSS_STRINGS_DROPPED, 4)
                .loss(1, 1, Format.LOSS_SKIPPED_REENTRANT, 2);
        g.end();
        TraceModel m = TraceModel.read(b.write(dir.resolve("th.jtrace")), null, null);
        TraceSummary s = m.summary();
        assertThat(s.threads()).isEqualTo(3);
        assertThat(s.virtualThreads()).isEqualTo(1);
        assertThat(m.threads().displayName(20)).isEqualTo("vt-a");
        assertThat(m.threads().isVirtual(20)).isTrue();
        assertThat(m.threads().get(21).first()).isEqualTo(6); // the ThreadStart's true time
        assertThat(s.lostEvents()).isEqualTo(3);
        assertThat(s.degradedArguments()).isEqualTo(4);
        assertThat(s.skippedReentrant()).isEqualTo(2);
    }
}
