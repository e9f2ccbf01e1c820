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
    /** The built-in number of arguments of each compact type (41 to 43), by type id. */
    private static final int[] COMPACT_ARGS = new int[256];

    static {
        for (int id = 0; id < 256; id++) {
            if (EventTypes.fullType(id) != id) {
                COMPACT_ARGS[id] = EventTypes.byId(id).args().size();
            }
        }
    }

    BatchDecoder(Generation gen, EventSpec[] types, Set<Long> stackIds, Map<Long, ThreadInfo> threads) {
        this.gen = gen;
        this.types = types;
        this.stackIds = stackIds;
        this.threads = threads;
    }

    /**
     * The spec events of the compact types are delivered with: the generation's own entry for the full type
     * (which may have arguments appended by a later version), else the built-in one.
     */
    private EventSpec fullSpec(int full) {
        EventSpec s = types[full];
        return s != null ? s : EventTypes.byId(full);
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
        // the last event, if it is a RegionBegin (4 or 41) of the current thread: a RegionEndAfterBegin (42)
        // takes its task and name from it
        boolean afterBegin = false;
        long beginTask = 0;
        long beginName = 0;
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
                afterBegin = false;
                continue;
            }
            int full = EventTypes.fullType(type);
            if (full != type) {
                // a compact encoding: delivered as the full type, with the arguments it leaves out (the schema
                // check fixes the compact types' leading arguments and the full types'; any appended to a
                // compact type are not the full type's, and are dropped)
                argc = COMPACT_ARGS[type];
                if (type == EventTypes.REGION_END_AFTER_BEGIN) {
                    if (!afterBegin) {
                        throw new InvalidData(at, spec.name() + " does not follow a RegionBegin of its thread in"
                                + " the batch");
                    }
                    args[argc++] = beginTask;
                    args[argc++] = beginName;
                } else {
                    args[argc++] = 0; // RegionBeginNoStack and LogNoStack: the stack, their full type's last
                }
                spec = fullSpec(full);
            }
            afterBegin = full == EventTypes.REGION_BEGIN;
            if (afterBegin) {
                beginTask = args[0];
                beginName = args[1];
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
            for (int i = argc; i < spec.args().size(); i++) {
                out.arg(0); // an argument of the full type that its compact encoding does not have: 0 / none
            }
        }
        if (n != h.eventCount()) {
            throw new InvalidData(r.offset, "batch of lane " + h.lane() + " announces " + h.eventCount()
                    + " events, holds " + n);
        }
        return switches;
    }
}
