package dev.jtrace.analysis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A message in protobuf text format as {@code protoc --decode} prints it: one field per line,
 * {@code name: value} or {@code name {} ... {@code }}. Strings are unescaped (protoc writes non-ASCII
 * bytes as octal escapes).
 */
final class TextProto {
    /** Fields in order; values are {@link String} (scalars and enum names, unquoted) or {@link TextProto}. */
    final List<Map.Entry<String, Object>> fields = new ArrayList<>();

    static TextProto parse(String text) {
        TextProto root = new TextProto();
        Deque<TextProto> open = new ArrayDeque<>();
        open.push(root);
        int n = 0;
        for (String raw : text.split("\n")) {
            n++;
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("}")) {
                open.pop();
                if (open.isEmpty()) {
                    throw new IllegalArgumentException("line " + n + ": unbalanced }");
                }
            } else if (line.endsWith(" {")) {
                TextProto child = new TextProto();
                open.peek().fields.add(Map.entry(line.substring(0, line.length() - 2), child));
                open.push(child);
            } else {
                int colon = line.indexOf(": ");
                if (colon < 0) {
                    throw new IllegalArgumentException("line " + n + ": not a field: " + line);
                }
                String value = line.substring(colon + 2);
                open.peek().fields.add(Map.entry(line.substring(0, colon),
                        value.startsWith("\"") ? unquote(value) : value));
            }
        }
        if (open.size() != 1) {
            throw new IllegalArgumentException("unclosed message at the end");
        }
        return root;
    }

    private static String unquote(String q) {
        if (q.length() < 2 || !q.endsWith("\"")) {
            throw new IllegalArgumentException("bad string " + q);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c != '\\') {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char e = q.charAt(++i);
            switch (e) {
                case 'n' -> b.write('\n');
                case 'r' -> b.write('\r');
                case 't' -> b.write('\t');
                case '"', '\'', '\\' -> b.write(e);
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && q.charAt(i + 1) >= '0' && q.charAt(i + 1) <= '7'; k++) {
                            v = v * 8 + (q.charAt(++i) - '0');
                        }
                        b.write(v);
                    } else {
                        throw new IllegalArgumentException("unknown escape \\" + e + " in " + q);
                    }
                }
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Every value of field {@code name}. */
    List<Object> all(String name) {
        List<Object> l = new ArrayList<>();
        for (Map.Entry<String, Object> f : fields) {
            if (f.getKey().equals(name)) {
                l.add(f.getValue());
            }
        }
        return l;
    }

    /** Every message value of field {@code name}. */
    List<TextProto> messages(String name) {
        List<TextProto> l = new ArrayList<>();
        for (Object o : all(name)) {
            l.add((TextProto) o);
        }
        return l;
    }

    boolean has(String name) {
        return !all(name).isEmpty();
    }

    /** The single message value of {@code name}, or null. */
    TextProto message(String name) {
        List<Object> l = all(name);
        if (l.size() > 1) {
            throw new IllegalStateException(name + " repeated");
        }
        return l.isEmpty() ? null : (TextProto) l.get(0);
    }

    /** The single scalar value of {@code name}, or null. */
    String string(String name) {
        List<Object> l = all(name);
        if (l.size() > 1) {
            throw new IllegalStateException(name + " repeated");
        }
        return l.isEmpty() ? null : (String) l.get(0);
    }

    /** The single numeric value of {@code name} (unsigned 64-bit values too), or {@code dflt}. */
    long number(String name, long dflt) {
        String s = string(name);
        return s == null ? dflt : Long.parseUnsignedLong(s);
    }

    /** Field names that are numbers: fields the schema does not know. */
    List<String> unknownFieldsDeep() {
        List<String> l = new ArrayList<>();
        for (Map.Entry<String, Object> f : fields) {
            if (Character.isDigit(f.getKey().charAt(0))) {
                l.add(f.getKey());
            }
            if (f.getValue() instanceof TextProto t) {
                l.addAll(t.unknownFieldsDeep());
            }
        }
        return l;
    }
}
