package dev.jtrace.reader;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the values of one record's payload (docs/format.md "Integers"); every overrun or malformed value is
 * an {@link InvalidData} that names its file offset, never an exception of another kind.
 */
final class PayloadCursor {
    final byte[] b;
    final int end;
    int pos;
    /** File offset of {@code b[0]}. */
    final long baseOffset;

    PayloadCursor(byte[] b, int length, long baseOffset) {
        this.b = b;
        this.end = length;
        this.baseOffset = baseOffset;
    }

    boolean more() {
        return pos < end;
    }

    int remaining() {
        return end - pos;
    }

    long offset() {
        return baseOffset + pos;
    }

    int u8() throws InvalidData {
        if (pos >= end) {
            throw new InvalidData(offset(), "value runs past the end of the record");
        }
        return b[pos++] & 0xFF;
    }

    long uvarint() throws InvalidData {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new InvalidData(offset(), "value runs past the end of the record");
            }
            int x = b[pos++] & 0xFF;
            if (shift == 63 && (x & 0x7E) != 0) {
                throw new InvalidData(offset(), "varint overflows 64 bits");
            }
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new InvalidData(offset(), "varint longer than 10 bytes");
    }

    /** A count of entries each at least {@code minBytesEach} long: never more than the bytes left can hold. */
    int count(int minBytesEach) throws InvalidData {
        long n = uvarint();
        if (n < 0 || n > remaining() / Math.max(1, minBytesEach)) {
            throw new InvalidData(offset(), "count " + Long.toUnsignedString(n) + " does not fit in the "
                    + remaining() + " bytes left");
        }
        return (int) n;
    }

    String string() throws InvalidData {
        long n = uvarint();
        if (n < 0 || n > remaining()) {
            throw new InvalidData(offset(), "string of " + Long.toUnsignedString(n) + " bytes runs past the record");
        }
        try {
            CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            String s = d.decode(ByteBuffer.wrap(b, pos, (int) n)).toString();
            pos += (int) n;
            return s;
        } catch (CharacterCodingException e) {
            throw new InvalidData(offset(), "string is not valid UTF-8");
        }
    }
}
