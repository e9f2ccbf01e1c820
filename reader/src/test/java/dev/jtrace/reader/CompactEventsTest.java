package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compact event types 41 to 43 (docs/format.md, "Event types"), hand-encoded from the document: a reader
 * delivers them as the full types with the same arguments, and rejects a RegionEndAfterBegin without its
 * begin just before it.
 */
class CompactEventsTest {
    @TempDir
    Path dir;

    private static final int BEGIN = EventTypes.REGION_BEGIN;
    private static final int END = EventTypes.REGION_END;

    private record Read(List<Generation> gens, ReadReport report) {}

    private Read read(HandEncoder h, String name) throws IOException {
        List<Generation> gens = new ArrayList<>();
        try (TraceReader r = TraceReader.open(h.writeTo(dir.resolve(name)))) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                gens.add(g);
            }
            return new Read(gens, r.report());
        }
    }

    /** Everything a tool can see of an event, as one string. */
    private static String describe(Event e) {
        StringBuilder sb = new StringBuilder().append(e.type().id()).append(' ').append(e.type().name()).append(" @")
                .append(e.ticks()).append(" thread ").append(e.threadId()).append(" lane ").append(e.laneId());
        for (int i = 0; i < e.argCount(); i++) {
            EventSpec.Arg a = e.type().args().get(i);
            sb.append(' ').append(a.name()).append('=').append(e.arg(i));
            if (a.kind() == ArgKind.STRING) {
                sb.append(Event.quote(String.valueOf(e.string(a.name()))));
            } else if (a.kind() == ArgKind.STACK) {
                sb.append(e.stack(a.name()));
            }
        }
        return sb.toString();
    }

    /** One generation: a platform lane's batch and a shared lane's (with ThreadSwitch), full or compact. */
    private static HandEncoder generation(HandEncoder h, long gen, boolean compact) {
        h.genBegin(gen, 1000);
        HandEncoder.Payload ev = HandEncoder.p();
        // strings: 1 "cat", 2 "msg", 3 "r", 4 "s", 5 "vt"; stack 1
        if (compact) {
            ev.raw(EventTypes.REGION_BEGIN_NO_STACK).u(0).u(5).u(3); // 1000
            ev.raw(EventTypes.REGION_END_AFTER_BEGIN).u(7); // 1007, closes (5, "r")
            ev.raw(EventTypes.REGION_BEGIN_NO_STACK).u(1).u(0).u(4); // 1008, task 0
            ev.raw(EventTypes.LOG_NO_STACK).u(2).u(0).u(1).u(2); // 1010
            ev.raw(END).u(3).u(0).u(4); // 1013: after a Log, the full end
            ev.raw(BEGIN).u(200).u(9).u(4).u(1); // 1213, with a stack
            ev.raw(EventTypes.REGION_END_AFTER_BEGIN).u(0); // 1213, closes (9, "s")
            ev.raw(EventTypes.LOG).u(1).u(9).u(1).u(2).u(1); // 1214, with a stack
        } else {
            ev.raw(BEGIN).u(0).u(5).u(3).u(0);
            ev.raw(END).u(7).u(5).u(3);
            ev.raw(BEGIN).u(1).u(0).u(4).u(0);
            ev.raw(EventTypes.LOG).u(2).u(0).u(1).u(2).u(0);
            ev.raw(END).u(3).u(0).u(4);
            ev.raw(BEGIN).u(200).u(9).u(4).u(1);
            ev.raw(END).u(0).u(9).u(4);
            ev.raw(EventTypes.LOG).u(1).u(9).u(1).u(2).u(1);
        }
        h.batch(gen, 1, 42, 0, 1000, 8, ev);
        HandEncoder.Payload shared = HandEncoder.p();
        shared.raw(EventTypes.THREAD_SWITCH).u(0).u(700).u(5);
        if (compact) {
            shared.raw(EventTypes.REGION_BEGIN_NO_STACK).u(5).u(3).u(3);
            shared.raw(EventTypes.THREAD_SWITCH).u(1).u(701).u(5);
            shared.raw(EventTypes.REGION_BEGIN_NO_STACK).u(1).u(3).u(4);
            shared.raw(EventTypes.REGION_END_AFTER_BEGIN).u(1); // thread 701's (3, "s")
        } else {
            shared.raw(BEGIN).u(5).u(3).u(3).u(0);
            shared.raw(EventTypes.THREAD_SWITCH).u(1).u(701).u(5);
            shared.raw(BEGIN).u(1).u(3).u(4).u(0);
            shared.raw(END).u(1).u(3).u(4);
        }
        h.batch(gen, 2, 0, 0, 1100, 5, shared);
        h.eventTypes(gen).strings(gen, "cat", "msg", "r", "s", "vt").threads(gen, 42, "main", 0);
        h.record(Format.REC_STACKS, HandEncoder.p().u(gen).u(1).u(1).u(1).u(1).u(2).u(0).s(12));
        return h.genEnd(gen, 1300, 2, 13);
    }

    @Test
    void compactTypesReadAsTheFullTypesWithTheSameArguments() throws Exception {
        Read full = read(generation(new HandEncoder(), 1, false), "full.jtrace");
        Read compact = read(generation(new HandEncoder(), 1, true), "compact.jtrace");
        assertThat(full.report.problems()).isEmpty();
        assertThat(compact.report.problems()).isEmpty();
        List<String> a = full.gens.get(0).events().stream().map(CompactEventsTest::describe).toList();
        List<String> b = compact.gens.get(0).events().stream().map(CompactEventsTest::describe).toList();
        assertThat(b).isEqualTo(a);
        assertThat(compact.gens.get(0).events()).extracting(e -> e.type().id()).containsOnly(BEGIN, END,
                EventTypes.LOG);
        // spot checks against the hand-written bytes above
        assertThat(b).contains("5 RegionEnd @1007 thread 42 lane 1 task=5 name=3\"r\"",
                "5 RegionEnd @1213 thread 42 lane 1 task=9 name=4\"s\"",
                "5 RegionEnd @1108 thread 701 lane 2 task=3 name=4\"s\"",
                "6 Log @1010 thread 42 lane 1 task=0 category=1\"cat\" message=2\"msg\" stack=0null");
        assertThat(compact.gens.get(0).events()).hasSize(11); // 13 minus the 2 ThreadSwitch events
    }

    @Test
    void theSeedCorpusGenerationReadsAsTheSimpleOnePlusARegionAroundALog() throws Exception {
        Read simple = read(new HandEncoder().simpleGeneration(1, 1000), "simple.jtrace");
        Read compact = read(new HandEncoder().compactGeneration(1, 1000), "compact-seed.jtrace");
        assertThat(compact.report.problems()).isEmpty();
        List<String> a = simple.gens.get(0).events().stream().map(CompactEventsTest::describe).toList();
        List<String> b = compact.gens.get(0).events().stream().map(CompactEventsTest::describe).toList();
        assertThat(b.subList(0, 4)).isEqualTo(a);
        assertThat(b.subList(4, 7)).containsExactly(
                "4 RegionBegin @1030 thread 42 lane 1 task=5 name=3\"r\" stack=0null",
                "6 Log @1031 thread 42 lane 1 task=5 category=1\"cat\" message=2\"msg\" stack=0null",
                "5 RegionEnd @1032 thread 42 lane 1 task=5 name=3\"r\"");
    }

    @Test
    void aRegionEndAfterBeginThatDoesNotFollowABeginSkipsItsGenerationOnly() throws Exception {
        List<HandEncoder.Payload> bad = List.of(
                HandEncoder.p().raw(EventTypes.REGION_END_AFTER_BEGIN).u(0), // the batch's first event
                HandEncoder.p().raw(EventTypes.LOG_NO_STACK).u(0).u(5).u(1).u(2) // after a Log
                        .raw(EventTypes.REGION_END_AFTER_BEGIN).u(1),
                HandEncoder.p().raw(EventTypes.REGION_BEGIN_NO_STACK).u(0).u(5).u(3) // after an end
                        .raw(EventTypes.REGION_END_AFTER_BEGIN).u(1).raw(EventTypes.REGION_END_AFTER_BEGIN).u(1),
                HandEncoder.p().raw(EventTypes.REGION_BEGIN_NO_STACK).u(0).u(5).u(3) // after a ThreadSwitch
                        .raw(EventTypes.THREAD_SWITCH).u(0).u(700).u(0).raw(EventTypes.REGION_END_AFTER_BEGIN).u(1));
        int[] counts = {1, 2, 3, 3};
        for (int i = 0; i < bad.size(); i++) {
            HandEncoder h = new HandEncoder().simpleGeneration(1, 1000);
            h.genBegin(2, 2000).batch(2, 1, 42, 0, 2000, counts[i], bad.get(i)).eventTypes(2)
                    .strings(2, "cat", "msg", "r").threads(2, 42, "main", 0).genEnd(2, 2100, 1, counts[i]);
            generation(h, 3, true);
            Read r = read(h, "bad" + i + ".jtrace");
            assertThat(r.gens).as("case %d", i).extracting(Generation::number).containsExactly(1L, 3L);
            assertThat(r.report.skippedGenerations()).isEqualTo(1);
            assertThat(r.report.problems()).hasSize(1).first().satisfies(p -> {
                assertThat(p.generation()).isEqualTo(2);
                assertThat(p.message()).contains("RegionEndAfterBegin does not follow a RegionBegin");
            });
        }
    }

    @Test
    void withoutTheFullTypesInTheTableTheBuiltInOnesAreUsed() throws Exception {
        List<EventSpec> compactOnly = EventTypes.ALL.stream().filter(s -> s.id() != BEGIN && s.id() != END
                && s.id() != EventTypes.LOG).toList();
        HandEncoder h = new HandEncoder().genBegin(1, 1000);
        h.batch(1, 1, 42, 0, 1000, 3, HandEncoder.p().raw(EventTypes.REGION_BEGIN_NO_STACK).u(0).u(5).u(1)
                .raw(EventTypes.REGION_END_AFTER_BEGIN).u(4).raw(EventTypes.LOG_NO_STACK).u(1).u(5).u(1).u(1));
        h.eventTypes(1, compactOnly).strings(1, "x").threads(1, 42, "main", 0).genEnd(1, 1100, 1, 3);
        Read r = read(h, "compact-only.jtrace");
        assertThat(r.report.problems()).isEmpty();
        List<Event> ev = r.gens.get(0).events();
        assertThat(ev).extracting(e -> e.type()).containsExactly(EventTypes.byId(BEGIN), EventTypes.byId(END),
                EventTypes.byId(EventTypes.LOG));
        assertThat(ev.get(1).arg("task")).isEqualTo(5);
        assertThat(ev.get(1).string("name")).isEqualTo("x");
    }

    @Test
    void argumentsAppendedToTheFullTypeAreZeroAndThoseAppendedToACompactTypeAreDropped() throws Exception {
        List<EventSpec> specs = new ArrayList<>();
        for (EventSpec s : EventTypes.ALL) {
            List<EventSpec.Arg> args = new ArrayList<>(s.args());
            if (s.id() == BEGIN || s.id() == EventTypes.REGION_BEGIN_NO_STACK) {
                args.add(new EventSpec.Arg(s.id() == BEGIN ? "later" : "extra", ArgKind.UINT)); // a later version's
            }
            specs.add(new EventSpec(s.id(), s.name(), args));
        }
        HandEncoder h = new HandEncoder().genBegin(1, 1000);
        h.batch(1, 1, 42, 0, 1000, 2, HandEncoder.p().raw(EventTypes.REGION_BEGIN_NO_STACK).u(0).u(5).u(1).u(99)
                .raw(EventTypes.REGION_END_AFTER_BEGIN).u(4));
        h.eventTypes(1, specs).strings(1, "x").threads(1, 42, "main", 0).genEnd(1, 1100, 1, 2);
        Read r = read(h, "appended.jtrace");
        assertThat(r.report.problems()).isEmpty();
        Event begin = r.gens.get(0).events().get(0);
        assertThat(begin.type().id()).isEqualTo(BEGIN);
        assertThat(begin.argCount()).isEqualTo(4);
        assertThat(begin.arg("task")).isEqualTo(5);
        assertThat(begin.stack("stack")).isNull();
        assertThat(begin.arg("later")).isZero();
        assertThat(begin.has("extra")).isFalse();
        assertThat(r.gens.get(0).events().get(1).string("name")).isEqualTo("x");
    }

    @Test
    void aCompactTypeWithAnotherNameIsASchemaError() throws Exception {
        List<EventSpec> specs = new ArrayList<>(EventTypes.ALL);
        specs.replaceAll(s -> s.id() == EventTypes.REGION_END_AFTER_BEGIN ? new EventSpec(s.id(), "Other", s.args()) : s);
        HandEncoder h = new HandEncoder().genBegin(1, 1000);
        h.batch(1, 1, 42, 0, 1000, 1, HandEncoder.p().raw(EventTypes.COUNTER).u(0).u(1).s(1));
        h.eventTypes(1, specs).strings(1, "x").threads(1, 42, "main", 0).genEnd(1, 1100, 1, 1);
        Read r = read(h, "renamed.jtrace");
        assertThat(r.gens).isEmpty();
        assertThat(r.report.problems()).hasSize(1).first()
                .satisfies(p -> assertThat(p.message()).contains("schema error", "RegionEndAfterBegin"));
    }
}
