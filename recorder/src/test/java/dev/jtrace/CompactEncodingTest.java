package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import dev.jtrace.format.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compact encodings (docs/format.md, types 41 to 43) lose nothing: the recorder's file, and the same file
 * with every compact event rewritten to its full type by the document's rule (here, independently of the
 * reader), read back to exactly the same events. And the recorder picks them where the document says.
 */
class CompactEncodingTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    @Test
    void compactEventsReadBackExactlyAsTheirFullTypes() throws Exception {
        Path file = dir.resolve("compact.jtrace");
        // small buffers: many batch boundaries, so some ends fall in the batch after their begin
        JTrace.start(TraceConfig.builder().file(file).bufferSize(TraceConfig.MIN_BUFFER_SIZE).build());
        Task t = JTrace.newTask(null, "t");
        for (int i = 0; i < 2_000; i++) {
            try (Region r = JTrace.region(i % 3 == 0 ? null : t, "leaf" + (i & 3))) {
                // a leaf region: its end follows its begin
            }
            try (Region outer = JTrace.region(t, "outer")) {
                try (Region inner = JTrace.region(t, "inner")) {
                    JTrace.log(t, "cat", "msg" + (i & 7));
                }
                JTrace.log(null, "obj", new StringBuilder("via toString ").append(i & 1)); // the full path
            }
            if (i % 100 == 0) {
                try (Region r = JTrace.region(t, "stacked")) {
                    JTrace.logWithStack(t, "with", "stack");
                }
            }
        }
        // virtual threads share lanes: ThreadSwitch events come between their events
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> vts = new ArrayList<>();
        for (int v = 0; v < 8; v++) {
            int id = v;
            vts.add(Thread.ofVirtual().name("vt" + v).start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 300; i++) {
                    try (Region r = JTrace.region(t, "v" + id)) {
                        if (i % 7 == 0) {
                            Thread.yield();
                        }
                    }
                }
            }));
        }
        go.countDown();
        for (Thread vt : vts) {
            vt.join();
        }
        t.end();
        JTrace.stop();

        byte[] original = Files.readAllBytes(file);
        Map<Integer, Long> written = typeCounts(original);
        assertThat(written).containsKeys(EventTypes.REGION_BEGIN_NO_STACK, EventTypes.REGION_END_AFTER_BEGIN,
                EventTypes.LOG_NO_STACK, EventTypes.REGION_END, EventTypes.LOG, EventTypes.THREAD_SWITCH);
        // a stack keeps the full RegionBegin and Log; only an end right after its begin is compact
        assertThat(written.get(EventTypes.LOG)).isEqualTo(20);
        assertThat(written.getOrDefault(EventTypes.REGION_BEGIN, 0L)).isZero();

        byte[] expanded = expand(original);
        Map<Integer, Long> full = typeCounts(expanded);
        assertThat(full).doesNotContainKeys(EventTypes.REGION_BEGIN_NO_STACK, EventTypes.REGION_END_AFTER_BEGIN,
                EventTypes.LOG_NO_STACK);
        assertThat(expanded.length).isGreaterThan(original.length);

        ReadBack a = ReadBack.read(file);
        ReadBack b = ReadBack.read(Files.write(dir.resolve("expanded.jtrace"), expanded));
        assertThat(a.problems).isEmpty();
        assertThat(b.problems).isEmpty();
        assertThat(a.totalLoss()).isZero();
        assertThat(a.events).hasSize(b.events.size()).isEqualTo(b.events);
        // and the events are the ones recorded: every RegionEnd names its own region, with its task
        List<ReadBack.Ev> ends = a.ofType("RegionEnd");
        assertThat(ends).hasSize(2_000 * 3 + 20 + 8 * 300);
        assertThat(a.ofType("RegionBegin")).hasSize(ends.size());
        assertThat(ends.stream().filter(e -> e.str("name").startsWith("leaf") && e.num("task") == 0)).hasSize(667);
        assertThat(a.events.stream().filter(e -> e.type().startsWith("Region") && e.str("name").equals("v3")))
                .hasSize(600).allSatisfy(e -> assertThat(e.num("task")).isEqualTo(t.id()));
        assertThat(a.ofType("Log")).filteredOn(e -> e.str("category").equals("with"))
                .hasSize(20).allSatisfy(e -> assertThat(e.arg("stack")).isNotNull());
        assertThat(a.ofType("Log")).filteredOn(e -> e.str("category").equals("cat"))
                .allSatisfy(e -> assertThat(e.arg("stack")).isNull());
    }

    @Test
    void withStacksTheBeginIsFullAndItsEndStillCompact() throws Exception {
        Path file = dir.resolve("stacks.jtrace");
        JTrace.start(TraceConfig.builder().file(file).stackTraces(true).build());
        Task t = JTrace.newTask(null, "t");
        for (int i = 0; i < 10; i++) {
            try (Region r = JTrace.region(t, "r" + i)) {
                // nothing inside: the end follows the begin
            }
        }
        JTrace.log(t, "cat", "stacked");
        t.end();
        JTrace.stop();

        Map<Integer, Long> written = typeCounts(Files.readAllBytes(file));
        assertThat(written.get(EventTypes.REGION_BEGIN)).isEqualTo(10);
        assertThat(written.get(EventTypes.REGION_END_AFTER_BEGIN)).isEqualTo(10);
        assertThat(written.get(EventTypes.LOG)).isEqualTo(1);
        assertThat(written).doesNotContainKeys(EventTypes.REGION_BEGIN_NO_STACK, EventTypes.LOG_NO_STACK,
                EventTypes.REGION_END);
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        List<ReadBack.Ev> ends = r.ofType("RegionEnd");
        assertThat(ends).extracting(e -> e.str("name")).containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6",
                "r7", "r8", "r9");
        assertThat(ends).allSatisfy(e -> assertThat(e.num("task")).isEqualTo(t.id()));
        assertThat(r.ofType("RegionBegin")).allSatisfy(e -> assertThat(e.arg("stack")).isNotNull());
    }

    @Test
    void aCompactTypeIsNotARuntimeEvent() throws Exception {
        JTrace.start(TraceConfig.builder().file(dir.resolve("x.jtrace")).build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.jtrace.internal.ThreadContext.current()
                .runtimeEvent(EventTypes.REGION_END_AFTER_BEGIN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compact");
    }

    // ---- the file, record by record (docs/format.md "Records", "Batches and lanes")

    /** Calls {@code batch} with each BATCH payload; returns the file with each payload replaced by its result. */
    private static byte[] mapBatches(byte[] f, java.util.function.UnaryOperator<byte[]> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(f, 0, 12);
        int p = 12;
        while (p < f.length) {
            int kind = f[p] & 0xFF;
            int[] at = {p + 1};
            int len = (int) uvarint(f, at);
            byte[] payload = java.util.Arrays.copyOfRange(f, at[0], at[0] + len);
            p = at[0] + len + 4;
            if (kind == Format.REC_BATCH) {
                payload = batch.apply(payload);
            }
            ByteArrayOutputStream rec = new ByteArrayOutputStream();
            rec.write(kind);
            byte[] l = new byte[Varint.MAX_BYTES];
            rec.write(l, 0, Varint.write(l, 0, payload.length));
            rec.writeBytes(payload);
            CRC32C crc = new CRC32C();
            crc.update(rec.toByteArray());
            int c = (int) crc.getValue();
            out.writeBytes(rec.toByteArray());
            out.writeBytes(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
        }
        return out.toByteArray();
    }

    /**
     * The file with each event of types 41 to 43 written as its full type: 41 and 43 with stack 0 appended, 42
     * with the task and name of the RegionBegin just before it in the batch (which the rule requires).
     */
    static byte[] expand(byte[] f) {
        return mapBatches(f, payload -> {
            int[] at = {0};
            for (int i = 0; i < 6; i++) {
                uvarint(payload, at); // gen lane thread seq base count
            }
            byte[] out = java.util.Arrays.copyOf(payload, payload.length * 3 + 16);
            int w = at[0];
            long[] lastBegin = null;
            while (at[0] < payload.length) {
                int type = payload[at[0]++] & 0xFF;
                long delta = uvarint(payload, at);
                EventSpec spec = EventTypes.byId(type);
                long[] args = new long[spec.args().size()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = uvarint(payload, at);
                }
                int full = type;
                switch (type) {
                    case EventTypes.REGION_BEGIN_NO_STACK -> {
                        full = EventTypes.REGION_BEGIN;
                        args = new long[] {args[0], args[1], 0};
                    }
                    case EventTypes.LOG_NO_STACK -> {
                        full = EventTypes.LOG;
                        args = new long[] {args[0], args[1], args[2], 0};
                    }
                    case EventTypes.REGION_END_AFTER_BEGIN -> {
                        assertThat(lastBegin).as("a RegionEndAfterBegin follows a RegionBegin").isNotNull();
                        full = EventTypes.REGION_END;
                        args = new long[] {lastBegin[0], lastBegin[1]};
                    }
                    default -> { }
                }
                lastBegin = full == EventTypes.REGION_BEGIN ? args : null;
                out[w++] = (byte) full;
                w = Varint.write(out, w, delta);
                for (long v : args) {
                    w = Varint.write(out, w, v);
                }
            }
            return java.util.Arrays.copyOf(out, w);
        });
    }

    /** How many events of each type the file's batches hold. */
    static Map<Integer, Long> typeCounts(byte[] f) {
        Map<Integer, Long> counts = new TreeMap<>();
        mapBatches(f, payload -> {
            int[] at = {0};
            for (int i = 0; i < 6; i++) {
                uvarint(payload, at);
            }
            while (at[0] < payload.length) {
                int type = payload[at[0]++] & 0xFF;
                counts.merge(type, 1L, Long::sum);
                uvarint(payload, at);
                for (int i = 0; i < EventTypes.byId(type).args().size(); i++) {
                    uvarint(payload, at);
                }
            }
            return payload;
        });
        return counts;
    }

    private static long uvarint(byte[] b, int[] at) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[at[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) {
                return v;
            }
        }
    }
}
