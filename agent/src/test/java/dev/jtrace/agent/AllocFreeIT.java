package dev.jtrace.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.format.Format;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.ThreadInfo;
import dev.jtrace.reader.TraceReader;
import example.allocfree.AllocFreeWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alloc/free experiment in a JVM started with the packaged agent and
 * {@code allocfree=example.allocfree.Tracked}: every construction is one Alloc, the frees are exactly the
 * objects that died, the analysis agrees, and allocations inside the recorder follow the reentrancy mode.
 */
class AllocFreeIT {
    private static final String TRACKED = "example.allocfree.Tracked";

    @TempDir
    Path dir;

    /** Everything in one trace, with the thread names of every generation. */
    record Trace(List<Event> events, Map<Long, String> threadNames, List<LossRecord> losses) {
        List<Event> ofType(String type) {
            return events.stream().filter(e -> e.type().name().equals(type)).toList();
        }

        long lost(int reason) {
            return losses.stream().filter(l -> l.reason() == reason).mapToLong(LossRecord::count).sum();
        }
    }

    private Trace run(String options, String... args) throws Exception {
        Path trace = dir.resolve("af.jtrace");
        Path log = dir.resolve("child.log");
        Process p = ChildJvm.start("file=" + trace + ",allocfree=" + TRACKED + options, List.of(), log,
                AllocFreeWorkload.class.getName(), args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isZero();
        // the bridges live in java.base: nothing appended to the bootstrap path, class-data sharing stays on
        assertThat(output).doesNotContain("Sharing is only supported");
        List<Event> events = new ArrayList<>();
        Map<Long, String> names = new HashMap<>();
        List<LossRecord> losses = new ArrayList<>();
        try (TraceReader r = TraceReader.open(trace)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                events.addAll(g.events());
                losses.addAll(g.losses());
                for (ThreadInfo t : g.threads().values()) {
                    names.put(t.id(), t.name());
                }
            }
            assertThat(r.report().problems()).as(output).isEmpty();
            assertThat(r.report().lostTailBytes()).isZero();
        }
        return new Trace(events, names, losses);
    }

    @Test
    void everyConstructionIsOneAllocAndTheFreesAreExactlyTheObjectsThatDied() throws Exception {
        int n = 2000;
        Trace t = run(",events=gc", "lifecycle", Integer.toString(n));
        List<Event> allocs = t.ofType("Alloc").stream().filter(e -> TRACKED.equals(e.string("type"))).toList();
        // n objects, built through both constructors (one delegating): n Allocs, no Sub among them
        assertThat(allocs).hasSize(n);
        assertThat(t.ofType("Alloc")).allSatisfy(e -> assertThat(e.string("type")).isIn(TRACKED, "jtrace.Buffer"));
        List<Long> ids = allocs.stream().map(e -> e.arg("id")).sorted().toList();
        assertThat(new HashSet<>(ids)).hasSize(n);
        long size = allocs.get(0).arg("size");
        assertThat(size).isBetween(16L, 64L);
        assertThat(allocs).allSatisfy(e -> assertThat(e.arg("size")).isEqualTo(size));
        // one thread constructed them in order, so the i-th id is object i; every fourth one was kept
        Set<Long> dropped = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (i % 4 != 0) {
                dropped.add(ids.get(i));
            }
        }
        Set<Long> freed = new HashSet<>();
        for (Event e : t.ofType("Free")) {
            if (e.arg("id") < (1L << 62)) { // the recorder's own buffers use ids from 2^62
                assertThat(freed.add(e.arg("id"))).as("one Free per object").isTrue();
            }
        }
        assertThat(freed).isEqualTo(dropped);
        // a Free comes after its Alloc
        Map<Long, Long> allocTime = new HashMap<>();
        allocs.forEach(e -> allocTime.put(e.arg("id"), e.ticks()));
        assertThat(t.ofType("Free")).filteredOn(e -> allocTime.containsKey(e.arg("id")))
                .allSatisfy(e -> assertThat(e.ticks()).isGreaterThanOrEqualTo(allocTime.get(e.arg("id"))));
        // jtrace's threads: the frees come from jtrace-allocfree, no Alloc of the application's class does
        assertThat(t.ofType("Free")).filteredOn(e -> e.arg("id") < (1L << 62))
                .allSatisfy(e -> assertThat(t.threadNames().get(e.threadId())).isEqualTo("jtrace-allocfree"));
        assertThat(allocs).allSatisfy(e -> assertThat(t.threadNames().get(e.threadId())).isEqualTo("main"));
        assertThat(t.losses()).isEmpty();

        // the analysis (jtrace analyze) sees the same heap: the kept objects are live at the end
        TraceAnalysis a = TraceAnalysis.run(dir.resolve("af.jtrace"), null);
        long kept = n - dropped.size();
        assertThat(a.allocWithoutFree).isEqualTo(kept);
        assertThat(a.freeWithoutAlloc).isZero();
        assertThat(a.heap.get(a.heap.size() - 1)[1]).isEqualTo(kept * size);
        assertThat(a.heap.stream().mapToLong(s -> s[1]).max().orElseThrow()).isLessThanOrEqualTo(n * size);
    }

    @Test
    void objectsBeyondMaxtrackedAreNotRecordedButCounted() throws Exception {
        Trace t = run(",events=gc,maxtracked=300", "keep", "1000");
        assertThat(t.ofType("Alloc")).filteredOn(e -> TRACKED.equals(e.string("type"))).hasSize(300);
        List<Event> untracked = t.ofType("Counter").stream()
                .filter(e -> e.string("name").equals("jtrace.allocfree.untracked")).toList();
        assertThat(untracked).isNotEmpty();
        assertThat(untracked.get(untracked.size() - 1).arg("value")).isEqualTo(700L);
    }

    private static final int K = 200;

    private List<Event> describeLogs(Trace t) {
        return t.ofType("Log").stream().filter(e -> "describe".equals(e.string("category"))).toList();
    }

    @Test
    void allocationInsideTheRecorderIsNestedInNestMode() throws Exception {
        Trace t = run(",events=threads,reentrancy=nest", "reentrant", Integer.toString(K));
        List<Event> logs = describeLogs(t);
        assertThat(logs).hasSize(K);
        assertThat(logs).extracting(e -> e.string("message")).contains("described 0", "described " + (K - 1));
        List<Event> allocs = t.ofType("Alloc").stream().filter(e -> TRACKED.equals(e.string("type"))).toList();
        assertThat(allocs).hasSize(K);
        // the nested Alloc is committed before the Log whose toString() made it
        long thread = logs.get(0).threadId();
        int allocsSoFar = 0;
        int logsSoFar = 0;
        for (Event e : t.events()) {
            if (e.threadId() != thread) {
                continue;
            }
            if (allocs.contains(e)) {
                allocsSoFar++;
            } else if (logs.contains(e)) {
                logsSoFar++;
                assertThat(allocsSoFar).isEqualTo(logsSoFar);
            }
        }
        assertThat(t.losses()).isEmpty();
    }

    /** The id of the thread that ran {@code reentrant} (group 2) and of the JFR bridge's (3), as printed. */
    private long printedThread(int group) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("caught (\\d+) on thread (\\d+) bridge (\\d+)")
                .matcher(Files.readString(dir.resolve("child.log")));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(group));
    }

    private long workloadThread() throws Exception {
        return printedThread(2);
    }

    private static long lost(Trace t, long thread, int reason) {
        return t.losses().stream().filter(l -> l.threadId() == thread && l.reason() == reason)
                .mapToLong(LossRecord::count).sum();
    }

    @Test
    void allocationInsideTheRecorderIsDroppedAndCountedInSkipMode() throws Exception {
        Trace t = run(",events=threads,reentrancy=skip", "reentrant", Integer.toString(K));
        assertThat(describeLogs(t)).hasSize(K);
        assertThat(t.ofType("Alloc")).noneMatch(e -> TRACKED.equals(e.string("type")));
        // not tracked either: no Free of an object whose Alloc was skipped
        assertThat(t.ofType("Free")).noneMatch(e -> e.arg("id") < (1L << 62));
        // The recorder's own buffer events are always nested, so skip mode drops them too: besides the K
        // Allocs, the workload's lane lost one buffer Alloc (and at most one Free) per generation it wrote in.
        assertThat(t.ofType("Alloc")).noneMatch(e -> "jtrace.Buffer".equals(e.string("type")));
        long gens = t.events().stream().map(e -> e.generation().number()).distinct().count();
        assertThat(lost(t, workloadThread(), Format.LOSS_SKIPPED_REENTRANT)).isBetween(K + 1L, K + 2 * gens);
        assertThat(t.lost(Format.LOSS_ERROR)).isZero();
    }

    @Test
    void allocationInsideTheRecorderThrowsToTheCallerInFailMode() throws Exception {
        Trace t = run(",events=threads,reentrancy=fail", "reentrant", Integer.toString(K));
        assertThat(Files.readString(dir.resolve("child.log"))).contains("caught " + K + " ");
        assertThat(describeLogs(t)).isEmpty();
        assertThat(t.ofType("Alloc")).noneMatch(e -> TRACKED.equals(e.string("type")));
        assertThat(t.ofType("Free")).noneMatch(e -> e.arg("id") < (1L << 62));
        // each Log: its nested Alloc refused (skippedReentrant), the Log itself thrown out of (error)
        long thread = workloadThread();
        assertThat(lost(t, thread, Format.LOSS_SKIPPED_REENTRANT)).isEqualTo(K);
        assertThat(lost(t, thread, Format.LOSS_ERROR)).isEqualTo(K);
        // The recorder's own buffer Alloc/Free nest even in this mode (docs/design.md): the JFR bridge's events
        // that fill a buffer are recorded, nothing is lost on its lane, and its buffers show in the trace.
        long bridge = printedThread(3);
        String diag = "losses " + t.losses() + "\nevents " + t.events() + "\nchild:\n"
                + Files.readString(dir.resolve("child.log"));
        assertThat(lost(t, bridge, Format.LOSS_ERROR)).as(diag).isZero();
        assertThat(lost(t, bridge, Format.LOSS_SKIPPED_REENTRANT)).as(diag).isZero();
        assertThat(t.ofType("Alloc")).as(diag).anyMatch(e -> "jtrace.Buffer".equals(e.string("type"))
                && e.threadId() == bridge);
        assertThat(t.ofType("ThreadStart")).as(diag)
                .filteredOn(e -> e.string("name").startsWith("wl-after-"))
                .hasSizeGreaterThanOrEqualTo(2);
    }
}
