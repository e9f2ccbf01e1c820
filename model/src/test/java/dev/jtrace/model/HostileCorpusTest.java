package dev.jtrace.model;

import static dev.jtrace.model.HostileCorpus.MAIN;
import static dev.jtrace.model.HostileCorpus.POOL;
import static dev.jtrace.model.HostileCorpus.SAMPLED_ONLY;
import static dev.jtrace.model.HostileCorpus.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the model concludes from the hostile corpus, worked out by hand. */
class HostileCorpusTest {
    @TempDir
    Path dir;

    @Test
    void theModelOfTheHostileCorpus() throws Exception {
        List<Blocking> blocking = new ArrayList<>();
        Map<Long, Long> stateEnds = new HashMap<>();
        List<String> problems = new ArrayList<>();
        TraceModel m = TraceModel.read(HostileCorpus.write(dir.resolve("h.jtrace")), new ModelListener() {
            @Override
            public void blocking(Blocking b) {
                blocking.add(b);
            }

            @Override
            public void threadState(long thread, ThreadState s, long start, long end) {
                Long prev = stateEnds.put(thread, end);
                if (prev != null && prev != start) {
                    problems.add("thread " + thread + ": gap or overlap at " + start);
                }
            }
        }, null);
        TraceSummary s = m.summary();
        assertThat(s.report().errors()).isEmpty();
        assertThat(problems).isEmpty();
        assertThat(s.durationNanos()).isEqualTo(HostileCorpus.DURATION);
        assertThat(s.regions()).isEqualTo(HostileCorpus.REGIONS);
        assertThat(s.regionBeginMissing()).isEqualTo(HostileCorpus.REGIONS_WITHOUT_BEGIN);
        assertThat(s.regionEndMissing()).isEqualTo(HostileCorpus.REGIONS_WITHOUT_END);
        assertThat(s.tasks()).isEqualTo(HostileCorpus.TASKS);
        assertThat(s.taskBeginMissing()).isEqualTo(HostileCorpus.TASKS_WITHOUT_BEGIN);
        assertThat(s.taskEndMissing()).isEqualTo(HostileCorpus.TASKS_WITHOUT_END);
        assertThat(s.threads()).isEqualTo(HostileCorpus.THREADS);
        assertThat(s.virtualThreads()).isEqualTo(HostileCorpus.VIRTUAL_THREADS);
        assertThat(s.lostEvents()).isEqualTo(HostileCorpus.LOST_EVENTS);
        assertThat(s.degradedArguments()).isEqualTo(1);
        assertThat(s.freeWithoutAlloc()).isEqualTo(1);
        assertThat(s.allocWithoutFree()).isZero();
        assertThat(s.lateStateNanos()).isZero();
        HostileCorpus.THREAD_LABELS.forEach((id, label) -> assertThat(m.threads().label(id)).isEqualTo(label));

        ModelThread main = m.threads().get(MAIN);
        assertThat(main.first()).isEqualTo(1_100_000);
        assertThat(main.last()).isEqualTo(13_000_000);
        assertThat(main.nanos(ThreadState.BLOCKED)).isEqualTo(200_000);
        assertThat(main.nanos(ThreadState.GC_PAUSE)).isEqualTo(300_000);
        assertThat(main.nanos(ThreadState.WAITING)).isEqualTo(1_000_000);
        assertThat(main.nanos(ThreadState.UNKNOWN)).isEqualTo(400_000);
        assertThat(main.nanos(ThreadState.RUNNING)).isEqualTo(10_000_000);

        ModelThread worker = m.threads().get(WORKER);
        assertThat(worker.lifetime()).isEqualTo(9_000_000);
        assertThat(worker.nanos(ThreadState.RUNNING)).isEqualTo(3_500_000);
        assertThat(worker.nanos(ThreadState.PARKED)).isEqualTo(700_000);
        assertThat(worker.nanos(ThreadState.GC_PAUSE)).isEqualTo(300_000);
        assertThat(worker.nanos(ThreadState.UNKNOWN)).isEqualTo(4_500_000);
        assertThat(worker.cpuSamples()).isEqualTo(1);

        ModelThread vt = m.threads().get(100L);
        assertThat(vt.nanos(ThreadState.RUNNING)).isEqualTo(350_000);
        assertThat(vt.nanos(ThreadState.SLEEPING)).isEqualTo(100_000);
        assertThat(vt.nanos(ThreadState.PARKED)).isEqualTo(50_000);

        ModelThread sampled = m.threads().get(SAMPLED_ONLY);
        assertThat(sampled.lifetime()).isEqualTo(2_000_000);
        assertThat(sampled.nanos(ThreadState.UNKNOWN)).isEqualTo(2_000_000);

        ModelThread pool = m.threads().get(POOL);
        assertThat(pool.first()).isEqualTo(5_900_000);
        assertThat(pool.last()).isEqualTo(7_150_000);
        assertThat(pool.nanos(ThreadState.PARKED)).isEqualTo(500_000);

        assertThat(m.gc().pauses()).singleElement().satisfies(p -> assertThat(p.start()).isEqualTo(4_000_000));
        assertThat(m.gc().cycles()).singleElement().satisfies(c -> {
            assertThat(c.start()).isEqualTo(3_900_000);
            assertThat(c.end()).isEqualTo(4_300_000);
        });
        assertThat(blocking).filteredOn(Blocking::idle).singleElement()
                .satisfies(b -> assertThat(b.thread()).isEqualTo(POOL));
        assertThat(blocking).filteredOn(b -> b.thread() == WORKER).singleElement()
                .satisfies(b -> assertThat(b.callSiteName()).startsWith("app.Cache.lock("));
        assertThat(blocking).filteredOn(b -> b.state() == ThreadState.WAITING).singleElement()
                .satisfies(b -> assertThat(b.thread()).isEqualTo(MAIN));
        for (ModelThread t : m.threads()) {
            long sum = 0;
            for (long n : t.stateNanos()) {
                sum += n;
            }
            assertThat(sum).as("states of thread %d", t.id()).isEqualTo(t.lifetime());
        }
    }
}
