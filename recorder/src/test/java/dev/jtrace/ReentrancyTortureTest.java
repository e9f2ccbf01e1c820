package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.Format;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random nesting from toString(), from alloc/free "hooks" fired inside the recorder, with errors thrown at
 * random depths, on platform and virtual threads while generations advance: in every mode no trace is
 * corrupt and nothing deadlocks; in nest mode every event is recorded exactly once (errors from toString()
 * become placeholders, never exceptions); in every mode what is missing is counted.
 */
class ReentrancyTortureTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    /** What one thread attempted, and what came back as an exception. */
    static final class Tally {
        long attempted;
        long failed;
    }

    /** A message whose rendering emits more events, allocates "hooked" objects, and sometimes throws. */
    static final class Chaos {
        final SplittableRandom rnd;
        final int depth;
        final long thread;
        final Tally tally;
        final AtomicLong ids;
        final long seq;

        Chaos(SplittableRandom rnd, int depth, long thread, Tally tally, AtomicLong ids, long seq) {
            this.rnd = rnd;
            this.depth = depth;
            this.thread = thread;
            this.tally = tally;
            this.ids = ids;
            this.seq = seq;
        }

        @Override
        public String toString() {
            int action = rnd.nextInt(10);
            if (action == 0) {
                throw new IllegalArgumentException("toString failed"); // recorded as <toString() threw ...>
            }
            if (action == 1 && depth > 0) {
                throw new StackOverflowError("injected at depth " + depth);
            }
            if (depth < 4) {
                int nested = rnd.nextInt(3);
                for (int i = 0; i < nested; i++) {
                    long s = tally.attempted++;
                    try {
                        if (rnd.nextBoolean()) {
                            JTrace.log(null, "t" + thread, new Chaos(rnd.split(), depth + 1, thread, tally, ids, s));
                        } else {
                            long id = ids.incrementAndGet(); // an allocation hook firing inside the recorder
                            JTrace.alloc(id, "torture.Obj", 16);
                            tally.attempted++;
                            JTrace.free(id);
                        }
                    } catch (StackOverflowError | ReentrantEventException e) {
                        tally.failed++;
                    }
                }
            }
            return "s" + seq + "@" + depth;
        }
    }

    @ParameterizedTest
    @EnumSource(Reentrancy.class)
    void randomNestingAndErrorsInEachMode(Reentrancy mode) throws Exception {
        Path file = dir.resolve(mode + ".jtrace");
        JTrace.start(TraceConfig.builder().file(file).reentrancy(mode).allocFree(true)
                .bufferSize(TraceConfig.MIN_BUFFER_SIZE * 2).generationPeriod(Duration.ofMillis(3)).build());
        AtomicLong ids = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        Map<Long, Tally> tallies = new HashMap<>();
        for (int t = 0; t < 6; t++) {
            Tally tally = new Tally();
            long seed = 1234 + t;
            Runnable body = () -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                long me = Thread.currentThread().threadId();
                for (int i = 0; i < 3000; i++) {
                    long s = tally.attempted++;
                    try {
                        JTrace.log(null, "t" + me, new Chaos(rnd.split(), 0, me, tally, ids, s));
                    } catch (StackOverflowError | ReentrantEventException e) {
                        tally.failed++;
                    }
                }
            };
            Thread th = t % 2 == 0 ? Thread.ofPlatform().unstarted(body) : Thread.ofVirtual().unstarted(body);
            tallies.put(th.threadId(), tally);
            threads.add(th);
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            th.join(Duration.ofSeconds(120).toMillis());
            assertThat(th.isAlive()).as("deadlock").isFalse();
        }
        JTrace.stop();

        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).as("corrupt trace in mode " + mode).isEmpty();
        long recorded = r.events.stream().filter(e -> e.type().equals("Log")
                || (e.type().equals("Alloc") && "torture.Obj".equals(e.str("type")))
                || (e.type().equals("Free") && e.num("id") < (1L << 62))).count();
        long attempted = tallies.values().stream().mapToLong(x -> x.attempted).sum();
        long failed = tallies.values().stream().mapToLong(x -> x.failed).sum();
        long lost = r.loss(Format.LOSS_ERROR);
        long skipped = r.skippedReentrant();
        assertThat(attempted).isGreaterThan(18_000);
        long topLevel = 6 * 3000;
        switch (mode) {
            case NEST -> {
                // nothing skipped; an error thrown out of a toString() is recorded as a placeholder, so no
                // event fails or is lost, and every attempted event is in the trace
                assertThat(skipped).isZero();
                assertThat(failed).isZero();
                assertThat(lost).isZero();
                assertThat(recorded).isEqualTo(attempted);
                assertThat(r.ofType("Log")).anySatisfy(e -> assertThat(e.str("message"))
                        .isEqualTo("<toString() threw java.lang.StackOverflowError>"));
            }
            case SKIP -> {
                // every top-level event is recorded; everything emitted from inside the recorder is skipped
                // and counted (with the recorder's own buffer events, which are skipped as well)
                assertThat(failed).isZero();
                assertThat(lost).isZero();
                assertThat(r.ofType("Log")).hasSize((int) topLevel);
                assertThat(recorded + skipped).isGreaterThanOrEqualTo(attempted);
            }
            case FAIL -> {
                // every nested event throws; what the application caught is counted as skipped or lost
                assertThat(failed).isPositive();
                assertThat(skipped + lost).isGreaterThanOrEqualTo(failed);
                assertThat(recorded + skipped + lost).isGreaterThanOrEqualTo(attempted);
                assertThat(r.ofType("Log").size()).isLessThanOrEqualTo((int) topLevel);
            }
        }
        // nothing was written twice: every log message carries its own sequence number
        List<String> keys = r.ofType("Log").stream().filter(e -> e.str("message").startsWith("s"))
                .map(e -> e.thread() + ":" + e.str("message")).toList();
        assertThat(keys).doesNotHaveDuplicates();
    }
}
