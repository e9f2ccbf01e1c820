package dev.jtrace.sql;

import dev.jtrace.model.TraceModel;
import dev.jtrace.model.TraceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.duckdb.DuckDBConnection;

/**
 * Traces as SQL tables in an embedded DuckDB database: open one (in memory, or in a file so that tables
 * larger than memory spill to disk), {@link #load} one or more traces into it, each in one streaming pass
 * through the {@link TraceModel}, then query it through {@link #connection()} or {@link #query}.
 *
 * <p>The tables ({@link Schema}, docs/sql.md) are named and shaped after Perfetto's trace processor where
 * they mean the same; every row carries the {@code trace_id} of its trace, so several traces form one
 * database. Loading a trace whose id is already in the database replaces its rows.
 *
 * <pre>{@code
 * try (TraceDatabase db = TraceDatabase.open(null)) {
 *     db.load(List.of(path), bytes -> {});
 *     TraceDatabase.Rows r = db.query("SELECT name, count(*) FROM slice GROUP BY name");
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one thread loads and queries (the connection is DuckDB's, which serializes).
 */
public final class TraceDatabase implements AutoCloseable {
    /** The version of jtrace written into the {@code trace} table. */
    public static final String JTRACE_VERSION = "0.1.0";

    /** What one trace's load did; {@code host} is the recording's host (format 2.3), or null. */
    public record Loaded(String traceId, Path file, long bytes, long events, long rows, long nanos,
            TraceSummary summary, String host) {}

    /** A query's answer: column names and rows of JDBC values (Long, String, Double, Boolean, ...). */
    public record Rows(List<String> columns, List<List<Object>> rows) {}

    private final DuckDBConnection conn;
    private final Path file;

    private TraceDatabase(DuckDBConnection conn, Path file) throws SQLException {
        this.conn = conn;
        this.file = file;
        try (Statement st = conn.createStatement()) {
            for (String t : Schema.TABLES.keySet()) {
                st.execute(Schema.create(t));
            }
        }
    }

    /**
     * Opens a database: in memory when {@code file} is null, else in (or on) that DuckDB file, which holds
     * the tables on disk and keeps them after {@link #close()}.
     */
    public static TraceDatabase open(Path file) throws SQLException {
        Properties p = new Properties();
        String url = file == null ? "jdbc:duckdb:" : "jdbc:duckdb:" + file.toAbsolutePath();
        Connection c = DriverManager.getConnection(url, p);
        try {
            return new TraceDatabase(c.unwrap(DuckDBConnection.class), file);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Bounds DuckDB's memory: {@code limit} as DuckDB writes sizes ("512MB", "2GB"), spilling to
     * {@code tempDirectory} (null: DuckDB's default, next to the database file). DuckDB's memory is native,
     * outside the Java heap.
     */
    public void limitMemory(String limit, Path tempDirectory) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SET memory_limit = '" + limit.replace("'", "") + "'");
            if (tempDirectory != null) {
                st.execute("SET temp_directory = '" + tempDirectory.toAbsolutePath().toString().replace("'", "''") + "'");
            }
            // the order of rows within a table is not part of its meaning: without it, writes stream
            st.execute("SET preserve_insertion_order = false");
        }
    }

    /** The database file, or null for one in memory. */
    public Path file() {
        return file;
    }

    /** The JDBC connection (DuckDB's): for prepared statements, appenders, or COPY. */
    public DuckDBConnection connection() {
        return conn;
    }

    /**
     * Loads each of {@code traces} in one streaming pass; {@code progress} (may be null) receives the bytes
     * read so far over all of them. A file that cannot be read is an {@link IOException} naming it; the
     * traces loaded before it stay loaded.
     */
    public List<Loaded> load(List<Path> traces, LongConsumer progress) throws IOException, SQLException {
        List<Loaded> out = new ArrayList<>();
        long done = 0;
        for (Path t : traces) {
            long base = done;
            Loaded l = load(t, progress == null ? null : b -> progress.accept(base + b));
            out.add(l);
            done += l.bytes();
        }
        return out;
    }

    /** Loads one trace; see {@link #load(List, LongConsumer)}. */
    public Loaded load(Path trace, LongConsumer progress) throws IOException, SQLException {
        long t0 = System.nanoTime();
        long size = Files.size(trace);
        TraceLoader loader = new TraceLoader(conn, trace, size);
        TraceModel m = new TraceModel(loader);
        loader.model = m;
        try {
            m.readAll(trace, progress);
            loader.finish(m.summary(), JTRACE_VERSION);
        } catch (TraceLoader.LoadFailure e) {
            loader.close();
            throw e.getCause();
        } catch (UncheckedIOException e) {
            loader.close();
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            loader.close();
            throw e;
        }
        TraceSummary s = m.summary();
        return new Loaded(loader.traceId(), trace, size, s.events(), loader.rows(), System.nanoTime() - t0, s,
                loader.host());
    }

    /** Runs {@code sql} and returns all its rows (for answers that fit in memory). */
    public Rows query(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            if (!st.execute(sql)) {
                return new Rows(List.of(), List.of());
            }
            try (ResultSet rs = st.getResultSet()) {
                return rows(rs);
            }
        }
    }

    /** Every row of {@code rs}. */
    public static Rows rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> cols = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            cols.add(md.getColumnLabel(i));
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> r = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                r.add(rs.getObject(i));
            }
            rows.add(r);
        }
        return new Rows(cols, rows);
    }

    /** The table names (docs/sql.md describes each). */
    public static List<String> tables() {
        return Schema.tables();
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }
}
