package dev.jtrace.model;

import dev.jtrace.reader.LongMap;

/**
 * Thread id to row. Java thread ids are small and dense (a counter; virtual threads take ids from it
 * too), so ids below 2^31 go to pages of a direct array, 4 bytes an id, pages allocated on first use; other
 * ids (a hostile file) to a hash map. For millions of virtual threads this is about 4 bytes a thread where
 * a hash map takes 32 (and twice that while it resizes).
 */
final class ThreadIndex {
    private static final int PAGE_BITS = 12;
    private static final int PAGE = 1 << PAGE_BITS;
    private static final long DIRECT_LIMIT = 1L << 31;

    private int[][] pages = new int[16][];
    private final LongMap sparse = new LongMap();

    /** The row of {@code id}, or -1. */
    int get(long id) {
        if (id >= 0 && id < DIRECT_LIMIT) {
            int p = (int) (id >>> PAGE_BITS);
            if (p >= pages.length || pages[p] == null) {
                return -1;
            }
            return pages[p][(int) (id & (PAGE - 1))] - 1;
        }
        return (int) sparse.get(id, -1);
    }

    void put(long id, int row) {
        if (id >= 0 && id < DIRECT_LIMIT) {
            int p = (int) (id >>> PAGE_BITS);
            if (p >= pages.length) {
                int n = pages.length;
                while (n <= p) {
                    n *= 2;
                }
                pages = java.util.Arrays.copyOf(pages, n);
            }
            if (pages[p] == null) {
                pages[p] = new int[PAGE];
            }
            pages[p][(int) (id & (PAGE - 1))] = row + 1;
        } else {
            sparse.put(id, row, -1);
        }
    }
}
