package dev.jtrace.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jtrace.JTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output-file rules: atomic replacement, no writing through links, no overwriting foreign files. */
class OutputFilesTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    @Test
    void replaceableOnlyWhenMissingEmptyOrATrace() throws Exception {
        Path missing = dir.resolve("missing.jtrace");
        assertThat(OutputFiles.whyNotReplaceable(missing)).isNull();
        Path empty = Files.createFile(dir.resolve("empty.jtrace"));
        assertThat(OutputFiles.whyNotReplaceable(empty)).isNull();
        Path trace = dir.resolve("trace.jtrace");
        OutputFiles.writeAtomically(trace, out -> {
            out.write(RecordEncoder.fileHeader());
            return 12;
        });
        assertThat(OutputFiles.whyNotReplaceable(trace)).isNull();
        Path shortFile = Files.write(dir.resolve("short.jtrace"), new byte[] {'J', 'T'});
        assertThat(OutputFiles.whyNotReplaceable(shortFile)).contains(shortFile.toString()).contains("not a jtrace trace");
        Path text = Files.writeString(dir.resolve("text.jtrace"), "hello, world");
        assertThat(OutputFiles.whyNotReplaceable(text)).contains(text.toString()).contains("not a jtrace trace");
        Path toTrace = Files.createSymbolicLink(dir.resolve("link.jtrace"), trace);
        assertThat(OutputFiles.whyNotReplaceable(toTrace)).contains(toTrace.toString()).contains("symbolic link");
        assertThat(OutputFiles.whyNotReplaceable(dir)).contains("not a regular file");
        assertThat(catchThrowable(() -> OutputFiles.checkReplaceable(text))).isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString());
    }

    @Test
    void anAtomicWriteThatFailsLeavesThePreviousFileAndNoTemporary() throws Exception {
        Path f = dir.resolve("f.jtrace");
        OutputFiles.writeAtomically(f, out -> {
            out.write(new byte[] {1, 2, 3});
            return 3;
        });
        Throwable t = catchThrowable(() -> OutputFiles.writeAtomically(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));
        assertThat(t).hasMessageContaining("disk full");
        assertThat(Files.readAllBytes(f)).containsExactly(1, 2, 3);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void anAtomicWriteReplacesALinkItselfNotWhatItPointsTo() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("snap.jtrace"), victim);
        OutputFiles.writeAtomically(link, out -> {
            out.write(new byte[] {9});
            return 1;
        });
        assertThat(Files.readString(victim)).isEqualTo("keep me");
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.readAllBytes(link)).containsExactly(9);
    }

    @Test
    void aFileRecordingDoesNotWriteThroughALink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("rec.jtrace"), victim);
        Throwable t = catchThrowable(() -> JTrace.start(link));
        assertThat(t).isInstanceOf(IOException.class).hasMessageContaining(link.toString())
                .hasMessageContaining("symbolic link");
        assertThat(JTrace.isEnabled()).isFalse();
        assertThat(Files.readString(victim)).isEqualTo("keep me");
    }
}
