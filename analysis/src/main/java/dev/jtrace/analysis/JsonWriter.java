package dev.jtrace.analysis;

import dev.jtrace.reader.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * A minimal streaming JSON writer (objects, arrays, numbers, strings) for the tools' outputs. Commas are
 * placed automatically; strings are escaped by the reader's {@link Event#quote}.
 */
public final class JsonWriter {
    private final Appendable out;
    private boolean needComma;

    /** Writes into {@code out} (a StringBuilder or a Writer). */
    public JsonWriter(Appendable out) {
        this.out = out;
    }

    private JsonWriter raw(String s) {
        try {
            out.append(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private void comma() {
        if (needComma) {
            raw(",");
        }
    }

    public JsonWriter beginObject() {
        comma();
        needComma = false;
        return raw("{");
    }

    public JsonWriter endObject() {
        needComma = true;
        return raw("}");
    }

    public JsonWriter beginArray() {
        comma();
        needComma = false;
        return raw("[");
    }

    public JsonWriter endArray() {
        needComma = true;
        return raw("]");
    }

    public JsonWriter name(String key) {
        comma();
        raw(Event.quote(key)).raw(":");
        needComma = false;
        return this;
    }

    public JsonWriter value(long v) {
        comma();
        needComma = true;
        return raw(Long.toString(v));
    }

    public JsonWriter value(double v) {
        comma();
        needComma = true;
        return raw(Double.isFinite(v) ? Double.toString(v) : "null");
    }

    public JsonWriter value(boolean b) {
        comma();
        needComma = true;
        return raw(b ? "true" : "false");
    }

    public JsonWriter value(String s) {
        comma();
        needComma = true;
        return raw(s == null ? "null" : Event.quote(s));
    }

    public JsonWriter field(String key, long v) {
        return name(key).value(v);
    }

    public JsonWriter field(String key, double v) {
        return name(key).value(v);
    }

    public JsonWriter field(String key, String v) {
        return name(key).value(v);
    }

    /** Flushes the underlying writer, if it is one. */
    public void flush() {
        if (out instanceof Writer w) {
            try {
                w.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
