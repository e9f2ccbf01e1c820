package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Any byte string given to the reader either reads or fails with an IOException that names a problem:
 * never another exception, a hang or a huge allocation (Jazzer reports those). Without JAZZER_FUZZ=1 this
 * replays the regression corpus in src/test/resources/dev/jtrace/reader/ReaderFuzzTestInputs/readAnything;
 * .ci/run also fuzzes it for a fixed number of executions.
 */
class ReaderFuzzTest {
    @FuzzTest(maxExecutions = 200_000)
    void readAnything(byte[] input) throws IOException {
        // Both with and without checksums: unchecked, mutations reach every decoder behind the CRC.
        read(input, false);
        read(input, true);
    }

    private static void read(byte[] input, boolean checked) {
        try (TraceReader r = checked ? TraceReader.fromBytes(input, "fuzz-input")
                : TraceReader.fromBytesUnchecked(input, "fuzz-input")) {
            long events = 0;
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (Event e : g.events()) {
                    e.toString(); // resolves every string and stack reference
                    events++;
                }
            }
            ReadReport rep = r.report();
            assertThat(rep.eventsRead()).isEqualTo(events);
            assertThat(rep.lostTailBytes()).isBetween(0L, (long) input.length);
            rep.problems().forEach(p -> assertThat(p.message()).isNotBlank());
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("fuzz-input");
        }
    }
}
