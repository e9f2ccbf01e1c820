package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.Format;
import example.sched.ReentrantSchedulerWorkload;
import example.sched.SchedulerWorkload;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scheduler hooks inside the JDK, end to end: a child JVM under the agent runs known scheduler work
 * ({@link SchedulerWorkload}) and the trace holds exactly what the workload counted itself doing.
 */
class SchedulerIT {
    @TempDir
    Path dir;

    /** Events of one trace, with thread names from ThreadStart and the lanes' thread table. */
    private record Trace(List<Event> events, Map<Long, String> names, List<LossRecord> losses) {
        String name(long thread) {
            return names.getOrDefault(thread, "");
        }

        List<Event> of(String type, String threadPrefix) {
            return events.stream().filter(e -> e.type().name().equals(type) && name(e.threadId()).startsWith(threadPrefix))
                    .toList();
        }

        long lost(int reason) {
            return losses.stream().filter(l -> l.reason() == reason).mapToLong(LossRecord::count).sum();
        }
    }

    private Trace run(String mainClass, String options, Path tally, String... args) throws Exception {
        Path trace = dir.resolve("sched.jtrace");
        Path log = dir.resolve("child.log");
        List<String> all = new ArrayList<>(List.of(tally.toString()));
        all.addAll(List.of(args));
        Process p = ChildJvm.start("file=" + trace + options, List.of(), log, mainClass, all.toArray(new String[0]));
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the workload finished").isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        // (nor that stacks are walked: the agent opened java.lang, so they are read from backtraces)
        assertThat(out).as("nothing on the application's output").doesNotContain("jtrace agent:", "Sharing is only",
                "stacks are walked");
        List<Event> events = new ArrayList<>();
        Map<Long, String> names = new HashMap<>();
        List<LossRecord> losses = new ArrayList<>();
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                events.addAll(g.events());
                g.threads().values().forEach(t -> names.put(t.id(), t.name()));
                losses.addAll(g.losses());
            }
            assertThat(r.report().problems()).isEmpty();
        }
        for (Event e : events) {
            if (e.type().name().equals("ThreadStart") && e.string("name") != null) {
                names.putIfAbsent(e.arg("thread"), e.string("name"));
            }
        }
        return new Trace(events, names, losses);
    }

    private static Map<String, Long> tally(Path f) throws Exception {
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(f)) {
            int eq = line.indexOf('=');
            m.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        return m;
    }

    @Test
    void knownWorkGivesExactCountsAndWakeUpEdges() throws Exception {
        Path tallyFile = dir.resolve("tally.txt");
        // blockstack=0: every block carries its stack, so that the profile groups every one by its call site
        Trace t = run(SchedulerWorkload.class.getName(), ",blockstack=0", tallyFile);
        Map<String, Long> tally = tally(tallyFile);
        Map<String, Long> idOf = new HashMap<>();
        t.names.forEach((id, n) -> idOf.put(n, id));
        long ping = idOf.get("sched-ping");
        long pong = idOf.get("sched-pong");

        // park/unpark: every park and every unpark of the ping-pong, each unpark aimed at the other side
        List<Event> parks = new ArrayList<>(t.of("ParkBegin", "sched-p"));
        assertThat(parks).hasSize(tally.get("parks").intValue())
                .allSatisfy(e -> assertThat(e.string("blocker")).isEqualTo(SchedulerWorkload.class.getName()));
        List<Event> unparks = t.of("Unpark", "sched-p");
        assertThat(unparks).hasSize(tally.get("unparks").intValue())
                .allSatisfy(e -> assertThat(e.arg("target")).isEqualTo(e.threadId() == ping ? pong : ping));

        // Object.wait / notify / notifyAll, including the row locks
        long waits = tally.get("waits") + tally.get("rowWaits");
        List<Event> waitBegins = new ArrayList<>(t.of("WaitBegin", "sched-notifier"));
        waitBegins.addAll(t.of("WaitBegin", "sched-waiter"));
        waitBegins.addAll(t.of("WaitBegin", "sched-rows"));
        assertThat(waitBegins).hasSize((int) waits);
        List<Event> notifies = new ArrayList<>(t.of("Notify", "sched-notifier"));
        notifies.addAll(t.of("Notify", "sched-waiter"));
        notifies.addAll(t.of("Notify", "sched-rows"));
        assertThat(notifies).filteredOn(e -> e.arg("all") == 0).hasSize(tally.get("notifies").intValue());
        assertThat(notifies).filteredOn(e -> e.arg("all") == 1).hasSize(tally.get("notifyAlls").intValue());
        // a wait names its monitor as the notify does: every waiter's monitor was notified
        assertThat(notifies.stream().map(e -> e.arg("monitor")).distinct().toList())
                .containsAll(waitBegins.stream().map(e -> e.arg("monitor")).distinct().toList());

        // sleeps of the virtual threads, and their mounts on carriers
        assertThat(t.of("SleepBegin", "sched-vt-")).hasSize(tally.get("sleeps").intValue());
        Map<Long, List<Event>> perVt = new HashMap<>();
        for (Event e : t.events) {
            String type = e.type().name();
            if ((type.equals("VirtualThreadMount") || type.equals("VirtualThreadUnmount"))
                    && t.name(e.arg("thread")).startsWith("sched-vt-")) {
                perVt.computeIfAbsent(e.arg("thread"), k -> new ArrayList<>()).add(e);
                assertThat(t.name(e.threadId())).as("written by the carrier").startsWith("ForkJoinPool");
            }
        }
        assertThat(perVt).hasSize(SchedulerWorkload.VTHREADS);
        perVt.values().forEach(l -> {
            l.sort(java.util.Comparator.comparingLong(Event::nanos));
            // started, then (usually: a sleep whose timer fires before the park may not unmount) woken after
            // each sleep; mount and unmount alternate, from the first mount to the last unmount
            assertThat(l.size()).isGreaterThanOrEqualTo(2).isEven();
            for (int i = 0; i < l.size(); i++) {
                assertThat(l.get(i).type().name()).isEqualTo(i % 2 == 0 ? "VirtualThreadMount" : "VirtualThreadUnmount");
            }
        });
        // every mount was preceded by a submit (the JDK may submit more than once before it mounts)
        int mounts = perVt.values().stream().mapToInt(l -> l.size() / 2).sum();
        assertThat(t.events).filteredOn(e -> e.type().name().equals("VirtualThreadSubmit")
                && t.name(e.arg("thread")).startsWith("sched-vt-")).hasSizeGreaterThanOrEqualTo(mounts);

        // every block of the workload's threads ends: as many BlockEnds as begins, per thread
        Map<Long, Integer> open = new HashMap<>();
        for (Event e : t.events) {
            if (!t.name(e.threadId()).startsWith("sched-")) {
                continue;
            }
            switch (e.type().name()) {
                case "ParkBegin", "WaitBegin", "SleepBegin" -> open.merge(e.threadId(), 1, Integer::sum);
                case "BlockEnd" -> open.merge(e.threadId(), -1, Integer::sum);
                default -> { }
            }
        }
        assertThat(open.values()).allSatisfy(n -> assertThat(n).isZero());

        // the row locks' waits end with their call site on the stack
        List<StackTrace> rowStacks = t.of("BlockEnd", "sched-rows").stream().map(e -> e.stack("stack"))
                .filter(s -> s != null && s.frames().stream().anyMatch(f -> f.className().equals("java.lang.Object")
                        && f.methodName().equals("wait")))
                .toList();
        assertThat(rowStacks).hasSizeGreaterThanOrEqualTo((int) (tally.get("rowWaits") / 2))
                .allSatisfy(s -> assertThat(s.frames()).anySatisfy(f -> assertThat(f.methodName()).isEqualTo("waitForRow")))
                .allSatisfy(s -> assertThat(s.frames()).noneSatisfy(f -> assertThat(f.className()).matches("dev.jtrace.agent.sched.*|.*JTraceSchedulerBridge")));

        // the blocking socket read, from JFR: only the JVM sees it
        assertThat(t.events).filteredOn(e -> e.type().name().equals("SocketRead") && t.name(e.arg("thread")).equals("sched-io"))
                .singleElement().satisfies(e -> {
                    assertThat(e.arg("duration")).isGreaterThanOrEqualTo(20_000_000L);
                    assertThat(e.arg("bytes")).isEqualTo(SchedulerWorkload.IO_BYTES);
                    assertThat(e.string("endpoint")).matches("(localhost|127\\.0\\.0\\.1|/?127\\.0\\.0\\.1):\\d+");
                    assertThat(e.stack("stack").frames()).anySatisfy(f -> assertThat(f.className()).startsWith(SchedulerWorkload.class.getName()));
                });
        // through the model, as every tool reads it: each wake-up edge names the right waker
        dev.jtrace.analysis.TraceAnalysis a = dev.jtrace.analysis.TraceAnalysis.run(dir.resolve("sched.jtrace"), null);
        List<dev.jtrace.model.Wakeup> edges = new ArrayList<>();
        dev.jtrace.model.TraceModel.read(dir.resolve("sched.jtrace"), new dev.jtrace.model.ModelListener() {
            @Override
            public void wakeup(dev.jtrace.model.Wakeup w) {
                edges.add(w);
            }
        }, null);
        List<dev.jtrace.model.Wakeup> pingPongEdges = edges.stream()
                .filter(w -> w.wakee() == ping || w.wakee() == pong).toList();
        // every park of the ping-pong that an unpark ended (or its permit) has its edge; a park may also return
        // spuriously, as its contract allows (the recorder's back-off gives a permit back: docs/design.md),
        // and then has none
        assertThat(pingPongEdges).hasSizeBetween(parks.size() * 99 / 100, parks.size())
                .allSatisfy(w -> assertThat(w.kind()).isEqualTo(dev.jtrace.model.Wakeup.Kind.UNPARK))
                .allSatisfy(w -> assertThat(w.waker()).isEqualTo(w.wakee() == ping ? pong : ping))
                .allSatisfy(w -> assertThat(w.resumeTime()).isGreaterThanOrEqualTo(w.wakeTime()));
        long notifier = idOf.get("sched-notifier");
        long waiter = idOf.get("sched-waiter-0");
        // the wait/notify pair: every wait of one side ended by a notify of the other
        assertThat(edges).filteredOn(w -> w.wakee() == notifier || w.wakee() == waiter)
                .hasSizeBetween((int) (tally.get("waits") * 99 / 100), (int) (long) tally.get("waits"))
                .allSatisfy(w -> assertThat(w.waker()).isEqualTo(w.wakee() == notifier ? waiter : notifier));
        // virtual threads: one submit edge per mount
        assertThat(edges).filteredOn(w -> w.kind() == dev.jtrace.model.Wakeup.Kind.SUBMIT
                && t.name(w.wakee()).startsWith("sched-vt-")).hasSize(mounts);
        // the row-lock contention in the exact blocking profile, at its call site
        assertThat(a.blockingProfile()).filteredOn(b -> b.kind.equals("wait") && b.callSite.contains("waitForRow"))
                .singleElement().satisfies(b -> assertThat(b.count).isEqualTo(tally.get("rowWaits")));
        // the recorder's own wake-ups of its writer (at every buffer hand-over) are not the application's
        long writer = tally.get("writerId");
        assertThat(writer).isPositive();
        assertThat(t.events).filteredOn(e -> e.type().name().equals("Unpark")).extracting(e -> e.arg("target"))
                .doesNotContain(writer);
        // nothing from the tracer's threads, nothing lost
        // (the agent's JFR bridge writes runtime events about others; scheduler events are about the writer)
        assertThat(t.events).filteredOn(e -> e.type().id() >= 27 && e.type().id() <= 36)
                .noneSatisfy(e -> assertThat(t.name(e.threadId())).startsWith("jtrace-"))
                // nor the agent's own wait for JFR's stream (at most 10 s), on main during premain
                .noneSatisfy(e -> assertThat(e.type().name().equals("ParkBegin") ? e.arg("timeout") : 0L)
                        .isGreaterThan(9_000_000_000L));
        assertThat(t.losses).filteredOn(l -> Format.lossCountsEvents(l.reason())).isEmpty();
        // the settings say which families the hooks record in full
        assertThat(t.events).filteredOn(e -> e.type().name().equals("Log") && "jtrace.settings".equals(e.string("category")))
                .anySatisfy(e -> assertThat(e.string("message")).containsPattern("hooks=[a-z,]+ ")
                        .contains("park").contains("wait").contains("sleep").contains("vthreads"));
    }

    @Test
    void theTracersOwnWaitsAndWakeUpsAreNotEvents() throws Exception {
        Path tallyFile = dir.resolve("tally.txt");
        // small generations: the flood fills them, wakes the writer and backs off
        Trace t = run(SchedulerWorkload.class.getName(), ",genbytes=64k,period=100ms", tallyFile, "flood");
        long writer = tally(tallyFile).get("writerId");
        assertThat(t.lost(Format.LOSS_BACKPRESSURE_WAIT)).as("the flood waited for the writer").isPositive();
        assertThat(t.events).filteredOn(e -> e.type().name().equals("Unpark")).extracting(e -> e.arg("target"))
                .doesNotContain(writer);
        // the flood threads park only in the recorder's back-off: none of it is recorded
        assertThat(t.of("ParkBegin", "flood-")).isEmpty();
        assertThat(t.of("BlockEnd", "flood-")).isEmpty();
        assertThat(t.of("Log", "flood-")).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nest", "skip", "fail"})
    void schedulerEventsInsideTheTracerFollowTheReentrancyMode(String mode) throws Exception {
        Path tallyFile = dir.resolve("tally.txt");
        Trace t = run(ReentrantSchedulerWorkload.class.getName(), ",reentrancy=" + mode, tallyFile);
        assertThat(tally(tallyFile).get("escaped")).as("exceptions thrown into the application").isZero();
        long target = t.names.entrySet().stream().filter(e -> e.getValue().equals("reent-target")).findFirst()
                .orElseThrow().getKey();
        List<Event> nestedUnparks = t.events.stream().filter(e -> e.type().name().equals("Unpark")
                && e.arg("target") == target).toList();
        List<Event> logs = t.events.stream().filter(e -> e.type().name().equals("Log")
                && "reent".equals(e.string("category"))).toList();
        long vtSleeps = t.of("SleepBegin", "reent-vt-").size();
        long vtLogs = logs.stream().filter(e -> "slept".equals(e.string("message"))).count();
        assertThat(logs.size() - vtLogs).isEqualTo(ReentrantSchedulerWorkload.UNPARKS);
        // a virtual thread asleep inside the tracer holds its shared lane meanwhile: others that found every
        // lane busy lost their event, counted (never waited for it)
        assertThat(vtLogs + t.lost(Format.LOSS_NO_LANE)).isEqualTo(ReentrantSchedulerWorkload.SLEEPERS);
        assertThat(vtLogs).isPositive();
        if (mode.equals("nest")) {
            // written complete, before the event that ran the toString()
            assertThat(nestedUnparks).hasSize(ReentrantSchedulerWorkload.UNPARKS);
            assertThat(vtSleeps).isEqualTo(vtLogs);
            assertThat(t.lost(Format.LOSS_SKIPPED_REENTRANT)).isZero();
        } else {
            // dropped and counted (a sleep is a SleepBegin and a BlockEnd); with fail nothing is thrown from
            // inside the JDK
            assertThat(nestedUnparks).isEmpty();
            assertThat(vtSleeps).isZero();
            assertThat(t.lost(Format.LOSS_SKIPPED_REENTRANT))
                    .isEqualTo(ReentrantSchedulerWorkload.UNPARKS + 2L * vtLogs);
        }
        // the virtual threads unmounted inside the tracer and came back: all of them ended
        assertThat(t.events).filteredOn(e -> e.type().name().equals("VirtualThreadUnmount")
                && t.name(e.arg("thread")).startsWith("reent-vt-")).hasSizeGreaterThanOrEqualTo(
                        (int) (2 * vtLogs));
    }
}
