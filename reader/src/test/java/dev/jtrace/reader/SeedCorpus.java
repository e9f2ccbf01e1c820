package dev.jtrace.reader;

import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the fuzzer's seed inputs (run by hand: the seeds are committed). */
final class SeedCorpus {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve("one-generation"), new HandEncoder().simpleGeneration(1, 1000).bytes());
        HandEncoder two = new HandEncoder().simpleGeneration(1, 0).simpleGeneration(2, 500);
        Files.write(dir.resolve("two-generations"), two.bytes());
        byte[] b = two.bytes();
        Files.write(dir.resolve("truncated"), java.util.Arrays.copyOf(b, b.length - 7));
        Files.write(dir.resolve("header-only"), java.util.Arrays.copyOf(b, 12));
    }
}
