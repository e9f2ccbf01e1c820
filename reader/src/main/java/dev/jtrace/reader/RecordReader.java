package dev.jtrace.reader;

import dev.jtrace.format.Format;
import dev.jtrace.format.RecordFraming;
import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Record framing and checksums (docs/format.md "Records"): reads {@code kind length payload crc} at a
 * position, tells a broken frame from a bad checksum, confirms a frame by the one after it, and scans
 * forward for the next generation after corruption. It knows nothing of what payloads mean.
 */
final class RecordReader {
    /** How a record was read. */
    enum Status {
        /** Framing and checksum are fine. */
        OK,
        /** A clean end of the source: no byte at the position. */
        EOF,
        /** The source ends inside the record (header, payload or checksum). */
        TRUNCATED,
        /** The length varint is malformed or beyond {@link Format#MAX_RECORD_PAYLOAD}. */
        BAD_LENGTH,
        /** The frame is whole but its checksum does not match: some byte of it is wrong. */
        BAD_CHECKSUM
    }

    /** Decides whether a payload of this length may be held in memory (else it is checked and dropped). */
    interface Admission {
        boolean admit(int kind, long length);
    }

    /** One record as read; {@code payload} holds all of it if {@code retained}, else its first bytes. */
    static final class Record {
        Status status;
        int kind;
        /** File offset of the kind byte. */
        long offset;
        /** File offset just after the checksum (for OK and BAD_CHECKSUM). */
        long end;
        /** File offset of the first payload byte. */
        long payloadOffset;
        long length;
        byte[] payload;
        /** Valid bytes of {@code payload}. */
        int payloadBytes;
        boolean retained;
        String problem;

        PayloadCursor cursor() {
            return new PayloadCursor(payload, payloadBytes, payloadOffset);
        }
    }

    /** Payload bytes kept of a record that is not retained: enough for any record's header fields. */
    private static final int HEAD = 96;
    /** The largest GEN_BEGIN or TRACE_END payload a resynchronising scan accepts (both are a few varints). */
    private static final int MAX_ANCHOR_PAYLOAD = 1024;

    private final ByteSource src;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[RecordFraming.MAX_HEADER_BYTES];
    private final byte[] crcBytes = new byte[RecordFraming.CRC_BYTES];
    private final byte[] chunk = new byte[1 << 16];
    private final boolean verifyChecksums;

    RecordReader(ByteSource src, boolean verifyChecksums) {
        this.src = src;
        this.verifyChecksums = verifyChecksums;
    }

    long size() {
        return src.size();
    }

    /** Reads the record at {@code pos}. */
    Record read(long pos, Admission admission) throws IOException {
        Record r = new Record();
        r.offset = pos;
        int n = src.read(pos, header, 0, header.length);
        if (n == 0) {
            r.status = Status.EOF;
            return r;
        }
        r.kind = header[0] & 0xFF;
        long length = 0;
        int i = 1;
        for (int shift = 0; ; shift += 7, i++) {
            if (i >= n) {
                return fail(r, Status.TRUNCATED, "the file ends inside a record header");
            }
            int b = header[i] & 0xFF;
            if (i == header.length - 1 && (b & 0x80) != 0 || shift == 63 && (b & 0x7E) != 0) {
                return fail(r, Status.BAD_LENGTH, "record length varint is malformed");
            }
            length |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        int headerLength = i + 1;
        r.length = length;
        r.payloadOffset = pos + headerLength;
        if (length < 0 || length > Format.MAX_RECORD_PAYLOAD) {
            return fail(r, Status.BAD_LENGTH, "record length " + Long.toUnsignedString(length)
                    + " exceeds the limit of " + Format.MAX_RECORD_PAYLOAD + " bytes");
        }
        long left = src.size() - r.payloadOffset;
        if (length + RecordFraming.CRC_BYTES > left) {
            return fail(r, Status.TRUNCATED, "the file ends inside a record of kind " + r.kind + " (" + length
                    + " payload bytes announced, " + Math.max(0, left) + " left)");
        }
        crc.reset();
        crc.update(header, 0, headerLength);
        int len = (int) length;
        if (admission == null || admission.admit(r.kind, length)) {
            r.payload = new byte[len];
            r.payloadBytes = src.read(r.payloadOffset, r.payload, 0, len);
            crc.update(r.payload, 0, r.payloadBytes);
            r.retained = true;
        } else {
            // too big to hold: check it in chunks and keep only its head (batch and table headers)
            r.payload = new byte[Math.min(len, HEAD)];
            long at = r.payloadOffset;
            long rest = len;
            boolean first = true;
            while (rest > 0) {
                int k = src.read(at, chunk, 0, (int) Math.min(chunk.length, rest));
                if (k <= 0) {
                    break;
                }
                if (first) {
                    r.payloadBytes = Math.min(k, r.payload.length);
                    System.arraycopy(chunk, 0, r.payload, 0, r.payloadBytes);
                    first = false;
                }
                crc.update(chunk, 0, k);
                at += k;
                rest -= k;
            }
        }
        int c = src.read(r.payloadOffset + len, crcBytes, 0, crcBytes.length);
        if (c != crcBytes.length) {
            return fail(r, Status.TRUNCATED, "the file ends inside a record");
        }
        r.end = r.payloadOffset + len + RecordFraming.CRC_BYTES;
        if (verifyChecksums && (int) crc.getValue() != RecordFraming.readCrc(crcBytes, 0)) {
            r.status = Status.BAD_CHECKSUM;
            r.problem = "checksum mismatch in a record of " + length + " bytes (kind byte " + r.kind + ")";
            return r;
        }
        r.status = Status.OK;
        return r;
    }

    private static Record fail(Record r, Status s, String problem) {
        r.status = s;
        r.problem = problem;
        return r;
    }

    /**
     * Whether a record with a bad checksum at least has the right length: the bytes after it are the end
     * of the file or a record whose checksum is right. Then only that record is lost.
     */
    boolean frameConfirmed(Record bad) throws IOException {
        if (bad.end == src.size()) {
            return true;
        }
        return read(bad.end, (kind, length) -> false).status == Status.OK;
    }

    /**
     * The offset of the first GEN_BEGIN or TRACE_END record at or after {@code from} whose checksum is
     * right, or -1. A random byte string passes the CRC-32C with probability 2^-32, so the scan anchors only
     * on these small records: checking a candidate costs at most a kilobyte, never a 64 MiB payload.
     */
    long resync(long from) throws IOException {
        long size = src.size();
        long pos = from;
        byte[] buf = new byte[1 << 16];
        byte[] candidate = new byte[RecordFraming.MAX_HEADER_BYTES + MAX_ANCHOR_PAYLOAD + RecordFraming.CRC_BYTES];
        while (pos < size) {
            int n = src.read(pos, buf, 0, buf.length);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                int k = buf[i];
                if (k == Format.REC_GEN_BEGIN || k == Format.REC_TRACE_END) {
                    if (isAnchor(pos + i, candidate)) {
                        return pos + i;
                    }
                }
            }
            pos += n;
        }
        return -1;
    }

    private boolean isAnchor(long at, byte[] b) throws IOException {
        // most candidates fail on their length: look at it before reading a kilobyte
        int n = src.read(at, b, 0, 3);
        if (n < 2 || (b[1] & 0x80) != 0 && (n < 3 || (b[2] & 0x80) != 0 || (b[2] & 0x7F) > MAX_ANCHOR_PAYLOAD >> 7)) {
            return false;
        }
        n = src.read(at, b, 0, b.length);
        long length = 0;
        int i = 1;
        for (int shift = 0; ; shift += 7, i++) {
            if (i >= n || i > 2) {
                return false; // lengths of anchors fit in two varint bytes
            }
            int x = b[i] & 0xFF;
            length |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
        }
        int headerLength = i + 1;
        if (length < 1 || length > MAX_ANCHOR_PAYLOAD || headerLength + length + RecordFraming.CRC_BYTES > n) {
            return false;
        }
        crc.reset();
        crc.update(b, 0, headerLength + (int) length);
        return (int) crc.getValue() == RecordFraming.readCrc(b, headerLength + (int) length);
    }

    /** Whether checksums are verified (off only for fuzzing the decoders behind them). */
    boolean verifiesChecksums() {
        return verifyChecksums;
    }
}
