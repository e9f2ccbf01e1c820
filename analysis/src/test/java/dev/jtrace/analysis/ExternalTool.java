package dev.jtrace.analysis;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an independent program that reads an export back ({@code go tool pprof}, {@code protoc}). The
 * programs come from Debian packages that bin/test installs (see bin/deps.sh); a missing one fails the test
 * with the package to install, never skips it.
 */
final class ExternalTool {
    private ExternalTool() {}

    /** The command's output (stdout), after checking that it exited with 0. */
    record Output(String stdout, String stderr) {}

    /** {@code command} from the PATH, or a failure naming the Debian package that provides it. */
    static String find(String command, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError("this test reads the export back with `" + command + "` from Debian's "
                + debianPackage + " package, which is not installed: bin/test installs it (apt-get install "
                + debianPackage + ")");
    }

    /** Runs {@code command} in {@code dir} with extra environment {@code env}; stdin from {@code input}. */
    static Output run(Path dir, Map<String, String> env, Path input, List<String> command) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (input != null) {
            pb.redirectInput(input.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 5 minutes");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(command + " exited with " + p.exitValue() + ":\n" + stderr);
        }
        return new Output(stdout, stderr);
    }
}
