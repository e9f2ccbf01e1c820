package dev.jtrace.sql;

import dev.jtrace.reader.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a query's result as an aligned text table, CSV (RFC 4180) or JSON (an array of objects, one per
 * row). CSV and JSON stream the rows; the table holds at most {@link #TABLE_ROWS} rows to align them.
 */
public final class ResultWriter {
    /** The output formats. */
    public enum Format { table, csv, json }

    /** Rows a table shows at most (the count of the others is printed). */
    public static final int TABLE_ROWS = 10_000;

    private ResultWriter() {}

    /** Writes every row of {@code rs} to {@code out} in {@code format}; returns the number of rows. */
    public static long write(ResultSet rs, Format format, Appendable out) throws SQLException {
        try {
            return switch (format) {
                case table -> table(rs, out);
                case csv -> csv(rs, out);
                case json -> json(rs, out);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> columns(ResultSetMetaData md) throws SQLException {
        List<String> c = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            c.add(md.getColumnLabel(i));
        }
        return c;
    }

    private static boolean numeric(int sqlType) {
        return switch (sqlType) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.FLOAT, Types.REAL, Types.DOUBLE,
                    Types.NUMERIC, Types.DECIMAL -> true;
            default -> false;
        };
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }

    private static long table(ResultSet rs, Appendable out) throws SQLException, IOException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> cols = columns(md);
        int n = cols.size();
        boolean[] right = new boolean[n];
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            right[i] = numeric(md.getColumnType(i + 1));
            width[i] = cols.get(i).length();
        }
        List<String[]> rows = new ArrayList<>();
        long count = 0;
        while (rs.next()) {
            count++;
            if (rows.size() == TABLE_ROWS) {
                continue;
            }
            String[] r = new String[n];
            for (int i = 0; i < n; i++) {
                String s = text(rs.getObject(i + 1));
                r[i] = s == null ? "NULL" : s.replace("\n", "\\n");
                width[i] = Math.max(width[i], r[i].length());
            }
            rows.add(r);
        }
        line(out, cols.toArray(new String[0]), width, new boolean[n]);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
        }
        out.append(rule).append('\n');
        for (String[] r : rows) {
            line(out, r, width, right);
        }
        out.append("(").append(String.format("%,d", count)).append(count == 1 ? " row" : " rows");
        if (count > rows.size()) {
            out.append(String.format(", the first %,d shown; --format csv or json prints all", rows.size()));
        }
        out.append(")\n");
        return count;
    }

    private static void line(Appendable out, String[] cells, int[] width, boolean[] right) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(width[i] - cells[i].length());
            if (i > 0) {
                b.append("  ");
            }
            if (right[i]) {
                b.append(pad).append(cells[i]);
            } else {
                b.append(cells[i]);
                if (i < cells.length - 1) {
                    b.append(pad);
                }
            }
        }
        out.append(b).append('\n');
    }

    private static long csv(ResultSet rs, Appendable out) throws SQLException, IOException {
        List<String> cols = columns(rs.getMetaData());
        int n = cols.size();
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append(csvCell(cols.get(i)));
        }
        out.append("\r\n");
        long count = 0;
        while (rs.next()) {
            count++;
            for (int i = 0; i < n; i++) {
                String s = text(rs.getObject(i + 1));
                out.append(i == 0 ? "" : ",").append(s == null ? "" : csvCell(s));
            }
            out.append("\r\n");
        }
        return count;
    }

    private static String csvCell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static long json(ResultSet rs, Appendable out) throws SQLException, IOException {
        List<String> cols = columns(rs.getMetaData());
        int n = cols.size();
        out.append('[');
        long count = 0;
        while (rs.next()) {
            out.append(count++ == 0 ? "\n" : ",\n").append('{');
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(Event.quote(cols.get(i))).append(':');
                Object v = rs.getObject(i + 1);
                if (v == null) {
                    out.append("null");
                } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short
                        || v instanceof Byte || v instanceof java.math.BigInteger || v instanceof java.math.BigDecimal) {
                    out.append(v.toString());
                } else if (v instanceof Double d && Double.isFinite(d) || v instanceof Float f && Float.isFinite(f)) {
                    out.append(v.toString());
                } else {
                    out.append(Event.quote(v.toString()));
                }
            }
            out.append('}');
        }
        out.append(count == 0 ? "]\n" : "\n]\n");
        return count;
    }

    /**
     * Splits a script into statements at semicolons outside string literals, quoted identifiers and
     * comments; blank statements are dropped.
     */
    public static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int len = script.length();
        while (i < len) {
            char c = script.charAt(i);
            if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < len) {
                    if (script.charAt(j) == c) {
                        if (j + 1 < len && script.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                cur.append(script, i, Math.min(len, j + 1));
                i = j + 1;
            } else if (c == '-' && i + 1 < len && script.charAt(i + 1) == '-') {
                int j = script.indexOf('\n', i);
                j = j < 0 ? len : j;
                cur.append(script, i, j);
                i = j;
            } else if (c == '/' && i + 1 < len && script.charAt(i + 1) == '*') {
                int j = script.indexOf("*/", i + 2);
                j = j < 0 ? len : j + 2;
                cur.append(script, i, j);
                i = j;
            } else if (c == ';') {
                add(out, cur);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty() && !onlyComments(s)) {
            out.add(s);
        }
        cur.setLength(0);
    }

    private static boolean onlyComments(String s) {
        for (String line : s.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("--")) {
                return false;
            }
        }
        return true;
    }
}
