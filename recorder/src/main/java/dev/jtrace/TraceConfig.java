package dev.jtrace;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a recording runs. Immutable; build with {@link #builder()} or parse {@code key=value,...} with
 * {@link #parse(String)} (the agent's option syntax).
 */
public final class TraceConfig {
    /** Smallest buffer: a fresh buffer must hold a few worst-case events so that nesting terminates. */
    public static final int MIN_BUFFER_SIZE = 512;
    /** Deepest stack {@code stackdepth} allows: a stack's frames must fit in one record with room to spare. */
    public static final int MAX_STACK_DEPTH = 1024;

    private final Path file;
    private final Duration generationPeriod;
    private final long generationMaxBytes;
    private final int bufferSize;
    private final long maxBufferedBytes;
    private final Reentrancy reentrancy;
    private final boolean allocFree;
    private final boolean stackTraces;
    private final int stackDepth;
    private final int sharedLanes;

    private TraceConfig(Builder b) {
        this.file = b.file;
        this.generationPeriod = b.generationPeriod;
        this.generationMaxBytes = b.generationMaxBytes;
        this.bufferSize = b.bufferSize;
        this.maxBufferedBytes = b.maxBufferedBytes;
        this.reentrancy = b.reentrancy;
        this.allocFree = b.allocFree;
        this.stackTraces = b.stackTraces;
        this.stackDepth = b.stackDepth;
        this.sharedLanes = b.sharedLanes;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A copy of this configuration as a builder. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.file = file;
        b.generationPeriod = generationPeriod;
        b.generationMaxBytes = generationMaxBytes;
        b.bufferSize = bufferSize;
        b.maxBufferedBytes = maxBufferedBytes;
        b.reentrancy = reentrancy;
        b.allocFree = allocFree;
        b.stackTraces = stackTraces;
        b.stackDepth = stackDepth;
        b.sharedLanes = sharedLanes;
        return b;
    }

    /**
     * Parses {@code file=out.jtrace,period=1s,genbytes=16m,buffer=64k,budget=64m,reentrancy=nest,allocfree=true,
     * stacks=false,lanes=8}. Unknown keys are an error naming the key.
     */
    public static TraceConfig parse(String spec) {
        Builder b = builder();
        if (spec == null || spec.isBlank()) {
            return b.build();
        }
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "true" : part.substring(eq + 1).trim();
            switch (key) {
                case "file" -> b.file(Path.of(value));
                case "period" -> b.generationPeriod(parseDuration(value));
                case "genbytes" -> b.generationMaxBytes(parseBytes(value));
                case "buffer" -> b.bufferSize((int) parseBytes(value));
                case "budget" -> b.maxBufferedBytes(parseBytes(value));
                case "reentrancy" -> b.reentrancy(Reentrancy.valueOf(value.toUpperCase(Locale.ROOT)));
                case "allocfree" -> b.allocFree(Boolean.parseBoolean(value));
                case "stacks" -> b.stackTraces(Boolean.parseBoolean(value));
                case "stackdepth" -> b.stackDepth(Integer.parseInt(value));
                case "lanes" -> b.sharedLanes(Integer.parseInt(value));
                default -> throw new IllegalArgumentException("unknown jtrace option '" + key + "' in '" + spec + "'");
            }
        }
        return b.build();
    }

    /** Parses {@code 250us}, {@code 500ms}, {@code 2s}, {@code 1m}; a bare number is milliseconds. */
    public static Duration parseDuration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ns")) {
                return Duration.ofNanos(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("us")) {
                return Duration.ofNanos(1000 * Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            } else if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofMillis(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + s + "' (use e.g. 250us, 500ms, 2s, 1m)");
        }
    }

    /** Parses {@code 512}, {@code 64k}, {@code 16m}, {@code 1g}. */
    public static long parseBytes(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mul = last == 'k' ? 1024 : last == 'm' ? 1024 * 1024 : 1024L * 1024 * 1024;
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Long.parseLong(v) * mul;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (use e.g. 512, 64k, 16m)");
        }
    }

    /** The output file, or {@code null} when only a flight recorder consumes the trace. */
    public Path file() {
        return file;
    }

    /** A new generation starts at least this often (default 1 s). */
    public Duration generationPeriod() {
        return generationPeriod;
    }

    /** A new generation starts when the current one has written this many bytes (default 16 MiB). */
    public long generationMaxBytes() {
        return generationMaxBytes;
    }

    /** Bytes per lane buffer (default 64 KiB, like Go's). */
    public int bufferSize() {
        return bufferSize;
    }

    /** Buffers not yet written may hold at most this much; beyond it events are dropped and counted. */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /** What happens to events emitted from inside the recorder. */
    public Reentrancy reentrancy() {
        return reentrancy;
    }

    /** Whether the experimental alloc/free events are recorded (off by default, like Go's traceallocfree). */
    public boolean allocFree() {
        return allocFree;
    }

    /** Whether task, region and log events capture the caller's stack. */
    public boolean stackTraces() {
        return stackTraces;
    }

    /**
     * The most frames a captured stack keeps, innermost first (default 64, at most {@link #MAX_STACK_DEPTH}):
     * capture walks only this many frames, so a deep recursion costs no more than a shallow one.
     */
    public int stackDepth() {
        return stackDepth;
    }

    /** Lanes shared by virtual threads (default: twice the processors, at least 4). */
    public int sharedLanes() {
        return sharedLanes;
    }

    @Override
    public String toString() {
        return "file=" + file + ",period=" + generationPeriod.toMillis() + "ms,genbytes=" + generationMaxBytes
                + ",buffer=" + bufferSize + ",budget=" + maxBufferedBytes + ",reentrancy="
                + reentrancy.name().toLowerCase(Locale.ROOT) + ",allocfree=" + allocFree + ",stacks=" + stackTraces
                + ",stackdepth=" + stackDepth + ",lanes=" + sharedLanes;
    }

    /** Builds a {@link TraceConfig}; every setter checks its argument. */
    public static final class Builder {
        private Path file;
        private Duration generationPeriod = Duration.ofSeconds(1);
        private long generationMaxBytes = 16L * 1024 * 1024;
        private int bufferSize = 64 * 1024;
        private long maxBufferedBytes = 64L * 1024 * 1024;
        private Reentrancy reentrancy = Reentrancy.NEST;
        private boolean allocFree;
        private boolean stackTraces;
        private int stackDepth = 64;
        private int sharedLanes = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

        private Builder() {}

        public Builder file(Path file) {
            this.file = file;
            return this;
        }

        public Builder generationPeriod(Duration period) {
            if (period.toMillis() < 1) {
                throw new IllegalArgumentException("generation period must be at least 1ms: " + period);
            }
            this.generationPeriod = period;
            return this;
        }

        public Builder generationMaxBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("generation size must be at least 1k: " + bytes);
            }
            this.generationMaxBytes = bytes;
            return this;
        }

        public Builder bufferSize(int bytes) {
            if (bytes < MIN_BUFFER_SIZE || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException(
                        "buffer size must be between " + MIN_BUFFER_SIZE + " and 16m: " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        public Builder maxBufferedBytes(long bytes) {
            if (bytes < 4L * MIN_BUFFER_SIZE) {
                throw new IllegalArgumentException("buffer budget too small: " + bytes);
            }
            this.maxBufferedBytes = bytes;
            return this;
        }

        public Builder reentrancy(Reentrancy mode) {
            this.reentrancy = Objects.requireNonNull(mode);
            return this;
        }

        public Builder allocFree(boolean on) {
            this.allocFree = on;
            return this;
        }

        public Builder stackTraces(boolean on) {
            this.stackTraces = on;
            return this;
        }

        public Builder stackDepth(int frames) {
            if (frames < 1 || frames > MAX_STACK_DEPTH) {
                throw new IllegalArgumentException("stack depth must be 1.." + MAX_STACK_DEPTH + ": " + frames);
            }
            this.stackDepth = frames;
            return this;
        }

        public Builder sharedLanes(int lanes) {
            if (lanes < 1 || lanes > 1024) {
                throw new IllegalArgumentException("shared lanes must be 1..1024: " + lanes);
            }
            this.sharedLanes = lanes;
            return this;
        }

        public TraceConfig build() {
            return new TraceConfig(this);
        }
    }
}
