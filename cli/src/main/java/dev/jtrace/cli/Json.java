package dev.jtrace.cli;

import dev.jtrace.reader.Event;
import java.util.List;

/** A minimal JSON writer (objects, numbers, strings, string arrays) with correct escaping. */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean needComma;

    Json begin() {
        comma();
        sb.append('{');
        needComma = false;
        return this;
    }

    Json end() {
        sb.append('}');
        needComma = true;
        return this;
    }

    Json key(String k) {
        comma();
        string(k);
        sb.append(':');
        needComma = false;
        return this;
    }

    Json field(String k, long v) {
        key(k);
        sb.append(v);
        needComma = true;
        return this;
    }

    Json field(String k, String v) {
        key(k);
        string(v);
        needComma = true;
        return this;
    }

    Json array(List<String> values) {
        comma();
        sb.append('[');
        needComma = false;
        for (String v : values) {
            comma();
            string(v);
            needComma = true;
        }
        sb.append(']');
        needComma = true;
        return this;
    }

    private void comma() {
        if (needComma) {
            sb.append(',');
        }
    }

    private void string(String s) {
        sb.append(s == null ? "null" : Event.quote(s));
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
