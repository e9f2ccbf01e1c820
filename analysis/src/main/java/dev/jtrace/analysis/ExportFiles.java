package dev.jtrace.analysis;

import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.reader.TraceReader;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opening an export's input and output so that every failure names its file and says what is wrong:
 * "cannot write out/x.pftrace: no such file or directory" rather than a bare path.
 */
final class ExportFiles {
    private ExportFiles() {}

    /** Opens the trace; a failure other than a malformed trace (which names the file already) is wrapped. */
    static TraceReader openTrace(Path in) throws IOException {
        try {
            return TraceReader.open(in);
        } catch (TraceFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("cannot read " + in + ": " + reason(e), e);
        }
    }

    /** A buffered stream to a new (or truncated) {@code out} whose every failure names {@code out}. */
    static OutputStream create(Path out) throws IOException {
        OutputStream raw;
        try {
            raw = Files.newOutputStream(out);
        } catch (IOException e) {
            throw new IOException("cannot write " + out + ": " + reason(e), e);
        }
        return new Named(new BufferedOutputStream(raw, 1 << 16), out);
    }

    /** What went wrong, in words, without repeating the path. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Rethrows the output's failures with the file's name. */
    private static final class Named extends FilterOutputStream {
        private final Path path;

        Named(OutputStream out, Path path) {
            super(out);
            this.path = path;
        }

        private IOException named(IOException e) {
            return new IOException("cannot write " + path + ": " + reason(e), e);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException e) {
                throw named(e);
            }
        }
    }
}
