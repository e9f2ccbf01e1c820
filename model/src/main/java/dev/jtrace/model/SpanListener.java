package dev.jtrace.model;

/** Receives spans from a {@link SpanMatcher} as they begin and end. */
public interface SpanListener {
    /** A span began ({@link Span#end()} is -1). Not called for spans whose begin is missing. */
    default void spanBegin(Span s) {}

    /** A span ended, matched or not (see its flags); every span ends exactly once. */
    default void spanEnd(Span s) {}
}
