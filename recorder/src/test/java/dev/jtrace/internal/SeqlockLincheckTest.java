package dev.jtrace.internal;

import dev.jtrace.TraceConfig;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.verifier.EpsilonVerifier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Stresses the seqlock/advance protocol on the real recorder classes with Lincheck: thousands of small
 * scenarios, each on a fresh session, where application threads emit numbered events (fast path, full path
 * with a toString(), and buffer switches, as buffers are the minimum size) while another thread advances
 * generations. After each scenario the trace is read back with the real reader: every emitted number must
 * be there exactly once, in a complete generation, with no loss and no reader problem.
 *
 * <p>Lincheck's model-checking strategy would explore interleavings systematically, but on these classes it
 * fails inside its own static-memory snapshot (ConcurrentModificationException in
 * {@code SnapshotTracker.restoreValues}, Lincheck 2.39 and 3.7, JetBrains/lincheck#615), so this uses its
 * stress strategy. Mutation checks (docs/reliability.md): an advance that does not wait for the lanes fails
 * this test within a second; a fast path that reads the generation before taking its seqlock fails it
 * within ten (with the race window widened by 50 spin-waits), on the fenced and on the membarrier path; an
 * advance that skips its membarrier fails {@link #membarrierPathWithAStoreBufferModel}; a fast path that
 * reads only the generation before its seqlock store fails {@link #slowWritesAfterTheBufferChecks}.
 *
 * <p>The session runs without its writer thread: every generation change is an {@link Operation}.
 */
public class SeqlockLincheckTest {
    private final AtomicLong numbers = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> emitted = new ConcurrentLinkedQueue<>();

    public SeqlockLincheckTest() throws IOException {
        Session previous = Session.ACTIVE;
        if (previous != null) {
            previous.stopForTests();
        }
        Current.sink = new MemorySink();
        Current.session = Session.startWithoutWriter(TraceConfig.builder().bufferSize(TraceConfig.MIN_BUFFER_SIZE)
                .generationPeriod(Duration.ofDays(1)).build(), Current.sink);
    }

    /**
     * The scenario's session, out of the test instance's reach: Lincheck walks the instance's object graph
     * (fields and their classes' statics) before each scenario, and a session leads to JDK records it
     * cannot walk. One scenario runs at a time, so one session at a time.
     */
    private static final class Current {
        static MemorySink sink;
        static Session session;
    }

    /** One event on the fast path (once its string is interned in the generation). */
    @Operation
    public void emit() {
        long n = numbers.incrementAndGet();
        ThreadContext.current().counter("n", n);
        emitted.add(n);
    }

    /** A few events, to fill the minimum-size buffer and switch buffers, one of them on the full path. */
    @Operation
    public void emitBurst() {
        for (int i = 0; i < 6; i++) {
            long n = numbers.incrementAndGet();
            if (i == 3) {
                ThreadContext.current().log(0, "n", new Number(n), false);
            } else {
                ThreadContext.current().counter("n", n);
            }
            emitted.add(n);
        }
    }

    /** A generation change, as the writer thread, {@code advanceGeneration()} or a flight snapshot do. */
    @Operation
    public void advance() {
        Current.session.advanceNow();
    }

    /** After each scenario: stop, read everything back, compare with what was emitted. */
    @Validate
    public void everyEventIsReadBackExactlyOnce() throws IOException {
        Current.session.detach(Current.sink);
        List<Long> read = new ArrayList<>();
        long losses = 0;
        List<String> problems = new ArrayList<>();
        try (TraceReader r = TraceReader.fromBytes(Current.sink.bytes(), "lincheck-scenario")) {
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                for (Event e : g.events()) {
                    if (e.type().name().equals("Counter")) {
                        read.add(e.arg("value"));
                    } else if (e.type().name().equals("Log")) {
                        read.add(Long.parseLong(e.string("message")));
                    }
                }
                for (LossRecord l : g.losses()) {
                    if (dev.jtrace.format.Format.lossCountsEvents(l.reason())) {
                        losses += l.count();
                    }
                }
            }
            r.report().problems().forEach(p -> problems.add(p.toString()));
        }
        if (!problems.isEmpty() || losses != 0 || !sameElements(read, new ArrayList<>(emitted))) {
            throw new AssertionError("emitted " + emitted + ", read " + read + ", losses " + losses + ", problems "
                    + problems);
        }
    }

    private static boolean sameElements(List<Long> a, List<Long> b) {
        List<Long> x = new ArrayList<>(a);
        List<Long> y = new ArrayList<>(b);
        x.sort(null);
        y.sort(null);
        return x.equals(y);
    }

    /** A log message resolved by toString() inside the recorder: the full emission path. */
    private record Number(long value) {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** Keeps the trace in memory. */
    static final class MemorySink implements Sink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public void open(byte[] fileHeader) {
            out.writeBytes(fileHeader);
        }

        @Override
        public void write(byte[] bytes, int off, int len) {
            out.write(bytes, off, len);
        }

        @Override
        public void generationComplete(long gen, long startNanos, long endNanos) {}

        @Override
        public void close() {}

        @Override
        public String describe() {
            return "memory";
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    @Test
    void seqlockAndAdvanceUnderLincheckStress() {
        stress();
    }

    /**
     * The membarrier path with the processor's reordering made slow enough to be hit ({@link
     * Faults#storeBufferModel}): each seqlock store becomes visible only after the generation load that
     * follows it, 50 spin-waits later, as x86's store buffer allows; the advance's membarrier drains the
     * model's buffers as the kernel's IPI drains the real ones. Only where this JVM uses membarrier (the
     * test run with native access enabled).
     */
    @Test
    void membarrierPathWithAStoreBufferModel() {
        Assumptions.assumeTrue(Membarrier.ENABLED, () -> "membarrier not in use: " + Membarrier.whyNot());
        Faults.storeBufferModel(true);
        try {
            stress();
        } finally {
            Faults.storeBufferModel(false);
        }
    }

    /**
     * The same with every event slowed down after its buffer checks ({@link Faults#slowWrites}): a fast path
     * that read the generation before its seqlock store (so that an advance can pass its lane as outside)
     * then writes into the old generation's buffer while the advance takes it, and the event is lost. Its
     * buffer checks, done after the store, hid that mutation from the plain run: they send almost every such
     * event to the full path.
     */
    @Test
    void slowWritesAfterTheBufferChecks() {
        Faults.slowWrites(true);
        try {
            stress(25); // slower events: half the scenarios, in about the same time
        } finally {
            Faults.slowWrites(false);
        }
    }

    private static void stress() {
        stress(50);
    }

    private static void stress(int iterations) {
        StressOptions options = new StressOptions().iterations(iterations).invocationsPerIteration(400)
                .threads(3).actorsPerThread(3).actorsBefore(1).actorsAfter(1).minimizeFailedScenario(true)
                // the operations return nothing to linearize: the check is the @Validate read-back
                .verifier(EpsilonVerifier.class);
        options.check(SeqlockLincheckTest.class);
    }
}
