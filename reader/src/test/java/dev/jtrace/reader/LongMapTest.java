package dev.jtrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongMapTest {
    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        Random rnd = new Random(42);
        LongMap m = new LongMap();
        Map<Long, Long> ref = new HashMap<>();
        for (int step = 0; step < 400_000; step++) {
            // a small key range forces long probe runs, collisions and removals inside them
            long key = rnd.nextInt(5) == 0 ? Long.MIN_VALUE + rnd.nextInt(3) : rnd.nextInt(3000) * 1024L;
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    Long prev = ref.put(key, (long) step);
                    assertThat(m.put(key, step, -1)).isEqualTo(prev == null ? -1L : prev);
                }
                case 1 -> assertThat(m.remove(key, -1)).isEqualTo(ref.containsKey(key) ? ref.remove(key) : -1L);
                default -> assertThat(m.get(key, -1)).isEqualTo(ref.getOrDefault(key, -1L));
            }
            if (step % 50_000 == 0) {
                assertThat(m.size()).isEqualTo(ref.size());
            }
        }
        Map<Long, Long> seen = new HashMap<>();
        m.forEach(seen::put);
        assertThat(seen).isEqualTo(ref);
    }
}
