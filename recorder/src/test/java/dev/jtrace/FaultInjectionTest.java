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
        return Stream.of(Step.values()).filter(step -> step.ordinal() <= Step.BEFORE_RELEASE.ordinal()
                        && step != Step.GROW_REGIONS && step != Step.NEW_CONTEXT)
                .flatMap(step -> Stream.of(
                Arguments.of(step, "StackOverflowError"),
                Arguments.of(step, "OutOfMemoryError")));
    }

    private static Throwable error(String kind) {
        return kind.equals("StackOverflowError") ? new StackOverflowError("injected") : new OutOfMemoryError("injected");
    }

    /**
     * Where a one-shot fault at each step first fires, and so which event it costs. The first event of the
     * thread installs a buffer and records the recorder's own Alloc, nested: RESERVED, MID_WRITE and
     * BEFORE_COMMIT are reached first by that nested Alloc, which is lost while the log that caused it is
     * recorded; the other steps are reached first by a log, which is lost; after BEFORE_RELEASE the event is
     * already committed (nothing lost).
     */
    private static int lostLogs(Step step) {
        return switch (step) {
            case RESERVED, MID_WRITE, BEFORE_COMMIT, BEFORE_RELEASE -> 0;
            default -> 1;
        };
    }

    private static int expectedLoss(Step step) {
        return step == Step.BEFORE_RELEASE ? 0 : 1;
    }

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("stepsAndErrors")
    void errorAtEveryStepLeavesAConsistentTrace(Step step, String kind) throws Exception {
        Path file = dir.resolve(step + "-" + kind + ".jtrace");
        // Small buffers and allocfree so that buffer switches (and their own events) happen often.
        JTrace.start(TraceConfig.builder().file(file).bufferSize(TraceConfig.MIN_BUFFER_SIZE).allocFree(true).build());
        Faults.arm(Thread.currentThread(), step, error(kind));
        int attempted = 0;
        for (int i = 0; i < 2000; i++) {
            String text = "m" + i;
            // the recorder never throws into the application: the error costs an event, counted
            assertThat(catchThrowable(() -> JTrace.logWithStack(null, "seq", text))).isNull();
            attempted++;
            if (i % 3 == 0) {
                StringBuilder asObject = new StringBuilder(text);
                assertThat(catchThrowable(() -> JTrace.log(null, "seq-obj", asObject))).isNull();
                attempted++;
            }
        }
        // The thread keeps tracing after the fault.
        JTrace.log(null, "after", "still here");
        JTrace.stop();
        assertThat(Faults.fired()).as("fault at " + step + " fired").isTrue();

        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).as("reader problems").isEmpty();
        assertThat(r.lostTailBytes).isZero();
        assertThat(r.ofType("Log").stream().filter(e -> "after".equals(e.str("category")))).hasSize(1);
        long seqLogs = r.ofType("Log").stream().filter(e -> "seq".equals(e.str("category"))).count();
        long objLogs = r.ofType("Log").stream().filter(e -> "seq-obj".equals(e.str("category"))).count();
        // every event is in the trace exactly once, but the one the error cost
        assertThat(seqLogs + objLogs).isEqualTo(attempted - lostLogs(step));
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
        for (int i = 0; i < 3000; i++) {
            if (i == 1500) {
                JTrace.advanceGeneration();
            }
            assertThat(catchThrowable(() -> JTrace.log(null, "fast", "same message"))).isNull();
        }
        JTrace.stop();
        assertThat(Faults.fired()).as("fault at " + step + " fired").isTrue();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        long fast = r.ofType("Log").stream().filter(e -> "fast".equals(e.str("category"))).count();
        boolean committed = step == Step.BEFORE_RELEASE;
        assertThat(fast).isEqualTo(3000 - (committed ? 0 : 1));
        assertThat(r.loss(Format.LOSS_ERROR)).isEqualTo(committed ? 0 : 1);
    }

    /**
     * An OutOfMemoryError while growing the region stack (before any byte of the RegionBegin): nothing is
     * thrown, the RegionBegin is counted lost, the handle closes nothing, and the regions around it pair up.
     */
    @ParameterizedTest(name = "{0} growing the region stack")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"OutOfMemoryError", "StackOverflowError"})
    void errorGrowingTheRegionStackIsCountedNotThrown(String kind) throws Exception {
        Path file = dir.resolve("regions-" + kind + ".jtrace");
        JTrace.start(TraceConfig.builder().file(file).build());
        Region[] open = new Region[8]; // a fresh thread's stack grows to 8 at the first: the 9th grows it
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> failure[0] = catchThrowable(() -> {
            for (int i = 0; i < 8; i++) {
                open[i] = JTrace.region(null, "r" + i);
            }
            Faults.arm(Thread.currentThread(), Step.GROW_REGIONS, error(kind));
            Throwable thrown = catchThrowable(() -> {
                Region ninth = JTrace.region(null, "ninth");
                assertThat(ninth).isNotSameAs(open[0]);
                ninth.close(); // closes nothing: r7 stays open
                JTrace.log(null, "between", "r7 still open");
                try (Region tenth = JTrace.region(null, "tenth")) { // grows the stack this time
                    JTrace.log(null, "inside", "tenth");
                }
            });
            assertThat(thrown).isNull();
            for (int i = 7; i >= 0; i--) {
                open[i].close();
            }
        }));
        t.start();
        t.join();
        assertThat(failure[0]).isNull();
        JTrace.stop();
        assertThat(Faults.fired()).isTrue();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.loss(Format.LOSS_ERROR)).as("the lost RegionBegin is counted").isEqualTo(1);
        assertThat(r.ofType("RegionBegin").stream().map(e -> e.str("name")))
                .containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "tenth");
        assertThat(r.ofType("RegionEnd").stream().map(e -> e.str("name")))
                .containsExactly("tenth", "r7", "r6", "r5", "r4", "r3", "r2", "r1", "r0");
    }

    /** The fast path's error handler flags a lost RegionBegin, so that the region opens nowhere. */
    @Test
    void aRegionBeginLostOnTheFastPathOpensNoRegion() throws Exception {
        Path file = dir.resolve("fast-region.jtrace");
        JTrace.start(TraceConfig.builder().file(file).build());
        Throwable thrown = catchThrowable(() -> {
            try (Region outer = JTrace.region(null, "outer")) {
                JTrace.region(null, "victim").close(); // now cached: the next one takes the fast path
                Faults.arm(Thread.currentThread(), Step.MID_WRITE, new OutOfMemoryError("injected"));
                Region lost = JTrace.region(null, "victim");
                assertThat(Faults.fired()).isTrue();
                lost.close(); // closes nothing: outer stays open
                JTrace.log(null, "inside", "outer");
            }
        });
        assertThat(thrown).isNull();
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.loss(Format.LOSS_ERROR)).isEqualTo(1);
        assertThat(r.ofType("RegionBegin").stream().map(e -> e.str("name"))).containsExactly("outer", "victim");
        assertThat(r.ofType("RegionEnd").stream().map(e -> e.str("name"))).containsExactly("victim", "outer");
    }

    /** A thread whose context cannot be created (heap exhausted at its first event) records nothing, throws nothing. */
    @Test
    void noMemoryForAThreadsContextThrowsNothingAndTheNextEventRecords() throws Exception {
        Path file = dir.resolve("no-context.jtrace");
        JTrace.start(TraceConfig.builder().file(file).build());
        Throwable[] failure = new Throwable[1];
        long[] taskIds = new long[2];
        Thread t = new Thread(() -> failure[0] = catchThrowable(() -> {
            JTrace.log(null, "first", "no context yet"); // the context's creation fails: nothing recorded
            assertThat(Faults.fired()).isTrue();
            JTrace.log(null, "second", "recorded");
            Task task = JTrace.newTask(null, "task");
            taskIds[0] = task.id();
            try (Region r = JTrace.region(task, "region")) {
                taskIds[1] = JTrace.newTask(task, "child").id();
            }
            task.end();
        }));
        Faults.arm(t, Step.NEW_CONTEXT, new OutOfMemoryError("injected"));
        t.start();
        t.join();
        assertThat(failure[0]).isNull();
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Log")).extracting(e -> e.str("category")).containsExactly("second");
        assertThat(r.ofType("RegionBegin")).hasSize(1);
        assertThat(taskIds[0]).isNotEqualTo(taskIds[1]).isPositive();
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
