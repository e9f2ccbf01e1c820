package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent owns its settings: another JFR recording in the same JVM does not change what it records
 * (threshold, allocation throttle), and what JFR applies is recorded (Log events of category jtrace.settings).
 */
class SettingsIT {
    @TempDir
    Path dir;

    @Test
    void anotherJfrRecordingDoesNotChangeTheAgentsThresholdAndTheEffectiveSettingsAreRecorded() throws Exception {
        Path trace = dir.resolve("settings.jtrace");
        // hooks=false: the threshold is about what JFR records (the hooked families have none)
        Process p = ChildJvm.start("file=" + trace + ",threshold=5ms,allocrate=100/s,period=200ms,hooks=false", List.of(),
                dir.resolve("child.log"), SettingsWorkload.class.getName());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();

        List<Event> events = new ArrayList<>();
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                events.addAll(g.events());
            }
            assertThat(r.report().problems()).isEmpty();
        }
        long allocBegin = phase(events, "alloc-begin");
        long allocEnd = phase(events, "alloc-end");

        // the agent's threshold holds although the other recording asked JFR for every park
        List<Event> parks = events.stream().filter(e -> e.type().name().equals("Park")).toList();
        assertThat(parks).allSatisfy(e -> assertThat(e.arg("duration")).isGreaterThanOrEqualTo(5_000_000L));
        assertThat(parks.stream().filter(e -> e.arg("duration") >= 25_000_000L)).hasSizeGreaterThanOrEqualTo(4);

        // 2 s of heavy allocation (hundreds of MB/s) at allocrate=100/s: about 200 samples, not thousands
        long samples = events.stream().filter(e -> e.type().name().equals("AllocSample"))
                .filter(e -> e.trueTicks() >= allocBegin && e.trueTicks() <= allocEnd).count();
        double seconds = (allocEnd - allocBegin) / 1e9;
        assertThat(samples).isPositive();
        assertThat((double) samples).as(samples + " samples in " + seconds + " s").isLessThan(100 * seconds * 1.5 + 50);

        // what JFR applied: first the agent's own settings, then the other recording's 10 ms samples
        List<String> settings = events.stream().filter(e -> e.type().name().equals("Log")
                && "jtrace.settings".equals(e.string("category"))).map(e -> e.string("message")).toList();
        assertThat(settings).isNotEmpty();
        assertThat(settings.get(0)).contains("threshold.ns=5000000").contains("cpu.period.ns=20000000")
                .contains("alloc.rate.per.s=100");
        assertThat(settings).anySatisfy(s -> assertThat(s).contains("cpu.period.ns=10000000")
                .contains("alloc.rate.per.s=unlimited").contains("threshold.ns=5000000").contains("jfr.recordings=2"));
    }

    private static long phase(List<Event> events, String name) {
        return events.stream().filter(e -> e.type().name().equals("Log") && "phase".equals(e.string("category"))
                && name.equals(e.string("message"))).findFirst().orElseThrow().ticks();
    }
}
