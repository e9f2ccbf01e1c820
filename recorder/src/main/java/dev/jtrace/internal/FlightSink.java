package dev.jtrace.internal;

import dev.jtrace.format.Format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A flight recorder's window: the last complete generations in memory. Generations older than needed to
 * cover {@code minAgeNanos} are dropped, and the oldest are dropped while the window exceeds
 * {@code maxBytes} (the byte bound wins over the age, as in Go's flight recorder). The newest complete
 * generation is always kept, even alone over the bound: it is what a snapshot is taken for.
 */
public final class FlightSink implements Sink {
    private record Sealed(long gen, long startNanos, long endNanos, byte[] bytes) {}

    private final long minAgeNanos;
    private final long maxBytes;
    private byte[] header;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream(1 << 16);
    private final ArrayDeque<Sealed> window = new ArrayDeque<>();
    private long windowBytes;
    private long droppedGenerations;

    /** A window covering at least {@code minAgeNanos}, never larger than {@code maxBytes}. */
    public FlightSink(long minAgeNanos, long maxBytes) {
        this.minAgeNanos = minAgeNanos;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized void open(byte[] fileHeader) {
        this.header = fileHeader.clone();
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
        current.write(bytes, off, len);
    }

    @Override
    public synchronized void generationComplete(long gen, long startNanos, long endNanos) {
        byte[] g = current.toByteArray();
        current.reset();
        window.addLast(new Sealed(gen, startNanos, endNanos, g));
        windowBytes += g.length;
        while (window.size() > 1 && windowBytes > maxBytes) {
            drop();
        }
        long horizon = endNanos - minAgeNanos;
        while (window.size() > 1 && second().startNanos() <= horizon) {
            drop();
        }
    }

    private Sealed second() {
        var it = window.iterator();
        it.next();
        return it.next();
    }

    private void drop() {
        Sealed s = window.removeFirst();
        windowBytes -= s.bytes().length;
        droppedGenerations++;
    }

    /** Writes a complete trace file of the window to {@code out}; returns the bytes written. */
    public synchronized long writeWindow(OutputStream out) throws IOException {
        out.write(header);
        long n = header.length;
        for (Sealed s : window) {
            out.write(s.bytes());
            n += s.bytes().length;
        }
        // A snapshot is a finished file: without TRACE_END a reader would call it cut off after its last generation
        RecordEncoder end = new RecordEncoder();
        end.uvarint(window.isEmpty() ? 0 : window.peekLast().gen()).uvarint(Format.END_STOPPED).uvarint(0).uvarint(0);
        byte[] rec = end.toRecord(Format.REC_TRACE_END);
        out.write(rec);
        return n + rec.length;
    }

    /** Bytes of complete generations held. */
    public synchronized long windowBytes() {
        return windowBytes;
    }

    /** Bytes of the newest complete generation (0 if none). */
    public synchronized long newestBytes() {
        return window.isEmpty() ? 0 : window.peekLast().bytes().length;
    }

    /** Generation numbers held, oldest first. */
    public synchronized List<Long> generations() {
        List<Long> l = new ArrayList<>();
        for (Sealed s : window) {
            l.add(s.gen());
        }
        return l;
    }

    /** Generations dropped from the window so far. */
    public synchronized long droppedGenerations() {
        return droppedGenerations;
    }

    /** A half-written generation is forgotten: the window holds complete generations only. */
    @Override
    public synchronized void rollback() {
        current.reset();
    }

    @Override
    public synchronized void close() {
        current.reset();
    }

    @Override
    public String describe() {
        return "flight recorder";
    }

    /** Keeps nothing: every snapshot ends with its own TRACE_END (see {@link #writeWindow}). */
    @Override
    public void end(byte[] record) {}
}
