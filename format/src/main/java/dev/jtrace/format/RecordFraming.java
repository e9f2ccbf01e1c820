package dev.jtrace.format;

import java.util.zip.CRC32C;

/**
 * The framing of every record, {@code kind(1 byte) length(uvarint) payload crc(u32 BE)}, where the CRC-32C
 * covers the kind byte, the length varint and the payload (docs/format.md "Records"). Shared by the
 * recorder and the reader so that both compute the checksum over the same bytes.
 */
public final class RecordFraming {
    private RecordFraming() {}

    /** Bytes of the checksum that ends every record. */
    public static final int CRC_BYTES = 4;

    /** The largest record header: the kind byte and a length varint of at most 10 bytes. */
    public static final int MAX_HEADER_BYTES = 1 + Varint.MAX_BYTES;

    /** Whether {@code kind} is one this version defines (others are skipped by their length). */
    public static boolean knownKind(int kind) {
        return kind >= Format.REC_GEN_BEGIN && kind <= Format.REC_TRACE_END;
    }

    /**
     * The checksum of a record: {@code header[0..headerLength)} is the kind byte and the length varint,
     * {@code payload[off..off+len)} the payload.
     */
    public static int crc(CRC32C crc, byte[] header, int headerLength, byte[] payload, int off, int len) {
        crc.reset();
        crc.update(header, 0, headerLength);
        crc.update(payload, off, len);
        return (int) crc.getValue();
    }

    /** Reads the big-endian checksum at {@code b[off..off+4)}. */
    public static int readCrc(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** Writes {@code crc} big-endian at {@code b[off..off+4)}. */
    public static void writeCrc(byte[] b, int off, int crc) {
        b[off] = (byte) (crc >>> 24);
        b[off + 1] = (byte) (crc >>> 16);
        b[off + 2] = (byte) (crc >>> 8);
        b[off + 3] = (byte) crc;
    }
}
