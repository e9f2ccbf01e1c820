package dev.jtrace.agent;

import dev.jtrace.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The agent's options: {@code -javaagent:jtrace-agent.jar=file=out.jtrace,events=threads,park,gc,...}.
 * Keys of the recorder ({@link TraceConfig#parse}) pass through; the agent adds {@code events},
 * {@code threshold}, {@code flight} and {@code maxbytes}. An unknown key is an error naming the valid ones.
 */
public final class AgentOptions {
    /** The families of runtime events, each mapped from JFR events. */
    public enum Family {
        /** Thread start and end (jdk.ThreadStart, jdk.ThreadEnd), platform and virtual. */
        THREADS,
        /** Parking (jdk.ThreadPark). */
        PARK,
        /** Monitor contention (jdk.JavaMonitorEnter). */
        MONITOR,
        /** Thread.sleep (jdk.ThreadSleep). */
        SLEEP,
        /** Virtual threads pinned to their carrier (jdk.VirtualThreadPinned). */
        PINNED,
        /** GC pauses and phases (jdk.GarbageCollection, jdk.GCPhasePause). */
        GC,
        /** Heap size after each GC (jdk.GCHeapSummary). */
        HEAP,
        /** Allocation samples with stacks (jdk.ObjectAllocationSample). */
        ALLOC,
        /** CPU samples with stacks (jdk.ExecutionSample). */
        CPU
    }

    static final String AGENT_KEYS = "events, threshold, flight, maxbytes";
    static final String RECORDER_KEYS = "file, period, genbytes, buffer, budget, reentrancy, stacks, lanes";

    final Path file;
    final Set<Family> families;
    final Duration threshold;
    final Duration flight;
    final long maxBytes;
    final TraceConfig config;

    private AgentOptions(Path file, Set<Family> families, Duration threshold, Duration flight, long maxBytes,
            TraceConfig config) {
        this.file = file;
        this.families = families;
        this.threshold = threshold;
        this.flight = flight;
        this.maxBytes = maxBytes;
        this.config = config;
    }

    /** Parses the agent argument string (may be null or empty: then {@code file=jtrace.jtrace}). */
    public static AgentOptions parse(String args) {
        Set<Family> families = EnumSet.allOf(Family.class);
        Duration threshold = Duration.ofMillis(1);
        Duration flight = null;
        long maxBytes = 64L << 20;
        StringBuilder recorder = new StringBuilder();
        Path file = Path.of("jtrace.jtrace");
        String[] parts = args == null ? new String[0] : args.split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : part.substring(eq + 1).trim();
            switch (key) {
                case "events" -> {
                    // events=threads,park,gc: the list runs on over the following parts without '='
                    families = EnumSet.noneOf(Family.class);
                    families.add(family(value));
                    while (i + 1 < parts.length && parts[i + 1].indexOf('=') < 0) {
                        families.add(family(parts[++i].trim()));
                    }
                }
                case "threshold" -> threshold = TraceConfig.parseDuration(value);
                case "flight" -> flight = TraceConfig.parseDuration(value);
                case "maxbytes" -> maxBytes = TraceConfig.parseBytes(value);
                case "file" -> {
                    file = Path.of(value);
                    recorder.append(part).append(',');
                }
                case "period", "genbytes", "buffer", "budget", "reentrancy", "stacks", "lanes" ->
                        recorder.append(part).append(',');
                default -> throw new IllegalArgumentException("jtrace agent: unknown option '" + key
                        + "'; valid options: " + RECORDER_KEYS + ", " + AGENT_KEYS);
            }
        }
        TraceConfig config = TraceConfig.parse(recorder.toString()).toBuilder().file(file).build();
        return new AgentOptions(file, families, threshold, flight, maxBytes, config);
    }

    private static Family family(String name) {
        try {
            return Family.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jtrace agent: unknown event family '" + name + "'; families: "
                    + EnumSet.allOf(Family.class).toString().toLowerCase(Locale.ROOT));
        }
    }
}
