package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arguments appended to a built-in type later (MonitorBlocked's previousOwner, VirtualThreadPinned's
 * pinnedReason) may be missing from a file written before them; a missing original argument is still a
 * schema error.
 */
class AppendedArgumentsTest {
    @TempDir
    Path dir;

    /** The built-in table with {@code id}'s arguments cut to the first {@code keep}. */
    private static List<EventSpec> cut(int id, int keep) {
        List<EventSpec> specs = new ArrayList<>(EventTypes.ALL);
        specs.replaceAll(s -> s.id() == id ? new EventSpec(s.id(), s.name(), s.args().subList(0, keep)) : s);
        return specs;
    }

    private List<Generation> read(List<EventSpec> table, HandEncoder.Payload events, int count, List<String> errors)
            throws Exception {
        HandEncoder h = new HandEncoder().genBegin(1, 0);
        h.batch(1, 1, 42, 0, 0, count, events);
        h.eventTypes(1, table).strings(1, "java.lang.Object").threads(1, 42, "main", 0).genEnd(1, 100, 1, count);
        Path f = Files.write(dir.resolve("t.jtrace"), h.bytes());
        List<Generation> gens = new ArrayList<>();
        try (TraceReader r = TraceReader.open(f)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                gens.add(g);
            }
            r.report().errors().forEach(p -> errors.add(p.message()));
        }
        return gens;
    }

    @Test
    void anOlderFileWithoutTheAppendedArgumentsReadsAndTheyAreAbsent() throws Exception {
        assertThat(EventTypes.requiredArgs(EventTypes.MONITOR_BLOCKED)).isEqualTo(5);
        assertThat(EventTypes.requiredArgs(EventTypes.VIRTUAL_THREAD_PINNED)).isEqualTo(4);
        assertThat(EventTypes.requiredArgs(EventTypes.PARK)).isEqualTo(EventTypes.byId(EventTypes.PARK).args().size());
        List<EventSpec> old = cut(EventTypes.MONITOR_BLOCKED, 5);
        old.replaceAll(s -> s.id() == EventTypes.VIRTUAL_THREAD_PINNED
                ? new EventSpec(s.id(), s.name(), s.args().subList(0, 4)) : s);
        HandEncoder.Payload ev = HandEncoder.p();
        ev.raw(EventTypes.MONITOR_BLOCKED).u(0).u(7).u(10).u(5_000_000).u(1).u(0); // thread, start, duration, class, stack
        ev.raw(EventTypes.VIRTUAL_THREAD_PINNED).u(1).u(8).u(20).u(6_000_000).u(0);
        List<String> errors = new ArrayList<>();
        List<Generation> gens = read(old, ev, 2, errors);
        assertThat(errors).isEmpty();
        List<Event> events = gens.get(0).events();
        assertThat(events).hasSize(2);
        assertThat(events.get(0).string("monitorClass")).isEqualTo("java.lang.Object");
        assertThat(events.get(0).has("previousOwner")).isFalse();
        assertThat(events.get(1).arg("duration")).isEqualTo(6_000_000);
        assertThat(events.get(1).has("pinnedReason")).isFalse();
    }

    @Test
    void aFileWithTheAppendedArgumentsHasThem() throws Exception {
        HandEncoder.Payload ev = HandEncoder.p();
        ev.raw(EventTypes.MONITOR_BLOCKED).u(0).u(7).u(10).u(5_000_000).u(1).u(0).u(9);
        List<String> errors = new ArrayList<>();
        List<Event> events = read(EventTypes.ALL, ev, 1, errors).get(0).events();
        assertThat(errors).isEmpty();
        assertThat(events.get(0).arg("previousOwner")).isEqualTo(9);
    }

    @Test
    void aMissingOriginalArgumentIsStillASchemaError() throws Exception {
        HandEncoder.Payload ev = HandEncoder.p();
        ev.raw(EventTypes.MONITOR_BLOCKED).u(0).u(7).u(10).u(5_000_000).u(1);
        List<String> errors = new ArrayList<>();
        List<Generation> gens = read(cut(EventTypes.MONITOR_BLOCKED, 4), ev, 1, errors);
        assertThat(gens).isEmpty();
        assertThat(errors).singleElement().asString().contains("schema error").contains("MonitorBlocked")
                .contains("4 arguments");
    }
}
