package dev.jtrace.reader;

/**
 * A validation failure inside a record whose framing and checksum are fine: the data itself is wrong. It
 * costs the generation it is in, never the rest of the file.
 */
final class InvalidData extends Exception {
    final long at;

    InvalidData(long at, String message) {
        super(message, null, false, false);
        this.at = at;
    }
}
