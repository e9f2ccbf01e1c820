package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jtrace.format.Format;
import dev.jtrace.internal.Faults;
import dev.jtrace.internal.Faults.Step;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Errors thrown at every step of event emission: the event is wholly in or wholly out, the loss is
 * counted, the trace stays readable and the thread keeps tracing.
 */
class FaultInjectionTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void faultsAreCompiledIn() {
        assertThat(Faults.ENABLED).as("run with -Djtrace.test.faults=true (surefire argLine)").isTrue();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Faults.disarm();
        JTrace.stop();
    }

    static Stream<Arguments> stepsAndErrors() {
        return Stream.of(Step.values()).filter(step -> step.ordinal() <= Step.BEFORE_RELEASE.ordinal())
                .flatMap(step -> Stream.of(
                Arguments.of(step, "StackOverflowError"),
                Arguments.of(step, "OutOfMemoryError")));
    }

    private static Throwable error(String kind) {
        return kind.equals("StackOverflowError") ? new StackOverflowError("injected") : new OutOfMemoryError("injected");
    }

    /**
     * Where a one-shot fault at each step first fires, and so how many events it costs. The first event of
     * the thread installs a buffer and emits the recorder's own Alloc, nested: RESERVED, MID_WRITE and
     * BEFORE_COMMIT are reached first by that nested Alloc, whose error then also ends the outer event (2
     * lost); the other steps are reached first by the outer event (1 lost); after BEFORE_RELEASE the event
     * is already committed (0 lost).
     */
    private static int expectedLoss(Step step) {
        return switch (step) {
            case RESERVED, MID_WRITE, BEFORE_COMMIT -> 2;
            case BEFORE_RELEASE -> 0;
            default -> 1;
        };
    }

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("stepsAndErrors")
    void errorAtEveryStepLeavesAConsistentTrace(Step step, String kind) throws Exception {
        Path file = dir.resolve(step + "-" + kind + ".jtrace");
        // Small buffers and allocfree so that buffer switches (and their own events) happen often.
        JTrace.start(TraceConfig.builder().file(file).bufferSize(TraceConfig.MIN_BUFFER_SIZE).allocFree(true).build());
        Faults.arm(Thread.currentThread(), step, error(kind));
        long seqOk = 0;
        long objOk = 0;
        String failed = null;
        int thrown = 0;
        for (int i = 0; i < 2000; i++) {
            String text = "m" + i;
            Throwable t = catchThrowable(() -> JTrace.logWithStack(null, "seq", text));
            if (t == null) {
                seqOk++;
            } else {
                assertThat(t).hasMessage("injected");
                failed = "seq";
                thrown++;
            }
            if (i % 3 == 0) {
                StringBuilder asObject = new StringBuilder(text);
                t = catchThrowable(() -> JTrace.log(null, "seq-obj", asObject));
                if (t == null) {
                    objOk++;
                } else {
                    assertThat(t).hasMessage("injected");
                    failed = "seq-obj";
                    thrown++;
                }
            }
        }
        // The thread keeps tracing after the fault.
        JTrace.log(null, "after", "still here");
        JTrace.stop();
        assertThat(Faults.fired()).as("fault at " + step + " fired").isTrue();
        assertThat(thrown).isEqualTo(1);

        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).as("reader problems").isEmpty();
        assertThat(r.lostTailBytes).isZero();
        assertThat(r.ofType("Log").stream().filter(e -> "after".equals(e.str("category")))).hasSize(1);
        long committedAnyway = step == Step.BEFORE_RELEASE ? 1 : 0;
        long seqLogs = r.ofType("Log").stream().filter(e -> "seq".equals(e.str("category"))).count();
        long objLogs = r.ofType("Log").stream().filter(e -> "seq-obj".equals(e.str("category"))).count();
        // every event the application did not see fail is in the trace exactly once
        assertThat(seqLogs).isEqualTo(seqOk + ("seq".equals(failed) ? committedAnyway : 0));
        assertThat(objLogs).isEqualTo(objOk + ("seq-obj".equals(failed) ? committedAnyway : 0));
        assertThat(r.ofType("Log").stream().filter(e -> "seq".equals(e.str("category")))
                .map(e -> e.str("message")).distinct().count()).isEqualTo(seqLogs);
        // and what was lost is counted
        assertThat(r.loss(Format.LOSS_ERROR)).as("lost events counted").isEqualTo(expectedLoss(step));
        // the recorder's own buffer events stay consistent: no buffer allocated twice
        assertThat(r.ofType("Alloc").stream().map(e -> e.num("id")).distinct().count())
                .isEqualTo(r.ofType("Alloc").size());
    }

    static Stream<Arguments> fastPathSteps() {
        return Stream.of(Step.ACQUIRED, Step.RESOLVE, Step.BUFFER_SWITCH, Step.BUFFER_HANDOFF, Step.RESERVED,
                        Step.MID_WRITE, Step.BEFORE_COMMIT, Step.BEFORE_RELEASE)
                .flatMap(step -> Stream.of(Arguments.of(step, "StackOverflowError"),
                        Arguments.of(step, "OutOfMemoryError")));
    }

    /**
     * The same on the fast path (plain strings, warm lane cache): warmed up first, then armed; RESOLVE and
     * the buffer steps are reached when the fast path falls back (a new generation empties the lane's
     * cache; a full buffer needs a switch).
     */
    @ParameterizedTest(name = "fast path: {1} at {0}")
    @MethodSource("fastPathSteps")
    void errorOnTheFastPathLeavesAConsistentTrace(Step step, String kind) throws Exception {
        Path file = dir.resolve("fast-" + step + "-" + kind + ".jtrace");
        JTrace.start(TraceConfig.builder().file(file).bufferSize(TraceConfig.MIN_BUFFER_SIZE).build());
        for (int i = 0; i < 10; i++) {
            JTrace.log(null, "warm", "up");
        }
        Faults.arm(Thread.currentThread(), step, error(kind));
        long ok = 0;
        int thrown = 0;
        for (int i = 0; i < 3000; i++) {
            if (i == 1500) {
                JTrace.advanceGeneration();
            }
            Throwable t = catchThrowable(() -> JTrace.log(null, "fast", "same message"));
            if (t == null) {
                ok++;
            } else {
                assertThat(t).hasMessage("injected");
                thrown++;
            }
        }
        JTrace.stop();
        assertThat(Faults.fired()).as("fault at " + step + " fired").isTrue();
        assertThat(thrown).isEqualTo(1);
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        long fast = r.ofType("Log").stream().filter(e -> "fast".equals(e.str("category"))).count();
        boolean committed = step == Step.BEFORE_RELEASE;
        assertThat(fast).isEqualTo(ok + (committed ? 1 : 0));
        assertThat(r.loss(Format.LOSS_ERROR)).isEqualTo(committed ? 0 : 1);
    }

    @Test
    void realStackOverflowWhileTracingLeavesTheThreadTracing() throws Exception {
        Path file = dir.resolve("real-soe.jtrace");
        JTrace.start(TraceConfig.builder().file(file).bufferSize(TraceConfig.MIN_BUFFER_SIZE).allocFree(true).build());
        int[] depthReached = new int[1];
        Throwable t = catchThrowable(() -> recurse(0, depthReached));
        assertThat(t).isInstanceOf(StackOverflowError.class);
        for (int i = 0; i < 100; i++) {
            JTrace.log(null, "after", "a" + i);
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Log").stream().filter(e -> "after".equals(e.str("category")))).hasSize(100);
        long deep = r.ofType("Log").stream().filter(e -> "deep".equals(e.str("category"))).count();
        // every level either recorded its event or counted it lost
        assertThat(deep + r.loss(Format.LOSS_ERROR)).isGreaterThanOrEqualTo(depthReached[0] - 1);
        assertThat(deep).isGreaterThan(100);
    }

    private static void recurse(int depth, int[] reached) {
        reached[0] = depth;
        JTrace.log(null, "deep", Integer.toString(depth));
        recurse(depth + 1, reached);
    }
}
