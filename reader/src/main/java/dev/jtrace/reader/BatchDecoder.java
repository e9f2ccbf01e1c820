package dev.jtrace.reader;

import dev.jtrace.format.ArgKind;
import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;
import dev.jtrace.format.Varint;
import java.util.Map;
import java.util.Set;

/**
 * Decodes one BATCH record's events into a generation's columns (docs/format.md "Batches and lanes"):
 * times from the batch base and deltas, converted to nanoseconds; arguments checked against the
 * generation's tables; ThreadSwitch events applied to the batch's current thread and not stored.
 */
final class BatchDecoder {
    private final Generation gen;
    private final EventSpec[] types;
    private final Set<Long> stackIds;
    private final Map<Long, ThreadInfo> threads;
    private long[] args = new long[8];

    BatchDecoder(Generation gen, EventSpec[] types, Set<Long> stackIds, Map<Long, ThreadInfo> threads) {
        this.gen = gen;
        this.types = types;
        this.stackIds = stackIds;
        this.threads = threads;
    }

    /** The header fields of a batch payload: {@code gen laneId threadId batchSeq baseTicks eventCount}. */
    record Header(long gen, long lane, long thread, long seq, long baseTicks, long eventCount) {
        static Header read(PayloadCursor c) throws InvalidData {
            return new Header(c.uvarint(), c.uvarint(), c.uvarint(), c.uvarint(), c.uvarint(), c.uvarint());
        }
    }

    /**
     * Appends the batch's events to {@code out}; on an {@link InvalidData} the caller drops what was
     * appended. Returns the number of ThreadSwitch events.
     */
    long decode(RecordReader.Record r, EventColumns out) throws InvalidData {
        PayloadCursor c = r.cursor();
        Header h = Header.read(c);
        long thread = h.thread();
        long ticks = h.baseTicks();
        long n = 0;
        long switches = 0;
        while (c.more()) {
            long at = c.offset();
            int type = c.u8();
            EventSpec spec = types[type];
            if (spec == null) {
                throw new InvalidData(at, "event type " + type + " is not in the generation's EVENT_TYPES table");
            }
            long delta = c.uvarint();
            long next = ticks + delta;
            if (delta < 0 || Long.compareUnsigned(next, ticks) < 0) {
                throw new InvalidData(at, "event time overflows");
            }
            ticks = next;
            int argc = spec.args().size();
            if (argc > args.length) {
                args = new long[argc];
            }
            for (int i = 0; i < argc; i++) {
                long v = c.uvarint();
                ArgKind kind = spec.args().get(i).kind();
                if (kind == ArgKind.SINT) {
                    v = Varint.unZigZag(v);
                } else if (kind == ArgKind.STRING && v != 0 && gen.string(v) == null) {
                    throw new InvalidData(at, spec.name() + "." + spec.args().get(i).name() + " refers to string id "
                            + v + ", not in the generation's table");
                } else if (kind == ArgKind.STACK && v != 0 && !stackIds.contains(v)) {
                    throw new InvalidData(at, spec.name() + "." + spec.args().get(i).name() + " refers to stack id "
                            + v + ", not in the generation's table");
                }
                args[i] = v;
            }
            n++;
            if (type == EventTypes.THREAD_SWITCH) {
                // the schema check guarantees thread (THREAD) first and name (STRING) second
                thread = args[0];
                String name = gen.string(args[1]);
                threads.computeIfAbsent(thread, k -> new ThreadInfo(k, name == null ? "" : name, true, true));
                switches++;
                continue;
            }
            long nanos;
            try {
                nanos = gen.toNanos(ticks);
            } catch (ArithmeticException e) {
                throw new InvalidData(at, "event time " + Long.toUnsignedString(ticks)
                        + " is too far from the generation's clock stamps");
            }
            out.begin(nanos, thread, h.lane(), spec);
            for (int i = 0; i < argc; i++) {
                out.arg(args[i]);
            }
        }
        if (n != h.eventCount()) {
            throw new InvalidData(r.offset, "batch of lane " + h.lane() + " announces " + h.eventCount()
                    + " events, holds " + n);
        }
        return switches;
    }
}
