package dev.jtrace;

import dev.jtrace.internal.FlightSink;
import dev.jtrace.internal.OutputFiles;
import dev.jtrace.internal.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Keeps the last generations of the trace in memory and writes them to a file on demand, e.g. when a
 * request was slow (Go's {@code trace.FlightRecorder}). The window covers at least {@code minAge} and holds
 * at most {@code maxBytes} of complete generations besides the newest one, which is always kept
 * ({@code maxBytes} wins over {@code minAge}). Started alone, it cuts generations at a quarter of
 * {@code maxBytes} (and uses buffers of at most a sixteenth of it). It runs alone or next to a file recording, sharing its generations.
 */
public final class FlightRecorder {
    private final Duration minAge;
    private final long maxBytes;
    private final TraceConfig config;
    private FlightSink sink;

    /** A flight recorder with the default recording settings. */
    public FlightRecorder(Duration minAge, long maxBytes) {
        this(TraceConfig.builder().build(), minAge, maxBytes);
    }

    /**
     * A flight recorder; {@code config} applies when it starts the session itself (its file is ignored).
     * Generations should be shorter than {@code minAge} for the window to be useful.
     */
    public FlightRecorder(TraceConfig config, Duration minAge, long maxBytes) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("flight recorder maxBytes must be at least 1k: " + maxBytes);
        }
        this.config = config;
        this.minAge = minAge;
        this.maxBytes = maxBytes;
    }

    /** Starts keeping the window. */
    public void start() throws IOException {
        JTrace.control(() -> {
            startLocked();
            return null;
        });
    }

    private synchronized void startLocked() throws IOException {
        if (sink != null) {
            throw new IllegalStateException("flight recorder already started");
        }
        FlightSink s = new FlightSink(minAge.toNanos(), maxBytes);
        synchronized (JTrace.class) {
            Session active = Session.active();
            if (active != null) {
                active.attach(s);
            } else {
                // Generations well under maxBytes, so that the window holds several of them.
                long genBytes = Math.min(config.generationMaxBytes(), Math.max(1024, maxBytes / 4));
                int buffer = (int) Math.min(config.bufferSize(), Math.max(TraceConfig.MIN_BUFFER_SIZE, maxBytes / 16));
                Session.start(config.toBuilder().file(null).generationMaxBytes(genBytes).bufferSize(buffer).build(), s);
            }
        }
        sink = s;
    }

    /**
     * Completes the current generation and writes the window as a complete trace file, atomically: into a
     * temporary file in the same directory, renamed over {@code file} when complete. A crash or an error
     * mid-write leaves the previous {@code file} as it was, never a partial file under its name; a symbolic
     * link at {@code file} is replaced, never written through.
     *
     * @return the number of bytes written
     */
    public long writeTo(Path file) throws IOException {
        return JTrace.control(() -> writeToLocked(file));
    }

    private synchronized long writeToLocked(Path file) throws IOException {
        FlightSink s = requireStarted();
        Session active = Session.active();
        if (active != null && active.has(s)) {
            active.advanceNow();
        }
        try {
            return OutputFiles.writeAtomically(file, s::writeWindow);
        } catch (IOException e) {
            throw new IOException("jtrace: cannot write flight recording to " + file + ": " + e, e);
        }
    }

    /** Stops keeping the window (and the session, if nothing else records). The window is discarded. */
    public void stop() throws IOException {
        JTrace.control(() -> {
            stopLocked();
            return null;
        });
    }

    private synchronized void stopLocked() throws IOException {
        FlightSink s = sink;
        if (s == null) {
            return;
        }
        sink = null;
        synchronized (JTrace.class) {
            Session active = Session.active();
            if (active != null) {
                active.detach(s);
            }
        }
    }

    /** Bytes of complete generations in the window. */
    public synchronized long windowBytes() {
        return requireStarted().windowBytes();
    }

    /** Bytes of the newest complete generation in the window. */
    public synchronized long newestGenerationBytes() {
        return requireStarted().newestBytes();
    }

    /** Generation numbers in the window, oldest first. */
    public synchronized List<Long> windowGenerations() {
        return requireStarted().generations();
    }

    private FlightSink requireStarted() {
        if (sink == null) {
            throw new IllegalStateException("flight recorder not started");
        }
        return sink;
    }
}
