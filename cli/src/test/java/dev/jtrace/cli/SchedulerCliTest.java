package dev.jtrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.model.SchedulerCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze} and {@code stats} on the model's scheduler-event traces. */
class SchedulerCliTest {
    @TempDir
    Path dir;

    @Test
    void analyzeShowsSchedulerLatencyVirtualGroupsAndCarriers() throws Exception {
        Path v = SchedulerCorpus.virtual(Files.createDirectories(dir.resolve("v")).resolve("t.jtrace"));
        CliTest.Run text = CliTest.run("analyze", v.toString());
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("scheduler latency (wake-ups {submit=5, unpark=1})")
                .containsPattern("virtual threads: submit to mount +5 +0\\.080 ")
                .contains("0.100 us  submit    main -> vt-req-1 at 0.000 ms  #/timeline?from=-900&to=1200&kind=wakeup"
                        + "&thread=100&start=100")
                .containsPattern("vt-req-\\* +2 +4 ")
                .containsPattern("ForkJoinPool-1-worker-2 +3 ");
        CliTest.Run stats = CliTest.run("stats", "--json", v.toString());
        assertThat(stats.out()).contains("\"wakeups\":6").contains("\"submit\":5").contains("\"carrierRuns\":5");

        Path p = SchedulerCorpus.platform(Files.createDirectories(dir.resolve("p")).resolve("t.jtrace"));
        CliTest.Run pt = CliTest.run("analyze", p.toString());
        assertThat(pt.out()).containsPattern("wait +0\\.002 +2 +0\\.001 +0\\.001 +0\\.001  app\\.Queue\\.take")
                .contains("[idle pool wait] jdk.internal.misc.Unsafe.park")
                .contains("(short, no stack) app.Lock")
                .containsPattern("platform threads: wake-up to running +4 +0\\.050 ");
    }
}
