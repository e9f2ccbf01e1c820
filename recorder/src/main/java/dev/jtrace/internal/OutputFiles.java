package dev.jtrace.internal;

import dev.jtrace.format.Format;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How jtrace writes its output files safely: a snapshot is written to a temporary file in the same
 * directory and renamed over the final name, so a crash mid-write leaves the previous file intact and never
 * a partial file under the final name; and an output path is refused when it is a symbolic link or an
 * existing file that is not a jtrace trace, so that a privileged user's recording cannot be redirected onto
 * another file.
 */
public final class OutputFiles {
    /** What writes the content of a file. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out}; returns the bytes written. */
        long writeTo(OutputStream out) throws IOException;
    }

    private OutputFiles() {}

    /**
     * Why a trace must not be written at {@code file}, or {@code null} when it may: a missing file, an
     * empty regular file, or a regular file that begins with the jtrace magic may be replaced; a symbolic
     * link (whatever it points to), a directory or other special file, and a file with other content may
     * not. The message names the file.
     */
    public static String whyNotReplaceable(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return "cannot inspect " + file + ": " + e;
        }
        if (a.isSymbolicLink()) {
            return file + " is a symbolic link; jtrace does not write through symbolic links (remove it or name"
                    + " the file it points to)";
        }
        if (!a.isRegularFile()) {
            return file + " is not a regular file";
        }
        if (a.size() == 0) {
            return null;
        }
        byte[] head = new byte[Format.MAGIC.length];
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bb = ByteBuffer.wrap(head);
            while (bb.hasRemaining() && ch.read(bb) >= 0) {
                // read the magic (or what there is)
            }
            if (bb.hasRemaining() || !Arrays.equals(head, Format.MAGIC)) {
                return file + " exists and is not a jtrace trace; jtrace replaces only its own traces (remove it"
                        + " or choose another name)";
            }
        } catch (IOException e) {
            return "cannot inspect " + file + ": " + e;
        }
        return null;
    }

    /** Throws, naming the file and why, when {@link #whyNotReplaceable} refuses it. */
    public static void checkReplaceable(Path file) throws IOException {
        String why = whyNotReplaceable(file);
        if (why != null) {
            throw new IOException("jtrace: " + why);
        }
    }

    /**
     * Writes {@code content} as the new {@code file}, atomically: into a fresh temporary file in the same
     * directory (created exclusively: never a file that exists, nor through a link), forced to disk, then
     * renamed over {@code file} (the rename replaces a link at that name, never what it points to). On any
     * failure the temporary file is deleted and {@code file} is as it was. Returns the bytes written.
     */
    public static long writeAtomically(Path file, Content content) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
        boolean done = false;
        try {
            long n;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                n = content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            done = true;
            return n;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }
}
