package dev.jtrace.reader;

import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes trace files byte by byte from docs/format.md, independently of the recorder, so that reader
 * tests check the reader against the document rather than against the recorder's code.
 */
public final class HandEncoder {
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();
    /** Offsets of each record written, with its kind. */
    public final List<long[]> records = new ArrayList<>();

    private final int major;

    /**
     * A 2.0 file: no TRACE_END is expected at its end (3.x files, like 2.1 and later, have one), and the reader
     * decodes the compact types 41 to 43 in any version, so the tests of those need no 3.0 header.
     */
    public HandEncoder() {
        this(2);
    }

    /**
     * A file of another major version (1.x files have no clock stamps: their ticks are nanoseconds), minor 0:
     * hand-built files do not end with TRACE_END unless a test asks for 2.1 and writes it.
     */
    public HandEncoder(int major) {
        this(major, 0);
    }

    /** A file of version {@code major.minor} (2.1 files end with TRACE_END when the recording ends in order). */
    public HandEncoder(int major, int minor) {
        this.major = major;
        file.writeBytes(Format.MAGIC);
        file.write(major >>> 8);
        file.write(major);
        file.write(minor >>> 8);
        file.write(minor);
    }

    /** A payload under construction. */
    public static final class Payload {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        public Payload u(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
            return this;
        }

        public Payload s(long v) {
            return u((v << 1) ^ (v >> 63));
        }

        public Payload str(String s) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            u(x.length);
            b.writeBytes(x);
            return this;
        }

        public Payload raw(byte[] x) {
            b.writeBytes(x);
            return this;
        }

        public Payload raw(int oneByte) {
            b.write(oneByte);
            return this;
        }

        public byte[] bytes() {
            return b.toByteArray();
        }
    }

    public static Payload p() {
        return new Payload();
    }

    public HandEncoder record(int kind, Payload payload) {
        byte[] body = payload.bytes();
        Payload len = p().u(body.length);
        byte[] lenBytes = len.bytes();
        records.add(new long[] {file.size(), kind});
        CRC32C crc = new CRC32C();
        crc.update(kind);
        crc.update(lenBytes);
        crc.update(body);
        int c = (int) crc.getValue();
        file.write(kind);
        file.writeBytes(lenBytes);
        file.writeBytes(body);
        file.write(c >>> 24);
        file.write(c >>> 16);
        file.write(c >>> 8);
        file.write(c);
        return this;
    }

    /** GEN_BEGIN of the nanoTime clock: in a 2.x file its clock stamp is {@code ticks} at {@code ticks} ns. */
    public HandEncoder genBegin(long gen, long ticks) {
        Payload pl = p().u(gen).u(ticks).u(1_700_000_000_000_000_000L);
        return record(Format.REC_GEN_BEGIN, major >= 2 ? pl.u(ticks) : pl);
    }

    public HandEncoder eventTypes(long gen, List<EventSpec> specs) {
        Payload pl = p().u(gen).u(specs.size());
        for (EventSpec s : specs) {
            pl.u(s.id()).str(s.name()).u(s.args().size());
            for (EventSpec.Arg a : s.args()) {
                pl.str(a.name()).u(a.kind().code);
            }
        }
        return record(Format.REC_EVENT_TYPES, pl);
    }

    public HandEncoder eventTypes(long gen) {
        return eventTypes(gen, EventTypes.ALL);
    }

    public HandEncoder strings(long gen, String... values) {
        Payload pl = p().u(gen).u(values.length);
        for (int i = 0; i < values.length; i++) {
            pl.u(i + 1).str(values[i]);
        }
        return record(Format.REC_STRINGS, pl);
    }

    public HandEncoder threads(long gen, long id, String name, int flags) {
        return record(Format.REC_THREADS, p().u(gen).u(1).u(id).str(name).u(flags));
    }

    /** A batch: {@code events} is the raw event bytes (type, delta, args...). */
    public HandEncoder batch(long gen, long lane, long thread, long seq, long base, int count, Payload events) {
        return record(Format.REC_BATCH, p().u(gen).u(lane).u(thread).u(seq).u(base).u(count).raw(events.bytes()));
    }

    /** GEN_END of the nanoTime clock (see {@link #genBegin(long, long)}). */
    public HandEncoder genEnd(long gen, long ticks, long batches, long events) {
        Payload pl = p().u(gen).u(ticks).u(1_700_000_000_000_000_000L + 1).u(batches).u(events);
        return record(Format.REC_GEN_END, major >= 2 ? pl.u(ticks) : pl);
    }

    /** TRACE_END (since 2.1). */
    public HandEncoder traceEnd(long lastGen, long reason, long lostEvents, long lostGenerations) {
        return record(Format.REC_TRACE_END, p().u(lastGen).u(reason).u(lostEvents).u(lostGenerations));
    }

    /** Offset of the {@code i}-th record written. */
    public long offsetOf(int i) {
        return records.get(i)[0];
    }

    /** End offset of the {@code i}-th record written. */
    public long endOf(int i) {
        return i + 1 < records.size() ? records.get(i + 1)[0] : file.size();
    }

    /** GEN_BEGIN with its clock stamp: raw {@code ticks} of the event clock read at {@code nanos} ns. */
    public HandEncoder genBegin(long gen, long ticks, long nanos) {
        return record(Format.REC_GEN_BEGIN, p().u(gen).u(ticks).u(1_700_000_000_000_000_000L).u(nanos));
    }

    /** GEN_END with its clock stamp. */
    public HandEncoder genEnd(long gen, long ticks, long nanos, long batches, long events) {
        return record(Format.REC_GEN_END, p().u(gen).u(ticks).u(1_700_000_000_000_000_000L + 1).u(batches).u(events)
                .u(nanos));
    }

    public byte[] bytes() {
        return file.toByteArray();
    }

    public Path writeTo(Path p) throws java.io.IOException {
        Files.write(p, bytes());
        return p;
    }

    /**
     * {@link #simpleGeneration}'s events in the compact types (docs/format.md, 41 to 43): LogNoStack,
     * RegionBeginNoStack, RegionEndAfterBegin, Counter; then a RegionBeginNoStack, a LogNoStack and the
     * full RegionEnd after it (+30, +31, +32).
     */
    public HandEncoder compactGeneration(long gen, long base) {
        genBegin(gen, base);
        Payload ev = p();
        ev.raw(EventTypes.LOG_NO_STACK).u(0).u(5).u(1).u(2);
        ev.raw(EventTypes.REGION_BEGIN_NO_STACK).u(10).u(5).u(3);
        ev.raw(EventTypes.REGION_END_AFTER_BEGIN).u(10);
        ev.raw(EventTypes.COUNTER).u(5).u(4).s(-7);
        ev.raw(EventTypes.REGION_BEGIN_NO_STACK).u(5).u(5).u(3);
        ev.raw(EventTypes.LOG_NO_STACK).u(1).u(5).u(1).u(2);
        ev.raw(EventTypes.REGION_END).u(1).u(5).u(3);
        batch(gen, 1, 42, 0, base, 7, ev);
        eventTypes(gen);
        strings(gen, "cat", "msg", "r", "c");
        threads(gen, 42, "main", 0);
        return genEnd(gen, base + 100, 1, 7);
    }

    /**
     * A complete generation with one lane: Log(task 5, "cat", "msg") at base, RegionBegin(5, "r") +10,
     * RegionEnd(5, "r") +20, Counter("c", -7) +25.
     */
    public HandEncoder simpleGeneration(long gen, long base) {
        genBegin(gen, base);
        Payload ev = p();
        ev.raw(EventTypes.LOG).u(0).u(5).u(1).u(2).u(0);
        ev.raw(EventTypes.REGION_BEGIN).u(10).u(5).u(3).u(0);
        ev.raw(EventTypes.REGION_END).u(10).u(5).u(3);
        ev.raw(EventTypes.COUNTER).u(5).u(4).s(-7);
        batch(gen, 1, 42, 0, base, 4, ev);
        eventTypes(gen);
        strings(gen, "cat", "msg", "r", "c");
        threads(gen, 42, "main", 0);
        return genEnd(gen, base + 100, 1, 4);
    }
}
