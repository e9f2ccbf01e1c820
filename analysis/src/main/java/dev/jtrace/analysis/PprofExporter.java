package dev.jtrace.analysis;

import com.google.protobuf.CodedOutputStream;
import dev.jtrace.model.Blocking;
import dev.jtrace.model.EventKind;
import dev.jtrace.model.ModelListener;
import dev.jtrace.model.TraceModel;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.ReadReport;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.GZIPOutputStream;

/**
 * Writes one pprof profile ({@code profile.proto}, gzip-compressed, as {@code go tool pprof} reads it) of
 * the runtime events of a trace, one kind of profile per file like {@code go tool trace -pprof=TYPE}:
 *
 * <ul>
 *   <li>{@link Kind#BLOCK}: Park, MonitorBlocked and Sleep events; values {@code contentions/count} and
 *       {@code delay/nanoseconds} (the default), each sample labelled {@code kind=park|monitor|sleep}, and
 *       {@code idle=true} for a pool worker waiting for its next task (the model's classification), so that
 *       {@code -tagignore=idle=true} leaves contention only;
 *   <li>{@link Kind#CPU}: CPUSample events; values {@code samples/count} and {@code cpu/nanoseconds}
 *       (each sample counts the sampling period in force at its time: the {@code cpu.period.ns} of the last
 *       {@code jtrace.settings} Log before it, which the agent records from JFR's effective settings, else
 *       20 ms; a period given to {@link #export} overrides them);
 *   <li>{@link Kind#ALLOC}: AllocSample events; values {@code samples/count} and {@code alloc_space/bytes}
 *       (the sum of the samples' weights: JFR's estimate of the bytes allocated), each sample labelled
 *       {@code class=} the allocated class.
 * </ul>
 *
 * <p>Each Java frame (class, method, file, line) becomes a Location with one Line; functions are
 * {@code Class.method} per source file. Events without a stack count against one frame "(no stack)".
 *
 * <p>The events come through the {@link TraceModel}, like every tool's; the profile's duration is the
 * trace's (first GEN_BEGIN to last GEN_END).
 *
 * <p>Streaming: samples are aggregated as the generations are read, by stack (frames, not the per-generation
 * stack ids) and label. Memory grows with distinct stacks and frames, never with events.
 */
public final class PprofExporter implements ModelListener {
    /** The profiles this exporter writes. */
    public enum Kind {
        BLOCK("contentions", "count", "delay", "nanoseconds"),
        CPU("samples", "count", "cpu", "nanoseconds"),
        ALLOC("samples", "count", "alloc_space", "bytes");

        final String countType;
        final String countUnit;
        final String valueType;
        final String valueUnit;

        Kind(String countType, String countUnit, String valueType, String valueUnit) {
            this.countType = countType;
            this.countUnit = countUnit;
            this.valueType = valueType;
            this.valueUnit = valueUnit;
        }

        /** The sample types, as {@code go tool pprof} lists them ({@code type/unit}). */
        public List<String> sampleTypes() {
            return List.of(countType + "/" + countUnit, valueType + "/" + valueUnit);
        }
    }

    /** The agent's CPU sampling period (jdk.ExecutionSample every 20 ms). */
    public static final long DEFAULT_CPU_PERIOD_NANOS = 20_000_000L;

    /** What one export wrote: distinct samples (stack and label), their value sums, the tables' sizes. */
    public record Result(Kind kind, long samples, long totalCount, long totalValue, long events, long locations,
            long functions, ReadReport report) {}

    /** The frame events without a stack are attributed to. */
    public static final String NO_STACK = "(no stack)";

    // profile.proto field numbers (github.com/google/pprof, proto/profile.proto)
    private static final int PROFILE_SAMPLE_TYPE = 1;
    private static final int PROFILE_SAMPLE = 2;
    private static final int PROFILE_MAPPING = 3;
    private static final int PROFILE_LOCATION = 4;
    private static final int PROFILE_FUNCTION = 5;
    private static final int PROFILE_STRING_TABLE = 6;
    private static final int PROFILE_TIME_NANOS = 9;
    private static final int PROFILE_DURATION_NANOS = 10;
    private static final int PROFILE_PERIOD_TYPE = 11;
    private static final int PROFILE_PERIOD = 12;
    private static final int PROFILE_COMMENT = 13;
    private static final int PROFILE_DEFAULT_SAMPLE_TYPE = 14;
    private static final int VALUE_TYPE_TYPE = 1;
    private static final int VALUE_TYPE_UNIT = 2;
    private static final int SAMPLE_LOCATION_ID = 1;
    private static final int SAMPLE_VALUE = 2;
    private static final int SAMPLE_LABEL = 3;
    private static final int LABEL_KEY = 1;
    private static final int LABEL_STR = 2;
    private static final int MAPPING_ID = 1;
    private static final int MAPPING_FILENAME = 5;
    private static final int MAPPING_HAS_FUNCTIONS = 7;
    private static final int MAPPING_HAS_FILENAMES = 8;
    private static final int MAPPING_HAS_LINE_NUMBERS = 9;
    private static final int LOCATION_ID = 1;
    private static final int LOCATION_MAPPING_ID = 2;
    private static final int LOCATION_LINE = 4;
    private static final int LINE_FUNCTION_ID = 1;
    private static final int LINE_LINE = 2;
    private static final int FUNCTION_ID = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_SYSTEM_NAME = 3;
    private static final int FUNCTION_FILENAME = 4;

    private record Function(String name, String file) {}

    /** A location: one frame, by function and line. */
    private record Location(int function, int line) {}

    /** What samples are aggregated by: location ids, leaf first, the label's value (0 = none), idleness. */
    private record Key(int[] locations, int label, boolean idle) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.label == label && k.idle == idle && Arrays.equals(k.locations, locations);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(locations) * 31 + label) * 2 + (idle ? 1 : 0);
        }
    }

    private final Kind kind;
    private long cpuPeriod;
    private final Map<String, Integer> strings = new LinkedHashMap<>();
    private final Map<Function, Integer> functions = new LinkedHashMap<>();
    private final Map<Location, Integer> locations = new LinkedHashMap<>();
    private final Map<Key, long[]> samples = new HashMap<>();
    /** Location ids of the current generation's stacks, by stack id. */
    private final Map<Integer, int[]> generationStacks = new HashMap<>();
    private int[] noStack;
    private long events;
    private long firstWall;
    private long firstTicks = Long.MIN_VALUE;
    private long lastTicks;

    /** The period given by the caller (0: the trace's). */
    private final long cpuPeriodOverride;
    /** The period the trace's settings say is in force, from its last {@code jtrace.settings} Log. */
    private long cpuPeriodInForce = DEFAULT_CPU_PERIOD_NANOS;
    /** The first period the trace recorded (the profile's Period field), 0 until one is seen. */
    private long firstRecordedPeriod;

    private PprofExporter(Kind kind, long cpuPeriod) {
        this.kind = kind;
        this.cpuPeriodOverride = cpuPeriod;
        this.cpuPeriod = cpuPeriod > 0 ? cpuPeriod : DEFAULT_CPU_PERIOD_NANOS;
        string("");
    }

    /** {@code cpu.period.ns} of a {@code jtrace.settings} message, or 0 (docs/format.md, "Event types"). */
    static long recordedCpuPeriod(String settings) {
        if (settings == null) {
            return 0;
        }
        for (String kv : settings.split(" ")) {
            if (kv.startsWith("cpu.period.ns=")) {
                try {
                    long v = Long.parseLong(kv.substring("cpu.period.ns=".length()));
                    return v > 0 ? v : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * Exports the {@code kind} profile of {@code in} to {@code out}; {@code cpuPeriodNanos} is the CPU
     * sampling period (for {@link Kind#CPU}), or 0 for the periods the trace recorded; {@code progress}
     * (may be null) receives the bytes read.
     */
    public static Result export(Path in, Path out, Kind kind, long cpuPeriodNanos, LongConsumer progress)
            throws IOException {
        if (cpuPeriodNanos < 0) {
            throw new IllegalArgumentException("the CPU sampling period must not be negative: " + cpuPeriodNanos);
        }
        PprofExporter x = new PprofExporter(kind, cpuPeriodNanos);
        ReadReport report;
        try (TraceReader r = ExportFiles.openTrace(in)) {
            // samples and blocking need no thread identity or states: a few bytes a thread
            TraceModel m = TraceModel.counting(x);
            m.readAll(r, progress);
            report = r.report();
            x.lastTicks = m.summary().endNanos();
        }
        long[] totals = new long[2];
        for (long[] v : x.samples.values()) {
            totals[0] += v[0];
            totals[1] += v[1];
        }
        try (OutputStream os = ExportFiles.create(out); GZIPOutputStream gz = new GZIPOutputStream(os, 1 << 16)) {
            CodedOutputStream cos = CodedOutputStream.newInstance(gz, 1 << 16);
            x.write(cos, in);
            cos.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Result(kind, x.samples.size(), totals[0], totals[1], x.events, x.locations.size(),
                x.functions.size(), report);
    }

    @Override
    public void generationBegin(Generation g) {
        generationStacks.clear();
        if (firstTicks == Long.MIN_VALUE) {
            firstTicks = g.startTicks();
            firstWall = g.startWallNanos();
        }
    }

    @Override
    public void event(Event e, EventKind k, long thread, long time) {
        if (kind == Kind.CPU && k == EventKind.LOG && "jtrace.settings".equals(e.string("category"))) {
            long p = recordedCpuPeriod(e.string("message"));
            if (p > 0) {
                cpuPeriodInForce = p;
                if (firstRecordedPeriod == 0) {
                    firstRecordedPeriod = p;
                    if (cpuPeriodOverride == 0) {
                        cpuPeriod = p; // the profile's Period field
                    }
                }
            }
        } else if (kind == Kind.CPU && k == EventKind.CPU_SAMPLE) {
            add(e.stack("stack"), 0, false, cpuPeriodOverride > 0 ? cpuPeriodOverride : cpuPeriodInForce);
        } else if (kind == Kind.ALLOC && k == EventKind.ALLOC_SAMPLE) {
            String c = e.string("class");
            add(e.stack("stack"), string(c == null ? "(unknown class)" : c), false, e.arg("weight"));
        }
    }

    @Override
    public void blocking(Blocking b) {
        if (kind == Kind.BLOCK && b.kind() != EventKind.VIRTUAL_THREAD_PINNED) {
            boolean bare = b.stack() == null || b.stack().frames().isEmpty();
            if (bare && b.scheduler()) {
                // a call that returned at once has no stack: one frame naming what it waited on, as analyze does
                int[] locs = returnedAtOnce.computeIfAbsent(b.callSiteName(),
                        n -> new int[] {location(new Function(n, ""), 0)});
                add(locs, string(b.kindName()), b.idle(), b.duration());
            } else {
                add(b.stack(), string(b.kindName()), b.idle(), b.duration());
            }
        }
    }

    /** Locations of scheduler blocks without stack, by blocker class (bounded by the classes blocked on). */
    private final Map<String, int[]> returnedAtOnce = new HashMap<>();

    private void add(StackTrace st, int label, boolean idle, long value) {
        int[] locs = st == null || st.frames().isEmpty() ? noStack() : generationStacks.computeIfAbsent(st.id(),
                id -> locations(st));
        add(locs, label, idle, value);
    }

    private void add(int[] locs, int label, boolean idle, long value) {
        events++;
        long[] v = samples.computeIfAbsent(new Key(locs, label, idle), k -> new long[2]);
        v[0]++;
        v[1] += value;
    }

    private int[] noStack() {
        if (noStack == null) {
            noStack = new int[] {location(new Function(NO_STACK, ""), 0)};
        }
        return noStack;
    }

    private int[] locations(StackTrace st) {
        int[] ids = new int[st.frames().size()];
        for (int i = 0; i < ids.length; i++) {
            StackTrace.Frame f = st.frames().get(i);
            ids[i] = location(new Function(f.className() + "." + f.methodName(), f.fileName() == null ? ""
                    : f.fileName()), Math.max(0, f.line()));
        }
        return ids;
    }

    private int location(Function f, int line) {
        int fn = functions.computeIfAbsent(f, k -> {
            string(k.name());
            string(k.file());
            return functions.size() + 1;
        });
        return locations.computeIfAbsent(new Location(fn, line), k -> locations.size() + 1);
    }

    private int string(String s) {
        return strings.computeIfAbsent(s, k -> strings.size());
    }

    private void write(CodedOutputStream out, Path in) throws IOException {
        ProtoBuilder m = new ProtoBuilder();
        int labelKey = kind == Kind.BLOCK ? string("kind") : kind == Kind.ALLOC ? string("class") : 0;
        valueType(m, out, PROFILE_SAMPLE_TYPE, kind.countType, kind.countUnit);
        valueType(m, out, PROFILE_SAMPLE_TYPE, kind.valueType, kind.valueUnit);
        long[] ids = new long[16];
        for (Map.Entry<Key, long[]> s : samples.entrySet()) {
            int[] locs = s.getKey().locations();
            if (ids.length < locs.length) {
                ids = new long[locs.length];
            }
            for (int i = 0; i < locs.length; i++) {
                ids[i] = locs[i];
            }
            m.reset().packedUint64(SAMPLE_LOCATION_ID, ids, locs.length).packedUint64(SAMPLE_VALUE, s.getValue(), 2);
            if (s.getKey().label() != 0) {
                m.begin(SAMPLE_LABEL).int64(LABEL_KEY, labelKey).int64(LABEL_STR, s.getKey().label()).end();
            }
            if (s.getKey().idle()) {
                m.begin(SAMPLE_LABEL).int64(LABEL_KEY, string("idle")).int64(LABEL_STR, string("true")).end();
            }
            m.writeAsField(out, PROFILE_SAMPLE);
        }
        // One mapping for all frames, marked symbolized, so that pprof never looks for a binary to symbolize.
        m.reset().uint64(MAPPING_ID, 1).int64(MAPPING_FILENAME, string("java")).bool(MAPPING_HAS_FUNCTIONS, true)
                .bool(MAPPING_HAS_FILENAMES, true).bool(MAPPING_HAS_LINE_NUMBERS, true);
        m.writeAsField(out, PROFILE_MAPPING);
        for (Map.Entry<Location, Integer> l : locations.entrySet()) {
            m.reset().uint64(LOCATION_ID, l.getValue()).uint64(LOCATION_MAPPING_ID, 1).begin(LOCATION_LINE)
                    .uint64(LINE_FUNCTION_ID, l.getKey().function()).int64(LINE_LINE, l.getKey().line()).end();
            m.writeAsField(out, PROFILE_LOCATION);
        }
        for (Map.Entry<Function, Integer> f : functions.entrySet()) {
            int name = string(f.getKey().name());
            m.reset().uint64(FUNCTION_ID, f.getValue()).int64(FUNCTION_NAME, name).int64(FUNCTION_SYSTEM_NAME, name)
                    .int64(FUNCTION_FILENAME, string(f.getKey().file()));
            m.writeAsField(out, PROFILE_FUNCTION);
        }
        if (firstTicks != Long.MIN_VALUE) {
            out.writeInt64(PROFILE_TIME_NANOS, firstWall);
            out.writeInt64(PROFILE_DURATION_NANOS, Math.max(0, lastTicks - firstTicks));
        }
        switch (kind) {
            case BLOCK -> {
                valueType(m, out, PROFILE_PERIOD_TYPE, kind.countType, kind.countUnit);
                out.writeInt64(PROFILE_PERIOD, 1);
            }
            case CPU -> {
                valueType(m, out, PROFILE_PERIOD_TYPE, kind.valueType, kind.valueUnit);
                out.writeInt64(PROFILE_PERIOD, cpuPeriod);
            }
            case ALLOC -> valueType(m, out, PROFILE_PERIOD_TYPE, "space", "bytes");
        }
        out.writeInt64(PROFILE_COMMENT, string("jtrace " + kind.name().toLowerCase() + " profile of "
                + in.getFileName()));
        out.writeInt64(PROFILE_DEFAULT_SAMPLE_TYPE, string(kind.valueType));
        // the string table last: every index above is in it by now
        for (String s : strings.keySet()) {
            out.writeString(PROFILE_STRING_TABLE, s);
        }
    }

    private void valueType(ProtoBuilder m, CodedOutputStream out, int field, String type, String unit)
            throws IOException {
        m.reset().int64(VALUE_TYPE_TYPE, string(type)).int64(VALUE_TYPE_UNIT, string(unit));
        m.writeAsField(out, field);
    }
}
