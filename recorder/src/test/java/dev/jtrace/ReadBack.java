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

/** A whole trace read back with the real reader, flattened for assertions. */
final class ReadBack {
    /** One event with its resolved arguments. */
    record Ev(long gen, long ticks, long thread, String type, Map<String, Object> args) {
        Object arg(String name) {
            return args.get(name);
        }

        long num(String name) {
            return ((Number) args.get(name)).longValue();
        }

        String str(String name) {
            return (String) args.get(name);
        }
    }

    final List<Ev> events = new ArrayList<>();
    final List<Long> generations = new ArrayList<>();
    final Map<Integer, Long> lossByReason = new HashMap<>();
    final Map<Long, String> threadNames = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    long lostTailBytes;

    static ReadBack read(Path file) throws IOException {
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
            reader.report().problems().forEach(p -> r.problems.add(p.toString()));
            r.lostTailBytes = reader.report().lostTailBytes();
        }
        return r;
    }

    List<Ev> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    long loss(int reason) {
        return lossByReason.getOrDefault(reason, 0L);
    }

    long skippedReentrant() {
        return loss(Format.LOSS_SKIPPED_REENTRANT);
    }

    long totalLoss() {
        return lossByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
