package dev.jtrace;

import dev.jtrace.format.Format;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Path;

/**
 * Child process of the overload tests: reads a trace the way {@code jtrace stats} does (one generation at a
 * time, every event decoded, losses summed), on whatever heap it is given. It cannot call the model's
 * TraceStats itself (the model's tests depend on the recorder), but the generation the reader holds is what
 * bounds the tools' heap; the counting model adds a few bytes per thread.
 */
public final class StatsMain {
    private StatsMain() {}

    public static void main(String[] args) throws Exception {
        long events = 0;
        long lost = 0;
        long generations = 0;
        try (TraceReader r = TraceReader.open(Path.of(args[0]))) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                generations++;
                events += g.events().size(); // ThreadSwitch events are not among them
                for (LossRecord l : g.losses()) {
                    if (Format.lossCountsEvents(l.reason())) {
                        lost += l.count();
                    }
                }
                g = null;
            }
        }
        System.out.println("events=" + events + " lost=" + lost + " generations=" + generations);
    }
}
