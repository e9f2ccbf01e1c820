package dev.jtrace;

/**
 * Thrown in {@link Reentrancy#FAIL} mode when an event is emitted while the same thread is already
 * recording one. It passes through the recorder's handling of exceptions from {@code toString()}.
 */
public final class ReentrantEventException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ReentrantEventException(String message) {
        super(message);
    }
}
