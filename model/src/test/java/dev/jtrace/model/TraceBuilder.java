package dev.jtrace.model;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Writes trace files event by event from docs/format.md (nanoTime clock: ticks are nanoseconds), so that
 * tests can build exactly the trace they mean, hostile ones included: missing halves, null and empty
 * names, threads known only from ThreadSwitch, late runtime events. Reused by the tools' tests (test-jar).
 *
 * <pre>
 * TraceBuilder b = new TraceBuilder();
 * b.generation(0, 1_000).thread(1, "main", false)
 *         .event(1, 1, 10, EventTypes.REGION_BEGIN, 0L, "work", 0L)
 *         .event(1, 1, 90, EventTypes.REGION_END, 0L, "work");
 * b.write(path);
 * </pre>
 */
public final class TraceBuilder {
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();
    private long generation;
    private Gen current;
    /** The recording process GEN_BEGIN names (format 2.3); none when {@link #process} was not called. */
    private long pid;
    private String host;
    private String jvm;

    public TraceBuilder() {
        file.writeBytes(Format.MAGIC);
        file.write(0);
        file.write(Format.VERSION_MAJOR);
        file.write(0);
        file.write(Format.VERSION_MINOR);
    }

    private static final class Ev {
        final long ticks;
        final int type;
        final Object[] args;

        Ev(long ticks, int type, Object[] args) {
            this.ticks = ticks;
            this.type = type;
            this.args = args;
        }
    }

    private record Lane(long id, long thread) {}

    /** One generation under construction; {@link #end()} writes it. */
    public final class Gen {
        final long number;
        final long start;
        final long end;
        final Map<String, Long> strings = new LinkedHashMap<>();
        final Map<String, Long> stacks = new LinkedHashMap<>();
        final Map<Long, Object[]> threads = new TreeMap<>();
        final Map<Lane, List<Ev>> lanes = new LinkedHashMap<>();
        final List<long[]> losses = new ArrayList<>();

        Gen(long number, long start, long end) {
            this.number = number;
            this.start = start;
            this.end = end;
        }

        /** A THREADS table row. */
        public Gen thread(long id, String name, boolean virtual) {
            threads.put(id, new Object[] {name, virtual ? 1 : 0});
            return this;
        }

        /**
         * An event on lane {@code lane} owned by {@code laneThread} (0: a shared lane) at {@code ticks}.
         * Arguments in the type's order: Long/Integer for numbers, String (null: none) for STRING, a
         * {@link #stack} value for STACK.
         */
        public Gen event(long lane, long laneThread, long ticks, int type, Object... args) {
            lanes.computeIfAbsent(new Lane(lane, laneThread), k -> new ArrayList<>()).add(new Ev(ticks, type, args));
            return this;
        }

        /** A stack of frames "pkg.Class.method" innermost first, for a STACK argument. */
        public Object stack(String... frames) {
            return new StackRef(List.of(frames));
        }

        /** A LOSS table row. */
        public Gen loss(long lane, long thread, int reason, long count) {
            losses.add(new long[] {lane, thread, reason, count});
            return this;
        }

        long string(String s) {
            if (s == null) {
                return 0;
            }
            return strings.computeIfAbsent(s, k -> (long) strings.size() + 1);
        }

        /** Writes the generation; returns the builder. */
        public TraceBuilder end() {
            writeGeneration(this);
            current = null;
            return TraceBuilder.this;
        }
    }

    /** A stack argument. */
    public record StackRef(List<String> frames) {}

    /** Every generation written from now on names this recording process in its GEN_BEGIN (format 2.3). */
    public TraceBuilder process(long pid, String host, String jvm) {
        this.pid = pid;
        this.host = host;
        this.jvm = jvm;
        return this;
    }

    /** Starts generation number n+1 spanning [start, end] nanoseconds. */
    public Gen generation(long start, long end) {
        if (current != null) {
            throw new IllegalStateException("end() the previous generation first");
        }
        current = new Gen(++generation, start, end);
        return current;
    }

    private static final class P {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        P u(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
            return this;
        }

        P s(long v) {
            return u((v << 1) ^ (v >> 63));
        }

        P str(String s) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            u(x.length);
            b.writeBytes(x);
            return this;
        }

        P raw(int x) {
            b.write(x);
            return this;
        }
    }

    private void record(int kind, P payload) {
        byte[] body = payload.b.toByteArray();
        byte[] len = new P().u(body.length).b.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(kind);
        crc.update(len);
        crc.update(body);
        int c = (int) crc.getValue();
        file.write(kind);
        file.writeBytes(len);
        file.writeBytes(body);
        file.write(c >>> 24);
        file.write(c >>> 16);
        file.write(c >>> 8);
        file.write(c);
    }

    private void writeGeneration(Gen g) {
        long wall = 1_700_000_000_000_000_000L;
        P begin = new P().u(g.number).u(g.start).u(wall + g.start).u(g.start);
        if (host != null) {
            begin.u(pid).str(host).str(jvm);
        }
        record(Format.REC_GEN_BEGIN, begin);
        long events = 0;
        // stack ids first: their frames' strings must be interned before the STRINGS table is written
        for (List<Ev> evs : g.lanes.values()) {
            for (Ev e : evs) {
                for (Object a : e.args) {
                    if (a instanceof StackRef s) {
                        String key = String.join("\n", s.frames());
                        if (!g.stacks.containsKey(key)) {
                            g.stacks.put(key, (long) g.stacks.size() + 1);
                            for (String f : s.frames()) {
                                int dot = f.lastIndexOf('.');
                                g.string(f.substring(0, dot));
                                g.string(f.substring(dot + 1));
                            }
                            g.string("F.java");
                        }
                    }
                }
            }
        }
        int batches = 0;
        for (Map.Entry<Lane, List<Ev>> l : g.lanes.entrySet()) {
            List<Ev> evs = new ArrayList<>(l.getValue());
            evs.sort((a, b) -> Long.compare(a.ticks, b.ticks));
            long base = evs.get(0).ticks;
            P p = new P();
            long prev = base;
            for (Ev e : evs) {
                EventSpec spec = EventTypes.byId(e.type);
                p.raw(e.type).u(e.ticks - prev);
                prev = e.ticks;
                if (e.args.length < EventTypes.requiredArgs(e.type) || e.args.length > spec.args().size()) {
                    throw new IllegalArgumentException(spec.name() + " takes " + spec.args().size() + " arguments");
                }
                // arguments appended to a built-in type since (format.md) default to 0 / none when left out
                for (int i = 0; i < spec.args().size(); i++) {
                    Object a = i < e.args.length ? e.args[i] : (spec.args().get(i).kind() == ArgKind.STRING ? null : 0L);
                    ArgKind k = spec.args().get(i).kind();
                    switch (k) {
                        case STRING -> p.u(g.string((String) a));
                        case STACK -> p.u(a == null || a instanceof Number n && n.longValue() == 0 ? 0
                                : g.stacks.get(String.join("\n", ((StackRef) a).frames())));
                        case SINT -> p.s(((Number) a).longValue());
                        default -> p.u(((Number) a).longValue());
                    }
                }
                events++;
            }
            P batch = new P().u(g.number).u(l.getKey().id()).u(l.getKey().thread()).u(0).u(base).u(evs.size());
            batch.b.writeBytes(p.b.toByteArray());
            record(Format.REC_BATCH, batch);
            batches++;
        }
        P types = new P().u(g.number).u(EventTypes.ALL.size());
        for (EventSpec s : EventTypes.ALL) {
            types.u(s.id()).str(s.name()).u(s.args().size());
            for (EventSpec.Arg a : s.args()) {
                types.str(a.name()).u(a.kind().code);
            }
        }
        record(Format.REC_EVENT_TYPES, types);
        P st = new P().u(g.number).u(g.strings.size());
        g.strings.forEach((s, id) -> st.u(id).str(s));
        record(Format.REC_STRINGS, st);
        if (!g.stacks.isEmpty()) {
            P sk = new P().u(g.number).u(g.stacks.size());
            g.stacks.forEach((key, id) -> {
                String[] frames = key.split("\n");
                sk.u(id).u(frames.length);
                for (int i = 0; i < frames.length; i++) {
                    int dot = frames[i].lastIndexOf('.');
                    sk.u(g.strings.get(frames[i].substring(0, dot))).u(g.strings.get(frames[i].substring(dot + 1)))
                            .u(g.strings.get("F.java")).s(10 + i);
                }
            });
            record(Format.REC_STACKS, sk);
        }
        if (!g.threads.isEmpty()) {
            P th = new P().u(g.number).u(g.threads.size());
            g.threads.forEach((id, v) -> th.u(id).str((String) v[0]).u((Integer) v[1]));
            record(Format.REC_THREADS, th);
        }
        if (!g.losses.isEmpty()) {
            P lo = new P().u(g.number).u(g.losses.size());
            for (long[] l : g.losses) {
                lo.u(l[0]).u(l[1]).u(l[2]).u(l[3]);
            }
            record(Format.REC_LOSS, lo);
        }
        record(Format.REC_GEN_END, new P().u(g.number).u(g.end).u(wall + g.end).u(batches).u(events).u(g.end));
    }

    public byte[] bytes() {
        return file.toByteArray();
    }

    public Path write(Path p) throws IOException {
        Files.write(p, bytes());
        return p;
    }

    /**
     * Flips one bit in the middle of the payload of the first BATCH record of the trace file {@code b}, so
     * that its checksum fails and the reader loses that batch; returns the offset flipped, or -1 when the
     * file has no batch.
     */
    public static int flipBitInFirstBatch(byte[] b) {
        int pos = Format.HEADER_SIZE;
        while (pos < b.length) {
            int kind = b[pos] & 0xFF;
            int i = pos + 1;
            long len = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b[i++] & 0xFF;
                len |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            if (kind == Format.REC_BATCH) {
                int flipped = i + (int) len / 2;
                b[flipped] ^= 0x08;
                return flipped;
            }
            pos = i + (int) len + 4;
        }
        return -1;
    }
}
