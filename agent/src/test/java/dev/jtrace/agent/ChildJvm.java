package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Starts a JVM under the packaged agent jar. Its class path is the test class path without jtrace's own
 * classes and ASM, so that the child runs the shipped, shaded jar (the {@code -javaagent} jar is on its
 * system class path) and not the module's unshaded classes.
 */
final class ChildJvm {
    private static final Pattern JTRACE_OR_ASM = Pattern.compile(
            ".*(/(agent|recorder|format)/target/classes|/jtrace-(agent|recorder|format)-[^/]*\\.jar|/org/ow2/asm/.*)$");

    private ChildJvm() {}

    static String agentJar() {
        String agent = System.getProperty("jtrace.agent.jar");
        assertThat(agent).as("jtrace.agent.jar system property").isNotNull();
        assertThat(Path.of(agent)).exists();
        return agent;
    }

    static String classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !JTRACE_OR_ASM.matcher(e.replace(File.separatorChar, '/')).matches())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code java [jvmOptions] -javaagent:jar=agentOptions -cp ... mainClass args}, output to {@code log}. */
    static Process start(String agentOptions, List<String> jvmOptions, Path log, String mainClass, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-javaagent:" + agentJar() + "=" + agentOptions);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
