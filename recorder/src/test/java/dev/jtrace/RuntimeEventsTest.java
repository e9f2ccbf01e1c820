package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtrace.format.EventTypes;
import dev.jtrace.internal.ThreadContext;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.StackTrace;
import dev.jtrace.reader.TraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime event types (the agent's) round-trip with their true times, durations and stacks. */
class RuntimeEventsTest {
    @TempDir
    Path dir;

    @Test
    void everyRuntimeEventTypeRoundTrips() throws Exception {
        Path file = dir.resolve("rt.jtrace");
        JTrace.start(file);
        ThreadContext c = ThreadContext.current();
        long t0 = System.nanoTime() - 5_000_000; // happened 5 ms ago, reported now
        StackTraceElement[] stack = {new StackTraceElement("com.example.Pool", "take", "Pool.java", 42),
            new StackTraceElement("com.example.Main", "main", null, -1)};
        c.runtimeEvent(EventTypes.THREAD_START, 77L, "worker-7", 0L, t0);
        c.runtimeEvent(EventTypes.PARK, 77L, t0 + 10, 1_500L, "java.util.concurrent.locks.AQS", stack);
        c.runtimeEvent(EventTypes.MONITOR_BLOCKED, 77L, t0 + 20, 2_500L, "com.example.Lock", stack, 78L);
        c.runtimeEvent(EventTypes.SLEEP, 77L, t0 + 30, 3_500L, null);
        c.runtimeEvent(EventTypes.VIRTUAL_THREAD_PINNED, 88L, t0 + 40, 4_500L, stack, "NATIVE");
        c.runtimeEvent(EventTypes.GC_PAUSE, 3L, t0 + 50, 900_000L, "G1 Young", "G1 Evacuation Pause");
        c.runtimeEvent(EventTypes.GC_PHASE, 3L, t0 + 60, 100_000L, "Evacuate");
        c.runtimeEvent(EventTypes.HEAP_SUMMARY, t0 + 70, 64L << 20, 256L << 20);
        c.runtimeEvent(EventTypes.ALLOC_SAMPLE, 77L, t0 + 80, "byte[]", 1_048_576L, stack);
        c.runtimeEvent(EventTypes.CPU_SAMPLE, 77L, t0 + 90, stack);
        c.runtimeEvent(EventTypes.THREAD_END, 77L, t0 + 100);
        // written before previousOwner was appended: still accepted, the argument is 0 (none)
        c.runtimeEvent(EventTypes.MONITOR_BLOCKED, 77L, t0 + 20, 2_500L, "com.example.Lock", stack);
        assertThatThrownBy(() -> c.runtimeEvent(EventTypes.MONITOR_BLOCKED, 77L, t0 + 20, 2_500L, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 6 arguments");
        assertThatThrownBy(() -> c.runtimeEvent(EventTypes.THREAD_END, 77L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 2 arguments");
        JTrace.stop();

        List<Event> events = new ArrayList<>();
        try (TraceReader r = TraceReader.open(file)) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                events.addAll(g.events());
            }
            assertThat(r.report().problems()).isEmpty();
        }
        assertThat(events).filteredOn(e -> e.type().name().equals("MonitorBlocked")).extracting(e -> e.arg("previousOwner"))
                .containsExactly(78L, 0L);
        events.remove(events.stream().filter(e -> e.type().name().equals("MonitorBlocked")).skip(1).findFirst().orElseThrow());
        assertThat(events).extracting(e -> e.type().name()).containsExactly("ThreadStart", "Park", "MonitorBlocked",
                "Sleep", "VirtualThreadPinned", "GCPause", "GCPhase", "HeapSummary", "AllocSample", "CPUSample",
                "ThreadEnd");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).trueTicks()).as(events.get(i).type().name()).isEqualTo(t0 + 10L * i);
            assertThat(events.get(i).ticks()).isGreaterThan(t0 + 4_000_000); // written later than it happened
        }
        assertThat(events.get(0).string("name")).isEqualTo("worker-7");
        assertThat(events.get(1).arg("duration")).isEqualTo(1_500);
        assertThat(events.get(1).string("blocker")).isEqualTo("java.util.concurrent.locks.AQS");
        StackTrace st = events.get(1).stack("stack");
        assertThat(st.frames()).extracting(StackTrace.Frame::toString)
                .containsExactly("com.example.Pool.take(Pool.java:42)", "com.example.Main.main(?)");
        assertThat(events.get(3).stack("stack")).isNull();
        assertThat(events.get(2).arg("previousOwner")).isEqualTo(78);
        assertThat(events.get(4).string("pinnedReason")).isEqualTo("NATIVE");
        assertThat(events.get(5).string("cause")).isEqualTo("G1 Evacuation Pause");
        assertThat(events.get(7).arg("committed")).isEqualTo(256L << 20);
        assertThat(events.get(8).string("class")).isEqualTo("byte[]");
        assertThat(events.get(10).arg("thread")).isEqualTo(77);
    }
}
