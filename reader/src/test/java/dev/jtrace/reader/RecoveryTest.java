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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a broken file costs: only what is broken, counted, and the reader goes on (docs/format.md "Errors"). */
class RecoveryTest {
    @TempDir
    Path dir;

    /** Records of one generation written by {@link #generation}: index of each batch record, in order. */
    private static final class Written {
        final List<Integer> batchRecords = new ArrayList<>();
        int genBegin;
        int genEnd;
    }

    /**
     * A generation with {@code lanes} lanes of {@code batchesPerLane} batches, each batch holding
     * {@code perBatch} TaskEnd events: lane L's events are on thread 100 + L.
     */
    private static Written generation(HandEncoder h, long gen, long base, int lanes, int batchesPerLane, int perBatch) {
        Written w = new Written();
        w.genBegin = h.records.size();
        h.genBegin(gen, base);
        for (int seq = 0; seq < batchesPerLane; seq++) {
            for (int lane = 1; lane <= lanes; lane++) {
                HandEncoder.Payload ev = HandEncoder.p();
                for (int i = 0; i < perBatch; i++) {
                    ev.raw(EventTypes.TASK_END).u(1).u(lane * 1000 + seq * 100 + i);
                }
                w.batchRecords.add(h.records.size());
                h.batch(gen, lane, 100 + lane, seq, base + seq * 10L, perBatch, ev);
            }
        }
        h.eventTypes(gen).strings(gen, "x");
        w.genEnd = h.records.size();
        h.genEnd(gen, base + 1000, (long) lanes * batchesPerLane, (long) lanes * batchesPerLane * perBatch);
        return w;
    }

    private record Read(List<Generation> gens, ReadReport report) {
        long events() {
            return gens.stream().mapToLong(g -> g.events().size()).sum();
        }

        List<Long> numbers() {
            return gens.stream().map(Generation::number).toList();
        }
    }

    private Read read(byte[] b) throws IOException {
        Path p = Files.write(dir.resolve("t.jtrace"), b);
        List<Generation> gens = new ArrayList<>();
        try (TraceReader r = TraceReader.open(p)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                gens.add(g);
            }
            return new Read(gens, r.report());
        }
    }

    @Test
    void aBrokenFrameInTheMiddleLosesOnlyThatGenerationAndTheReaderResynchronises() throws Exception {
        HandEncoder h = new HandEncoder();
        generation(h, 1, 0, 2, 3, 5); // 30 events
        Written second = generation(h, 2, 5_000, 3, 4, 7); // 84 events
        generation(h, 3, 10_000, 2, 2, 11); // 44 events
        byte[] b = h.bytes();
        // a flipped bit in the length of generation 2's third batch: its frame is broken
        long at = h.offsetOf(second.batchRecords.get(2)) + 1;
        b[(int) at] ^= 0x04;
        Read r = read(b);
        assertThat(r.numbers()).containsExactly(1L, 3L);
        assertThat(r.events()).isEqualTo(30 + 44);
        assertThat(r.report().eventsRead()).isEqualTo(74);
        LostData lost = r.report().lost().get(0);
        assertThat(r.report().lost()).hasSize(1);
        assertThat(lost.generation()).isEqualTo(2);
        assertThat(lost.wholeGeneration()).isTrue();
        assertThat(lost.offset()).isEqualTo(h.offsetOf(second.genBegin));
        assertThat(lost.bytes()).isEqualTo(h.endOf(second.genEnd) - h.offsetOf(second.genBegin));
        assertThat(lost.events()).isEqualTo(14); // the two batches read before the broken one
        assertThat(lost.reason()).contains("resynchronised at offset " + h.endOf(second.genEnd));
        assertThat(r.report().lostGenerations()).isEqualTo(1);
        assertThat(r.report().lostTailBytes()).isZero();
        assertThat(r.report().errors()).singleElement().satisfies(p -> assertThat(p.generation()).isEqualTo(2));
        assertThat(r.report().warnings()).isEmpty();
    }

    @Test
    void aCorruptBatchCostsOnlyItsEventsWhichAreCounted() throws Exception {
        HandEncoder h = new HandEncoder();
        generation(h, 1, 0, 2, 3, 5);
        Written second = generation(h, 2, 5_000, 3, 4, 7);
        generation(h, 3, 10_000, 2, 2, 11);
        byte[] b = h.bytes();
        // a flipped bit inside the payload of generation 2's batch of lane 2, seq 1
        int rec = second.batchRecords.get(1 * 3 + 1);
        b[(int) h.endOf(rec) - 7] ^= 0x10;
        Read r = read(b);
        assertThat(r.numbers()).containsExactly(1L, 2L, 3L);
        Generation g2 = r.gens().get(1);
        assertThat(g2.events()).hasSize(84 - 7);
        assertThat(g2.lostEvents()).isEqualTo(7);
        assertThat(g2.lostBatches()).isEqualTo(1);
        assertThat(g2.events()).noneMatch(e -> e.threadId() == 102 && e.arg("task") / 100 == 21);
        assertThat(r.events()).isEqualTo(30 + 77 + 44);
        assertThat(r.report().lostEvents()).isEqualTo(7);
        assertThat(r.report().lostGenerations()).isZero();
        assertThat(r.report().lostBytes()).isEqualTo(h.endOf(rec) - h.offsetOf(rec));
        assertThat(r.report().lost()).singleElement().satisfies(d -> {
            assertThat(d.generation()).isEqualTo(2);
            assertThat(d.wholeGeneration()).isFalse();
            assertThat(d.offset()).isEqualTo(h.offsetOf(rec));
            assertThat(d.reason()).contains("1 of 12 batches missing").contains("lane 2 batch 1")
                    .contains("bad checksum");
        });
    }

    @Test
    void aRemovedBatchCostsOnlyItsEventsAndNamesItsLane() throws Exception {
        HandEncoder h = new HandEncoder();
        generation(h, 1, 0, 2, 3, 5);
        Written second = generation(h, 2, 5_000, 3, 4, 7);
        generation(h, 3, 10_000, 2, 2, 11);
        byte[] full = h.bytes();
        int rec = second.batchRecords.get(2 * 3 + 2); // lane 3, seq 2
        int from = (int) h.offsetOf(rec);
        int to = (int) h.endOf(rec);
        byte[] b = new byte[full.length - (to - from)];
        System.arraycopy(full, 0, b, 0, from);
        System.arraycopy(full, to, b, from, full.length - to);
        Read r = read(b);
        assertThat(r.numbers()).containsExactly(1L, 2L, 3L);
        assertThat(r.gens().get(1).events()).hasSize(77);
        assertThat(r.gens().get(1).lostEvents()).isEqualTo(7);
        assertThat(r.gens().get(2).events()).hasSize(44);
        assertThat(r.report().lostEvents()).isEqualTo(7);
        assertThat(r.report().lostBytes()).isZero();
        assertThat(r.report().lost()).singleElement().satisfies(d -> assertThat(d.reason())
                .contains("1 of 12 batches missing").contains("lane 3 batch 2").contains("removed"));
    }

    @Test
    void aRenamedArgumentIsASchemaErrorOfItsGenerationWithItsOffset() throws Exception {
        List<EventSpec> renamed = new ArrayList<>(EventTypes.ALL);
        renamed.replaceAll(s -> s.id() == EventTypes.TASK_END
                ? new EventSpec(s.id(), s.name(), List.of(new EventSpec.Arg("tsk", ArgKind.TASK))) : s);
        HandEncoder h = new HandEncoder().simpleGeneration(1, 0);
        int genBegin = h.records.size();
        h.genBegin(2, 500);
        h.batch(2, 1, 1, 0, 500, 1, HandEncoder.p().raw(EventTypes.TASK_END).u(0).u(3));
        int types = h.records.size();
        h.eventTypes(2, renamed).genEnd(2, 600, 1, 1);
        h.simpleGeneration(3, 1000);
        Read r = read(h.bytes());
        assertThat(r.numbers()).containsExactly(1L, 3L);
        assertThat(r.report().errors()).singleElement().satisfies(p -> {
            assertThat(p.generation()).isEqualTo(2);
            assertThat(p.offset()).isBetween(h.offsetOf(types), h.endOf(types));
            assertThat(p.message()).contains("schema error").contains("TaskEnd").contains("tsk")
                    .contains("task:TASK");
            assertThat(p.toString()).contains("generation 2").contains("offset " + p.offset());
        });
        assertThat(r.report().lost()).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(h.offsetOf(genBegin));
            assertThat(d.events()).isEqualTo(1);
        });
        // every built-in argument a tool asks for by name is there
        for (Generation g : r.gens()) {
            for (Event e : g.events()) {
                EventSpec builtin = EventTypes.byId(e.type().id());
                builtin.args().forEach(a -> e.arg(a.name()));
            }
        }
    }

    @Test
    void appendedArgumentsOfABuiltInTypeAreAccepted() throws Exception {
        List<EventSpec> extended = new ArrayList<>(EventTypes.ALL);
        extended.replaceAll(s -> s.id() == EventTypes.TASK_END ? new EventSpec(s.id(), s.name(),
                List.of(new EventSpec.Arg("task", ArgKind.TASK), new EventSpec.Arg("extra", ArgKind.UINT))) : s);
        HandEncoder h = new HandEncoder().genBegin(2, 500);
        h.batch(2, 1, 1, 0, 500, 1, HandEncoder.p().raw(EventTypes.TASK_END).u(0).u(3).u(9));
        h.eventTypes(2, extended).genEnd(2, 600, 1, 1);
        Read r = read(h.bytes());
        assertThat(r.report().problems()).isEmpty();
        assertThat(r.gens().get(0).events().get(0).arg("task")).isEqualTo(3);
        assertThat(r.gens().get(0).events().get(0).arg("extra")).isEqualTo(9);
    }

    @Test
    void aGenerationTooBigForTheHeapIsSkippedWithItsSizeAndTheNextOneIsRead() throws Exception {
        HandEncoder h = new HandEncoder();
        generation(h, 1, 0, 1, 1, 4);
        Written big = generation(h, 2, 5_000, 4, 50, 100); // 20,000 events
        generation(h, 3, 10_000, 1, 2, 3);
        Path p = Files.write(dir.resolve("big.jtrace"), h.bytes());
        long bigBytes = h.endOf(big.genEnd) - h.offsetOf(big.genBegin);
        List<Generation> gens = new ArrayList<>();
        ReadReport rep;
        // 200 kB of heap: enough for 3,000 events, not for 20,000 (64 bytes each)
        try (TraceReader r = TraceReader.open(p).heapBudget(200_000)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                gens.add(g);
            }
            rep = r.report();
        }
        assertThat(gens).extracting(Generation::number).containsExactly(1L, 3L);
        assertThat(gens.get(1).events()).hasSize(6);
        assertThat(rep.errors()).singleElement().satisfies(e -> {
            assertThat(e.generation()).isEqualTo(2);
            assertThat(e.message()).contains("too big for the heap").contains(bigBytes + " bytes")
                    .contains("20000 events").contains("MiB of heap").contains("-Xmx");
        });
        assertThat(rep.lost()).singleElement().satisfies(d -> {
            assertThat(d.bytes()).isEqualTo(bigBytes);
            assertThat(d.events()).isEqualTo(20_000);
        });
    }

    @Test
    void aVersionOneFileWithAnExtendedHeaderIsReadAsOneX() throws Exception {
        // 1.1 appends a field of its own to GEN_BEGIN and GEN_END: not a clock stamp
        HandEncoder h = new HandEncoder(1, 1);
        h.record(Format.REC_GEN_BEGIN, HandEncoder.p().u(4).u(1000).u(1_700_000_000_000_000_000L).u(77));
        h.batch(4, 1, 42, 0, 1000, 2, HandEncoder.p().raw(EventTypes.TASK_END).u(0).u(1)
                .raw(EventTypes.TASK_END).u(50).u(2));
        h.eventTypes(4);
        h.record(Format.REC_GEN_END, HandEncoder.p().u(4).u(1100).u(1_700_000_000_000_000_100L).u(1).u(2).u(99));
        Read r = read(h.bytes());
        assertThat(r.report().problems()).isEmpty();
        assertThat(r.report().version()).isEqualTo("1.1");
        Generation g = r.gens().get(0);
        assertThat(g.startNanos()).isEqualTo(1000);
        assertThat(g.endNanos()).isEqualTo(1100);
        assertThat(g.clock()).isEqualTo(Generation.EventClock.NANO_TIME);
        assertThat(g.events()).extracting(Event::nanos).containsExactly(1000L, 1050L);
    }

    @Test
    void aVersionTwoGenBeginWithoutItsClockStampIsAnError() throws Exception {
        HandEncoder h = new HandEncoder(2, 0);
        h.record(Format.REC_GEN_BEGIN, HandEncoder.p().u(4).u(1000).u(1_700_000_000_000_000_000L));
        h.eventTypes(4).genEnd(4, 1100, 0, 0);
        h.simpleGeneration(5, 2000);
        Read r = read(h.bytes());
        assertThat(r.numbers()).containsExactly(5L);
        assertThat(r.report().errors()).anySatisfy(p -> assertThat(p.message()).contains("malformed GEN_BEGIN"));
    }

    @Test
    void traceEndPresentSaysNothingAbsentSaysCutOffAndReasonOneReportsTheLoss() throws Exception {
        HandEncoder stopped = new HandEncoder(2, 1).simpleGeneration(1, 0).simpleGeneration(2, 500);
        stopped.traceEnd(2, Format.END_STOPPED, 0, 0);
        Read r = read(stopped.bytes());
        assertThat(r.report().problems()).isEmpty();
        assertThat(r.report().cutOff()).isFalse();
        assertThat(r.report().traceEnd().stopped()).isTrue();

        HandEncoder cut = new HandEncoder(2, 1).simpleGeneration(1, 0).simpleGeneration(2, 500);
        r = read(cut.bytes());
        assertThat(r.numbers()).containsExactly(1L, 2L);
        assertThat(r.report().cutOff()).isTrue();
        assertThat(r.report().warnings()).singleElement().satisfies(p -> assertThat(p.message())
                .isEqualTo("the recording was cut off after generation 2, at 2023-11-14T22:13:20.000000001Z;"
                        + " events after it are missing"));

        // cut inside generation 3: the tail is lost and the recording is cut off after generation 2
        HandEncoder torn = new HandEncoder(2, 1).simpleGeneration(1, 0).simpleGeneration(2, 500)
                .simpleGeneration(3, 900);
        byte[] b = torn.bytes();
        r = read(Arrays.copyOf(b, b.length - 30));
        assertThat(r.numbers()).containsExactly(1L, 2L);
        assertThat(r.report().cutOff()).isTrue();
        assertThat(r.report().lostTailBytes()).isPositive();
        assertThat(r.report().warnings()).anySatisfy(p -> assertThat(p.message())
                .startsWith("the recording was cut off after generation 2"));

        HandEncoder failed = new HandEncoder(2, 1).simpleGeneration(1, 0);
        failed.traceEnd(1, Format.END_SINK_FAILED, 1234, 3);
        r = read(failed.bytes());
        assertThat(r.report().cutOff()).isFalse();
        assertThat(r.report().lostEvents()).isEqualTo(1234);
        assertThat(r.report().errors()).singleElement().satisfies(p -> assertThat(p.message())
                .contains("output failed after generation 1").contains("1234 events of 3 later generations"));

        // 2.0 never has TRACE_END: nothing is said
        r = read(new HandEncoder(2, 0).simpleGeneration(1, 0).bytes());
        assertThat(r.report().problems()).isEmpty();
        assertThat(r.report().cutOff()).isFalse();
        r = read(new HandEncoder(1, 0).simpleGeneration(1, 0).bytes());
        assertThat(r.report().problems()).isEmpty();
    }

    @Test
    void anEmptyFileAndAShortHeaderSayWhatHappened() throws Exception {
        Path empty = Files.write(dir.resolve("empty.jtrace"), new byte[0]);
        assertThatThrownBy(() -> TraceReader.open(empty)).isInstanceOf(TraceFormatException.class)
                .hasMessage(empty + ": empty file: nothing was written (disk full at start, or killed before the"
                        + " first write)");
        byte[] header = new HandEncoder().bytes();
        for (int n = 1; n < Format.HEADER_SIZE; n++) {
            Path shortFile = Files.write(dir.resolve("short.jtrace"), Arrays.copyOf(header, n));
            assertThatThrownBy(() -> TraceReader.open(shortFile)).isInstanceOf(TraceFormatException.class)
                    .hasMessageContaining("short.jtrace").hasMessageContaining("truncated header (" + n + " of 12");
        }
        assertThatThrownBy(() -> TraceReader.fromBytes(new byte[0], "mem")).hasMessageContaining("empty file");
    }

    @Test
    void aLongCounterGenerationIsConvertedByTheExactRule() throws Exception {
        // 5 s at 3 GHz: the literal 64-bit product of the rule overflows; stamps as a TSC trace writes them
        long startTicks = 7_000_000_000_000L;
        long ticks = 15_000_000_017L;
        long startNanos = 123_456_789_000L;
        long nanos = 5_000_000_003L;
        long[] at = {0, 1, 2, 3, 4_999_999_999L, 7_500_000_001L, 14_999_999_999L, ticks, ticks + 5};
        HandEncoder h = new HandEncoder().genBegin(9, startTicks, startNanos);
        HandEncoder.Payload ev = HandEncoder.p();
        long prev = 0;
        for (long a : at) {
            ev.raw(EventTypes.TASK_END).u(a - prev).u(1);
            prev = a;
        }
        h.batch(9, 1, 1, 0, startTicks, at.length, ev).eventTypes(9);
        h.genEnd(9, startTicks + ticks, startNanos + nanos, 1, at.length);
        Read r = read(h.bytes());
        assertThat(r.report().problems()).isEmpty();
        Generation g = r.gens().get(0);
        assertThat(g.clock()).isEqualTo(Generation.EventClock.CPU_COUNTER);
        List<Long> expected = new ArrayList<>();
        for (long a : at) {
            expected.add(ClockMapTest.reference(startTicks, startTicks + ticks, startNanos, startNanos + nanos,
                    startTicks + a));
        }
        assertThat(g.events()).extracting(Event::nanos).containsExactlyElementsOf(expected);
        assertThat(expected.get(0)).isEqualTo(startNanos);
        assertThat(expected.get(7)).isEqualTo(startNanos + nanos);
    }
}
