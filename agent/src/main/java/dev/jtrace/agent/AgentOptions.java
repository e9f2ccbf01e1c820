package dev.jtrace.agent;

import dev.jtrace.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The agent's options: {@code -javaagent:jtrace-agent.jar=file=out.jtrace,events=threads,park,gc,...}.
 * Keys of the recorder ({@link TraceConfig#parse}) pass through; the agent adds {@code events},
 * {@code threshold}, {@code flight}, {@code maxbytes}, {@code allocfree} and {@code maxtracked}, and the
 * control keys {@code command} and {@code reply} that {@code jtrace attach} and {@code jtrace snapshot} use.
 * An unknown key is an error naming the valid ones.
 */
public final class AgentOptions {
    /** The families of runtime events, each mapped from JFR events. */
    public enum Family {
        /** Platform thread start and end (jdk.ThreadStart, jdk.ThreadEnd). */
        THREADS,
        /**
         * Virtual thread start and end (jdk.VirtualThreadStart, jdk.VirtualThreadEnd), and from hooks every
         * mount and unmount on a carrier and every submit to the scheduler.
         */
        VTHREADS,
        /**
         * Parking: every LockSupport park and unpark, and Thread.yield, from hooks in the JDK (falls back to
         * jdk.ThreadPark above the threshold where the JDK lacks the hook points).
         */
        PARK,
        /** Every Object.wait, notify and notifyAll, from hooks (no JFR fallback: see docs/agent.md). */
        WAIT,
        /** Monitor contention (jdk.JavaMonitorEnter). */
        MONITOR,
        /** Every Thread.sleep from hooks (falls back to jdk.ThreadSleep above the threshold). */
        SLEEP,
        /**
         * Blocking socket and file I/O above the threshold (jdk.SocketRead, jdk.SocketWrite, jdk.FileRead,
         * jdk.FileWrite): only the JVM sees where a read blocked.
         */
        IO,
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

    /** What an agent invocation does: {@code -javaagent} always starts; an attach says which. */
    public enum Command {
        /** Start recording (the default). */
        START,
        /** Stop the running recording; a flight recorder writes its window to its file, if it has one. */
        STOP,
        /** Write the running flight recorder's window to {@code file}. */
        SNAPSHOT,
        /** Report what the agent records. */
        STATUS
    }

    static final String AGENT_KEYS =
            "events, threshold, allocrate, hooks, blockstack, flight, maxbytes, allocfree, maxtracked, force";
    static final String RECORDER_KEYS = "file, period, genbytes, buffer, budget, reentrancy, stacks, stackdepth, lanes";
    static final String CONTROL_KEYS = "command, reply, owner";
    /** Keys that may appear once only: a second one would be an option smuggled in after the first. */
    private static final Set<String> ONCE = Set.of("command", "reply", "owner", "file", "flight", "force");

    final Command command;
    /** Token of the attacher waiting for the reply (system property jtrace.agent.reply), or null. */
    final String reply;
    /** The trace file; null only in flight mode with {@code file=} empty (nothing written at exit). */
    final Path file;
    /** With {@code stop} and {@code status}: only the recording that the start with this reply token began. */
    final String owner;
    /** Whether {@code file} may replace an existing file that is not a trace (never a link or special file). */
    final boolean force;
    /** Allocation samples per second that JFR is asked for ({@code jdk.ObjectAllocationSample#throttle}). */
    final long allocRate;
    final Set<Family> families;
    final Duration threshold;
    final Duration flight;
    final long maxBytes;
    /** Binary names of the classes whose constructions and frees are recorded (alloc/free experiment). */
    final List<String> allocFreeClasses;
    final long maxTracked;
    final TraceConfig config;
    /** Whether the scheduler families come from hooks inside the JDK ({@code hooks=false}: from JFR only). */
    final boolean hooks;
    /** A block at least this long carries its stack on its BlockEnd ({@code blockstack=}). */
    final Duration blockStack;

    private AgentOptions(Command command, String reply, Path file, String owner, boolean force, long allocRate,
            Set<Family> families, Duration threshold, Duration flight, long maxBytes, List<String> allocFreeClasses,
            long maxTracked, TraceConfig config, boolean hooks, Duration blockStack) {
        this.hooks = hooks;
        this.blockStack = blockStack;
        this.command = command;
        this.reply = reply;
        this.file = file;
        this.owner = owner;
        this.force = force;
        this.allocRate = allocRate;
        this.families = families;
        this.threshold = threshold;
        this.flight = flight;
        this.maxBytes = maxBytes;
        this.allocFreeClasses = allocFreeClasses;
        this.maxTracked = maxTracked;
        this.config = config;
    }

    /** Parses the agent argument string (may be null or empty: then {@code file=jtrace.jtrace}). */
    public static AgentOptions parse(String args) {
        Command command = Command.START;
        String reply = null;
        String owner = null;
        boolean force = false;
        long allocRate = DEFAULT_ALLOC_RATE;
        Set<String> seen = new java.util.HashSet<>();
        Set<Family> families = EnumSet.allOf(Family.class);
        Duration threshold = Duration.ofMillis(1);
        Duration flight = null;
        long maxBytes = 64L << 20;
        List<String> allocFree = new ArrayList<>();
        long maxTracked = 1L << 20;
        boolean hooks = true;
        Duration blockStack = Duration.ofMillis(10); // a stack walk costs microseconds (docs/agent.md)
        StringBuilder recorder = new StringBuilder();
        Path file = Path.of("jtrace.jtrace");
        boolean fileEmpty = false;
        String[] parts = args == null ? new String[0] : args.split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : part.substring(eq + 1).trim();
            if (ONCE.contains(key) && !seen.add(key)) {
                throw new IllegalArgumentException("jtrace agent: option '" + key + "' given twice (in '" + args
                        + "'); each of " + ONCE + " may be given once");
            }
            switch (key) {
                case "events" -> {
                    // events=threads,park,gc: the list runs on over the following parts without '='
                    families = EnumSet.noneOf(Family.class);
                    families.add(family(value));
                    while (i + 1 < parts.length && parts[i + 1].indexOf('=') < 0) {
                        families.add(family(parts[++i].trim()));
                    }
                }
                case "allocfree" -> {
                    // allocfree=com.example.Foo,com.example.Bar (like events=) or com.example.Foo;com.example.Bar
                    List<String> names = new ArrayList<>(List.of(value.split(";")));
                    while (i + 1 < parts.length && parts[i + 1].indexOf('=') < 0) {
                        names.addAll(List.of(parts[++i].split(";")));
                    }
                    for (String n : names) {
                        String name = n.trim();
                        if (!name.isEmpty()) {
                            allocFree.add(className(name));
                        }
                    }
                    if (allocFree.isEmpty()) {
                        throw new IllegalArgumentException("jtrace agent: allocfree= needs class names, e.g."
                                + " allocfree=com.example.Foo,com.example.Bar");
                    }
                }
                case "maxtracked" -> {
                    maxTracked = TraceConfig.parseBytes(value);
                    if (maxTracked < 1) {
                        throw new IllegalArgumentException("jtrace agent: maxtracked must be at least 1: " + value);
                    }
                }
                case "threshold" -> threshold = TraceConfig.parseDuration(value);
                case "flight" -> flight = TraceConfig.parseDuration(value);
                case "maxbytes" -> maxBytes = TraceConfig.parseBytes(value);
                case "file" -> {
                    fileEmpty = value.isEmpty();
                    file = fileEmpty ? null : Path.of(value);
                }
                case "command" -> command = command(value);
                case "reply" -> reply = value;
                case "owner" -> owner = value;
                case "force" -> force = bool(key, value);
                case "allocrate" -> allocRate = rate(value);
                case "hooks" -> hooks = bool(key, value);
                case "blockstack" -> blockStack = TraceConfig.parseDuration(value);
                case "period", "genbytes", "buffer", "budget", "reentrancy", "stacks", "stackdepth", "lanes" ->
                        recorder.append(part).append(',');
                default -> throw new IllegalArgumentException("jtrace agent: unknown option '" + key
                        + "'; valid options: " + RECORDER_KEYS + ", " + AGENT_KEYS + " (and " + CONTROL_KEYS
                        + ", used by jtrace attach)");
            }
        }
        if (fileEmpty && flight == null && command != Command.STOP && command != Command.STATUS) {
            throw new IllegalArgumentException("jtrace agent: file= is empty; only a flight recorder may run"
                    + " without a file (it is then written only by jtrace snapshot)");
        }
        TraceConfig config = TraceConfig.parse(recorder.toString()).toBuilder().file(file)
                .allocFree(!allocFree.isEmpty()).build();
        return new AgentOptions(command, reply, file, owner, force, allocRate, families, threshold, flight, maxBytes, List.copyOf(allocFree),
                maxTracked, config, hooks, blockStack);
    }

    /** JFR's default for {@code jdk.ObjectAllocationSample#throttle} (its "profile" settings ask for 300/s). */
    static final long DEFAULT_ALLOC_RATE = 150;

    /** {@code 150/s}, {@code 9000/min}, {@code 150}: samples per second. */
    static long rate(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long per = 1;
        int slash = v.indexOf('/');
        String n = v;
        if (slash >= 0) {
            n = v.substring(0, slash).trim();
            per = switch (v.substring(slash + 1).trim()) {
                case "s" -> 1;
                case "min" -> 60;
                case "h" -> 3600;
                default -> throw new IllegalArgumentException("jtrace agent: allocrate=" + value
                        + ": the unit must be /s, /min or /h (e.g. allocrate=150/s)");
            };
        }
        long count;
        try {
            count = Long.parseLong(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("jtrace agent: allocrate=" + value + " is not a rate (e.g. allocrate=150/s)");
        }
        if (count < 1 || count / per < 1) {
            throw new IllegalArgumentException("jtrace agent: allocrate=" + value + ": at least 1/s");
        }
        return count / per;
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("jtrace agent: " + key + "=" + value + ": true or false");
        };
    }

    private static Family family(String name) {
        try {
            return Family.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jtrace agent: unknown event family '" + name + "'; families: "
                    + EnumSet.allOf(Family.class).toString().toLowerCase(Locale.ROOT));
        }
    }

    private static Command command(String name) {
        try {
            return Command.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jtrace agent: unknown command '" + name
                    + "'; commands: start, stop, snapshot, status");
        }
    }

    /**
     * A class chosen for the alloc/free experiment: a binary name, not one of the JDK's or jtrace's own (the
     * tracer and the JDK code it runs on allocate those, so a hook there would fire inside itself).
     */
    private static String className(String name) {
        if (name.indexOf('/') >= 0 || name.indexOf('[') >= 0 || name.startsWith(".") || name.endsWith(".")) {
            throw new IllegalArgumentException("jtrace agent: allocfree: '" + name
                    + "' is not a class name (use the binary name, e.g. com.example.Outer$Inner)");
        }
        for (String p : new String[] {"java.", "jdk.", "sun.", "com.sun.", "dev.jtrace."}) {
            if (name.startsWith(p)) {
                throw new IllegalArgumentException("jtrace agent: allocfree: cannot instrument " + name
                        + ": classes of the JDK and of jtrace itself are excluded (the tracer allocates them)");
            }
        }
        return name;
    }
}
