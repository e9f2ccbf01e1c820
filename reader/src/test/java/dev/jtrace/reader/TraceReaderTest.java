package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReaderTest {
    @TempDir
    Path dir;

    private List<Generation> readAll(Path p, ReadReport[] report) throws IOException {
        List<Generation> gens = new ArrayList<>();
        try (TraceReader r = TraceReader.open(p)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                gens.add(g);
            }
            report[0] = r.report();
        }
        return gens;
    }

    @Test
    void readsEveryArgumentKindAsTheDocumentSays() throws Exception {
        Path f = new HandEncoder().simpleGeneration(7, 1000).writeTo(dir.resolve("a.jtrace"));
        ReadReport[] rep = new ReadReport[1];
        List<Generation> gens = readAll(f, rep);
        assertThat(rep[0].problems()).isEmpty();
        assertThat(gens).hasSize(1);
        Generation g = gens.get(0);
        assertThat(g.number()).isEqualTo(7);
        assertThat(g.startTicks()).isEqualTo(1000);
        assertThat(g.endTicks()).isEqualTo(1100);
        assertThat(g.wallNanos(1010)).isEqualTo(1_700_000_000_000_000_010L);
        List<Event> ev = g.events();
        assertThat(ev).extracting(e -> e.type().name()).containsExactly("Log", "RegionBegin", "RegionEnd", "Counter");
        assertThat(ev).extracting(Event::ticks).containsExactly(1000L, 1010L, 1020L, 1025L);
        assertThat(ev).allSatisfy(e -> assertThat(e.threadId()).isEqualTo(42));
        assertThat(ev.get(0).arg("task")).isEqualTo(5);
        assertThat(ev.get(0).string("category")).isEqualTo("cat");
        assertThat(ev.get(0).string("message")).isEqualTo("msg");
        assertThat(ev.get(0).stack("stack")).isNull();
        assertThat(ev.get(2).string("name")).isEqualTo("r");
        assertThat(ev.get(3).arg("value")).isEqualTo(-7);
        assertThat(g.threads().get(42L).name()).isEqualTo("main");
        assertThatThrownBy(() -> ev.get(0).arg("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rawTicksOfAnotherClockAreMappedToNanosecondsBetweenTheClockStamps() throws Exception {
        // a 2.5 GHz counter: 2,500 ticks from 10,000 to 12,500 while nanoTime went from 1,000,000 to 1,001,000
        HandEncoder h = new HandEncoder().genBegin(3, 10_000, 1_000_000);
        HandEncoder.Payload ev = HandEncoder.p();
        ev.raw(EventTypes.COUNTER).u(0).u(1).s(1); // at 10,000 ticks
        ev.raw(EventTypes.COUNTER).u(250).u(1).s(2); // 10,250
        ev.raw(EventTypes.COUNTER).u(2_250).u(1).s(3); // 12,500
        ev.raw(EventTypes.COUNTER).u(25).u(1).s(4); // 12,525: just past the end stamp
        h.batch(3, 1, 42, 0, 10_000, 4, ev).eventTypes(3).strings(3, "c").threads(3, 42, "main", 0);
        h.genEnd(3, 12_500, 1_001_000, 1, 4);
        ReadReport[] rep = new ReadReport[1];
        Generation g = readAll(h.writeTo(dir.resolve("tsc.jtrace")), rep).get(0);
        assertThat(rep[0].problems()).isEmpty();
        assertThat(g.startTicks()).isEqualTo(1_000_000);
        assertThat(g.endTicks()).isEqualTo(1_001_000);
        assertThat(g.rawTicksPerSecond()).isEqualTo(2.5e9);
        assertThat(g.events()).extracting(Event::ticks).containsExactly(1_000_000L, 1_000_100L, 1_001_000L, 1_001_010L);
        assertThat(g.wallNanos(g.events().get(1).ticks())).isEqualTo(1_700_000_000_000_000_100L);
    }

    @Test
    void aVersionOneFileHasNoClockStampsAndItsTicksAreNanoseconds() throws Exception {
        Path f = new HandEncoder(1).simpleGeneration(7, 1000).writeTo(dir.resolve("v1.jtrace"));
        ReadReport[] rep = new ReadReport[1];
        Generation g = readAll(f, rep).get(0);
        assertThat(rep[0].problems()).isEmpty();
        assertThat(g.events()).extracting(Event::ticks).containsExactly(1000L, 1010L, 1020L, 1025L);
        assertThat(g.rawTicksPerSecond()).isEqualTo(1e9);
    }

    @Test
    void clockStampsThatGoBackwardsSkipTheGenerationWithAnError() throws Exception {
        HandEncoder h = new HandEncoder().simpleGeneration(1, 1000);
        h.genBegin(2, 5_000, 9_000).eventTypes(2).genEnd(2, 6_000, 8_000, 0, 0);
        h.simpleGeneration(3, 20_000);
        ReadReport[] rep = new ReadReport[1];
        List<Generation> gens = readAll(h.writeTo(dir.resolve("back.jtrace")), rep);
        assertThat(gens).extracting(Generation::number).containsExactly(1L, 3L);
        assertThat(rep[0].errors()).singleElement().satisfies(p -> {
            assertThat(p.generation()).isEqualTo(2);
            assertThat(p.message()).contains("clock stamp").contains("precedes");
        });
    }

    @Test
    void stacksThreadSwitchesAndLanesMergeByTime() throws Exception {
        HandEncoder h = new HandEncoder().genBegin(1, 0);
        // lane 2 (shared, thread 0): switch to virtual thread 900 named "vt", then a log at t=15
        HandEncoder.Payload shared = HandEncoder.p();
        shared.raw(EventTypes.THREAD_SWITCH).u(0).u(900).u(3);
        shared.raw(EventTypes.LOG).u(0).u(0).u(1).u(2).u(1);
        shared.raw(EventTypes.THREAD_SWITCH).u(5).u(901).u(0);
        shared.raw(EventTypes.LOG).u(0).u(0).u(1).u(2).u(0);
        h.batch(1, 2, 0, 0, 15, 4, shared);
        // lane 1 (thread 42): logs at t=10 and t=20
        HandEncoder.Payload own = HandEncoder.p();
        own.raw(EventTypes.LOG).u(0).u(0).u(1).u(2).u(0);
        own.raw(EventTypes.LOG).u(10).u(0).u(1).u(2).u(0);
        h.batch(1, 1, 42, 0, 10, 2, own);
        h.eventTypes(1).strings(1, "c", "m", "vt", "Foo", "bar", "Foo.java");
        h.record(Format.REC_STACKS, HandEncoder.p().u(1).u(1).u(1).u(2).u(4).u(5).u(6).s(12).u(4).u(5).u(0).s(-1));
        h.threads(1, 42, "worker", 2);
        h.genEnd(1, 100, 2, 6);
        ReadReport[] rep = new ReadReport[1];
        Generation g = readAll(h.writeTo(dir.resolve("m.jtrace")), rep).get(0);
        assertThat(rep[0].problems()).isEmpty();
        assertThat(g.events()).extracting(Event::ticks).containsExactly(10L, 15L, 20L, 20L);
        assertThat(g.events()).extracting(Event::threadId).containsExactly(42L, 900L, 42L, 901L);
        assertThat(g.threadSwitches()).isEqualTo(2);
        assertThat(g.threads().get(900L).virtual()).isTrue();
        assertThat(g.threads().get(900L).name()).isEqualTo("vt");
        assertThat(g.threads().get(42L).daemon()).isTrue();
        StackTrace st = g.events().get(1).stack("stack");
        assertThat(st.frames()).hasSize(2);
        assertThat(st.top().toString()).isEqualTo("Foo.bar(Foo.java:12)");
        assertThat(st.frames().get(1).fileName()).isNull();
        assertThat(st.frames().get(1).line()).isEqualTo(-1);
    }

    @Test
    void unknownExperimentalEventTypeIsDeliveredWithItsArgumentNames() throws Exception {
        List<EventSpec> types = new ArrayList<>(EventTypes.ALL);
        types.add(new EventSpec(200, "FutureThing",
                List.of(new EventSpec.Arg("size", ArgKind.UINT), new EventSpec.Arg("label", ArgKind.STRING))));
        HandEncoder h = new HandEncoder().genBegin(3, 0);
        h.batch(3, 1, 1, 0, 0, 1, HandEncoder.p().raw(200).u(0).u(99).u(1));
        h.eventTypes(3, types).strings(3, "hello").genEnd(3, 1, 1, 1);
        ReadReport[] rep = new ReadReport[1];
        Event e = readAll(h.writeTo(dir.resolve("x.jtrace")), rep).get(0).events().get(0);
        assertThat(e.type().name()).isEqualTo("FutureThing");
        assertThat(e.type().experimental()).isTrue();
        assertThat(e.arg("size")).isEqualTo(99);
        assertThat(e.string("label")).isEqualTo("hello");
    }

    @Test
    void unknownRecordKindsAreSkippedWithAWarning() throws Exception {
        HandEncoder h = new HandEncoder().simpleGeneration(1, 0);
        h.record(0x55, HandEncoder.p().u(1).u(2).u(3));
        h.simpleGeneration(2, 200);
        ReadReport[] rep = new ReadReport[1];
        List<Generation> gens = readAll(h.writeTo(dir.resolve("u.jtrace")), rep);
        assertThat(gens).hasSize(2);
        assertThat(rep[0].warnings()).anySatisfy(p -> assertThat(p.message()).contains("unknown record kind 85"));
        assertThat(rep[0].errors()).isEmpty();
    }

    @Test
    void notATraceAndWrongVersionAreRefusedWithTheFileName() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello world, not a trace");
        assertThatThrownBy(() -> TraceReader.open(text)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("notes.txt").hasMessageContaining("not a jtrace file");
        byte[] b = new HandEncoder().simpleGeneration(1, 0).bytes();
        b[9] = 9;
        Path v9 = Files.write(dir.resolve("v9.jtrace"), b);
        assertThatThrownBy(() -> TraceReader.open(v9)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("v9.jtrace").hasMessageContaining("version 9");
        assertThatThrownBy(() -> TraceReader.open(dir.resolve("missing.jtrace")))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining("no such file");
    }

    @Test
    void everyPrefixKeepsExactlyTheCompleteGenerationsBeforeTheCut() throws Exception {
        HandEncoder h = new HandEncoder();
        for (int g = 1; g <= 3; g++) {
            h.simpleGeneration(g, g * 1000L);
        }
        byte[] full = h.bytes();
        // end offset of each generation's GEN_END record
        List<Long> genEnds = new ArrayList<>();
        for (int i = 0; i < h.records.size(); i++) {
            if (h.records.get(i)[1] == Format.REC_GEN_END) {
                genEnds.add(i + 1 < h.records.size() ? h.records.get(i + 1)[0] : full.length);
            }
        }
        for (int cut = Format.HEADER_SIZE; cut <= full.length; cut++) {
            Path p = Files.write(dir.resolve("prefix.jtrace"), java.util.Arrays.copyOf(full, cut));
            ReadReport[] rep = new ReadReport[1];
            List<Generation> gens = readAll(p, rep);
            long complete = 0;
            long lastEnd = Format.HEADER_SIZE;
            for (long end : genEnds) {
                if (end <= cut) {
                    complete++;
                    lastEnd = end;
                }
            }
            assertThat(gens).as("cut at " + cut).hasSize((int) complete);
            assertThat(rep[0].errors()).as("cut at " + cut).isEmpty();
            assertThat(rep[0].lostTailBytes()).as("cut at " + cut).isEqualTo(cut - lastEnd);
            assertThat(rep[0].eventsRead()).isEqualTo(complete * 4);
        }
    }

    @Test
    void aFlippedByteInAnyRecordCostsAtMostItsGenerationAndTheReaderResynchronises() throws Exception {
        HandEncoder h = new HandEncoder().simpleGeneration(1, 0);
        int firstOfSecond = h.records.size();
        h.simpleGeneration(2, 500);
        int firstOfThird = h.records.size();
        h.simpleGeneration(3, 1000);
        byte[] full = h.bytes();
        for (int i = firstOfSecond; i < firstOfThird; i++) {
            for (long at = h.offsetOf(i); at < h.endOf(i); at++) {
                for (int bit : new int[] {0x01, 0x20, 0x80}) {
                    byte[] b = full.clone();
                    b[(int) at] ^= (byte) bit;
                    ReadReport[] rep = new ReadReport[1];
                    List<Generation> gens = readAll(Files.write(dir.resolve("flip.jtrace"), b), rep);
                    String as = "flip " + bit + " at " + at + " (record " + i + ")";
                    assertThat(gens.get(0).number()).as(as).isEqualTo(1);
                    assertThat(gens.get(0).events()).as(as).hasSize(4);
                    Generation last = gens.get(gens.size() - 1);
                    assertThat(last.number()).as(as + ": generation 3 is read").isEqualTo(3);
                    assertThat(last.events()).as(as).hasSize(4);
                    // generation 2 is lost whole, or (its only batch corrupt) delivered without its 4 events
                    if (gens.size() == 3) {
                        assertThat(gens.get(1).events()).as(as).isEmpty();
                        assertThat(gens.get(1).lostEvents()).as(as).isEqualTo(4);
                    } else {
                        assertThat(gens).as(as).hasSize(2);
                        assertThat(rep[0].lostGenerations()).as(as).isEqualTo(1);
                    }
                    // a broken frame hides the batch headers after it: then fewer lost events are known
                    assertThat(rep[0].lostEvents()).as(as).isBetween(0L, 4L);
                    assertThat(rep[0].lostBytes()).as(as).isBetween(0L, h.endOf(firstOfThird - 1) - h.offsetOf(firstOfSecond));
                    assertThat(rep[0].lost()).as(as).isNotEmpty()
                            .allSatisfy(d -> assertThat(d.generation()).isIn(2L, -1L));
                    assertThat(rep[0].errors()).as(as).isNotEmpty();
                    assertThat(rep[0].lostTailBytes()).as(as).isZero();
                }
            }
        }
    }

    @Test
    void hostileLengthsAndCountsNeverAllocate() throws Exception {
        // a record claiming 2^63 bytes
        HandEncoder h = new HandEncoder().simpleGeneration(1, 0);
        byte[] ok = h.bytes();
        byte[] hostile = java.util.Arrays.copyOf(ok, ok.length + 11);
        hostile[ok.length] = Format.REC_BATCH;
        for (int i = 1; i < 10; i++) {
            hostile[ok.length + i] = (byte) 0xFF;
        }
        hostile[ok.length + 10] = 0x7F;
        ReadReport[] rep = new ReadReport[1];
        assertThat(readAll(Files.write(dir.resolve("h1.jtrace"), hostile), rep)).hasSize(1);
        assertThat(rep[0].lostTailReason()).containsAnyOf("malformed", "exceeds");

        // a strings table announcing 2^40 entries in a small record (checksum valid)
        HandEncoder h2 = new HandEncoder().genBegin(1, 0);
        h2.record(Format.REC_STRINGS, HandEncoder.p().u(1).u(1L << 40).u(1).str("x"));
        h2.genEnd(1, 1, 0, 0);
        h2.simpleGeneration(2, 10);
        assertThat(readAll(h2.writeTo(dir.resolve("h2.jtrace")), rep)).extracting(Generation::number)
                .containsExactly(2L);
        assertThat(rep[0].errors()).singleElement().satisfies(p -> {
            assertThat(p.generation()).isEqualTo(1);
            assertThat(p.message()).contains("does not fit");
        });
    }

    @Test
    void referencesToMissingStringsSkipTheGenerationWithAnError() throws Exception {
        HandEncoder h = new HandEncoder().genBegin(1, 0);
        h.batch(1, 1, 1, 0, 0, 1, HandEncoder.p().raw(EventTypes.LOG).u(0).u(0).u(9).u(0).u(0));
        h.eventTypes(1).strings(1, "a").genEnd(1, 1, 1, 1);
        h.simpleGeneration(2, 10);
        ReadReport[] rep = new ReadReport[1];
        List<Generation> gens = readAll(h.writeTo(dir.resolve("s.jtrace")), rep);
        assertThat(gens).extracting(Generation::number).containsExactly(2L);
        assertThat(rep[0].errors()).singleElement().satisfies(p -> {
            assertThat(p.message()).contains("string id 9");
            assertThat(p.generation()).isEqualTo(1);
            assertThat(p.offset()).isPositive();
        });
        assertThat(rep[0].skippedGenerations()).isEqualTo(1);
    }

    @Test
    void countMismatchesAndBatchGapsAreReported() throws Exception {
        HandEncoder h = new HandEncoder().genBegin(1, 0);
        HandEncoder.Payload one = HandEncoder.p().raw(EventTypes.TASK_END).u(0).u(3);
        h.batch(1, 1, 1, 0, 0, 1, one);
        h.batch(1, 1, 1, 2, 5, 1, one); // seq 1 missing
        h.eventTypes(1).genEnd(1, 9, 2, 2);
        ReadReport[] rep = new ReadReport[1];
        assertThat(readAll(h.writeTo(dir.resolve("gap.jtrace")), rep)).hasSize(1);
        assertThat(rep[0].warnings()).anySatisfy(p -> assertThat(p.message())
                .contains("batch numbers skip (lane 1 batch 1) though GEN_END's counts match"));

        HandEncoder bad = new HandEncoder().genBegin(1, 0);
        bad.batch(1, 1, 1, 0, 0, 2, one); // announces 2, holds 1
        bad.eventTypes(1).genEnd(1, 9, 1, 2);
        assertThat(readAll(bad.writeTo(dir.resolve("cnt.jtrace")), rep)).isEmpty();
        assertThat(rep[0].errors()).anySatisfy(p -> assertThat(p.message()).contains("announces 2 events, holds 1"));
    }
}
