package dev.jtrace.cli;

import dev.jtrace.reader.TraceFormatException;
import dev.jtrace.sql.ResultWriter;
import dev.jtrace.sql.TraceDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrace sql}: SQL over one or more traces, in DuckDB embedded. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {
            "Loads traces into an embedded DuckDB database, one streaming pass each, and runs SQL",
            "over them: the query of -q, the statements of -f, or an interactive prompt (statements",
            "end with ';'; .tables lists the tables, .schema TABLE its columns, .quit ends).",
            "",
            "Tables (named after Perfetto's trace processor where they mean the same; every one has",
            "trace_id): trace, slice, thread, thread_state, blocking, flow, carrier_run, counter, log,",
            "instant, gc, alloc, cpu_sample, args, stack_frame, stack, loss. Times are ns of the",
            "trace clock. See docs/sql.md for every column and worked queries.",
            "",
            "e.g.  jtrace sql app.jtrace -q \"SELECT name, count(*), quantile_disc(dur, 0.99) AS p99",
            "          FROM slice WHERE category = 'region' GROUP BY name ORDER BY p99 DESC\"",
            "",
            "Exit status: 0 when every statement ran; 1 when a statement failed; 2 when a trace,",
            "the SQL file or the database cannot be read."
        })
public final class SqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = {"-q", "--query"}, paramLabel = "SQL", description = "Statements to run (separated by ';').")
        String query;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE.sql", description = "A file of statements to run.")
        Path script;
    }

    @ArgGroup(exclusive = true)
    Source source;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Result format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ResultWriter.Format format;

    @Option(names = "--db", paramLabel = "FILE",
            description = "A DuckDB database file to load into and query (kept; loading a trace again replaces"
                    + " it); default: in memory. With no trace given, queries what the file holds, or (in memory)"
                    + " a Parquet dataset through read_parquet.")
    Path db;

    @Option(names = "--progress", description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "The trace files.")
    List<Path> files = new ArrayList<>();

    /** Where the interactive prompt reads (tests replace it). */
    InputStream in = System.in;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String script = null;
        String origin = "-q";
        if (source != null && source.script != null) {
            origin = source.script.toString();
            try {
                script = Files.readString(source.script, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("jtrace sql: " + source.script + ": no such file");
                return 2;
            } catch (IOException e) {
                err.println("jtrace sql: cannot read " + source.script + ": " + e.getMessage());
                return 2;
            }
        } else if (source != null) {
            script = source.query;
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                err.println("jtrace sql: " + f + ": " + (Files.exists(f) ? "not a regular file" : "no such file"));
                return 2;
            }
        }
        TraceDatabase database;
        try {
            database = TraceDatabase.open(db);
        } catch (SQLException e) {
            err.println("jtrace sql: cannot open the database " + db + ": " + e.getMessage());
            return 2;
        }
        try (database) {
            long total = 0;
            for (Path f : files) {
                total += AnalyzeCommand.size(f);
            }
            String what = files.size() == 1 ? "loading " + files.get(0).getFileName() : "loading " + files.size() + " traces";
            try (Progress p = new Progress(what, total, progress)) {
                long done = 0;
                for (Path f : files) {
                    long base = done;
                    try {
                        database.load(f, b -> p.accept(base + b));
                    } catch (TraceFormatException e) {
                        err.println("jtrace sql: " + f + ": " + e.getMessage());
                        return 2;
                    } catch (IOException e) {
                        err.println("jtrace sql: cannot read " + f + ": " + e.getMessage());
                        return 2;
                    } catch (SQLException e) {
                        err.println("jtrace sql: loading " + f + " into the database failed: " + e.getMessage());
                        return 2;
                    }
                    done += AnalyzeCommand.size(f);
                }
            }
            if (script != null) {
                List<String> statements = ResultWriter.statements(script);
                if (statements.isEmpty()) {
                    err.println("jtrace sql: " + (origin.equals("-q") ? "the query is empty" : origin + " holds no statement"));
                    return 1;
                }
                for (int i = 0; i < statements.size(); i++) {
                    if (!run(database, statements.get(i), out, err,
                            origin + (statements.size() > 1 ? ", statement " + (i + 1) : ""))) {
                        return 1;
                    }
                }
                return 0;
            }
            return interactive(database, out, err);
        } catch (SQLException e) {
            err.println("jtrace sql: " + e.getMessage());
            return 2;
        }
    }

    /** Runs one statement and prints its rows; false (after saying why, naming {@code where}) if it failed. */
    private boolean run(TraceDatabase database, String sql, PrintWriter out, PrintWriter err, String where) {
        try (Statement st = database.connection().createStatement()) {
            if (st.execute(sql)) {
                try (ResultSet rs = st.getResultSet()) {
                    ResultWriter.write(rs, format, out);
                }
            }
            out.flush();
            return true;
        } catch (SQLException e) {
            out.flush();
            err.println("jtrace sql: " + where + ": " + firstLine(e.getMessage()));
            err.flush();
            return false;
        }
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "failed";
        }
        // DuckDB's messages: "Catalog Error: Table with name x does not exist!\nDid you mean ..." — keep the hint
        return m.strip().replace("\n\n", "\n");
    }

    private int interactive(TraceDatabase database, PrintWriter out, PrintWriter err) throws SQLException {
        boolean tty = System.console() != null && in == System.in;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        if (tty) {
            out.println("jtrace sql: statements end with ';'; .tables, .schema TABLE, .quit");
        }
        StringBuilder pending = new StringBuilder();
        int failed = 0;
        try {
            while (true) {
                if (tty) {
                    out.print(pending.isEmpty() ? "sql> " : "...> ");
                    out.flush();
                }
                String line = r.readLine();
                if (line == null) {
                    break;
                }
                String t = line.strip();
                if (pending.isEmpty() && t.startsWith(".")) {
                    if (t.equals(".quit") || t.equals(".exit")) {
                        break;
                    }
                    dot(database, t, out, err);
                    continue;
                }
                pending.append(line).append('\n');
                if (t.endsWith(";")) {
                    // a ';' inside a string literal spanning lines does not end it: the splitter decides
                    List<String> st = ResultWriter.statements(pending.toString());
                    String rest = pending.toString().strip();
                    if (rest.endsWith(";") && complete(rest)) {
                        for (String s : st) {
                            if (!run(database, s, out, err, "statement")) {
                                failed++;
                            }
                        }
                        pending.setLength(0);
                    }
                }
            }
        } catch (IOException e) {
            err.println("jtrace sql: reading the input: " + e.getMessage());
            return 2;
        }
        for (String s : ResultWriter.statements(pending.toString())) {
            if (!run(database, s, out, err, "statement")) {
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** Whether the last ';' of {@code s} is outside quotes (the splitter's view: its text ends there). */
    private static boolean complete(String s) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            }
        }
        return !single && !dbl;
    }

    private void dot(TraceDatabase database, String cmd, PrintWriter out, PrintWriter err) {
        String[] w = cmd.split("\\s+");
        switch (w[0]) {
            case ".tables" -> run(database, "SELECT table_name AS \"table\", estimated_size AS rows FROM duckdb_tables()"
                    + " ORDER BY table_name", out, err, ".tables");
            case ".schema" -> {
                if (w.length < 2 || !w[1].matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    err.println("jtrace sql: .schema needs a table name, e.g. .schema slice");
                } else {
                    run(database, "SELECT column_name AS \"column\", data_type AS type FROM information_schema.columns"
                            + " WHERE table_name = '" + w[1] + "' ORDER BY ordinal_position", out, err, ".schema");
                }
            }
            case ".help" -> out.println(".tables  .schema TABLE  .quit; anything else is SQL, ended by ';'");
            default -> err.println("jtrace sql: unknown command " + w[0] + " (.tables, .schema TABLE, .quit)");
        }
        out.flush();
    }
}
