package dev.jtrace.agent;

import dev.jtrace.agent.AgentOptions.Family;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The settings JFR actually applies to the events the agent reads. Every JFR recording in the JVM (the
 * agent's stream, an application's {@code -XX:StartFlightRecording}, a {@code jcmd JFR.start}) enables events
 * with its own settings, and the JVM applies their union: the shortest sample period, the shortest threshold,
 * the highest throttle. So the agent's CPU samples may come every 10 ms although it asked for 20 ms. The agent
 * records what applies, as a {@code Log} event of category {@value #CATEGORY} (docs/agent.md), at the start
 * and whenever it changes, so that tools use the true sample period.
 */
final class JfrSettings {
    /** Category of the Log events that carry the settings. */
    static final String CATEGORY = "jtrace.settings";

    private JfrSettings() {}

    /**
     * The message: space-separated {@code key=value}: {@code threshold.ns} (the agent's own filter of park,
     * monitor, sleep and pinned events: it drops shorter ones whatever JFR delivers), {@code cpu.period.ns}
     * (the shortest period of jdk.ExecutionSample among the running recordings), {@code alloc.rate.per.s}
     * (the highest throttle of jdk.ObjectAllocationSample, or {@code unlimited}), and {@code jfr.recordings}
     * (how many JFR recordings run, the agent's included), and {@code hooks} (the families recorded in full by
     * the scheduler hooks, comma-separated: their events have no threshold). A key is left out when its
     * family is not recorded.
     */
    static String describe(AgentOptions o, long cpuPeriodNanos, java.util.Set<Family> hooked) {
        long period = o.families.contains(Family.CPU) ? cpuPeriodNanos : -1;
        long rate = o.families.contains(Family.ALLOC) ? o.allocRate : -1;
        int running = 0;
        try {
            for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
                if (r.getState() != RecordingState.RUNNING) {
                    continue;
                }
                running++;
                Map<String, String> s = r.getSettings();
                if (period > 0 && enabled(s, "jdk.ExecutionSample")) {
                    long p = nanos(s.get("jdk.ExecutionSample#period"));
                    if (p > 0 && p < period) {
                        period = p;
                    }
                }
                if (rate > 0 && enabled(s, "jdk.ObjectAllocationSample")) {
                    long t = perSecond(s.get("jdk.ObjectAllocationSample#throttle"));
                    if (t == Long.MAX_VALUE || t > rate) {
                        rate = t;
                    }
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // JFR unavailable: the agent's own settings are what it asked for
        }
        StringBuilder sb = new StringBuilder();
        if (o.families.contains(Family.PARK) || o.families.contains(Family.MONITOR)
                || o.families.contains(Family.SLEEP) || o.families.contains(Family.PINNED)
                || o.families.contains(Family.IO)) {
            sb.append("threshold.ns=").append(o.threshold.toNanos()).append(' ');
        }
        if (period > 0) {
            sb.append("cpu.period.ns=").append(period).append(' ');
        }
        if (rate > 0) {
            sb.append("alloc.rate.per.s=").append(rate == Long.MAX_VALUE ? "unlimited" : Long.toString(rate)).append(' ');
        }
        if (!hooked.isEmpty()) {
            StringBuilder h = new StringBuilder();
            for (Family f : hooked) {
                h.append(h.length() == 0 ? "" : ",").append(f.name().toLowerCase(Locale.ROOT));
            }
            sb.append("hooks=").append(h).append(' ');
        }
        sb.append("jfr.recordings=").append(running);
        return sb.toString();
    }

    private static boolean enabled(Map<String, String> s, String event) {
        return "true".equalsIgnoreCase(s.get(event + "#enabled"));
    }

    /** JFR's duration setting ("20 ms", "10ms", "1 s") in nanoseconds, or -1. */
    static long nanos(String v) {
        if (v == null) {
            return -1;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return -1;
        }
        long n = Long.parseLong(t.substring(0, i));
        long unit = switch (t.substring(i).trim()) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> -1L;
        };
        return unit < 0 ? -1 : n * unit;
    }

    /** JFR's throttle setting ("150/s", "5/ms", "off") in events per second; "off" is Long.MAX_VALUE; -1 unknown. */
    static long perSecond(String v) {
        if (v == null) {
            return -1;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("off")) {
            return Long.MAX_VALUE;
        }
        int slash = t.indexOf('/');
        if (slash <= 0) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
        long per = nanos("1 " + t.substring(slash + 1).trim());
        if (per <= 0) {
            per = nanos("1" + t.substring(slash + 1).trim());
        }
        return per <= 0 ? -1 : (long) (n * (1e9 / per));
    }
}
