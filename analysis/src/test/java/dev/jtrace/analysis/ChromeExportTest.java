package dev.jtrace.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.reader.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the Chrome JSON export of the export fixture back with Jackson. */
class ChromeExportTest {
    @TempDir
    static Path dir;
    static Path trace;
    static List<Event> events;
    static long origin;

    @BeforeAll
    static void record() throws Exception {
        trace = ExportFixture.record(dir);
        events = ExportFixture.events(trace);
        long[] first = {Long.MIN_VALUE};
        ExportFixture.forEachGeneration(trace, g -> {
            if (first[0] == Long.MIN_VALUE) {
                first[0] = g.startTicks();
            }
        });
        origin = first[0];
    }

    @Test
    void runtimeEventsAreCompleteEventsAtTheirTrueTimeOnTheirThread() throws Exception {
        Path out = dir.resolve("export.json");
        long written = ChromeExporter.export(trace, out, null);
        JsonNode all = new ObjectMapper().readTree(out.toFile()).get("traceEvents");
        assertThat(all.size()).isEqualTo((int) written);
        List<List<Object>> actual = new ArrayList<>();
        for (JsonNode e : all) {
            if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("runtime")) {
                actual.add(List.of(e.get("name").asText(), e.get("tid").asLong(), e.get("ts").asDouble(),
                        e.get("dur").asDouble()));
            }
        }
        List<List<Object>> expected = new ArrayList<>();
        for (Event e : events) {
            String type = e.type().name();
            if (List.of("Park", "MonitorBlocked", "Sleep", "VirtualThreadPinned").contains(type)) {
                expected.add(List.of(type, e.arg("thread"), (e.arg("start") - origin) / 1000.0,
                        e.arg("duration") / 1000.0));
            }
        }
        assertThat(expected).hasSize(7);
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        long logs = events.stream().filter(e -> e.type().name().equals("Log")).count();
        long instants = 0;
        for (JsonNode e : all) {
            if (e.get("ph").asText().equals("i") && e.get("cat").asText().equals("log")) {
                instants++;
            }
        }
        assertThat(instants).isEqualTo(logs).isEqualTo(4);
    }

    @Test
    void anUnwritableOutputIsAnErrorNamingTheFile() {
        Path bad = dir.resolve("missing-dir/out.json");
        assertThatThrownBy(() -> ChromeExporter.export(trace, bad, null))
                .hasMessage("cannot write " + bad + ": no such file or directory");
    }
}
