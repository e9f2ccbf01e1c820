package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.ReadBack;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRACE_END (format 2.1): written after the last generation on a stop, and after a failed disk. */
class TraceEndTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        JTrace.stop();
    }

    /** A record as the file has it: kind and payload (the CRC is checked by the reader elsewhere). */
    record Rec(int kind, byte[] payload) {
        long[] uvarints() {
            List<Long> out = new ArrayList<>();
            int i = 0;
            while (i < payload.length) {
                long v = 0;
                int shift = 0;
                while (true) {
                    int b = payload[i++] & 0xff;
                    v |= (long) (b & 0x7f) << shift;
                    shift += 7;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                }
                out.add(v);
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }
    }

    static List<Rec> records(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        List<Rec> recs = new ArrayList<>();
        int i = Format.HEADER_SIZE;
        while (i < b.length) {
            int kind = b[i++] & 0xff;
            long len = 0;
            int shift = 0;
            while (true) {
                int x = b[i++] & 0xff;
                len |= (long) (x & 0x7f) << shift;
                shift += 7;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            if (i + len + 4 > b.length) {
                break; // a torn tail
            }
            byte[] p = java.util.Arrays.copyOfRange(b, i, (int) (i + len));
            recs.add(new Rec(kind, p));
            i += (int) len + 4;
        }
        return recs;
    }

    @Test
    void aStoppedRecordingEndsWithTraceEndAfterItsLastGeneration() throws Exception {
        Path file = dir.resolve("stopped.jtrace");
        JTrace.start(TraceConfig.builder().file(file).build());
        JTrace.log(null, "x", "y");
        JTrace.advanceGeneration();
        JTrace.log(null, "x", "z");
        JTrace.stop();
        byte[] header = Files.readAllBytes(file);
        assertThat(header[11]).as("minor version").isEqualTo((byte) Format.VERSION_MINOR);
        List<Rec> recs = records(file);
        Rec last = recs.get(recs.size() - 1);
        Rec beforeLast = recs.get(recs.size() - 2);
        assertThat(last.kind()).isEqualTo(Format.REC_TRACE_END);
        assertThat(beforeLast.kind()).isEqualTo(Format.REC_GEN_END);
        long[] end = last.uvarints();
        assertThat(end[0]).as("lastGen").isEqualTo(beforeLast.uvarints()[0]);
        assertThat(end[1]).as("reason").isEqualTo(Format.END_STOPPED);
        assertThat(end[2]).as("lostEvents").isZero();
        assertThat(ReadBack.read(file).problems).isEmpty();
    }

    @Test
    void aFullDiskLeavesCompleteGenerationsThenTraceEndReasonOne() throws Exception {
        TinyFilesystem tiny = TinyFilesystem.mount(dir);
        Path mnt = tiny.mountPoint;
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true));
        try {
            Path file = mnt.resolve("t.jtrace");
            JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(5)).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Session session = Session.ACTIVE;
            long n = 0;
            long recording = 0; // calls that surely ran before the stop began: the session still had a generation after them
            while (JTrace.isEnabled() && System.nanoTime() < deadline) {
                JTrace.counter("n", n++);
                if (session.gen != 0) {
                    recording = n;
                }
                if (n % 500 == 0) {
                    JTrace.advanceGeneration();
                }
            }
            assertThat(JTrace.isEnabled()).isFalse();
            List<Rec> recs = records(file);
            Rec last = recs.get(recs.size() - 1);
            assertThat(last.kind()).as("the file was cut back and ended").isEqualTo(Format.REC_TRACE_END);
            assertThat(recs.get(recs.size() - 2).kind()).isEqualTo(Format.REC_GEN_END);
            long[] end = last.uvarints();
            assertThat(end[1]).as("reason").isEqualTo(Format.END_SINK_FAILED);
            assertThat(end[2]).as("lostEvents").isPositive();
            assertThat(end[3]).as("lostGenerations").isGreaterThanOrEqualTo(1);
            ReadBack r = ReadBack.read(file);
            // only whole generations before the end, and the reader reports the end's loss
            assertThat(r.problems).as("only whole generations before the end").singleElement().asString()
                    .contains("the output failed after generation").contains(end[2] + " events");
            assertThat(r.lostTailBytes).isZero();
            // every call made while the session recorded is in the file or counted: in LOSS rows, or in
            // TRACE_END, whose count includes the events recorded after the failure until the stop; calls made
            // once the stop had begun (its generation 0, before the switch goes off) record nothing, as at any stop
            long accounted = r.ofType("Counter").size() + r.totalLoss() + end[2];
            assertThat(accounted).as("in the file %d, LOSS rows %d, TRACE_END %d, calls %d, before the stop %d",
                    r.ofType("Counter").size(), r.totalLoss(), end[2], n, recording).isBetween(recording, n);
        } finally {
            System.setErr(oldErr);
            tiny.close();
        }
    }
}
