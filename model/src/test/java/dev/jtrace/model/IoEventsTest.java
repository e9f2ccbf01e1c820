package dev.jtrace.model;

import static dev.jtrace.format.EventTypes.FILE_WRITE;
import static dev.jtrace.format.EventTypes.REGION_BEGIN;
import static dev.jtrace.format.EventTypes.REGION_END;
import static dev.jtrace.format.EventTypes.SOCKET_READ;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocking I/O from JFR (types 37 to 40) is a blocking interval of its thread, in the IO state. */
class IoEventsTest {
    @TempDir
    Path dir;

    @Test
    void aSocketReadIsTimeInIoAndABlockingRowAtItsEndpoint() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(0, 10_000).thread(1, "db-client", false).thread(99, "jtrace-jfr-bridge", false);
        g.event(1, 1, 100, REGION_BEGIN, 0L, "query", 0L).event(1, 1, 9_000, REGION_END, 0L, "query");
        // reported late by the bridge: a read [2000, 5000) and a file write [6000, 6500)
        Object st = g.stack("sun.nio.ch.NioSocketImpl.read", "app.Db.query");
        g.event(2, 99, 9_500, SOCKET_READ, 1L, 2_000L, 3_000L, "db.local:5432", 512L, st);
        g.event(2, 99, 9_600, FILE_WRITE, 1L, 6_000L, 500L, "/var/log/app.log", 64L, 0L);
        g.end();
        SchedulerTest.Recorder r = new SchedulerTest.Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("io.jtrace")), r, null);
        ModelThread t = m.threads().get(1);
        assertThat(t.nanos(ThreadState.IO)).isEqualTo(3_000 + 500);
        assertThat(t.nanos(ThreadState.RUNNING)).isEqualTo(8_900 - 3_500);
        assertThat(r.blocks).hasSize(2);
        assertThat(r.blocks.get(0).kindName()).isEqualTo("io");
        assertThat(r.blocks.get(0).sliceName()).isEqualTo("SocketRead");
        assertThat(r.blocks.get(0).detail()).isEqualTo("db.local:5432");
        assertThat(r.blocks.get(0).callSiteName()).contains("app.Db.query");
        assertThat(r.blocks.get(1).sliceName()).isEqualTo("FileWrite");
        assertThat(r.blocks.get(1).state()).isEqualTo(ThreadState.IO);
    }

    /**
     * A flight window's oldest generation holds runtime events that JFR delivered late, about the time before
     * it: only those that arrived after it began, the rest went with the generation before. The trace starts
     * cleanly at its first generation: those before are left out and counted, a span reaching in is cut.
     */
    @Test
    void runtimeEventsAboutTheTimeBeforeTheFirstGenerationAreCutAtItsStart() throws Exception {
        TraceBuilder b = new TraceBuilder();
        var g = b.generation(10_000, 20_000).thread(1, "app", false).thread(99, "jtrace-jfr-bridge", false);
        g.event(1, 1, 10_100, REGION_BEGIN, 0L, "work", 0L).event(1, 1, 19_000, REGION_END, 0L, "work");
        // delivered late: a read wholly before the window, one that reaches into it, a CPU sample before it
        g.event(2, 99, 12_000, SOCKET_READ, 1L, 4_000L, 3_000L, "a:1", 1L, 0L);
        g.event(2, 99, 12_100, SOCKET_READ, 1L, 8_000L, 4_000L, "a:1", 1L, 0L);
        g.event(2, 99, 12_200, dev.jtrace.format.EventTypes.CPU_SAMPLE, 1L, 9_000L, 0L);
        g.end();
        SchedulerTest.Recorder r = new SchedulerTest.Recorder();
        TraceModel m = TraceModel.read(b.write(dir.resolve("window.jtrace")), r, null);
        assertThat(m.summary().runtimeBeforeStart()).isEqualTo(2);
        assertThat(m.summary().semanticWarnings()).anyMatch(w -> w.startsWith("2 x runtime event about the time before"));
        assertThat(r.blocks).singleElement().satisfies(x -> {
            assertThat(x.start()).isEqualTo(10_000);
            assertThat(x.duration()).isEqualTo(2_000);
        });
        assertThat(m.threads().get(1).nanos(ThreadState.IO)).isEqualTo(2_000);
    }
}
