package dev.jtrace.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a trace is recorded: the process id, the host name and the JVM, written into every GEN_BEGIN
 * (format 2.3) so that tools can tell the traces of a fleet apart. Resolved once, when the class is first
 * used (a session's start), never on an event's path.
 *
 * <p>The host name is the kernel's ({@code /proc/sys/kernel/hostname}), else the {@code HOSTNAME} or
 * {@code COMPUTERNAME} variable, else empty: never a DNS lookup, which can block for seconds.
 */
final class ProcessIdentity {
    private ProcessIdentity() {}

    /** Longest host and JVM strings written: GEN_BEGIN stays a small record (a reader's resync anchor). */
    static final int MAX_CHARS = 200;

    static final long PID = pid();
    static final String HOST = clip(host());
    static final String JVM = clip(jvm());

    private static long pid() {
        try {
            return ProcessHandle.current().pid();
        } catch (RuntimeException e) {
            return 0; // unknown
        }
    }

    private static String host() {
        try {
            Path p = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(p)) {
                String h = new String(Files.readAllBytes(p), StandardCharsets.UTF_8).trim();
                if (!h.isEmpty()) {
                    return h;
                }
            }
        } catch (Exception | Error e) {
            // no /proc: the environment below
        }
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            h = System.getenv("COMPUTERNAME");
        }
        return h == null ? "" : h.trim();
    }

    private static String jvm() {
        String name = System.getProperty("java.vm.name", "");
        String version = System.getProperty("java.runtime.version", System.getProperty("java.version", ""));
        return (name + " " + version).trim();
    }

    private static String clip(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS);
    }
}
