package dev.jtrace.web;

import dev.jtrace.model.Span;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Packs overlapping tasks of one name into lanes of their timeline row: a task takes the lowest lane no open
 * task of its name holds, so a row has as many lanes as tasks of the name were ever open at once (up to
 * {@link #MAX_LANES}; beyond, a task shares the least used lane). Layout only (what a task is comes from the
 * model). The index pass and a re-read of one generation, {@linkplain #seed seeded} with the tasks open at its
 * start, assign the same lanes: the choice depends only on which lanes are held.
 */
final class TaskLanes {
    /** Lanes per task name at most. */
    static final int MAX_LANES = 256;

    private final Map<String, int[]> use = new HashMap<>();
    private final Map<Span, Integer> open = new IdentityHashMap<>();

    private int[] uses(String name, int lane) {
        int[] u = use.computeIfAbsent(name, k -> new int[4]);
        if (lane >= u.length) {
            u = Arrays.copyOf(u, Math.min(MAX_LANES, Math.max(lane + 1, u.length * 2)));
            use.put(name, u);
        }
        return u;
    }

    /** A task began: its lane. */
    int begin(Span s) {
        int[] u = use.computeIfAbsent(s.name(), k -> new int[4]);
        int lane = -1;
        for (int i = 0; i < u.length; i++) {
            if (u[i] == 0) {
                lane = i;
                break;
            }
        }
        if (lane < 0 && u.length < MAX_LANES) {
            lane = u.length;
        } else if (lane < 0) {
            lane = 0;
            for (int i = 1; i < u.length; i++) {
                if (u[i] < u[lane]) {
                    lane = i;
                }
            }
        }
        uses(s.name(), lane)[lane]++;
        open.put(s, lane);
        return lane;
    }

    /** {@code s} is open in lane {@code lane} (a task the index saw open at a generation's start). */
    void seed(Span s, int lane) {
        uses(s.name(), lane)[lane]++;
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
