package dev.jtrace;

import dev.jtrace.format.Format;
import dev.jtrace.reader.Event;
import dev.jtrace.reader.Generation;
import dev.jtrace.reader.LossRecord;
import dev.jtrace.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A whole trace read back with the real reader, flattened for assertions. */
public final class ReadBack {
    /** One event with its resolved arguments. */
    public record Ev(long gen, long ticks, long thread, String type, Map<String, Object> args) {
        public Object arg(String name) {
            return args.get(name);
        }

        public long num(String name) {
            return ((Number) args.get(name)).longValue();
        }

        public String str(String name) {
            return (String) args.get(name);
        }
    }

    public final List<Ev> events = new ArrayList<>();
    public final List<Long> generations = new ArrayList<>();
    public final Map<Integer, Long> lossByReason = new HashMap<>();
    public final Map<Long, String> threadNames = new HashMap<>();
    public final List<String> problems = new ArrayList<>();
    /** Events TRACE_END counts as lost outside every LOSS table (writer errors at the end, or a failed output). */
    public long traceEndLostEvents;
    public long lostTailBytes;

    /** Events of each type, kept or not (see {@link #read(Path, Predicate)}). */
    public final Map<String, Long> countByType = new HashMap<>();

    public static ReadBack read(Path file) throws IOException {
        return read(file, e -> true);
    }

    /**
     * Reads {@code file}, keeping in {@link #events} only the events {@code keep} accepts; the others are only
     * counted ({@link #countByType}). For traces of millions of events, whose kept form would not fit the heap.
     */
    public static ReadBack read(Path file, Predicate<Event> keep) throws IOException {
        ReadBack r = new ReadBack();
        try (TraceReader reader = TraceReader.open(file)) {
            Generation g;
            while ((g = reader.nextGeneration()) != null) {
                r.generations.add(g.number());
                g.threads().forEach((id, t) -> r.threadNames.put(id, t.name()));
                for (LossRecord l : g.losses()) {
                    r.lossByReason.merge(l.reason(), l.count(), Long::sum);
                }
                for (Event e : g.events()) {
                    r.countByType.merge(e.type().name(), 1L, Long::sum);
                    if (!keep.test(e)) {
                        continue;
                    }
                    Map<String, Object> args = new HashMap<>();
                    var spec = e.type();
                    for (int i = 0; i < spec.args().size(); i++) {
                        var a = spec.args().get(i);
                        switch (a.kind()) {
                            case STRING -> args.put(a.name(), e.string(a.name()));
                            case STACK -> args.put(a.name(), e.stack(a.name()));
                            default -> args.put(a.name(), e.arg(a.name()));
                        }
                    }
                    r.events.add(new Ev(g.number(), e.ticks(), e.threadId(), spec.name(), args));
                }
            }
            // TRACE_END (format 2.1) is skipped with a warning by a reader that does not know it yet
            reader.report().problems().stream().map(Object::toString)
                    .filter(p -> !p.contains("unknown record kind " + Format.REC_TRACE_END + " skipped"))
                    .forEach(r.problems::add);
            r.lostTailBytes = reader.report().lostTailBytes();
            r.traceEndLostEvents = reader.report().traceEnd() == null ? 0 : reader.report().traceEnd().lostEvents();
        }
        return r;
    }

    public List<Ev> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    public long loss(int reason) {
        return lossByReason.getOrDefault(reason, 0L);
    }

    long skippedReentrant() {
        return loss(Format.LOSS_SKIPPED_REENTRANT);
    }

    /** Events counted lost, of every reason that counts events (not dropped strings, stacks, or waits). */
    public long totalLoss() {
        return lossByReason.entrySet().stream().filter(e -> Format.lossCountsEvents(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
    }
}
