package dev.jtrace;

/**
 * What the recorder does with an event emitted while the same thread is already inside the recorder
 * (from a {@code toString()}, an allocation hook, the recorder's own buffer events, a listener).
 */
public enum Reentrancy {
    /** Record the nested event too, completely and before the outer one. Nothing is lost (default). */
    NEST,
    /** Go's {@code traceTryAcquire} semantics: drop the nested event and count it in the trace. */
    SKIP,
    /** Debug mode: throw an {@link IllegalStateException} naming the outer and the nested event. */
    FAIL
}
