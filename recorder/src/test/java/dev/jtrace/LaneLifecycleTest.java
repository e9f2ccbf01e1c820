package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.internal.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threads that end leave nothing behind: their last events are written and their lanes returned within a
 * bounded time after they end, without waiting for a generation advance.
 */
class LaneLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void deadThreadsLanesAreWrittenAndDropped() throws Exception {
        Path file = dir.resolve("lanes.jtrace");
        // no generation advance but the test's own: it alone may drop lanes
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(java.time.Duration.ofMinutes(10)).build());
        JTrace.log(null, "main", "first"); // this thread's own lane exists before the baseline
        int baseline = Session.registeredLanes();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int k = i;
            threads.add(Thread.ofPlatform().start(() -> JTrace.counter("short-lived", k)));
        }
        for (Thread t : threads) {
            t.join();
        }
        // the writer returns dead threads' lanes at its wake-ups (at least once a second); no advance happens here
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Session.registeredLanes() > baseline + 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(Session.registeredLanes()).isLessThanOrEqualTo(baseline + 1);
        assertThat(Session.active().generationsWritten()).as("no advance needed").isZero();
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Counter")).hasSize(500);
        assertThat(r.ofType("Counter").stream().map(ReadBack.Ev::thread).distinct()).hasSize(500);
        // returned lanes still name their threads in the generation's thread table
        assertThat(r.ofType("Counter").stream().map(ReadBack.Ev::thread).filter(r.threadNames::containsKey)).hasSize(500);
    }
}
