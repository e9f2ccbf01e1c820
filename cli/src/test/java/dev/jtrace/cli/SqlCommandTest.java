package dev.jtrace.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.model.HostileCorpus;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jtrace sql}: its formats, scripts, the prompt, several traces, and errors that say what is wrong. */
class SqlCommandTest {
    @TempDir
    Path dir;

    private static CliTest.Run run(String stdin, String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        if (stdin != null) {
            ((SqlCommand) cl.getSubcommands().get("sql").getCommand()).in =
                    new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        }
        int code = cl.execute(args);
        return new CliTest.Run(code, out.toString(), err.toString());
    }

    private Path corpus() throws Exception {
        return HostileCorpus.write(dir.resolve("hostile.jtrace"));
    }

    @Test
    void theThreeFormats() throws Exception {
        String f = corpus().toString();
        CliTest.Run table = run(null, "sql", f, "-q", "SELECT category, count(*) AS n FROM slice GROUP BY 1 ORDER BY 1");
        assertThat(table.code()).as(table.err()).isZero();
        // the corpus has 9 regions and 3 tasks (HostileCorpus.REGIONS, TASKS); numbers are right-aligned
        assertThat(table.out()).isEqualTo("""
                category  n
                --------  -
                region    9
                task      3
                (2 rows)
                """);
        CliTest.Run csv = run(null, "sql", f, "--format", "csv", "-q",
                "SELECT name, dur FROM slice WHERE name LIKE 'handle%' ORDER BY name");
        assertThat(csv.out()).isEqualTo("name,dur\r\nhandle,500000\r\nhandle-remote,500000\r\n");
        CliTest.Run json = run(null, "sql", f, "--format", "json", "-q",
                "SELECT 1 AS a, 'x\"y' AS b, NULL AS c, true AS d; SELECT count(*) AS n FROM thread WHERE is_virtual");
        assertThat(json.out()).isEqualTo("[\n{\"a\":1,\"b\":\"x\\\"y\",\"c\":null,\"d\":true}\n]\n[\n{\"n\":"
                + HostileCorpus.VIRTUAL_THREADS + "}\n]\n");
    }

    @Test
    void aScriptFileAndSeveralTraces() throws Exception {
        Path a = corpus();
        Path b = Files.copy(a, dir.resolve("copy.jtrace"));
        Path sql = Files.writeString(dir.resolve("q.sql"), """
                -- the same recording twice is one trace: same trace_id
                SELECT count(*) AS traces FROM trace;
                SELECT count(*) AS 'semi;colon' FROM slice;
                """);
        CliTest.Run r = run(null, "sql", a.toString(), b.toString(), "-f", sql.toString(), "--format", "csv");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("traces\r\n1\r\nsemi;colon\r\n" + (HostileCorpus.REGIONS + HostileCorpus.TASKS) + "\r\n");
    }

    @Test
    void thePromptRunsStatementsEndedBySemicolonAndDotCommands() throws Exception {
        String f = corpus().toString();
        CliTest.Run r = run(".tables\nSELECT count(*)\n  AS n FROM thread;\n.schema loss\nSELECT nope;\nSELECT 'after' AS x;\n.quit\nSELECT 'never';\n",
                "sql", f, "--format", "csv");
        assertThat(r.out()).contains("slice,").contains("thread_state,").contains("n\r\n" + HostileCorpus.THREADS + "\r\n")
                .contains("reason,VARCHAR").contains("x\r\nafter\r\n").doesNotContain("never");
        assertThat(r.err()).contains("jtrace sql: statement: ").contains("nope");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void errorsNameTheFileAndWhatIsWrong() throws Exception {
        Path f = corpus();
        CliTest.Run missing = run(null, "sql", dir.resolve("nope.jtrace").toString(), "-q", "SELECT 1");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.jtrace: no such file");
        Path junk = Files.writeString(dir.resolve("junk.jtrace"), "this is not a trace at all");
        CliTest.Run notTrace = run(null, "sql", junk.toString(), "-q", "SELECT 1");
        assertThat(notTrace.code()).isEqualTo(2);
        assertThat(notTrace.err()).contains("junk.jtrace");
        CliTest.Run badSql = run(null, "sql", f.toString(), "-q", "SELECT * FROM slices");
        assertThat(badSql.code()).isEqualTo(1);
        assertThat(badSql.err()).startsWith("jtrace sql: -q: ").contains("slices").contains("does not exist");
        Path sql = Files.writeString(dir.resolve("two.sql"), "SELECT 1;\nSELECT broken syntax here (;\n");
        CliTest.Run badFile = run(null, "sql", f.toString(), "-f", sql.toString());
        assertThat(badFile.code()).isEqualTo(1);
        assertThat(badFile.err()).contains("two.sql, statement 2: ").contains("syntax error");
        CliTest.Run noScript = run(null, "sql", f.toString(), "-f", dir.resolve("none.sql").toString());
        assertThat(noScript.code()).isEqualTo(2);
        assertThat(noScript.err()).contains("none.sql: no such file");
        // no trace: an empty database in memory, for read_parquet over a dataset
        CliTest.Run nothing = run(null, "sql", "--format", "csv", "-q", "SELECT count(*) AS n FROM slice");
        assertThat(nothing.code()).as(nothing.err()).isZero();
        assertThat(nothing.out()).isEqualTo("n\r\n0\r\n");
    }

    @Test
    void aDatabaseFileKeepsTheTraces() throws Exception {
        Path f = corpus();
        Path db = dir.resolve("t.duckdb");
        assertThat(run(null, "sql", f.toString(), "--db", db.toString(), "-q", "SELECT 1").code()).isZero();
        CliTest.Run r = run(null, "sql", "--db", db.toString(), "--format", "csv", "-q", "SELECT count(*) AS n FROM slice");
        assertThat(r.out()).isEqualTo("n\r\n" + (HostileCorpus.REGIONS + HostileCorpus.TASKS) + "\r\n");
    }

    @Test
    void exportParquetWritesTheDatasetThatSqlReadsBack() throws Exception {
        Path f = corpus();
        Path out = dir.resolve("ds");
        CliTest.Run r = run(null, "export", "--format", "parquet", f.toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("wrote .*hostile.jtrace as trace_id=t[0-9a-f]{11}: [\\d,]+ rows in 17 tables \\(12 slices\\)");
        // again: replaced, not doubled
        assertThat(run(null, "export", "--format", "parquet", f.toString(), "-o", out.toString()).code()).isZero();
        CliTest.Run q = run(null, "sql", "--db", dir.resolve("x.duckdb").toString(), "--format", "csv", "-q",
                "SELECT host, count(*) AS n FROM read_parquet('" + out + "/slice/**/*.parquet', hive_partitioning = true)"
                        + " GROUP BY host");
        assertThat(q.out()).as(q.err()).isEqualTo("host,n\r\nunknown,12\r\n");
        CliTest.Run two = run(null, "export", "--format", "chrome", f.toString(), f.toString(), "-o", "x.json");
        assertThat(two.code()).isEqualTo(2);
        assertThat(two.err()).contains("exports one FILE (2 given)");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        CliTest.Run onFile = run(null, "export", "--format", "parquet", f.toString(), "-o", file.toString());
        assertThat(onFile.code()).isEqualTo(2);
        assertThat(onFile.err()).contains("is a file; --format parquet writes a directory");
    }
}
