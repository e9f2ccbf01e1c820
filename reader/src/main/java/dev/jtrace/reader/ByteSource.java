package dev.jtrace.reader;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a trace by position: a file or an array. Positional rather than streaming, so that the
 * reader can look ahead to confirm a record's framing and scan forward to resynchronise after corruption.
 * Small reads are served from a window so that record headers cost no system call each.
 */
abstract class ByteSource implements Closeable {
    /** Size in bytes. */
    abstract long size();

    /**
     * Copies up to {@code len} bytes at {@code pos} into {@code dst}; returns how many, fewer only at the end
     * of the source.
     */
    abstract int read(long pos, byte[] dst, int off, int len) throws IOException;

    @Override
    public void close() throws IOException {}

    static ByteSource of(byte[] data) {
        return new ByteSource() {
            @Override
            long size() {
                return data.length;
            }

            @Override
            int read(long pos, byte[] dst, int off, int len) {
                if (pos >= data.length) {
                    return 0;
                }
                int n = (int) Math.min(len, data.length - pos);
                System.arraycopy(data, (int) pos, dst, off, n);
                return n;
            }
        };
    }

    static ByteSource of(Path path) throws IOException {
        return new FileSource(FileChannel.open(path, StandardOpenOption.READ));
    }

    private static final class FileSource extends ByteSource {
        private static final int WINDOW = 1 << 16;
        private final FileChannel channel;
        private final long size;
        private final byte[] window = new byte[WINDOW];
        private long windowStart = -1;
        private int windowLength;

        FileSource(FileChannel channel) throws IOException {
            this.channel = channel;
            this.size = channel.size();
        }

        @Override
        long size() {
            return size;
        }

        @Override
        int read(long pos, byte[] dst, int off, int len) throws IOException {
            if (pos >= size) {
                return 0;
            }
            len = (int) Math.min(len, size - pos);
            if (len > WINDOW / 2) {
                // large payloads go straight into their array
                return readFully(pos, ByteBuffer.wrap(dst, off, len));
            }
            if (windowStart < 0 || pos < windowStart || pos + len > windowStart + windowLength) {
                windowStart = pos;
                windowLength = readFully(pos, ByteBuffer.wrap(window, 0, (int) Math.min(WINDOW, size - pos)));
            }
            int n = (int) Math.min(len, windowStart + windowLength - pos);
            System.arraycopy(window, (int) (pos - windowStart), dst, off, n);
            return n;
        }

        private int readFully(long pos, ByteBuffer b) throws IOException {
            int total = 0;
            while (b.hasRemaining()) {
                int n = channel.read(b, pos + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
