package dev.jtrace.model;

import dev.jtrace.reader.ReadReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The summary {@code jtrace stats} prints: the {@link TraceModel}'s {@link TraceSummary} of one streaming
 * pass, with the counters under the names the stats output has always used. Semantic problems (region end
 * without begin, free without alloc, ...) are counted, never fatal.
 */
public final class TraceStats {
    public final TraceSummary summary;
    public final long generations;
    public final long events;
    public final Map<String, Long> eventsByType;
    public final long tasks;
    public final long regions;
    public final long skippedReentrant;
    public final long lostEvents;
    public final Map<String, Long> lossByReason;
    public final long regionEndWithoutBegin;
    public final long regionBeginWithoutEnd;
    public final long taskEndWithoutBegin;
    public final long taskBeginWithoutEnd;
    public final long freeWithoutAlloc;
    public final long allocWithoutFree;
    public final ReadReport report;

    private TraceStats(TraceSummary s) {
        summary = s;
        generations = s.generations();
        events = s.events();
        eventsByType = s.eventsByType();
        tasks = s.tasks();
        regions = s.regions();
        skippedReentrant = s.skippedReentrant();
        lostEvents = s.lostEvents();
        lossByReason = s.lossByReason();
        regionEndWithoutBegin = s.regionBeginMissing();
        regionBeginWithoutEnd = s.regionEndMissing();
        taskEndWithoutBegin = s.taskBeginMissing();
        taskBeginWithoutEnd = s.taskEndMissing();
        freeWithoutAlloc = s.freeWithoutAlloc();
        allocWithoutFree = s.allocWithoutFree();
        report = s.report();
    }

    /** Reads {@code file} completely; {@code progress} (may be null) receives the bytes read so far. */
    public static TraceStats of(Path file, LongConsumer progress) throws IOException {
        return new TraceStats(TraceModel.counting().readAll(file, progress).summary());
    }

    /** The stats of a model already complete. */
    public static TraceStats of(TraceModel model) {
        return new TraceStats(model.summary());
    }

    /** The trace's duration: first GEN_BEGIN to last GEN_END. */
    public long durationNanos() {
        return summary.durationNanos();
    }

    /** The event clock in words: "nanoTime", "CPU time-stamp counter, 2.583 GHz", or "unknown". */
    public String clockDescription() {
        return summary.clockDescription();
    }

    /** Threads with at least one event about them. */
    public long threads() {
        return summary.threads();
    }

    public long platformThreads() {
        return summary.platformThreads();
    }

    public long virtualThreads() {
        return summary.virtualThreads();
    }

    /** The semantic findings as warning lines (counted, never fatal). */
    public List<String> semanticWarnings() {
        return summary.semanticWarnings();
    }
}
