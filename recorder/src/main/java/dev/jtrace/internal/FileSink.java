package dev.jtrace.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams the trace to a file; every completed generation is written to the operating system, so a killed
 * process leaves every generation it completed. The sink remembers where the last complete generation
 * ends: a writer error half way through a generation rolls the file back to it, and after a failed write
 * (disk full) the file is cut back to it and ended with TRACE_END.
 */
public final class FileSink implements Sink {
    private static final int BUFFER = 256 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final byte[] buf = new byte[BUFFER];
    private final ByteBuffer view = ByteBuffer.wrap(buf);
    private int used;
    /** Bytes in the file (written to the channel). */
    private long flushed;
    /** Where the last complete generation (or the header) ends. */
    private long lastEnd;
    private long lastGen;
    private boolean dirty;
    /** TRACE_END was written (or the file was cut after a failure): close adds nothing. */
    private boolean ended;

    private FileSink(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Creates (or truncates) {@code path}, never through a symbolic link at that name (O_NOFOLLOW): the
     * trace streams into the file as it is recorded, so that a crash leaves what was written readable, and
     * so it cannot be written to a temporary name and renamed. The error names the file.
     */
    public static FileSink create(Path path) throws IOException {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Files.isSymbolicLink(path)) {
                throw new IOException("it is a symbolic link; jtrace does not write through symbolic links");
            }
                        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            return new FileSink(path, ch);
        } catch (IOException e) {
            throw new IOException("jtrace: cannot write trace file " + path + ": " + e, e);
        }
    }

    @Override
    public void open(byte[] fileHeader) throws IOException {
        write(fileHeader, 0, fileHeader.length);
        flush();
        lastEnd = flushed;
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        if (dirty) {
            rollback();
        }
        while (len > 0) {
            if (used == buf.length) {
                flush();
            }
            int n = Math.min(len, buf.length - used);
            System.arraycopy(bytes, off, buf, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    private void flush() throws IOException {
        view.clear().limit(used);
        while (view.hasRemaining()) {
            flushed += channel.write(view);
        }
        used = 0;
    }

    @Override
    public void generationComplete(long gen, long startNanos, long endNanos) throws IOException {
        if (dirty) {
            throw new IOException("generation " + gen + " completed in a file that was not rolled back");
        }
        flush();
        lastEnd = flushed;
        lastGen = gen;
    }

    @Override
    public void rollback() throws IOException {
        // dirty until the cut is done: an error half way (the writer's heap is full) is retried before the
        // next byte goes out, so nothing is ever appended after a half-written record
        dirty = true;
        used = 0;
        channel.truncate(lastEnd); // always: a channel write that failed half way may have written bytes
        channel.position(lastEnd);
        flushed = lastEnd;
        dirty = false;
    }

    @Override
    public void endAfterFailure(byte[] record) {
        used = 0;
        ended = true;
        try {
            // cutting the half-written generation also frees the space a full disk needs for the end record
            channel.truncate(lastEnd);
            channel.position(lastEnd);
            flushed = lastEnd;
            if (record != null) {
                ByteBuffer r = ByteBuffer.wrap(record);
                while (r.hasRemaining()) {
                    channel.write(r);
                }
            }
        } catch (IOException | RuntimeException e) {
            try {
                channel.truncate(lastEnd); // at least no partial record after the last complete generation
            } catch (IOException | RuntimeException ignored) {
                // the file ends wherever the failure left it; the reader reports the damaged tail
            }
        }
    }

    @Override
    public void end(byte[] record) throws IOException {
        if (dirty) {
            rollback();
        }
        used = 0; // nothing but whole generations before the end record
        write(record, 0, record.length);
        try {
            flush();
        } finally {
            ended = true;
        }
    }

    @Override
    public long lastCompleteGeneration() {
        return lastGen;
    }

    @Override
    public void close() throws IOException {
        try {
            if (!ended && !dirty) {
                flush();
            }
            if (ended && flushed < channel.size() && lastEnd < flushed) {
                // an end record cut short by an error: back to the last complete generation
                channel.truncate(lastEnd);
            }
        } finally {
            channel.close();
        }
    }

    @Override
    public String describe() {
        return path.toString();
    }
}
