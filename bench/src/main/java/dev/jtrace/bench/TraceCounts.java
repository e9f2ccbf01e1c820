package dev.jtrace.bench;

import dev.jtrace.format.EventTypes;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a trace written by the agent holds of the scheduler: its scheduler events (types 27 to 36, from the
 * agent's hooks) and its Park events (type 18, from JFR's stream). A benchmark of the agent prints it so that
 * the table says what the agent recorded: before the hooks, a park benchmark under the agent records no
 * scheduler event at all, and the cost it shows is not that of recording parks.
 */
public final class TraceCounts {
    private final long[] byType = new long[EventTypes.FIRST_EXPERIMENTAL];
    final long bytes;

    private TraceCounts(long bytes) {
        this.bytes = bytes;
    }

    /** Reads {@code file} through the reader (every checksum checked); none when it does not exist. */
    static TraceCounts of(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new TraceCounts(-1);
        }
        TraceCounts c = new TraceCounts(Files.size(file));
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (var e : g.events()) {
                    int id = e.type().id();
                    if (id < c.byType.length) {
                        c.byType[id]++;
                    }
                }
            }
        }
        return c;
    }

    /** Prints {@link #describe} for each trace named on the command line. */
    public static void main(String[] args) throws IOException {
        for (String a : args) {
            System.out.println(a + ": " + of(Path.of(a)).describe());
        }
    }

    long count(int type) {
        return byType[type];
    }

    /** Scheduler events of all types (27 to 36). */
    long scheduler() {
        long n = 0;
        for (int t = EventTypes.PARK_BEGIN; t <= EventTypes.VIRTUAL_THREAD_SUBMIT; t++) {
            n += byType[t];
        }
        return n;
    }

    /** One line: the file's size and the counts that matter for parks. */
    String describe() {
        if (bytes < 0) {
            return "no trace file";
        }
        return String.format("%.1f MB; scheduler events %,d (ParkBegin %,d, BlockEnd %,d, Unpark %,d, Wait %,d,"
                + " Notify %,d); JFR Park events %,d", bytes / 1e6, scheduler(), count(EventTypes.PARK_BEGIN),
                count(EventTypes.BLOCK_END), count(EventTypes.UNPARK), count(EventTypes.WAIT_BEGIN),
                count(EventTypes.NOTIFY), count(EventTypes.PARK));
    }
}
