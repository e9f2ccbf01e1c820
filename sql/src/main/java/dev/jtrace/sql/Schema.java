package dev.jtrace.sql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables of a {@link TraceDatabase}, named and shaped after Perfetto's trace processor where they mean
 * the same (slice, thread, thread_state, flow, counter, args, stack_frame), so that a Perfetto user's queries
 * carry over. Every table begins with {@code trace_id}: one database (or one Parquet dataset) holds many
 * traces. Times are nanoseconds of the trace clock, as in the model; docs/sql.md describes every column.
 */
public final class Schema {
    private Schema() {}

    /** Column definitions per table, in the order the loader appends them. */
    static final Map<String, String> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("trace", "trace_id VARCHAR, file VARCHAR, host VARCHAR, pid BIGINT, jvm VARCHAR,"
                + " start_wall TIMESTAMP, start_wall_ns BIGINT, start_ts BIGINT, end_ts BIGINT, dur BIGINT,"
                + " clock VARCHAR, format_version VARCHAR, jtrace_version VARCHAR, generations BIGINT,"
                + " events BIGINT, bytes BIGINT, threads BIGINT, regions BIGINT, tasks BIGINT, gc_pause_ns BIGINT,"
                + " lost_events BIGINT, cut_off BOOLEAN");
        TABLES.put("slice", "trace_id VARCHAR, id BIGINT, ts BIGINT, dur BIGINT, name VARCHAR,"
                + " category VARCHAR, depth BIGINT, parent_id BIGINT, utid BIGINT, end_utid BIGINT, task_id BIGINT,"
                + " track VARCHAR, begin_missing BOOLEAN, end_missing BOOLEAN, stack_id BIGINT, arg_set_id BIGINT");
        TABLES.put("thread", "trace_id VARCHAR, utid BIGINT, tid BIGINT, name VARCHAR,"
                + " recorded_name VARCHAR, is_virtual BOOLEAN, carrier_utid BIGINT, start_ts BIGINT, end_ts BIGINT,"
                + " lifetime BIGINT, running_ns BIGINT, runnable_ns BIGINT, parked_ns BIGINT, blocked_ns BIGINT,"
                + " waiting_ns BIGINT, sleeping_ns BIGINT, io_ns BIGINT, gc_ns BIGINT, unknown_ns BIGINT,"
                + " cpu_samples BIGINT, alloc_samples BIGINT");
        TABLES.put("thread_state", "trace_id VARCHAR, utid BIGINT, ts BIGINT, dur BIGINT, state VARCHAR,"
                + " blocker VARCHAR, call_site VARCHAR, blocking_kind VARCHAR, waker_utid BIGINT, wake_kind VARCHAR");
        TABLES.put("blocking", "trace_id VARCHAR, ts BIGINT, dur BIGINT, utid BIGINT, kind VARCHAR,"
                + " name VARCHAR, state VARCHAR, detail VARCHAR, call_site VARCHAR, idle BOOLEAN, scheduler BOOLEAN,"
                + " stack_id BIGINT");
        TABLES.put("flow", "trace_id VARCHAR, kind VARCHAR, slice_out BIGINT, slice_in BIGINT,"
                + " utid_out BIGINT, utid_in BIGINT, ts_out BIGINT, ts_in BIGINT, latency BIGINT, permit BOOLEAN,"
                + " block_start BIGINT");
        TABLES.put("carrier_run", "trace_id VARCHAR, carrier_utid BIGINT, utid BIGINT, ts BIGINT,"
                + " dur BIGINT, end_missing BOOLEAN");
        TABLES.put("counter", "trace_id VARCHAR, ts BIGINT, name VARCHAR, value BIGINT, unit VARCHAR");
        TABLES.put("log", "trace_id VARCHAR, ts BIGINT, utid BIGINT, category VARCHAR, message VARCHAR,"
                + " task_id BIGINT, stack_id BIGINT");
        TABLES.put("instant", "trace_id VARCHAR, ts BIGINT, utid BIGINT, name VARCHAR, category VARCHAR");
        TABLES.put("gc", "trace_id VARCHAR, gc_id BIGINT, kind VARCHAR, ts BIGINT, dur BIGINT,"
                + " name VARCHAR, collector VARCHAR, cause VARCHAR, pauses BIGINT, pause_ns BIGINT");
        TABLES.put("alloc", "trace_id VARCHAR, ts BIGINT, utid BIGINT, kind VARCHAR, class_name VARCHAR,"
                + " bytes BIGINT, object_id BIGINT, stack_id BIGINT");
        TABLES.put("cpu_sample", "trace_id VARCHAR, ts BIGINT, utid BIGINT, stack_id BIGINT");
        TABLES.put("args", "trace_id VARCHAR, arg_set_id BIGINT, flat_key VARCHAR, key VARCHAR,"
                + " int_value BIGINT, string_value VARCHAR, value_type VARCHAR");
        TABLES.put("stack_frame", "trace_id VARCHAR, id BIGINT, name VARCHAR, class_name VARCHAR,"
                + " method_name VARCHAR, file_name VARCHAR, line BIGINT");
        TABLES.put("stack", "trace_id VARCHAR, stack_id BIGINT, depth BIGINT, frame_id BIGINT");
        TABLES.put("loss", "trace_id VARCHAR, source VARCHAR, reason VARCHAR, count BIGINT, unit VARCHAR,"
                + " bytes BIGINT,"
                + " generation BIGINT, file_offset BIGINT");
    }

    /** The table names, in a fixed order (the order of docs/sql.md). */
    public static List<String> tables() {
        return List.copyOf(TABLES.keySet());
    }

    /** {@code CREATE TABLE IF NOT EXISTS} for {@code table}. */
    static String create(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (" + TABLES.get(table) + ")";
    }
}
