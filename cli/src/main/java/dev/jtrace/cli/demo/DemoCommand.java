package dev.jtrace.cli.demo;

import dev.jtrace.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jtrace demo}: records the built-in workload and prints the trace's summary. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Runs a built-in demo workload under the recorder, writes its trace and prints the summary.",
            "The workload: orders handled as tasks with nested regions and logs on three platform workers,",
            "a checkout task begun by a worker and ended by the 'payments' thread (a task crossing threads),",
            "cache lookups on virtual threads, a log message whose toString() logs again (reentrant emission,",
            "recorded in nest mode), and the alloc/free experiment over a toy object cache (every fifth",
            "object is never freed). Generations are cut every 100 ms."
        })
public final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "demo.jtrace",
            description = "Trace file to write (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "600",
            description = "Orders and lookups to run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Override
    public Integer call() throws Exception {
        if (requests < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--requests must be at least 1");
        }
        System.out.println("jtrace demo: recording " + requests + " orders and " + requests
                + " virtual-thread lookups to " + output + " ...");
        long t0 = System.nanoTime();
        DemoWorkload.Emitted e = new DemoWorkload().run(output, requests);
        System.out.printf("recorded in %.1f s: %d tasks, %d regions, %d logs (%d from inside toString), %d allocs,"
                + " %d frees; %,d bytes%n%n", (System.nanoTime() - t0) / 1e9, e.tasks(), e.regions(), e.logs(),
                e.reentrantLogs(), e.allocs(), e.frees(), Files.size(output));
        return Main.commandLine().execute("stats", output.toString());
    }
}
