package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jtrace.format.Format;
import dev.jtrace.reader.StackTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What applications hand the recorder at its edge: objects whose {@code toString()} misbehaves, strings that
 * UTF-8 cannot hold as they are, deep stacks. Each is recorded by a documented rule and read back exactly.
 */
class ApiEdgeTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    /** An object whose toString() does whatever the test says. */
    private record Odd(String label, Throwable toThrow) {
        @Override
        public String toString() {
            if (toThrow != null) {
                sneakyThrow(toThrow);
            }
            return label;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private Path start(TraceConfig.Builder b, String name) throws IOException {
        Path file = dir.resolve(name + ".jtrace");
        JTrace.start(b.file(file).build());
        return file;
    }

    private static List<String> messages(ReadBack r, String category) {
        return r.ofType("Log").stream().filter(e -> category.equals(e.str("category"))).map(e -> e.str("message"))
                .toList();
    }

    @Test
    void misbehavingToStringIsRecordedAsAPlaceholderAndNeverThrown() throws Exception {
        Path file = start(TraceConfig.builder(), "tostring");
        Object[] args = {
            new Odd(null, null), // returns null
            new Odd("x", new AssertionError("an Error")),
            new Odd("x", new OutOfMemoryError("simulated")),
            new Odd("x", new IOException("checked, thrown sneakily")),
            new Odd("x", new IllegalStateException("runtime")),
            new Odd("fine", null),
        };
        for (Object a : args) {
            assertThat(catchThrowable(() -> JTrace.log(null, "odd", a))).as(String.valueOf(a.getClass())).isNull();
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.totalLoss()).isZero();
        assertThat(messages(r, "odd")).containsExactly(
                "<toString() returned null>",
                "<toString() threw java.lang.AssertionError>",
                "<toString() threw java.lang.OutOfMemoryError>",
                "<toString() threw java.io.IOException>",
                "<toString() threw java.lang.IllegalStateException>",
                "fine");
    }

    @Test
    void aCutAt16KiCharsNeverSplitsASurrogatePair() throws Exception {
        Path file = start(TraceConfig.builder(), "cut");
        String a16k1 = "a".repeat(16 * 1024 - 1);
        String grin = "\uD83D\uDE00"; // U+1F600, a surrogate pair
        JTrace.log(null, "cut", a16k1 + grin + "tail"); // the 16384th char is the pair's high half
        JTrace.log(null, "cut", "b" + a16k1 + grin); // the pair starts at the 16385th char: wholly cut off
        JTrace.log(null, "cut", a16k1.substring(1) + grin + "tail"); // the pair is the 16383rd and 16384th: kept
        JTrace.log(null, "cut", a16k1 + "\uD800" + "z"); // a lone high half at the cut: replaced
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        List<String> m = messages(r, "cut");
        // compared as booleans: a failure message of 16 Ki chars helps nobody
        assertThat(m).hasSize(4);
        assertThat(m.get(0).equals(a16k1)).as("cut before the pair: %d chars", m.get(0).length()).isTrue();
        assertThat(m.get(1).equals("b" + a16k1)).as("cut at 16384: %d chars", m.get(1).length()).isTrue();
        assertThat(m.get(2).equals(a16k1.substring(1) + grin)).as("pair kept: %d chars", m.get(2).length()).isTrue();
        assertThat(m.get(3).equals(a16k1 + "\uFFFD")).as("lone high half replaced: %d chars, last %x",
                m.get(3).length(), (int) m.get(3).charAt(m.get(3).length() - 1)).isTrue();
    }

    @Test
    void loneSurrogatesReadBackAsTheReplacementCharacter() throws Exception {
        Path file = start(TraceConfig.builder(), "surrogates");
        JTrace.log(null, "s", "x\uD800y"); // lone high
        JTrace.log(null, "s", "\uDC00z"); // lone low
        JTrace.log(null, "s", "ab\uD83D"); // high at the end
        JTrace.log(null, "s", "\uDE00\uD83D"); // low then high: both lone
        JTrace.log(null, "s", "ok \uD83D\uDE00 ?"); // a pair and a real question mark stay as they are
        JTrace.log(null, new StringBuilder("cat\uDFFF").toString(), "category too");
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(messages(r, "s")).containsExactly("x\uFFFDy", "\uFFFDz", "ab\uFFFD", "\uFFFD\uFFFD",
                "ok \uD83D\uDE00 ?");
        assertThat(messages(r, "cat\uFFFD")).containsExactly("category too");
    }

    private static void recurse(int levels, Runnable atBottom) {
        if (levels == 0) {
            atBottom.run();
        } else {
            recurse(levels - 1, atBottom);
        }
    }

    private static void assertNoRecorderFrames(StackTrace st) {
        for (StackTrace.Frame f : st.frames()) {
            assertThat(f.className()).as("frame " + f + " of " + st)
                    .doesNotStartWith("dev.jtrace.internal.")
                    .isNotEqualTo("dev.jtrace.JTrace")
                    .isNotEqualTo("dev.jtrace.Task");
        }
    }

    @Test
    void deepRecursionRecordsAtMostStackDepthFramesAndNoRecorderFrames() throws Exception {
        Path file = start(TraceConfig.builder().stackTraces(true).stackDepth(16), "deep");
        recurse(600, () -> {
            JTrace.log(null, "deep", "bottom");
            try (Region ignored = JTrace.region(null, "deep-region")) {
                Task t = JTrace.newTask(null, "deep-task");
                t.end();
            }
        });
        JTrace.log(null, "shallow", "top");
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        for (String type : List.of("Log", "RegionBegin", "TaskBegin")) {
            for (ReadBack.Ev e : r.ofType(type)) {
                StackTrace st = (StackTrace) e.arg("stack");
                assertThat(st).as(type + " has a stack").isNotNull();
                assertThat(st.frames().size()).as(type).isBetween(1, 16);
                assertNoRecorderFrames(st);
            }
        }
        ReadBack.Ev deep = r.ofType("Log").stream().filter(e -> "deep".equals(e.str("category"))).findFirst()
                .orElseThrow();
        StackTrace st = (StackTrace) deep.arg("stack");
        assertThat(st.frames()).hasSize(16);
        // the innermost frame is the application's: the lambda that called JTrace.log
        assertThat(st.top().className()).startsWith(ApiEdgeTest.class.getName());
        assertThat(st.frames().stream().filter(f -> f.methodName().equals("recurse")).count()).isGreaterThan(10);
    }

    @Test
    void theDefaultDepthIs64() throws Exception {
        assertThat(TraceConfig.builder().build().stackDepth()).isEqualTo(64);
        assertThat(TraceConfig.parse("stackdepth=5").stackDepth()).isEqualTo(5);
        assertThat(catchThrowable(() -> TraceConfig.parse("stackdepth=0"))).hasMessageContaining("stack depth");
        Path file = start(TraceConfig.builder(), "default-depth");
        recurse(300, () -> JTrace.logWithStack(null, "deep", "bottom"));
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(((StackTrace) r.ofType("Log").get(0).arg("stack")).frames()).hasSize(64);
    }

    /** An object whose toString() records an event of its own (nested in the event being recorded). */
    private record Chatty(String label) {
        @Override
        public String toString() {
            JTrace.log(null, "nested", "from toString");
            return label;
        }
    }

    @Test
    void nestedEventsFromToStringCarryNoRecorderFramesEither() throws Exception {
        Path file = start(TraceConfig.builder().stackTraces(true), "nested-stacks");
        JTrace.log(null, "outer", new Chatty("outer message"));
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Log")).extracting(e -> e.str("category")).containsExactly("nested", "outer");
        StackTrace nested = (StackTrace) r.ofType("Log").get(0).arg("stack");
        StackTrace outer = (StackTrace) r.ofType("Log").get(1).arg("stack");
        assertNoRecorderFrames(nested);
        assertNoRecorderFrames(outer);
        assertThat(nested.top().className()).isEqualTo(Chatty.class.getName());
        assertThat(nested.top().methodName()).isEqualTo("toString");
        // below toString, the nested stack continues with the outer event's caller, the recorder cut out
        assertThat(nested.frames().get(1)).isEqualTo(outer.top());
    }

    @Test
    void anEventLostToAnErrorIsCountedAndTheThreadGoesOn() throws Exception {
        // a toString() that overflows the stack is the application's error, recorded as a placeholder
        Path file = start(TraceConfig.builder(), "soe-tostring");
        Object overflowing = new Object() {
            @Override
            public String toString() {
                return toString() + "!";
            }
        };
        assertThat(catchThrowable(() -> JTrace.log(null, "soe", overflowing))).isNull();
        JTrace.log(null, "after", "fine");
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(messages(r, "soe")).containsExactly("<toString() threw java.lang.StackOverflowError>");
        assertThat(messages(r, "after")).containsExactly("fine");
        assertThat(r.loss(Format.LOSS_ERROR)).isZero();
    }
}
