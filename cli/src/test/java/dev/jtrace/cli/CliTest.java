package dev.jtrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import dev.jtrace.Task;
import dev.jtrace.TraceConfig;
import dev.jtrace.cli.demo.DemoWorkload;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    /** Runs the command line in process and captures its output (AttachTest uses it too). */
    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static long jsonLong(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        assertThat(m.find()).as("key " + key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private Path smallTrace() throws Exception {
        Path f = dir.resolve("small.jtrace");
        JTrace.start(TraceConfig.builder().file(f).build());
        Task t = JTrace.newTask(null, "job");
        try (Region r = JTrace.region(t, "step \"one\"")) {
            JTrace.log(t, "cat", "line\nwith newline");
        }
        t.end();
        Thread vt = Thread.ofVirtual().start(() -> JTrace.counter("v", 1));
        vt.join();
        JTrace.stop();
        return f;
    }

    @Test
    void statsJsonHasTheDocumentedKeysAndValues() throws Exception {
        Path f = smallTrace();
        Run r = run("stats", "--json", f.toString());
        assertThat(r.code()).isZero();
        String json = r.out().trim();
        assertThat(json).startsWith("{").endsWith("}");
        assertThat(jsonLong(json, "generations")).isEqualTo(1);
        assertThat(jsonLong(json, "events")).isEqualTo(6);
        assertThat(jsonLong(json, "threads")).isEqualTo(2);
        assertThat(jsonLong(json, "virtualThreads")).isEqualTo(1);
        assertThat(jsonLong(json, "tasks")).isEqualTo(1);
        assertThat(jsonLong(json, "regions")).isEqualTo(1);
        assertThat(jsonLong(json, "skippedReentrant")).isZero();
        assertThat(jsonLong(json, "lostEvents")).isZero();
        assertThat(json).contains("\"eventsByType\":{").contains("\"Log\":1").contains("\"Counter\":1");
        assertThat(json).contains("\"warnings\":[]").contains("\"errors\":[]");
    }

    @Test
    void statsTextAndDumpShowTheEvents() throws Exception {
        Path f = smallTrace();
        Run s = run("stats", f.toString());
        assertThat(s.code()).isZero();
        assertThat(s.out()).contains("1 generations, 6 events").contains("RegionBegin");
        Run d = run("dump", f.toString());
        assertThat(d.code()).isZero();
        String[] lines = d.out().lines().filter(l -> !l.startsWith("#")).toArray(String[]::new);
        assertThat(lines).hasSize(6);
        assertThat(lines[0]).contains("TaskBegin").contains("name=\"job\"");
        assertThat(lines[1]).contains("RegionBegin").contains("name=\"step \\\"one\\\"\"");
        assertThat(lines[2]).contains("message=\"line\\nwith newline\"");
        assertThat(d.out()).contains("Counter name=\"v\" value=1");
    }

    @Test
    void unreadableFilesExitNonZeroWithTheFileName() throws Exception {
        Path text = Files.writeString(dir.resolve("readme.txt"), "not a trace");
        Run r = run("stats", "--json", text.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("readme.txt").contains("not a jtrace file");
        Run missing = run("dump", dir.resolve("nope.jtrace").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.jtrace");
    }

    @Test
    void truncatedTraceIsReadableAndReportsTheLoss() throws Exception {
        Path f = smallTrace();
        byte[] b = Files.readAllBytes(f);
        // 30 bytes: past the 10-byte TRACE_END (format 2.1) and into the only generation's GEN_END
        Path cut = Files.write(dir.resolve("cut.jtrace"), java.util.Arrays.copyOf(b, b.length - 30));
        Run r = run("stats", "--json", cut.toString());
        assertThat(r.code()).isZero();
        assertThat(jsonLong(r.out(), "generations")).isZero();
        assertThat(jsonLong(r.out(), "lostTailBytes")).isEqualTo(b.length - 30 - 12);
        assertThat(r.out()).contains("incomplete generation");
    }

    @Test
    void helpIsThereForEveryCommand() {
        for (String cmd : new String[] {"stats", "dump", "demo", "analyze", "export", "record", "attach", "snapshot"}) {
            Run r = run(cmd, "--help");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage: jtrace " + cmd);
        }
        assertThat(run("--help").out()).contains("demo").contains("stats").contains("dump");
    }

    @Test
    void analyzeAndExportRunOnARecordedTrace() throws Exception {
        Path f = smallTrace();
        Run a = run("analyze", "--json", f.toString());
        assertThat(a.code()).isZero();
        assertThat(a.out()).contains("\"tasks\":[{\"name\":\"job\",\"count\":1");
        Run text = run("analyze", f.toString());
        assertThat(text.out()).contains("regions (ms)").contains("step \"one\"");
        Path out = dir.resolve("small.json");
        Run e = run("export", "--format", "chrome", "-o", out.toString(), f.toString());
        assertThat(e.code()).isZero();
        assertThat(e.out()).contains("trace events to");
        assertThat(Files.readString(out)).startsWith("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
        Run bad = run("export", "--format", "svg", "-o", out.toString(), f.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("chrome");
    }

    @Test
    void exportWritesPerfettoAndPprofAndNamesWhatIsWrong() throws Exception {
        Path f = smallTrace();
        Path pf = dir.resolve("small.pftrace");
        Run p = run("export", "--format", "perfetto", "-o", pf.toString(), f.toString());
        assertThat(p.code()).isZero();
        assertThat(p.out()).contains("packets to " + pf).contains("1 region slices").contains("1 task slices");
        // a Trace message: field 1 (TracePacket), length-delimited
        assertThat(Files.readAllBytes(pf)[0]).isEqualTo((byte) 0x0A);

        Path pp = dir.resolve("small.pb.gz");
        Run block = run("export", "--format", "pprof", "-o", pp.toString(), f.toString());
        assertThat(block.code()).isZero();
        assertThat(block.out()).contains("wrote the block profile of 0 events").contains("no events for this profile");
        byte[] gz = Files.readAllBytes(pp);
        assertThat(gz[0] & 0xFF).isEqualTo(0x1F); // gzip, as pprof wants
        assertThat(gz[1] & 0xFF).isEqualTo(0x8B);
        Run cpu = run("export", "--format", "pprof", "--profile", "cpu", "--cpu-period", "10ms", "-o", pp.toString(),
                f.toString());
        assertThat(cpu.code()).isZero();
        assertThat(cpu.out()).contains("wrote the cpu profile");

        Run badProfile = run("export", "--format", "pprof", "--profile", "heap", "-o", pp.toString(), f.toString());
        assertThat(badProfile.code()).isNotZero();
        assertThat(badProfile.err()).contains("block, cpu, alloc");
        Run badPeriod = run("export", "--format", "pprof", "--profile", "cpu", "--cpu-period", "fast", "-o",
                pp.toString(), f.toString());
        assertThat(badPeriod.code()).isNotZero();
        assertThat(badPeriod.err()).contains("--cpu-period: 'fast' is not a positive duration");
        Path nowhere = dir.resolve("no-such-dir/out.pftrace");
        Run noDir = run("export", "--format", "perfetto", "-o", nowhere.toString(), f.toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("cannot write " + nowhere + ": no such file or directory");
        Run noTrace = run("export", "--format", "pprof", "-o", pp.toString(), dir.resolve("nope.jtrace").toString());
        assertThat(noTrace.code()).isEqualTo(2);
        assertThat(noTrace.err()).contains("nope.jtrace");
        Run itself = run("export", "--format", "perfetto", "-o", f.toString(), f.toString());
        assertThat(itself.code()).isEqualTo(2);
        assertThat(itself.err()).contains("is the trace itself");
        assertThat(run("stats", f.toString()).code()).as("the trace is untouched").isZero();
        Run help = run("export", "--help");
        assertThat(help.out()).contains("perfetto").contains("pprof").contains("go tool pprof").contains("--profile");
    }

    /** The program {@code record} runs in the test below. */
    public static final class Sleeper {
        public static void main(String[] args) throws Exception {
            Thread t = Thread.ofPlatform().name("sleeper-thread").start(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.join();
            System.exit(3);
        }
    }

    @Test
    void recordRunsTheCommandUnderTheAgent() throws Exception {
        Path f = dir.resolve("rec.jtrace");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Run r = run("record", "-o", f.toString(), "-O", "events=threads,sleep", "--", java, "-cp",
                System.getProperty("java.class.path"), Sleeper.class.getName());
        assertThat(r.code()).as(r.err()).isEqualTo(3); // the command's exit status
        assertThat(r.out()).contains("ThreadStart").contains("Sleep");
        Run d = run("dump", f.toString());
        assertThat(d.out()).contains("name=\"sleeper-thread\"");
        Run notJava = run("record", "-o", f.toString(), "--", "ls");
        assertThat(notJava.code()).isEqualTo(2);
        assertThat(notJava.err()).contains("must start with the java executable");
    }

    @Test
    void demoRecordsEveryFeatureAndItsStatsAgree() throws Exception {
        Path f = dir.resolve("demo.jtrace");
        DemoWorkload.Emitted e = new DemoWorkload().run(f, 120);
        Run r = run("stats", "--json", f.toString());
        String json = r.out();
        assertThat(jsonLong(json, "tasks")).isEqualTo(e.tasks());
        assertThat(jsonLong(json, "regions")).isEqualTo(e.regions());
        assertThat(json).contains("\"Log\":" + e.logs());
        assertThat(jsonLong(json, "lostEvents")).isZero();
        assertThat(jsonLong(json, "virtualThreads")).isEqualTo(120);
        assertThat(e.reentrantLogs()).isPositive();
        assertThat(json).contains("\"errors\":[]");
        // every fifth order object is never freed: counted, not fatal
        assertThat(json).contains((e.allocs() - e.frees()) + " x alloc without free"
                .substring(0, 0)).contains("alloc without free");
    }
}
