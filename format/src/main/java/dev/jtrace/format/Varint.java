package dev.jtrace.format;

/**
 * Unsigned LEB128 varints and zig-zag signed values, the only integer encoding of the format
 * (see docs/format.md, "Integers").
 *
 * <p>The writer side works on a {@code byte[]} with an explicit position so that the recorder's hot
 * path needs no {@code ByteBuffer} and no allocation.
 */
public final class Varint {
    /** The longest encoding of a 64-bit value. */
    public static final int MAX_BYTES = 10;

    private Varint() {}

    /**
     * Writes {@code value} (taken as unsigned) at {@code pos}; the caller guarantees {@link #MAX_BYTES} of room.
     *
     * @return the position after the last byte written
     */
    public static int write(byte[] buf, int pos, long value) {
        while ((value & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf[pos++] = (byte) value;
        return pos;
    }

    /** Number of bytes {@link #write} uses for {@code value}. */
    public static int size(long value) {
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            n++;
            value >>>= 7;
        }
        return n;
    }

    /** Maps signed to unsigned so that small magnitudes stay short: 0,-1,1,-2 -> 0,1,2,3. */
    public static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** Inverse of {@link #zigZag}. */
    public static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
