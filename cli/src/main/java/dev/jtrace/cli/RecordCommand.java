package dev.jtrace.cli;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace record}: runs a Java command under the agent. */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = {
            "Runs a Java command with the jtrace agent, which records the JVM itself (threads, parking,",
            "monitors, sleep, GC, heap, allocation and CPU samples) and the application's own jtrace events",
            "into FILE, then prints the trace's summary. Example:",
            "  jtrace record -o app.jtrace -- java -cp app.jar com.example.Main",
            "Agent options (see docs/agent.md) go after -O, e.g. -O events=threads,park,gc -O flight=30s.",
            "Exit status: the command's."
        })
public final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Trace file to write.")
    Path output;

    @Option(names = {"-O", "--agent-option"}, paramLabel = "KEY=VALUE",
            description = "An agent option (repeatable).")
    List<String> agentOptions = new ArrayList<>();

    @Parameters(paramLabel = "COMMAND", arity = "1..*",
            description = "The command, starting with the java executable (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        Path agent = agentJar();
        if (agent == null || !Files.isRegularFile(agent)) {
            spec.commandLine().getErr().println("jtrace record: the agent jar was not found (looked for "
                    + agent + "); build it with 'mvn install' or set -Djtrace.agent.jar=PATH");
            return 2;
        }
        String java = command.get(0);
        if (!Path.of(java).getFileName().toString().startsWith("java")) {
            spec.commandLine().getErr().println("jtrace record: the command must start with the java executable,"
                    + " not '" + java + "'");
            return 2;
        }
        StringBuilder opts = new StringBuilder("file=").append(output.toAbsolutePath());
        for (String o : agentOptions) {
            opts.append(',').append(o);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-javaagent:" + agent + "=" + opts);
        cmd.addAll(command.subList(1, command.size()));
        int code = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (Files.exists(output)) {
            spec.commandLine().getOut().println();
            Main.commandLine().setOut(spec.commandLine().getOut()).setErr(spec.commandLine().getErr())
                    .execute("stats", output.toString());
        }
        return code;
    }

    /** The agent jar: -Djtrace.agent.jar, else agent/target/jtrace-agent.jar beside this jar's module. */
    static Path agentJar() {
        String prop = System.getProperty("jtrace.agent.jar");
        if (prop != null) {
            return Path.of(prop);
        }
        try {
            Path self = Path.of(RecordCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // cli/target/jtrace.jar or cli/target/classes -> <repo>/agent/target/jtrace-agent.jar
            Path repo = self.getParent().getParent().getParent();
            return repo.resolve("agent" + File.separator + "target").resolve("jtrace-agent.jar");
        } catch (URISyntaxException | NullPointerException e) {
            return null;
        }
    }
}
