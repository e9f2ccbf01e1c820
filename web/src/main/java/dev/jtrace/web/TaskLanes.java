package dev.jtrace.web;

import dev.jtrace.model.Span;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Packs overlapping tasks of one name into a few lanes of their timeline row: a task takes the lane its
 * name's open tasks use least. Layout only (what a task is comes from the model). The index pass and a
 * re-read of one generation, {@linkplain #seed seeded} with the tasks open at its start, assign the same lanes.
 */
final class TaskLanes {
    /** Lanes per task name. */
    static final int LANES = 4;

    private final Map<String, int[]> use = new HashMap<>();
    private final Map<Span, Integer> open = new IdentityHashMap<>();

    /** A task began: its lane. */
    int begin(Span s) {
        int[] u = use.computeIfAbsent(s.name(), k -> new int[LANES]);
        int lane = 0;
        for (int i = 1; i < u.length; i++) {
            if (u[i] < u[lane]) {
                lane = i;
            }
        }
        u[lane]++;
        open.put(s, lane);
        return lane;
    }

    /** {@code s} is open in lane {@code lane} (a task the index saw open at a generation's start). */
    void seed(Span s, int lane) {
        use.computeIfAbsent(s.name(), k -> new int[LANES])[lane]++;
        open.put(s, lane);
    }

    /** A task ended: its lane (0 for a task without begin, which never had one). */
    int end(Span s) {
        Integer lane = open.remove(s);
        if (lane == null) {
            return 0;
        }
        use.get(s.name())[lane]--;
        return lane;
    }
}
