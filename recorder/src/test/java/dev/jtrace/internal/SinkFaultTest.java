package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.ReadBack;
import dev.jtrace.TraceConfig;
import dev.jtrace.format.Format;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output fails or stalls: the application never blocks or fails, and the trace tells the truth. */
class SinkFaultTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        Session s = Session.ACTIVE;
        if (s != null) {
            for (int i = 0; i < 3 && Session.ACTIVE != null; i++) {
                s.advanceNow();
            }
        }
        JTrace.stop();
    }

    /** A file sink that tests wrap to change one behaviour. */
    abstract static class WrappedFileSink implements Sink {
        final FileSink file;

        WrappedFileSink(Path path) throws IOException {
            this.file = FileSink.create(path);
        }

        @Override
        public void open(byte[] header) throws IOException {
            write(header, 0, header.length);
        }

        @Override
        public void generationComplete(long gen, long s, long e) throws IOException {
            file.generationComplete(gen, s, e);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }

        @Override
        public String describe() {
            return file.describe();
        }
    }

    /** A file sink that fails like a full disk after {@code limit} bytes. */
    static final class FullDiskSink extends WrappedFileSink {
        final long limit;
        long written;

        FullDiskSink(Path path, long limit) throws IOException {
            super(path);
            this.limit = limit;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long room = limit - written;
            if (len > room) {
                file.write(b, off, (int) Math.max(0, room));
                written = limit;
                file.generationComplete(0, 0, 0); // what reached the disk stays there
                throw new IOException("No space left on device");
            }
            file.write(b, off, len);
            written += len;
        }

    }

    @Test
    void fullDiskTurnsTracingOffOnceAndKeepsWhatWasWritten() throws Exception {
        Path path = dir.resolve("full.jtrace");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            Session.start(TraceConfig.builder().generationPeriod(Duration.ofMillis(5)).build(),
                    new FullDiskSink(path, 200_000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long n = 0;
            while (JTrace.isEnabled() && System.nanoTime() < deadline) {
                JTrace.counter("n", n++); // never throws, never blocks
                if (n % 500 == 0) {
                    // small generations whatever the machine's speed, so that several complete before the disk
                    // fills (at full speed one 5 ms generation alone outgrows the 200 KB)
                    JTrace.advanceGeneration();
                }
            }
            assertThat(JTrace.isEnabled()).as("tracing turned itself off").isFalse();
            for (int i = 0; i < 1000; i++) {
                JTrace.counter("n", n++); // the application goes on
            }
        } finally {
            System.setErr(oldErr);
        }
        String messages = err.toString();
        assertThat(messages).contains("full.jtrace").contains("No space left on device");
        assertThat(messages.split("writing ", -1)).hasSize(2); // exactly one report
        ReadBack r = ReadBack.read(path);
        assertThat(r.generations).isNotEmpty();
        assertThat(r.lostTailBytes).isPositive();
        // the complete generations hold a contiguous prefix of the numbers
        var values = r.ofType("Counter").stream().map(e -> e.num("value")).toList();
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).isEqualTo(i);
        }
    }

    @Test
    void realFullFilesystemIfTheMachineLetsUsMountOne() throws Exception {
        TinyFilesystem tiny = TinyFilesystem.mount(dir);
        Path mnt = tiny.mountPoint;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            JTrace.start(TraceConfig.builder().file(mnt.resolve("t.jtrace")).generationPeriod(Duration.ofMillis(5))
                    .build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long n = 0;
            while (JTrace.isEnabled() && System.nanoTime() < deadline) {
                JTrace.counter("n", n++);
                if (n % 500 == 0) {
                    JTrace.advanceGeneration(); // as above: generations small enough to complete before the disk fills
                }
            }
            assertThat(JTrace.isEnabled()).isFalse();
            JTrace.stop(); // harmless after the automatic stop
            ReadBack r = ReadBack.read(mnt.resolve("t.jtrace"));
            assertThat(r.generations).isNotEmpty();
            assertThat(err.toString()).contains("t.jtrace").contains("No space left");
        } finally {
            System.setErr(oldErr);
            tiny.close();
        }
    }

    /** A sink that stalls on a gate. */
    static final class StallingSink extends WrappedFileSink {
        volatile CountDownLatch gate;

        StallingSink(Path path) throws IOException {
            super(path);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            file.write(b, off, len);
        }
    }

    @Test
    void stalledWriterNeverBlocksTheApplicationWhichDropsAndCounts() throws Exception {
        Path path = dir.resolve("stall.jtrace");
        StallingSink sink = new StallingSink(path);
        Session s = Session.start(TraceConfig.builder().bufferSize(4096).maxBufferedBytes(64 * 1024)
                .generationPeriod(Duration.ofMillis(10)).build(), sink);
        CountDownLatch gate = new CountDownLatch(1);
        sink.gate = gate;
        long emitted = 0;
        Thread[] workers = new Thread[4];
        long[] counts = new long[workers.length];
        for (int w = 0; w < workers.length; w++) {
            int id = w;
            workers[w] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    JTrace.counter("n", i);
                    counts[id]++;
                }
            });
        }
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(t.isAlive()).as("an application thread blocked on a stalled writer").isFalse();
        }
        for (long c : counts) {
            emitted += c;
        }
        gate.countDown();
        s.detach(sink);
        ReadBack r = ReadBack.read(path);
        assertThat(r.problems).isEmpty();
        long read = r.ofType("Counter").size();
        long dropped = r.loss(Format.LOSS_BACKPRESSURE);
        assertThat(dropped).isPositive();
        assertThat(read + dropped).as("read %d, dropped %d, losses %s, per thread %s", read, dropped, r.lossByReason,
                r.ofType("Counter").stream().collect(java.util.stream.Collectors.groupingBy(ReadBack.Ev::thread,
                        java.util.stream.Collectors.counting()))).isEqualTo(emitted);
    }
}
