package dev.jtrace.format;

import java.util.Arrays;

/**
 * The 12-byte file header, {@code magic major(u16 BE) minor(u16 BE)} (docs/format.md "File"): written by
 * the recorder, parsed by the reader, so that both agree on it byte for byte.
 *
 * @param major the major version: a reader refuses one it does not know
 * @param minor the minor version: additions a reader of the same major version can skip
 */
public record FileHeader(int major, int minor) {
    /** The first minor version of major 2 whose recordings end with a TRACE_END record. */
    public static final int TRACE_END_SINCE_MINOR = 1;

    /** The header of the version this build writes. */
    public static FileHeader current() {
        return new FileHeader(Format.VERSION_MAJOR, Format.VERSION_MINOR);
    }

    /** The header's 12 bytes. */
    public byte[] encode() {
        byte[] h = Arrays.copyOf(Format.MAGIC, Format.HEADER_SIZE);
        h[8] = (byte) (major >>> 8);
        h[9] = (byte) major;
        h[10] = (byte) (minor >>> 8);
        h[11] = (byte) minor;
        return h;
    }

    /** Whether {@code b} (of which {@code n} bytes are valid) starts with the magic. */
    public static boolean hasMagic(byte[] b, int n) {
        return n >= Format.MAGIC.length && Arrays.equals(b, 0, Format.MAGIC.length, Format.MAGIC, 0, Format.MAGIC.length);
    }

    /** The version of a header whose magic was checked ({@code b} holds at least {@link Format#HEADER_SIZE} bytes). */
    public static FileHeader parse(byte[] b) {
        return new FileHeader(((b[8] & 0xFF) << 8) | (b[9] & 0xFF), ((b[10] & 0xFF) << 8) | (b[11] & 0xFF));
    }

    /** Whether a reader of this build can read a file of this version. */
    public boolean readable() {
        return major >= Format.OLDEST_READABLE_MAJOR && major <= Format.VERSION_MAJOR;
    }

    /** Whether a recording of this version ends in order with a TRACE_END record (2.1 and later). */
    public boolean hasTraceEnd() {
        return major > 2 || major == 2 && minor >= TRACE_END_SINCE_MINOR;
    }

    /** Whether GEN_BEGIN carries the recording process (pid, host, JVM) after its clock stamp (2.3 and later). */
    public boolean hasProcessIdentity() {
        return major > 2 || major == 2 && minor >= 3;
    }

    /** Whether GEN_BEGIN and GEN_END carry the clock stamps of major version 2 (event times are ticks). */
    public boolean hasClockStamps() {
        return major >= 2;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
