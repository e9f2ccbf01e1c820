package dev.jtrace.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.TraceReader;
import example.attach.AttachTarget;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jtrace attach} and {@code jtrace snapshot} against a running JVM started here. */
class AttachTest {
    private static final String ITEM = "example.attach.AttachTarget$Item";

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    private static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** A JVM running {@link AttachTarget}, ready (its Item class loaded) when this returns. */
    private Process target(String... args) throws Exception {
        return target(List.of(), args);
    }

    /** As {@link #target(String...)}, with these options for its JVM. */
    private Process target(List<String> jvmOptions, String... args) throws Exception {
        // its own classes and the recorder (it logs; with "own FILE" it records itself)
        String cp = location(AttachTarget.class) + java.io.File.pathSeparator + location(dev.jtrace.JTrace.class)
                + java.io.File.pathSeparator + location(dev.jtrace.format.EventTypes.class);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+EnableDynamicAgentLoading"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", cp, AttachTarget.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(dir.resolve("target-" + started.size() + ".err").toFile()).start();
        started.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(r.readLine()).isEqualTo("ready");
        return p;
    }

    @AfterEach
    void stopTargets() throws Exception {
        for (Process p : started) {
            p.getOutputStream().close(); // the target exits when its stdin closes
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static List<Event> events(Path trace) throws Exception {
        List<Event> events = new ArrayList<>();
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                events.addAll(g.events());
            }
            assertThat(r.report().problems()).isEmpty();
            assertThat(r.report().lostTailBytes()).isZero();
        }
        return events;
    }

    private static long jsonLong(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        assertThat(m.find()).as("key " + key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void attachRecordsForTheDurationAndInstrumentsAnAlreadyLoadedClass() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        Path f = dir.resolve("att.jtrace");
        CliTest.Run r = run("attach", pid, "--duration", "2s", "-o", f.toString(), "-O", "allocfree=" + ITEM, "-O",
                "period=300ms");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("alloc/free: instrumented [" + ITEM + "]").contains("stopped; wrote")
                .contains("scheduler hooks: 13 of 13 hook points");
        // Only the loaded classes that mention notify are retransformed: a retransformed class loses its
        // compiled code, and asking for every class recompiled a warm server's whole application.
        Matcher looked = Pattern.compile("(\\d+) loaded classes looked at, (\\d+) retransformed").matcher(r.err());
        assertThat(looked.find()).as(r.err()).isTrue();
        int lookedAt = Integer.parseInt(looked.group(1));
        int retransformed = Integer.parseInt(looked.group(2));
        assertThat(retransformed).as(r.err()).isPositive().isLessThan(lookedAt / 4);
        assertThat(r.out()).contains("Alloc").contains("ThreadStart"); // the summary
        List<Event> events = events(f);
        Set<Long> allocated = new HashSet<>();
        for (Event e : events) {
            if (e.type().name().equals("Alloc") && ITEM.equals(e.string("type"))) {
                assertThat(allocated.add(e.arg("id"))).isTrue();
            }
        }
        // about 2 s at one Item per ~2 ms: retransformed although loaded before the attach
        assertThat(allocated).hasSizeGreaterThan(100);
        List<Long> frees = events.stream().filter(e -> e.type().name().equals("Free") && e.arg("id") < (1L << 62))
                .map(e -> e.arg("id")).toList();
        assertThat(allocated).containsAll(frees);
        assertThat(events).filteredOn(e -> e.type().name().equals("ThreadStart"))
                .anyMatch(e -> e.string("name").startsWith("target-worker-"))
                .anyMatch(e -> e.string("name").equals("stdin-watcher")) // running before the attach
                .noneMatch(e -> e.string("name").startsWith("jtrace-"));
        // the scheduler hooks reach JDK classes loaded long before the attach: every worker's sleep
        Map<Long, String> names = new java.util.HashMap<>();
        events.stream().filter(e -> e.type().name().equals("ThreadStart"))
                .forEach(e -> names.put(e.arg("thread"), e.string("name")));
        assertThat(events).filteredOn(e -> e.type().name().equals("SleepBegin")
                && names.getOrDefault(e.threadId(), "").startsWith("target-worker-"))
                .hasSizeGreaterThan(5).allSatisfy(e -> assertThat(e.arg("duration")).isEqualTo(5_000_000L));
        // the notifyAll of a class loaded before the attach is recorded: its call was replaced
        assertThat(events).filteredOn(e -> e.type().name().equals("Notify") && e.arg("all") == 1).isNotEmpty();
        // the analysis's heap agrees with the events
        CliTest.Run a = run("analyze", "--json", f.toString());
        assertThat(a.code()).isZero();
        assertThat(jsonLong(a.out(), "allocWithoutFree")).isEqualTo(allocated.size() - frees.size());
        assertThat(jsonLong(a.out(), "freeWithoutAlloc")).isZero();

        // stopped: the target runs on untraced, and can be recorded again
        assertThat(run("attach", pid, "--status").out()).contains("not recording");
        assertThat(p.isAlive()).isTrue();
        Path again = dir.resolve("again.jtrace");
        CliTest.Run r2 = run("attach", pid, "-d", "1s", "-o", again.toString(), "-O", "events=threads");
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(events(again)).anyMatch(e -> e.type().name().equals("ThreadStart"))
                .noneMatch(e -> e.type().name().equals("Alloc") && ITEM.equals(e.string("type")))
                // the first stop cleared the scheduler hooks: this recording did not ask for them
                .noneMatch(e -> e.type().name().matches("SleepBegin|WaitBegin|BlockEnd|ParkBegin"));

        // a third recording asks for them again: the JDK's classes kept their hooks (not retransformed a
        // second time, which would recompile the application again), and the workers' sleeps are recorded
        Path third = dir.resolve("third.jtrace");
        CliTest.Run r3 = run("attach", pid, "-d", "1s", "-o", third.toString(), "-O", "events=threads,sleep");
        assertThat(r3.code()).as(r3.err()).isZero();
        assertThat(r3.err()).contains("scheduler hooks: 3 of 3 hook points") // sleep's, in Thread
                .contains("the JDK's classes kept the hooks of an earlier recording");
        Map<Long, String> names3 = new java.util.HashMap<>();
        List<Event> events3 = events(third);
        events3.stream().filter(e -> e.type().name().equals("ThreadStart"))
                .forEach(e -> names3.put(e.arg("thread"), e.string("name")));
        assertThat(events3).filteredOn(e -> e.type().name().equals("SleepBegin")
                && names3.getOrDefault(e.threadId(), "").startsWith("target-worker-")).hasSizeGreaterThan(2);
    }

    /** The JDK classes the target's JVM redefined, in order, from its -Xlog:redefine+class+load file. */
    private static List<String> redefinedJdkClasses(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("redefined name=(java\\.[\\w.$]+)").matcher(Files.readString(log));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void anAttachRedefinesOnlyTheJdkClassesItsFamiliesNeedAndEachOnce() throws Exception {
        // Every JDK class redefined makes the JIT drop the compiled code that inlined it, and Object and
        // Thread are inlined nearly everywhere: a recording of park events has no business redefining Object.
        Path log = dir.resolve("redefine.log");
        Process p = target(List.of("-Xlog:redefine+class+load=info:file=" + log));
        String pid = Long.toString(p.pid());
        CliTest.Run park = run("attach", pid, "-d", "1s", "-o", dir.resolve("park.jtrace").toString(), "-O",
                "events=threads,park");
        assertThat(park.code()).as(park.err()).isZero();
        assertThat(redefinedJdkClasses(log)).as(park.err())
                .containsExactlyInAnyOrder("java.util.concurrent.locks.LockSupport", "java.lang.Thread");
        assertThat(park.err()).contains("scheduler hooks: 9 of 9 hook points")
                .contains("JDK classes instrumented: LockSupport, Thread").doesNotContain("kept the hooks");

        // every family: only the two classes not instrumented yet are redefined; the others kept their hooks
        Path all = dir.resolve("all.jtrace");
        CliTest.Run every = run("attach", pid, "-d", "1s", "-o", all.toString());
        assertThat(every.code()).as(every.err()).isZero();
        assertThat(every.err()).contains("scheduler hooks: 13 of 13 hook points")
                .contains("JDK classes instrumented: Object, VirtualThread")
                .contains("(LockSupport, Thread kept the hooks of an earlier recording)");
        assertThat(redefinedJdkClasses(log)).as(every.err()).containsExactlyInAnyOrder(
                "java.util.concurrent.locks.LockSupport", "java.lang.Thread", "java.lang.Object",
                "java.lang.VirtualThread");
        // the kept hooks record: the workers' sleeps pass through Thread's
        Map<Long, String> names = new java.util.HashMap<>();
        List<Event> events = events(all);
        events.stream().filter(e -> e.type().name().equals("ThreadStart"))
                .forEach(e -> names.put(e.arg("thread"), e.string("name")));
        assertThat(events).filteredOn(e -> e.type().name().equals("SleepBegin")
                && names.getOrDefault(e.threadId(), "").startsWith("target-worker-")).hasSizeGreaterThan(2);
    }

    @Test
    void aRunningFlightRecorderIsLeftAloneAndSnapshotWritesItsWindow() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        CliTest.Run f = run("attach", pid, "--flight", "30s", "-O", "events=threads,gc", "-O", "period=200ms");
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(f.out()).contains("flight recorder (last 30s").contains("jtrace snapshot " + pid);

        Path refused = dir.resolve("refused.jtrace");
        CliTest.Run second = run("attach", pid, "-d", "1s", "-o", refused.toString());
        assertThat(second.code()).isEqualTo(1);
        assertThat(second.err()).contains("PID " + pid).contains("already recording").contains("flight recorder")
                .contains("left as it is");
        assertThat(refused).doesNotExist();

        // JFR delivers about a second late: snapshot until the window holds a worker thread's start
        Path snap = dir.resolve("snap.jtrace");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int snapshots = 0;
        for (boolean seen = false; !seen; snapshots++) {
            assertThat(System.nanoTime()).as("a ThreadStart in the window").isLessThan(deadline);
            CliTest.Run s = run("snapshot", pid, "-o", snap.toString());
            assertThat(s.code()).as(s.err()).isZero();
            assertThat(s.err()).contains("wrote the flight recorder's window");
            seen = events(snap).stream().anyMatch(e -> e.type().name().equals("ThreadStart")
                    && e.string("name").startsWith("target-worker-"));
        }
        assertThat(snapshots).isPositive();

        CliTest.Run noDir = run("snapshot", pid, "-o", dir.resolve("no/such/dir/s.jtrace").toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("does not exist").contains("no/such/dir");
        // the agent's own check, past the command's: the target cannot write there
        try (AgentConnection c = AgentConnection.open(p.pid(), RecordCommand.agentJar())) {
            assertThatThrownBy(() -> c.send("snapshot", List.of("file=" + dir.resolve("missing/s.jtrace"))))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("PID " + pid)
                    .hasMessageContaining("cannot write flight recording to").hasMessageContaining("missing");
        }

        CliTest.Run stop = run("attach", pid, "--stop");
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("stopped the flight recorder");
        CliTest.Run none = run("snapshot", pid, "-o", dir.resolve("none.jtrace").toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("not recording").contains("--flight");
    }

    @Test
    void snapshotRefusesAFileRecording() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        Path f = dir.resolve("file.jtrace");
        CompletableFuture<CliTest.Run> recording = CompletableFuture.supplyAsync(
                () -> run("attach", pid, "-d", "4s", "-o", f.toString(), "-O", "events=threads"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!run("attach", pid, "--status").out().contains("recording: a recording to")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
        CliTest.Run s = run("snapshot", pid, "-o", dir.resolve("s.jtrace").toString());
        assertThat(s.code()).isEqualTo(1);
        assertThat(s.err()).contains("not in flight-recorder mode").contains(f.toString());
        CliTest.Run done = recording.get(60, TimeUnit.SECONDS);
        assertThat(done.code()).as(done.err()).isZero();
        assertThat(events(f)).isNotEmpty();
    }

    @Test
    void theApplicationsOwnRecordingIsLeftIntact() throws Exception {
        Path own = dir.resolve("own.jtrace");
        Process p = target("own", own.toString());
        CliTest.Run r = run("attach", Long.toString(p.pid()), "-d", "1s", "-o", dir.resolve("agent.jtrace").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not recording").contains("already recording to").contains("own.jtrace");
        assertThat(dir.resolve("agent.jtrace")).doesNotExist();
        long refusedAt = System.currentTimeMillis() * 1_000_000L;
        Thread.sleep(300); // the application keeps logging into its own recording
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<Event> events = events(own);
        long logs = events.stream().filter(e -> e.type().name().equals("Log")).count();
        assertThat(logs).isGreaterThan(50);
        // its recording went on after the refused attach (which must not have stopped it)
        Event last = events.get(events.size() - 1);
        assertThat(last.generation().wallNanos(last.ticks())).isGreaterThan(refusedAt);
    }

    @Test
    void outputRefusesPlantedLinksAndForeignFilesAndReplacesTraces() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "another user's file");
        Path link = dir.resolve("planted.jtrace");
        Files.createSymbolicLink(link, victim);
        Path foreign = dir.resolve("notes.jtrace");
        Files.writeString(foreign, "not a trace");

        // the command refuses before it attaches
        CliTest.Run viaLink = run("attach", pid, "-d", "1s", "-o", link.toString());
        assertThat(viaLink.code()).isEqualTo(2);
        assertThat(viaLink.err()).contains(link.toString()).contains("symbolic link");
        CliTest.Run overForeign = run("attach", pid, "-d", "1s", "-o", foreign.toString());
        assertThat(overForeign.code()).isEqualTo(2);
        assertThat(overForeign.err()).contains(foreign.toString()).contains("not a jtrace trace");
        // and so does the agent, as the target's user, whoever asks it
        try (AgentConnection c = AgentConnection.open(p.pid(), RecordCommand.agentJar())) {
            assertThatThrownBy(() -> c.send("start", List.of("file=" + link, "events=threads")))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("symbolic link")
                    .hasMessageContaining(link.toString());
            assertThatThrownBy(() -> c.send("start", List.of("file=" + foreign, "events=threads")))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("not a jtrace trace");
        }
        assertThat(run("attach", pid, "--status").out()).contains("not recording");

        CliTest.Run f = run("attach", pid, "--flight", "30s", "-O", "events=threads", "-O", "period=200ms");
        assertThat(f.code()).as(f.err()).isZero();
        CliTest.Run snapLink = run("snapshot", pid, "-o", link.toString());
        assertThat(snapLink.code()).isEqualTo(2);
        assertThat(snapLink.err()).contains(link.toString()).contains("symbolic link");
        CliTest.Run snapForeign = run("snapshot", pid, "-o", foreign.toString());
        assertThat(snapForeign.code()).isEqualTo(2);
        assertThat(snapForeign.err()).contains("not a jtrace trace");
        try (AgentConnection c = AgentConnection.open(p.pid(), RecordCommand.agentJar())) {
            assertThatThrownBy(() -> c.send("snapshot", List.of("file=" + link)))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> c.send("snapshot", List.of("file=" + foreign)))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("not a jtrace trace");
        }
        assertThat(Files.readString(victim)).isEqualTo("another user's file");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(foreign)).isEqualTo("not a trace");

        // a trace (or an empty file) may be replaced: snapshot twice to the same name
        Path snap = dir.resolve("snap.jtrace");
        Files.createFile(snap);
        for (int i = 0; i < 2; i++) {
            CliTest.Run s = run("snapshot", pid, "-o", snap.toString());
            assertThat(s.code()).as(s.err()).isZero();
            events(snap); // complete and readable
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(x -> x.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(run("attach", pid, "--stop").code()).isZero();
    }

    @Test
    void attachNamesThePidAndWhyItCannot() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        CliTest.Run noPid = run("attach", Long.toString(gone.pid()), "-o", dir.resolve("x.jtrace").toString());
        assertThat(noPid.code()).isEqualTo(2);
        assertThat(noPid.err()).contains("no process with PID " + gone.pid());

        Process notJava = new ProcessBuilder("sleep", "60").start();
        try {
            CliTest.Run r = run("snapshot", Long.toString(notJava.pid()), "-o", dir.resolve("y.jtrace").toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("cannot attach to PID " + notJava.pid());
            assertThat(notJava.isAlive()).as("a process that is not a JVM survives the attempt").isTrue();
        } finally {
            notJava.destroyForcibly();
        }
        CliTest.Run bad = run("attach", "12ab");
        assertThat(bad.code()).isEqualTo(2);
        CliTest.Run noOutput = run("attach", Long.toString(ProcessHandle.current().pid()));
        assertThat(noOutput.code()).isEqualTo(2);
        assertThat(noOutput.err()).contains("-o FILE is needed");
    }

    @Test
    void optionsCannotBeSmuggledPastTheReservedKeys() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        Path f = dir.resolve("smuggled.jtrace");
        for (String o : new String[] {"period=1s,reply=abc", "period=1s, reply=abc", "events=threads,reply=abc",
                "events=threads,file=/tmp/x", "allocfree=a.B,command=stop", "reply=abc", " Reply =abc", "period",
                "=1s", "period=1s,events=gc"}) {
            CliTest.Run r = run("attach", pid, "-d", "1s", "-o", f.toString(), "-O", o);
            assertThat(r.code()).as(o + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(o).contains("-O " + o);
        }
        assertThat(f).doesNotExist();
        assertThat(run("attach", pid, "--status").out()).contains("not recording");
        // list values stay allowed
        assertThat(AgentConnection.userOptions(List.of("events=threads,park,gc", "allocfree=a.B,c.D", "period=1s"),
                "file", "reply")).hasSize(3);
        // and the agent refuses a second control key, whoever sends it: nothing starts
        try (AgentConnection c = AgentConnection.open(p.pid(), RecordCommand.agentJar())) {
            assertThatThrownBy(() -> c.send("start", List.of("file=" + f, "events=threads", "reply=abc")))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("'reply' given twice");
            assertThatThrownBy(() -> c.send("start", List.of("file=" + f, "file=" + dir.resolve("b.jtrace"))))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("'file' given twice");
        }
        assertThat(run("attach", pid, "--status").out()).contains("not recording");
        assertThat(f).doesNotExist();
    }

    @Test
    void aStartWhoseAnswerIsLateIsStoppedAgain() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        Path f = dir.resolve("late.jtrace");
        AgentConnection.startTimeoutNanos = 1; // the start step gives up at once; the agent starts anyway
        CliTest.Run r;
        try {
            r = run("attach", pid, "-d", "1s", "-o", f.toString(), "-O", "events=threads");
        } finally {
            AgentConnection.startTimeoutNanos = -1;
        }
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("did not answer").contains("cleaning up").contains("stopped; wrote");
        assertThat(run("attach", pid, "--status").out()).contains("not recording");
        events(f); // complete

        // a start refused because another recording runs does not stop that one
        assertThat(run("attach", pid, "--flight", "30s", "-O", "events=threads").code()).isZero();
        CliTest.Run refused = run("attach", pid, "-d", "1s", "-o", dir.resolve("r.jtrace").toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("already recording").contains("not stopped");
        assertThat(run("attach", pid, "--status").out()).contains("recording: a flight recorder");
        assertThat(run("attach", pid, "--stop").code()).isZero();
    }

    @Test
    void aProcessThatIsNotAJvmIsNeverSignalled() throws Exception {
        Path got = dir.resolve("got-sigquit");
        Process shell = new ProcessBuilder("bash", "-c",
                "trap 'echo got >> " + got + "' QUIT; echo ready; while true; do sleep 0.05; done").start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
            assertThat(r.readLine()).isEqualTo("ready");
            String pid = Long.toString(shell.pid());
            long begin = System.nanoTime();
            CliTest.Run a = run("attach", pid, "-d", "1s", "-o", dir.resolve("x.jtrace").toString());
            CliTest.Run s = run("snapshot", pid, "-o", dir.resolve("y.jtrace").toString());
            long took = System.nanoTime() - begin;
            for (CliTest.Run x : List.of(a, s)) {
                assertThat(x.code()).isEqualTo(2);
                assertThat(x.err()).contains("PID " + pid).contains("not a Java virtual machine").contains("bash")
                        .contains("nothing was sent to it");
            }
            // the JDK's way in would have sent SIGQUIT and waited ~10 s for an answer
            assertThat(took).isLessThan(TimeUnit.SECONDS.toNanos(8));
            Thread.sleep(300); // a trap runs between two sleeps of the loop
            assertThat(got).doesNotExist();
            assertThat(shell.isAlive()).isTrue();
        } finally {
            shell.destroyForcibly();
        }
    }

    @Test
    void aTargetThatExitsDuringTheAttachIsAClearErrorWithoutAHang() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        CompletableFuture<CliTest.Run> attach = CompletableFuture.supplyAsync(
                () -> run("attach", pid, "-d", "20s", "-o", dir.resolve("gone.jtrace").toString(), "-O", "events=threads"));
        // kill it while the agent starts (the start waits for JFR's stream) or records
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(Path.of("/tmp/.java_pid" + pid)) && !attach.isDone()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        p.destroyForcibly();
        CliTest.Run r = attach.get(60, TimeUnit.SECONDS);
        assertThat(r.err()).contains("PID " + pid);
        if (r.code() == 0) {
            assertThat(r.err()).contains("exited during the recording");
        } else {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).containsAnyOf("exited", "no process with PID");
        }
    }

    @Test
    void forceReplacesAFileThatIsNotATraceButNeverALink() throws Exception {
        Process p = target();
        String pid = Long.toString(p.pid());
        Path foreign = dir.resolve("notes.jtrace");
        Files.writeString(foreign, "not a trace");
        CliTest.Run refused = run("attach", pid, "-d", "1s", "-o", foreign.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("not a jtrace trace").contains("--force");
        CliTest.Run forced = run("attach", pid, "-d", "1s", "-o", foreign.toString(), "--force", "-O", "events=threads");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(events(foreign)).isNotEmpty();

        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "keep");
        Path link = dir.resolve("link.jtrace");
        Files.createSymbolicLink(link, victim);
        CliTest.Run viaLink = run("attach", pid, "-d", "1s", "-o", link.toString(), "--force");
        assertThat(viaLink.code()).isEqualTo(2);
        assertThat(viaLink.err()).contains("symbolic link");
        try (AgentConnection c = AgentConnection.open(p.pid(), RecordCommand.agentJar())) {
            assertThatThrownBy(() -> c.send("start", List.of("file=" + link, "force=true", "events=threads")))
                    .isInstanceOf(AgentConnection.Failure.class).hasMessageContaining("symbolic link");
        }
        assertThat(Files.readString(victim)).isEqualTo("keep");

        assertThat(run("attach", pid, "--flight", "30s", "-O", "events=threads").code()).isZero();
        Path other = dir.resolve("other.txt");
        Files.writeString(other, "text");
        assertThat(run("snapshot", pid, "-o", other.toString()).code()).isEqualTo(2);
        CliTest.Run snap = run("snapshot", pid, "-o", other.toString(), "--force");
        assertThat(snap.code()).as(snap.err()).isZero();
        events(other);
        assertThat(run("attach", pid, "--stop").code()).isZero();
    }
}
