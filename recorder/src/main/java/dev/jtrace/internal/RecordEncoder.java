package dev.jtrace.internal;

import dev.jtrace.format.Format;
import dev.jtrace.format.Varint;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Builds records (kind, length, payload, CRC-32C) for the writer thread. Not thread-safe: used only by
 * whoever holds the session's control lock.
 */
final class RecordEncoder {
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private final byte[] frame = new byte[1 + Varint.MAX_BYTES];
    private final byte[] crcBytes = new byte[4];
    private final CRC32C crc = new CRC32C();

    void reset() {
        pos = 0;
    }

    int size() {
        return pos;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    RecordEncoder uvarint(long v) {
        ensure(Varint.MAX_BYTES);
        pos = Varint.write(buf, pos, v);
        return this;
    }

    RecordEncoder svarint(long v) {
        return uvarint(Varint.zigZag(v));
    }

    /** A string as the format defines it: length and well-formed UTF-8 (lone surrogates as U+FFFD). */
    RecordEncoder string(String s) {
        byte[] utf8 = Strings.utf8(s);
        uvarint(utf8.length);
        bytes(utf8, 0, utf8.length);
        return this;
    }

    RecordEncoder bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        return this;
    }

    /** Appends everything of {@code other} to this encoder. */
    RecordEncoder append(RecordEncoder other) {
        return bytes(other.buf, 0, other.pos);
    }

    /**
     * Writes one record whose payload is this encoder's bytes followed by {@code tail[0..tailLen)} (the
     * event bytes of a batch, which are not copied). Returns the record's size on the wire.
     */
    int writeRecord(int kind, byte[] tail, int tailLen, Sinks out) {
        long payload = (long) pos + tailLen;
        if (payload > Format.MAX_RECORD_PAYLOAD) {
            throw new IllegalStateException("record of " + payload + " bytes exceeds the format's limit");
        }
        frame[0] = (byte) kind;
        int fl = Varint.write(frame, 1, payload);
        crc.reset();
        crc.update(frame, 0, fl);
        crc.update(buf, 0, pos);
        if (tailLen > 0) {
            crc.update(tail, 0, tailLen);
        }
        int c = (int) crc.getValue();
        crcBytes[0] = (byte) (c >>> 24);
        crcBytes[1] = (byte) (c >>> 16);
        crcBytes[2] = (byte) (c >>> 8);
        crcBytes[3] = (byte) c;
        out.write(frame, 0, fl);
        if (Faults.ENABLED) {
            Faults.at(Faults.Step.RECORD_MID);
        }
        out.write(buf, 0, pos);
        if (tailLen > 0) {
            out.write(tail, 0, tailLen);
        }
        out.write(crcBytes, 0, 4);
        return (int) (fl + payload + 4);
    }

    int writeRecord(int kind, Sinks out) {
        return writeRecord(kind, null, 0, out);
    }

    /** This encoder's bytes as one complete record (kind, length, payload, CRC), in a new array. */
    byte[] toRecord(int kind) {
        byte[] head = new byte[1 + Varint.MAX_BYTES];
        head[0] = (byte) kind;
        int fl = Varint.write(head, 1, pos);
        byte[] r = new byte[fl + pos + 4];
        System.arraycopy(head, 0, r, 0, fl);
        System.arraycopy(buf, 0, r, fl, pos);
        crc.reset();
        crc.update(r, 0, fl + pos);
        int c = (int) crc.getValue();
        r[fl + pos] = (byte) (c >>> 24);
        r[fl + pos + 1] = (byte) (c >>> 16);
        r[fl + pos + 2] = (byte) (c >>> 8);
        r[fl + pos + 3] = (byte) c;
        return r;
    }

    /** The 12-byte file header. */
    static byte[] fileHeader() {
        return dev.jtrace.format.FileHeader.current().encode();
    }
}
