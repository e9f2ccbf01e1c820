package dev.jtrace;

import dev.jtrace.reader.TraceStats;
import java.nio.file.Path;

/** Child process of the overload tests: the {@code stats} summary of a trace, on whatever heap it is given. */
public final class StatsMain {
    private StatsMain() {}

    public static void main(String[] args) throws Exception {
        TraceStats s = TraceStats.of(Path.of(args[0]), null);
        System.out.println("events=" + s.events + " lost=" + s.lostEvents + " generations=" + s.generations);
    }
}
