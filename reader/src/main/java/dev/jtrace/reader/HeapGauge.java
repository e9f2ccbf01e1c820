package dev.jtrace.reader;

/**
 * How much heap the reader may still use: the JVM's maximum minus what is in use, or a fixed budget that
 * tests inject. Before giving up on a generation it collects garbage once, since "in use" counts garbage.
 */
class HeapGauge {
    private final long fixed;
    private boolean collected;

    /** The JVM's heap. */
    HeapGauge() {
        this(-1);
    }

    /** A fixed budget of {@code bytes} (for tests), or the JVM's heap if negative. */
    HeapGauge(long bytes) {
        this.fixed = bytes;
    }

    /** Bytes that can still be allocated. */
    long available() {
        if (fixed >= 0) {
            return fixed;
        }
        return free();
    }

    /** Like {@link #available()}, after one garbage collection per generation if the first look
     * says no to {@code need}. */
    boolean fits(long need) {
        if (available() >= need) {
            return true;
        }
        if (fixed >= 0 || collected) {
            return false;
        }
        collected = true;
        System.gc(); // only on the way to refusing a generation: "used" counted garbage of earlier ones
        return available() >= need;
    }

    /** A new generation begins: it may collect garbage once more. */
    void newGeneration() {
        collected = false;
    }

    /** The maximum heap. */
    long max() {
        return fixed >= 0 ? fixed : Runtime.getRuntime().maxMemory();
    }

    private static long free() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }
}
