package dev.jtrace.sql;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Writes traces as a Parquet dataset that DuckDB, Spark and Trino read as is: one directory per table of
 * {@link Schema}, Hive-style partitions inside,
 * {@code DIR/<table>/host=<host>/trace_id=<id>/part-0.parquet}. The partition columns are in the paths, not
 * in the files (as Hive, Spark and Trino expect); a reader with Hive partitioning gets them back as columns.
 *
 * <p>Exporting traces one by one into the same directory adds to one dataset; exporting a trace again
 * replaces its partitions (a trace's id is stable, see {@link TraceDatabase}). Each file is written under a
 * hidden name and renamed into place, so a reader never sees half a file.
 *
 * <p>Memory: each trace is loaded into a temporary DuckDB database on disk, under {@code DIR/.jtrace-tmp},
 * with DuckDB's memory bounded ({@code memory_limit}, spilling to that directory), then copied out table by
 * table and deleted. The Java heap holds only what the model holds while it streams.
 */
public final class ParquetExport {
    private ParquetExport() {}

    /** The host partition of a trace whose file does not record its host (before format 2.3). */
    public static final String UNKNOWN_HOST = "unknown";

    /** DuckDB's memory limit when none is given: loads and copies spill beyond it. */
    public static final String DEFAULT_MEMORY_LIMIT = "512MB";

    /** What one trace's export wrote: rows per table, and the time of the load and of the copy. */
    public record Result(Path trace, String traceId, String host, Map<String, Long> rows, long events,
            long loadNanos, long writeNanos) {
        /** Rows over every table. */
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** {@link #export(List, Path, String, LongConsumer)} with {@link #DEFAULT_MEMORY_LIMIT}. */
    public static List<Result> export(List<Path> traces, Path dir, LongConsumer progress) throws IOException, SQLException {
        return export(traces, dir, DEFAULT_MEMORY_LIMIT, progress);
    }

    /**
     * Exports each of {@code traces} into the dataset at {@code dir} (created if missing); {@code progress}
     * (may be null) receives the bytes read so far over all traces.
     */
    public static List<Result> export(List<Path> traces, Path dir, String memoryLimit, LongConsumer progress)
            throws IOException, SQLException {
        Files.createDirectories(dir);
        List<Result> out = new ArrayList<>();
        long done = 0;
        for (Path t : traces) {
            long base = done;
            out.add(exportOne(t, dir, memoryLimit, progress == null ? null : b -> progress.accept(base + b)));
            done += Files.size(t);
        }
        return out;
    }

    private static Result exportOne(Path trace, Path dir, String memoryLimit, LongConsumer progress)
            throws IOException, SQLException {
        Path tmp = Files.createDirectories(dir.resolve(".jtrace-tmp"));
        Path work = Files.createTempDirectory(tmp, "export-");
        try {
            try (TraceDatabase db = TraceDatabase.open(work.resolve("trace.duckdb"))) {
                db.limitMemory(memoryLimit, work);
                long t0 = System.nanoTime();
                TraceDatabase.Loaded l = db.load(trace, progress);
                long t1 = System.nanoTime();
                String host = l.host() == null ? UNKNOWN_HOST : partitionValue(l.host());
                Map<String, Long> rows = new LinkedHashMap<>();
                for (String table : Schema.TABLES.keySet()) {
                    deletePartition(dir.resolve(table), l.traceId());
                    Path part = dir.resolve(table).resolve("host=" + host).resolve("trace_id=" + l.traceId());
                    Files.createDirectories(part);
                    Path hidden = part.resolve(".part-0.parquet.tmp");
                    // host and trace_id are the partition: in the path, not in the file
                    String exclude = table.equals("trace") ? "trace_id, host" : "trace_id";
                    try (Statement st = db.connection().createStatement()) {
                        st.execute("COPY (SELECT * EXCLUDE (" + exclude + ") FROM " + table + ") TO '"
                                + sqlString(hidden) + "' (FORMAT parquet, COMPRESSION zstd)");
                        try (var rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                            rs.next();
                            rows.put(table, rs.getLong(1));
                        }
                    }
                    Files.move(hidden, part.resolve("part-0.parquet"), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
                return new Result(trace, l.traceId(), host, rows, l.events(), t1 - t0, System.nanoTime() - t1);
            }
        } finally {
            deleteTree(work);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // another export into the same directory is using it
            }
        }
    }

    /** Removes {@code trace_id=<id>} under every host of {@code tableDir}: re-exporting replaces. */
    private static void deletePartition(Path tableDir, String traceId) throws IOException {
        if (!Files.isDirectory(tableDir)) {
            return;
        }
        try (DirectoryStream<Path> hosts = Files.newDirectoryStream(tableDir, "host=*")) {
            for (Path h : hosts) {
                Path p = h.resolve("trace_id=" + traceId);
                if (Files.exists(p)) {
                    deleteTree(p);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    static String sqlString(Path p) {
        return p.toAbsolutePath().toString().replace("'", "''");
    }

    /**
     * A partition value as a directory name, escaped the way Hive escapes one ({@code %XX}) for every byte
     * outside letters, digits, {@code .}, {@code _} and {@code -}, and for a leading dot: a host name comes
     * from the trace file, and no file may name a directory outside its table ("..", "/", "=") or one that
     * readers skip as hidden (".x"). An ordinary host name ({@code db-7.example.com}) is kept as it is.
     */
    static String partitionValue(String v) {
        StringBuilder sb = new StringBuilder();
        for (byte b : v.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
                    || c == '.' && !sb.isEmpty();
            if (plain) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.isEmpty() ? UNKNOWN_HOST : sb.toString();
    }
}
