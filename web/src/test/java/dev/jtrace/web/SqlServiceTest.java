package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL page's service: loaded on first use, bounded answers, cancelled long queries, nothing written. */
class SqlServiceTest {
    @TempDir
    static Path dir;
    static TestTraces.Viewer trace;
    static SqlService sql;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void load() throws Exception {
        trace = TestTraces.viewer(dir);
        sql = new SqlService(trace.file(), Files.size(trace.file()), System.err, 2);
        assertThatThrownBy(() -> sql.query("SELECT 1")).isInstanceOf(SqlService.Busy.class)
                .hasMessageContaining("still being loaded");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!JSON.readTree(sql.status()).get("state").asText().equals("ready")) {
            assertThat(JSON.readTree(sql.status()).get("state").asText()).isNotEqualTo("failed");
            assertThat(System.nanoTime()).as("loaded within a minute").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void close() {
        sql.close();
    }

    @Test
    void answersCarryAtMostMaxRowsAndCountTheRest() throws Exception {
        JsonNode r = JSON.readTree(sql.query("SELECT i FROM range(5000) t(i)"));
        assertThat(r.get("rowCount").asLong()).isEqualTo(5000);
        assertThat(r.get("rows")).hasSize(SqlService.MAX_ROWS);
        assertThat(r.get("truncated").asInt()).isEqualTo(1);
        assertThat(r.get("rows").get(999).get(0).asLong()).isEqualTo(999);
        JsonNode threads = JSON.readTree(sql.query("SELECT count(*) AS n, count(DISTINCT utid) AS u FROM thread"));
        assertThat(threads.get("columns").get(0).get("name").asText()).isEqualTo("n");
        assertThat(threads.get("rows").get(0).get(0).asLong()).isPositive();
    }

    @Test
    void aLongQueryIsCancelledAtItsTimeout() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> sql.query("SELECT sum(hash(i)) FROM range(100000000000) t(i)"))
                .isInstanceOf(SqlService.BadQuery.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void theDatabaseIsReadOnlyAndReachesNoFile() throws Exception {
        assertThatThrownBy(() -> sql.query("DROP TABLE slice")).isInstanceOf(SqlService.BadQuery.class)
                .hasMessageContaining("read-only");
        Path leak = dir.resolve("leak.csv");
        assertThatThrownBy(() -> sql.query("COPY (SELECT 1) TO '" + leak + "'")).isInstanceOf(SqlService.BadQuery.class);
        assertThat(leak).doesNotExist();
        Files.writeString(dir.resolve("secret.csv"), "a\n1\n");
        assertThatThrownBy(() -> sql.query("SELECT * FROM read_csv('" + dir.resolve("secret.csv") + "')"))
                .isInstanceOf(SqlService.BadQuery.class);
        assertThatThrownBy(() -> sql.query("SET enable_external_access = true"))
                .isInstanceOf(SqlService.BadQuery.class);
        assertThat(JSON.readTree(sql.query("SELECT count(*) FROM slice")).get("rows").get(0).get(0).asLong()).isPositive();
    }
}
