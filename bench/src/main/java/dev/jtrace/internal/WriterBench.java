package dev.jtrace.internal;

import dev.jtrace.format.Format;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the writer thread spends on one MiB of event bytes, stage by stage, and the stages together as the
 * writer runs them ({@link RecordEncoder#writeRecord} of full batches into a {@link FileSink}). One
 * operation is one MiB, so the scores are microseconds per MiB. It lives in the recorder's package because
 * the encoder and the sink list are package-private: the bench jar puts both on one class path.
 *
 * <p>The file grows as a recording's does (the page cache allocates pages for it) and is cut back to its
 * header every 256 MiB, so that a run does not fill the disk. Stages:
 * <ul>
 * <li>{@code crc32c}: the record checksum over the bytes (an intrinsic);
 * <li>{@code copy}: the copy into the sink's staging buffer;
 * <li>{@code writeHeap}: {@code FileChannel.write} from a heap buffer, which the JDK first copies into a
 *     temporary direct buffer;
 * <li>{@code writeDirect}: the same from a direct buffer: the write system call and the kernel's copy only;
 * <li>{@code pipeline}: everything, with batches of {@code batch} bytes.
 * </ul>
 *
 * <p>{@link #main} runs the pipeline alone over a file that grows to a size given, round after round, the
 * way a long recording writes: JMH's cut every 256 MiB reuses the same page-cache pages, a recording
 * does not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WriterBench {
    private static final int MIB = 1 << 20;
    private static final int STAGING = 256 * 1024;
    private static final long CUT_EVERY = 256L * MIB;

    /** A batch's event bytes: a full buffer of the default size (64 KiB) or of a small one. */
    @Param({"65536", "16384"})
    public int batch;

    private byte[] events;
    /** The same MiB as batches, each its own array from index 0, as a lane's buffer is. */
    private byte[][] batches;
    private final CRC32C crc = new CRC32C();
    private final byte[] staging = new byte[STAGING];
    private final ByteBuffer heapView = ByteBuffer.wrap(staging);
    private final ByteBuffer direct = ByteBuffer.allocateDirect(STAGING);
    private Path dir;
    private FileChannel channel;
    private long written;

    private FileSink sink;
    private final Sinks sinks = new Sinks();
    private final RecordEncoder header = new RecordEncoder();
    private long sinceCut;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        fillEvents();
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "jtrace-writer-bench");
        channel = FileChannel.open(dir.resolve("raw"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        sink = FileSink.create(dir.resolve("pipeline.jtrace"));
        sink.open(new byte[16]);
        sinks.add(sink);
    }

    /** One MiB of random event bytes, and the same MiB as batches of {@link #batch} bytes. */
    private void fillEvents() {
        events = new byte[MIB];
        new Random(42).nextBytes(events); // no pattern for the CRC or the file system to take advantage of
        batches = new byte[MIB / batch][];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = Arrays.copyOfRange(events, i * batch, (i + 1) * batch);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        channel.close();
        sink.close();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public long crc32c() {
        crc.reset();
        for (int off = 0; off < MIB; off += batch) {
            crc.update(events, off, batch);
        }
        return crc.getValue();
    }

    @Benchmark
    public int copy() {
        int used = 0;
        for (int off = 0; off < MIB; off += batch) {
            if (used + batch > STAGING) {
                used = 0;
            }
            System.arraycopy(events, off, staging, used, batch);
            used += batch;
        }
        return used;
    }

    @Benchmark
    public long writeHeap() throws IOException {
        return writeMiB(heapView);
    }

    @Benchmark
    public long writeDirect() throws IOException {
        return writeMiB(direct);
    }

    /** One MiB to the raw file, {@code staging}'s size at a time from {@code from}. */
    private long writeMiB(ByteBuffer from) throws IOException {
        for (int off = 0; off < MIB; off += STAGING) {
            from.clear();
            while (from.hasRemaining()) {
                written += channel.write(from);
            }
        }
        if (written >= CUT_EVERY) {
            channel.truncate(0);
            channel.position(0);
            written = 0;
        }
        return written;
    }

    @Benchmark
    public long pipeline() throws IOException {
        long bytes = 0;
        for (int off = 0; off < MIB; off += batch) {
            // a batch record's header as the writer builds it (generation, lane, thread, sequence, base
            // time, events), then the events, which the encoder does not copy
            header.reset();
            header.uvarint(3).uvarint(7).uvarint(1234).uvarint(off).uvarint(987_654_321L).uvarint(batch / 4);
            bytes += header.writeRecord(Format.REC_BATCH, batches[off / batch], batch, sinks);
        }
        sinceCut += bytes;
        if (sinceCut >= CUT_EVERY) {
            sink.rollback(); // back to the header: the disk does not fill
            sinceCut = 0;
        }
        return bytes;
    }

    /**
     * {@code WriterBench DIR MIB ROUNDS}: writes MIB MiB of 64 KiB batches through the encoder and a
     * FileSink into a new file in DIR, ROUNDS times (each round truncates the file of the last), and prints
     * the writer thread's CPU and wall time per MiB for each round.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: WriterBench DIR MIB ROUNDS (the pipeline over a growing file, per round)");
            System.exit(2);
        }
        Path file = Path.of(args[0]).resolve("writer-bench.jtrace");
        int mib = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        WriterBench b = new WriterBench();
        b.batch = 65536;
        b.fillEvents();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try {
            for (int r = 0; r < rounds; r++) {
                b.sinks.remove(b.sink);
                b.sink = FileSink.create(file);
                b.sink.open(new byte[16]);
                b.sinks.add(b.sink);
                b.sinceCut = Long.MIN_VALUE; // no cut: the file grows as a recording's does
                long cpu0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0; i < mib; i++) {
                    b.pipeline();
                }
                b.sink.generationComplete(1, 0, 0); // the last staged bytes out, as a generation's end does
                long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                long wall = System.nanoTime() - t0;
                b.sink.close();
                System.out.printf("round %d: %,d MiB, writer CPU %.0f us/MiB, wall %.0f us/MiB%n",
                        r + 1, mib, cpu / 1e3 / mib, wall / 1e3 / mib);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
