package dev.jtrace.reader;

/**
 * Something wrong or odd in a trace, with where it is.
 *
 * @param severity ERROR (data is wrong or missing) or WARNING (tolerated)
 * @param offset byte offset in the file, or -1
 * @param generation the generation number, or -1
 * @param message what is wrong
 */
public record Problem(Severity severity, long offset, long generation, String message) {
    /** How bad a problem is. */
    public enum Severity {
        ERROR,
        WARNING
    }

    @Override
    public String toString() {
        return severity + (offset >= 0 ? " at offset " + offset : "") + (generation >= 0 ? " (generation "
                + generation + ")" : "") + ": " + message;
    }
}
