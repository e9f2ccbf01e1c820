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
}
