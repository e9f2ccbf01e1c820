package dev.jtrace.reader;

import java.nio.file.Path;

/**
 * Reads a trace in a child JVM with a small heap and prints what it read: {@code gen N events M} per
 * generation, then {@code problem: ...} per problem. With a second argument {@code lie} the reader's heap
 * budget is a lie (far more than the heap), so that decoding really runs out of heap.
 */
final class HeapChild {
    public static void main(String[] args) throws Exception {
        try (TraceReader r = TraceReader.open(Path.of(args[0]))) {
            if (args.length > 1 && args[1].equals("lie")) {
                r.heapBudget(Long.MAX_VALUE / 4);
            }
            Generation g;
            while ((g = r.nextGeneration()) != null) {
                System.out.println("gen " + g.number() + " events " + g.events().size());
            }
            r.report().problems().forEach(p -> System.out.println("problem: " + p));
        }
    }
}
