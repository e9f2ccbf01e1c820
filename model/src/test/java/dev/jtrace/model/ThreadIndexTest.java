package dev.jtrace.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThreadIndexTest {
    @Test
    void denseSparseNegativeAndHugeIdsMapToTheirRows() {
        ThreadIndex ix = new ThreadIndex();
        Map<Long, Integer> want = new HashMap<>();
        Random r = new Random(7);
        long[] special = {0, 1, 4095, 4096, (1L << 31) - 1, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE, -1};
        int row = 0;
        for (long id : special) {
            ix.put(id, row);
            want.put(id, row++);
        }
        for (int i = 0; i < 50_000; i++) {
            long id = i % 3 == 0 ? r.nextLong() : r.nextInt(10_000_000);
            if (!want.containsKey(id)) {
                ix.put(id, row);
                want.put(id, row++);
            }
        }
        want.forEach((id, rw) -> assertThat(ix.get(id)).as("id %d", id).isEqualTo(rw));
        assertThat(ix.get(123_456_789_012L)).isEqualTo(want.getOrDefault(123_456_789_012L, -1));
        assertThat(ix.get(9_999_999)).isEqualTo(want.getOrDefault(9_999_999L, -1));
    }
}
