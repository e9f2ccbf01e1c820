package dev.jtrace.cli;

import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.web.TraceIndex;
import dev.jtrace.web.ViewerServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace view}: the local web viewer. */
@Command(name = "view", mixinStandardHelpOptions = true,
        description = {
            "Serves a local web viewer of a trace on 127.0.0.1 and prints its URL; open it in a browser.",
            "The trace is indexed in one streaming pass first, through the same model as `jtrace analyze`, then:",
            "  - a zoomable, pannable timeline: threads (virtual threads grouped), nested regions, tasks by name",
            "    with arrows for tasks that end on another thread, logs, park/monitor/sleep at their true times,",
            "    GC pauses at their own times with their cycles apart; wheel or W/S zoom, drag or A/D pan, a click",
            "    shows the details of what it hits;",
            "  - pages for the time per thread state, task and region latency, blocking by call site, GC and MMU,",
            "    heap: the numbers of `jtrace analyze --json`.",
            "Only what the view shows is read again from the file; zoomed out, summaries from the index are shown.",
            "The server listens on the loopback interface only and serves only this trace. Ctrl-C stops it.",
            "Exit status 2 when the file cannot be read as a trace."
        })
public final class ViewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "Port on 127.0.0.1 to listen on (default: a free port).")
    int port;

    @Option(names = "--progress", description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Parameters(paramLabel = "FILE", description = "The trace file.")
    Path file;

    /** Counted down to stop the server (tests); Ctrl-C ends the JVM instead. */
    final CountDownLatch stop = new CountDownLatch(1);

    /** The running server, once started (tests). */
    volatile ViewerServer server;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) {
            err.println("jtrace view: --port must be between 0 and 65535, not " + port);
            return 2;
        }
        TraceIndex index;
        long t0 = System.nanoTime();
        try (Progress p = new Progress("indexing " + file.getFileName(), AnalyzeCommand.size(file), progress)) {
            index = TraceIndex.build(file, p);
        } catch (TraceFormatException e) {
            err.println("jtrace view: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("jtrace view: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        err.printf("jtrace view: indexed %,d events in %d generations, %,d threads, in %.1f s%n", index.events(),
                index.generations(), index.threads(), (System.nanoTime() - t0) / 1e9);
        err.flush();
        try {
            server = ViewerServer.start(index, port, ViewerServer.defaultCacheBytes(), System.err);
        } catch (IOException e) {
            err.println("jtrace view: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
            return 2;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "jtrace-view-stop"));
        out.println("jtrace view: " + server.uri());
        out.flush();
        // the page shows this progress too, and says when it is ready
        server.decodeAhead();
        stop.await();
        close();
        return 0;
    }

    private void close() {
        ViewerServer s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // stopping anyway
            }
        }
    }
}
