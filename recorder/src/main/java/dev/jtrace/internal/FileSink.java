package dev.jtrace.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Streams the trace to a file; every completed generation is flushed to the operating system. */
public final class FileSink implements Sink {
    private final Path path;
    private final OutputStream out;

    private FileSink(Path path, OutputStream out) {
        this.path = path;
        this.out = out;
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
            OutputStream os = Files.newOutputStream(path, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            return new FileSink(path, new BufferedOutputStream(os, 256 * 1024));
        } catch (IOException e) {
            throw new IOException("jtrace: cannot write trace file " + path + ": " + e, e);
        }
    }

    @Override
    public void open(byte[] fileHeader) throws IOException {
        out.write(fileHeader);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
    }

    @Override
    public void generationComplete(long gen, long startNanos, long endNanos) throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    @Override
    public String describe() {
        return path.toString();
    }
}
