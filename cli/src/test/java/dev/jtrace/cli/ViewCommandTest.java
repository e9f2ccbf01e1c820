package dev.jtrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ViewCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesTheTraceOnLoopbackAndPrintsItsUrl() throws Exception {
        Path f = dir.resolve("v.jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        Task t = JTrace.newTask(null, "job");
        try (Region r = JTrace.region(t, "step")) {
            JTrace.log(t, "cat", "hello");
        }
        t.end();
        JTrace.stop();

        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cl.execute("view", f.toString()));
        ViewCommand view = cl.getSubcommands().get("view").getCommand();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out.toString().contains("http://") && System.nanoTime() < deadline && !code.isDone()) {
            Thread.sleep(20);
        }
        Matcher m = Pattern.compile("jtrace view: (http://127\\.0\\.0\\.1:(\\d+)/)").matcher(out.toString());
        assertThat(m.find()).as(out + " / " + err).isTrue();
        assertThat(err.toString()).contains("indexed").contains("events");
        HttpResponse<String> meta = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(m.group(1) + "api/meta")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(meta.statusCode()).isEqualTo(200);
        assertThat(meta.body()).contains("\"file\":\"v.jtrace\"").contains("\"name\":\"job\"");
        assertThat(view.server.address().getAddress().isLoopbackAddress()).isTrue();
        // it decodes the trace's generations ahead of the views, and says when it is done
        String progress = "";
        while (!progress.contains("\"ready\":1") && System.nanoTime() < deadline) {
            progress = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1) + "api/progress"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Thread.sleep(20);
        }
        assertThat(progress).contains("\"ready\":1").containsPattern("\"state\":\"all \\d+ generations decoded\"");
        view.stop.countDown();
        assertThat(code.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void refusesWhatIsNotATraceAndExplainsItself() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.jtrace"), "not a trace");
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cl.execute("view", junk.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("junk.jtrace").contains("not a jtrace file");
        StringWriter help = new StringWriter();
        CommandLine h = Main.commandLine();
        h.setOut(new PrintWriter(help, true));
        assertThat(h.execute("view", "--help")).isZero();
        assertThat(help.toString()).contains("127.0.0.1").contains("--port").contains("timeline");
    }
}
