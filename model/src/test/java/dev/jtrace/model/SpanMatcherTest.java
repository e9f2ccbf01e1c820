package dev.jtrace.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanMatcherTest {
    private final List<Span> begun = new ArrayList<>();
    private final List<Span> ended = new ArrayList<>();
    private final SpanMatcher m = new SpanMatcher(new SpanListener() {
        @Override
        public void spanBegin(Span s) {
            begun.add(s);
        }

        @Override
        public void spanEnd(Span s) {
            ended.add(s);
        }
    });

    @Test
    void nullAndEmptyNamesMatchEachOtherAndShowAsUnnamed() {
        m.traceStart(0);
        m.regionBegin(1, 0, null, null, 10);
        m.regionEnd(1, 0, "", 20);
        m.regionBegin(1, 0, "", null, 30);
        m.regionEnd(1, 0, null, 40);
        assertThat(ended).hasSize(2).allSatisfy(s -> {
            assertThat(s.name()).isEqualTo(Span.UNNAMED);
            assertThat(s.flags()).isZero();
        });
        assertThat(m.regionBeginMissing()).isZero();
    }

    @Test
    void endWithoutBeginStartsAtTraceStartAndBeginWithoutEndEndsAtTraceEnd() {
        m.traceStart(5);
        m.regionEnd(1, 3, "r", 50);
        m.taskEnd(2, 77, 60);
        m.taskBegin(1, 8, 0, "t", null, 70);
        m.regionBegin(2, 8, "open", null, 80);
        m.finish(100);
        Span r = ended.get(0);
        assertThat(r.kind()).isEqualTo(Span.Kind.REGION);
        assertThat(r.start()).isEqualTo(5);
        assertThat(r.beginMissing()).isTrue();
        Span t = ended.get(1);
        assertThat(t.kind()).isEqualTo(Span.Kind.TASK);
        assertThat(t.start()).isEqualTo(5);
        assertThat(t.beginMissing()).isTrue();
        assertThat(ended.subList(2, 4)).allSatisfy(s -> {
            assertThat(s.end()).isEqualTo(100);
            assertThat(s.endMissing()).isTrue();
        });
        assertThat(m.regions()).isEqualTo(2);
        assertThat(m.tasks()).isEqualTo(2);
        assertThat(m.regionEndMissing()).isEqualTo(1);
        assertThat(m.taskEndMissing()).isEqualTo(1);
        assertThat(begun).hasSize(2);
    }

    @Test
    void anOuterEndClosesTheRegionsOpenedAboveIt() {
        m.traceStart(0);
        m.regionBegin(1, 0, "outer", null, 1);
        m.regionBegin(1, 0, "inner", null, 2);
        m.regionEnd(1, 0, "outer", 9);
        assertThat(ended).extracting(Span::name).containsExactly("inner", "outer");
        assertThat(ended.get(0).endMissing()).isTrue();
        assertThat(ended.get(0).end()).isEqualTo(9);
        assertThat(ended.get(1).flags()).isZero();
        assertThat(m.innermostRegion(1)).isNull();
    }

    @Test
    void taskEndsOnAnotherThreadKeepsItsNameAndARepeatedBeginEndsTheFirst() {
        m.traceStart(0);
        m.taskBegin(1, 4, 0, "order", null, 10);
        m.taskEnd(2, 4, 30);
        m.taskBegin(1, 5, 4, "a", null, 40);
        m.taskBegin(1, 5, 4, "b", null, 50);
        assertThat(ended.get(0).name()).isEqualTo("order");
        assertThat(ended.get(0).crossesThreads()).isTrue();
        assertThat(ended.get(1).name()).isEqualTo("a");
        assertThat(ended.get(1).endMissing()).isTrue();
        assertThat(ended.get(1).end()).isEqualTo(50);
        assertThat(m.openTask(5).name()).isEqualTo("b");
        assertThat(m.openTask(5).parent()).isEqualTo(4);
    }
}
