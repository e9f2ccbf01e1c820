package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtrace.format.Format;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReentrancyTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    /** An object whose toString() emits events itself, {@code depth} levels deep. */
    record Nesting(String label, int depth) {
        @Override
        public String toString() {
            if (depth > 0) {
                JTrace.log(null, "nested", new Nesting(label + ">", depth - 1));
            }
            return label;
        }
    }

    private Path start(Reentrancy mode, int buffer, boolean allocFree) throws Exception {
        Path file = dir.resolve(mode + "-" + buffer + ".jtrace");
        JTrace.start(TraceConfig.builder().file(file).reentrancy(mode).bufferSize(buffer).allocFree(allocFree).build());
        return file;
    }

    @Test
    void nestModeRecordsNestedEventsBeforeTheOuterOne() throws Exception {
        Path file = start(Reentrancy.NEST, 64 * 1024, false);
        JTrace.log(null, "outer", new Nesting("a", 3));
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.totalLoss()).isZero();
        // innermost completes first
        assertThat(r.ofType("Log")).extracting(e -> e.str("category") + ":" + e.str("message"))
                .containsExactly("nested:a>>>", "nested:a>>", "nested:a>", "outer:a");
    }

    @Test
    void nestModeLosesNothingWhenNestedEventsSwitchBuffersAndEmitTheRecordersOwnAllocFree() throws Exception {
        // 512-byte buffers: nested events keep filling buffers, so buffer Alloc/Free events are emitted
        // from inside nested events (depth 2 and more).
        Path file = start(Reentrancy.NEST, TraceConfig.MIN_BUFFER_SIZE, true);
        int outer = 2000;
        for (int i = 0; i < outer; i++) {
            JTrace.log(null, "outer", new Nesting("n" + i, 3));
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.totalLoss()).isZero();
        assertThat(r.ofType("Log")).hasSize(outer * 4);
        List<ReadBack.Ev> allocs = r.ofType("Alloc");
        List<ReadBack.Ev> frees = r.ofType("Free");
        assertThat(allocs.size()).isGreaterThan(100);
        // every buffer handed over was freed after being allocated
        Set<Long> allocated = new HashSet<>();
        for (ReadBack.Ev e : r.events) {
            if (e.type().equals("Alloc")) {
                assertThat(e.str("type")).isEqualTo("jtrace.Buffer");
                assertThat(allocated.add(e.num("id"))).isTrue();
            } else if (e.type().equals("Free")) {
                assertThat(allocated).contains(e.num("id"));
            }
        }
        assertThat(frees.size()).isGreaterThanOrEqualTo(allocs.size() - 2 - r.generations.size());
        // order per outer event: its three nested logs, then itself
        List<ReadBack.Ev> logs = r.ofType("Log");
        for (int i = 0; i < outer; i++) {
            assertThat(logs.get(i * 4 + 3).str("message")).isEqualTo("n" + i);
            assertThat(logs.get(i * 4).str("message")).isEqualTo("n" + i + ">>>");
        }
    }

    @Test
    void skipModeDropsNestedEventsAndCountsThem() throws Exception {
        Path file = start(Reentrancy.SKIP, 64 * 1024, false);
        for (int i = 0; i < 100; i++) {
            JTrace.log(null, "outer", new Nesting("s" + i, 1));
        }
        JTrace.log(null, "after", "plain");
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Log")).hasSize(101);
        assertThat(r.ofType("Log")).allSatisfy(e -> assertThat(e.str("category")).isNotEqualTo("nested"));
        assertThat(r.skippedReentrant()).isEqualTo(100);
        assertThat(r.loss(Format.LOSS_ERROR)).isZero();
    }

    @Test
    void skipModeCountsTheRecordersOwnBufferEventsToo() throws Exception {
        Path file = start(Reentrancy.SKIP, TraceConfig.MIN_BUFFER_SIZE, true);
        for (int i = 0; i < 3000; i++) {
            JTrace.counter("c", i);
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Counter")).hasSize(3000);
        assertThat(r.ofType("Alloc")).isEmpty();
        // every buffer switch skipped an Alloc (and, but for the first, a Free)
        assertThat(r.skippedReentrant()).isGreaterThan(50);
    }

    @Test
    void failModeThrowsNamingBothEventsAndTheThreadKeepsTracing() throws Exception {
        Path file = start(Reentrancy.FAIL, 64 * 1024, false);
        assertThatThrownBy(() -> JTrace.log(null, "outer", new Nesting("f", 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reentrant event Log")
                .hasMessageContaining("while Log was being recorded")
                .hasMessageContaining(Thread.currentThread().getName());
        JTrace.log(null, "after", "still tracing");
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.ofType("Log")).extracting(e -> e.str("message")).containsExactly("still tracing");
        assertThat(r.loss(Format.LOSS_ERROR)).isEqualTo(1); // the outer event
        assertThat(r.skippedReentrant()).isEqualTo(1); // the nested one
    }

    @Test
    void failModeLetsTheRecordersOwnBufferEventsNest() throws Exception {
        Path file = start(Reentrancy.FAIL, TraceConfig.MIN_BUFFER_SIZE, true);
        for (int i = 0; i < 3000; i++) {
            JTrace.counter("c", i); // fills a buffer every few dozen events: never throws
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.totalLoss()).isZero();
        assertThat(r.ofType("Counter")).extracting(e -> e.num("value")).hasSize(3000);
        assertThat(r.ofType("Alloc")).hasSizeGreaterThan(20) // about 4 bytes an event, 410 a buffer
                .allSatisfy(e -> assertThat(e.str("type")).isEqualTo("jtrace.Buffer"));
    }

    @Test
    void controlCallsFromInsideTheRecorderAreRefused() throws Exception {
        Path file = start(Reentrancy.NEST, 64 * 1024, false);
        Object sneaky = new Object() {
            @Override
            public String toString() {
                try {
                    JTrace.advanceGeneration();
                    return "advanced?!";
                } catch (IllegalStateException e) {
                    return "refused: " + e.getMessage();
                }
            }
        };
        JTrace.log(null, "ctl", sneaky);
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.ofType("Log").get(0).str("message")).startsWith("refused: ").contains("inside the recorder");
    }

    @Test
    void toStringThatThrowsIsRecordedAsSuch() throws Exception {
        Path file = start(Reentrancy.NEST, 64 * 1024, false);
        Object broken = new Object() {
            @Override
            public String toString() {
                throw new UnsupportedOperationException("no");
            }
        };
        JTrace.log(null, "x", broken);
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.ofType("Log").get(0).str("message"))
                .isEqualTo("<toString() threw java.lang.UnsupportedOperationException>");
    }
}
