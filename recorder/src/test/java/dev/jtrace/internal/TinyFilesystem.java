package dev.jtrace.internal;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A 256 KiB tmpfs mounted under a test's directory: a real full disk. Tests that use it are skipped (not
 * passed) where the machine does not allow the mount.
 */
final class TinyFilesystem implements AutoCloseable {
    final Path mountPoint;

    private TinyFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts it at {@code dir/tiny}, or skips the calling test. */
    static TinyFilesystem mount(Path dir) throws IOException, InterruptedException {
        Path mnt = dir.resolve("tiny");
        Files.createDirectories(mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        boolean mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeThat(mounted).as("tmpfs mount allowed here").isTrue();
        return new TinyFilesystem(mnt);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", mountPoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
}
