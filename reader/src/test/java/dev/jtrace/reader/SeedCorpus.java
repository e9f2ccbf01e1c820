package dev.jtrace.reader;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Writes the fuzzer's seed inputs (run by hand: the seeds are committed). */
final class SeedCorpus {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve("one-generation"), new HandEncoder().simpleGeneration(1, 1000).bytes());
        HandEncoder two = new HandEncoder().simpleGeneration(1, 0).simpleGeneration(2, 500);
        Files.write(dir.resolve("two-generations"), two.bytes());
        byte[] b = two.bytes();
        Files.write(dir.resolve("truncated"), Arrays.copyOf(b, b.length - 7));
        Files.write(dir.resolve("header-only"), Arrays.copyOf(b, 12));

        // recovery: a broken frame in the middle generation, a corrupt batch, a removed batch
        HandEncoder three = new HandEncoder().simpleGeneration(1, 0);
        int second = three.records.size();
        three.simpleGeneration(2, 500).simpleGeneration(3, 1000);
        byte[] t = three.bytes();
        byte[] brokenFrame = t.clone();
        brokenFrame[(int) three.offsetOf(second + 1) + 1] ^= 0x04;
        Files.write(dir.resolve("broken-frame-middle"), brokenFrame);
        byte[] corruptBatch = t.clone();
        corruptBatch[(int) three.endOf(second + 1) - 6] ^= 0x10;
        Files.write(dir.resolve("corrupt-batch-middle"), corruptBatch);
        int from = (int) three.offsetOf(second + 1);
        int to = (int) three.endOf(second + 1);
        byte[] removed = new byte[t.length - (to - from)];
        System.arraycopy(t, 0, removed, 0, from);
        System.arraycopy(t, to, removed, from, t.length - to);
        Files.write(dir.resolve("removed-batch"), removed);

        // a renamed argument of a built-in type, with a valid checksum
        List<EventSpec> renamed = new ArrayList<>(EventTypes.ALL);
        renamed.replaceAll(s -> s.id() == EventTypes.LOG ? new EventSpec(s.id(), s.name(), List.of(
                new EventSpec.Arg("task", ArgKind.TASK), new EventSpec.Arg("cat", ArgKind.STRING),
                new EventSpec.Arg("message", ArgKind.STRING), new EventSpec.Arg("stack", ArgKind.STACK))) : s);
        HandEncoder schema = new HandEncoder().genBegin(1, 0);
        schema.batch(1, 1, 1, 0, 0, 1, HandEncoder.p().raw(EventTypes.LOG).u(0).u(5).u(1).u(2).u(0));
        schema.eventTypes(1, renamed).strings(1, "c", "m").genEnd(1, 10, 1, 1);
        schema.simpleGeneration(2, 100);
        Files.write(dir.resolve("renamed-argument"), schema.bytes());

        // 2.1: TRACE_END stopped, failed, absent
        Files.write(dir.resolve("trace-end-stopped"),
                new HandEncoder(2, 1).simpleGeneration(1, 0).traceEnd(1, Format.END_STOPPED, 0, 0).bytes());
        Files.write(dir.resolve("trace-end-failed"),
                new HandEncoder(2, 1).simpleGeneration(1, 0).traceEnd(1, Format.END_SINK_FAILED, 99, 2).bytes());
        Files.write(dir.resolve("trace-end-absent"), new HandEncoder(2, 1).simpleGeneration(1, 0).bytes());

        // 1.1 with fields appended to GEN_BEGIN and GEN_END
        HandEncoder v11 = new HandEncoder(1, 1);
        v11.record(Format.REC_GEN_BEGIN, HandEncoder.p().u(4).u(1000).u(1_700_000_000_000_000_000L).u(77));
        v11.batch(4, 1, 42, 0, 1000, 1, HandEncoder.p().raw(EventTypes.TASK_END).u(0).u(1));
        v11.eventTypes(4);
        v11.record(Format.REC_GEN_END, HandEncoder.p().u(4).u(1100).u(1_700_000_000_000_000_100L).u(1).u(1).u(99));
        Files.write(dir.resolve("v1.1-appended-fields"), v11.bytes());

        // the compact event types (41 to 43), then a generation of the full ones
        Files.write(dir.resolve("compact-events"),
                new HandEncoder().compactGeneration(1, 0).simpleGeneration(2, 500).bytes());

        Files.write(dir.resolve("empty"), new byte[0]);
    }
}
