package dev.jtrace.cli;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.Problem;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.reader.TraceReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace dump}: every event, one per line, in order. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {
            "Prints every event of a trace, one per line, in order: generation, time in microseconds since",
            "the first generation began, thread id and name, event type and arguments (strings resolved and",
            "quoted, stacks as #id@top-frame). Generation boundaries and loss rows are printed as comments",
            "(lines starting with #). Reads one generation at a time, so it works on traces of any size."
        })
public final class DumpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The trace file.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter w = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16));
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            long origin = Long.MIN_VALUE;
            while ((g = r.nextGeneration()) != null) {
                if (origin == Long.MIN_VALUE) {
                    origin = g.startTicks();
                }
                w.printf("# generation %d: %d events, %d threads%n", g.number(), g.events().size(), g.threads().size());
                for (Event e : g.events()) {
                    ThreadInfo t = g.threads().get(e.threadId());
                    String line = e.toString();
                    int sp = line.indexOf(' ', line.indexOf(' ') + 1); // after "ticks thread=N"
                    w.printf("%d %12.3f %s%s %s%n", g.number(), (e.ticks() - origin) / 1e3,
                            "thread=" + e.threadId(), t == null || t.name().isEmpty() ? "" : "(" + t.name() + ")",
                            line.substring(sp + 1));
                }
                for (LossRecord l : g.losses()) {
                    w.printf("# generation %d: lost %d events (%s) on lane %d, thread %d%n", g.number(), l.count(),
                            l.reasonName(), l.laneId(), l.threadId());
                }
            }
            for (Problem p : r.report().problems()) {
                w.println("# " + p);
            }
        } catch (TraceFormatException e) {
            w.flush();
            spec.commandLine().getErr().println("jtrace dump: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            w.flush();
            spec.commandLine().getErr().println("jtrace dump: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        w.flush();
        return 0;
    }
}
