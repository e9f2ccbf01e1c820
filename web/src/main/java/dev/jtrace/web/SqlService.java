package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.sql.TraceDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The viewer's SQL page behind {@code /api/sql}: the trace loaded into jtrace's DuckDB tables (docs/sql.md),
 * built on first use (a big trace takes a while, and most sessions never ask), then queried read-only.
 *
 * <p>Why it is safe to run what a page sends: the database is a private file loaded once and then reopened
 * read-only, with DuckDB's external access off (no COPY to files, no reading other files, no extensions) and
 * its configuration locked, so a query can read the trace's tables and nothing else. One query runs at a
 * time, for at most {@link #QUERY_TIMEOUT_SECONDS} seconds, and at most {@link #MAX_ROWS} rows are returned
 * (the page says how many there were).
 */
final class SqlService implements AutoCloseable {
    /** Rows an answer carries; the rest are counted, not sent. */
    static final int MAX_ROWS = 1000;
    /** A query running longer is cancelled. */
    static final int QUERY_TIMEOUT_SECONDS = 30;
    private final int timeoutSeconds;
    /** DuckDB's memory while loading and querying: native memory, besides the viewer's heap. */
    static final String MEMORY_LIMIT = "1GB";

    /** Where the load is. */
    enum State { IDLE, LOADING, READY, FAILED }

    private final Path trace;
    private final long traceBytes;
    private final PrintStream log;
    private final Semaphore running = new Semaphore(1);
    private volatile State state = State.IDLE;
    private volatile long loadedBytes;
    private volatile String failure;
    private volatile long loadNanos;
    private Path dir;
    private Connection readOnly;

    SqlService(Path trace, long traceBytes, PrintStream log) {
        this(trace, traceBytes, log, QUERY_TIMEOUT_SECONDS);
    }

    SqlService(Path trace, long traceBytes, PrintStream log, int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
        this.trace = trace;
        this.traceBytes = traceBytes;
        this.log = log;
    }

    /** Starts loading the trace in the background if nobody has asked before. */
    synchronized void startLoading() {
        if (state != State.IDLE) {
            return;
        }
        state = State.LOADING;
        Thread.ofVirtual().name("jtrace-view-sql-load").start(this::load);
    }

    private void load() {
        long t0 = System.nanoTime();
        try {
            Path d = Files.createTempDirectory("jtrace-view-sql-");
            synchronized (this) {
                dir = d;
            }
            Path db = d.resolve("trace.duckdb");
            try (TraceDatabase t = TraceDatabase.open(db)) {
                t.limitMemory(MEMORY_LIMIT, d.resolve("spill"));
                t.load(trace, b -> loadedBytes = b);
            }
            Properties p = new Properties();
            p.setProperty("duckdb.read_only", "true");
            p.setProperty("enable_external_access", "false");
            p.setProperty("memory_limit", MEMORY_LIMIT);
            Connection c = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath(), p);
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_configuration = true");
            }
            synchronized (this) {
                readOnly = c;
            }
            loadedBytes = traceBytes;
            loadNanos = System.nanoTime() - t0;
            state = State.READY;
        } catch (IOException | SQLException | RuntimeException e) {
            failure = trace.getFileName() + ": " + e.getMessage();
            log.println("jtrace view: loading " + trace + " for SQL: " + e);
            state = State.FAILED;
        }
    }

    /** {@code {"state", "loadedBytes", "totalBytes", "error", "tables", "maxRows"}}. */
    String status() {
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().field("state", state.name().toLowerCase(java.util.Locale.ROOT))
                .field("loadedBytes", loadedBytes).field("totalBytes", traceBytes).field("loadMillis", loadNanos / 1_000_000)
                .field("maxRows", MAX_ROWS).field("timeoutSeconds", timeoutSeconds);
        if (failure != null) {
            j.field("error", failure);
        }
        j.name("tables").beginArray();
        for (String t : TraceDatabase.tables()) {
            j.value(t);
        }
        j.endArray().endObject();
        return sb.toString();
    }

    /** The query could not run now; the caller answers 503. */
    static final class Busy extends Exception {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    /** The query is wrong (DuckDB's message); the caller answers 400. */
    static final class BadQuery extends Exception {
        BadQuery(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Runs {@code sql}: {@code {"columns":[{"name","type"}], "rows":[[...]], "rowCount", "truncated", "millis"}}.
     * Integers stay exact (JSON numbers as written by Java), other values are their text.
     */
    String query(String sql) throws Busy, BadQuery, InterruptedException {
        if (sql == null || sql.isBlank()) {
            throw new BadQuery("the query is empty");
        }
        if (state != State.READY) {
            startLoading();
            throw new Busy(state == State.FAILED ? "the trace could not be loaded for SQL: " + failure
                    : "the trace is still being loaded for SQL (" + (traceBytes == 0 ? 0 : loadedBytes * 100 / traceBytes)
                            + "%); try again");
        }
        if (!running.tryAcquire(2, TimeUnit.SECONDS)) {
            throw new Busy("another SQL query is running; try again");
        }
        long t0 = System.nanoTime();
        try (Statement st = readOnly.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            StringBuilder sb = new StringBuilder();
            JsonWriter j = new JsonWriter(sb);
            j.beginObject();
            if (!st.execute(sql)) {
                j.name("columns").beginArray().endArray().name("rows").beginArray().endArray().field("rowCount", 0)
                        .field("truncated", 0);
            } else {
                try (ResultSet rs = st.getResultSet()) {
                    ResultSetMetaData md = rs.getMetaData();
                    int n = md.getColumnCount();
                    int[] types = new int[n];
                    j.name("columns").beginArray();
                    for (int i = 0; i < n; i++) {
                        types[i] = md.getColumnType(i + 1);
                        j.beginObject().field("name", md.getColumnLabel(i + 1)).field("type", md.getColumnTypeName(i + 1))
                                .endObject();
                    }
                    j.endArray().name("rows").beginArray();
                    long count = 0;
                    while (rs.next()) {
                        if (count++ >= MAX_ROWS) {
                            continue; // counted, not sent
                        }
                        j.beginArray();
                        for (int i = 0; i < n; i++) {
                            value(j, rs, i + 1, types[i]);
                        }
                        j.endArray();
                    }
                    j.endArray().field("rowCount", count).field("truncated", count > MAX_ROWS ? 1 : 0);
                }
            }
            j.field("millis", (System.nanoTime() - t0) / 1_000_000).endObject();
            return sb.toString();
        } catch (SQLException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            if ((System.nanoTime() - t0) >= TimeUnit.SECONDS.toNanos(timeoutSeconds) || m.contains("Interrupt")) {
                throw new BadQuery("the query ran longer than " + timeoutSeconds + " s and was cancelled");
            }
            throw new BadQuery(m);
        } finally {
            running.release();
        }
    }

    private static void value(JsonWriter j, ResultSet rs, int col, int type) throws SQLException {
        switch (type) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
                long v = rs.getLong(col);
                if (rs.wasNull()) {
                    j.value((String) null);
                } else {
                    j.value(v);
                }
            }
            case Types.BOOLEAN -> {
                boolean v = rs.getBoolean(col);
                if (rs.wasNull()) {
                    j.value((String) null);
                } else {
                    j.value(v ? 1 : 0);
                }
            }
            default -> {
                Object o = rs.getObject(col);
                if (o == null) {
                    j.value((String) null);
                } else if (o instanceof Double d && Double.isFinite(d) || o instanceof Float) {
                    j.value(((Number) o).doubleValue());
                } else {
                    j.value(String.valueOf(o));
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (readOnly != null) {
                readOnly.close();
            }
        } catch (SQLException e) {
            // closing a read-only database loses nothing
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                log.println("jtrace view: could not remove " + dir + ": " + e.getMessage());
            }
        }
    }
}
