package dev.jtrace.analysis;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One protobuf message under construction, encoded by protobuf-java's {@link CodedOutputStream} into a
 * reusable buffer. A nested message is built in the child builder that {@link #begin(int)} returns and
 * copied into its parent, with its length, by {@link #end()}: the exporters write millions of small
 * messages without a generated class or an allocation per message.
 */
final class ProtoBuilder {
    /** A byte array output stream whose array can be copied from without another copy. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(256);
        }

        byte[] array() {
            return buf;
        }
    }

    private final Bytes bytes = new Bytes();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes, 512);
    private final ProtoBuilder parent;
    private int fieldInParent;
    private ProtoBuilder child;

    ProtoBuilder() {
        this(null);
    }

    private ProtoBuilder(ProtoBuilder parent) {
        this.parent = parent;
    }

    /** Empties the message (and forgets any unfinished child). */
    ProtoBuilder reset() {
        flush();
        bytes.reset();
        return this;
    }

    /** Starts the message-typed field {@code field}; {@link #end()} on the returned child closes it. */
    ProtoBuilder begin(int field) {
        if (child == null) {
            child = new ProtoBuilder(this);
        }
        child.reset();
        child.fieldInParent = field;
        return child;
    }

    /** Copies this nested message into its parent and returns the parent. */
    ProtoBuilder end() {
        flush();
        try {
            parent.out.writeTag(fieldInParent, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            parent.out.writeUInt32NoTag(bytes.size());
            parent.out.writeRawBytes(bytes.array(), 0, bytes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parent;
    }

    ProtoBuilder uint64(int field, long v) {
        try {
            out.writeUInt64(field, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ProtoBuilder int64(int field, long v) {
        try {
            out.writeInt64(field, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ProtoBuilder fixed64(int field, long v) {
        try {
            out.writeFixed64(field, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ProtoBuilder bool(int field, boolean v) {
        try {
            out.writeBool(field, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ProtoBuilder string(int field, String s) {
        try {
            out.writeString(field, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A packed repeated varint field (proto3's default encoding of repeated integers). */
    ProtoBuilder packedUint64(int field, long[] values, int count) {
        try {
            int size = 0;
            for (int i = 0; i < count; i++) {
                size += CodedOutputStream.computeUInt64SizeNoTag(values[i]);
            }
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
            for (int i = 0; i < count; i++) {
                out.writeUInt64NoTag(values[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Bytes encoded so far. */
    int size() {
        flush();
        return bytes.size();
    }

    /** Writes this message as field {@code field} of an enclosing message being streamed to {@code to}. */
    void writeAsField(CodedOutputStream to, int field) throws IOException {
        flush();
        to.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        to.writeUInt32NoTag(bytes.size());
        to.writeRawBytes(bytes.array(), 0, bytes.size());
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
