package dev.jtrace.model;

import dev.jtrace.reader.LongMap;

/**
 * The live heap of the alloc/free experiment (Alloc and Free events by object id; the recorder's own
 * buffers, type "jtrace.Buffer", apart) and the runtime's last HeapSummary. Memory: live objects only.
 */
public final class HeapModel {
    /** The Alloc type of the recorder's own buffers. */
    public static final String RECORDER_BUFFER = "jtrace.Buffer";

    private final LongMap live = new LongMap();
    private final LongMap liveBuffers = new LongMap();
    private long liveBytes;
    private long liveBufferBytes;
    private long freeWithoutAlloc;
    private long lastUsed = -1;
    private long lastCommitted = -1;

    HeapModel() {}

    /** Returns true when the live heap changed. */
    boolean alloc(long id, String type, long size) {
        if (RECORDER_BUFFER.equals(type)) {
            liveBufferBytes += size - liveBuffers.put(id, size, 0);
        } else {
            liveBytes += size - live.put(id, size, 0);
        }
        return true;
    }

    boolean free(long id) {
        if (live.containsKey(id)) {
            liveBytes -= live.remove(id, 0);
            return true;
        }
        if (liveBuffers.containsKey(id)) {
            liveBufferBytes -= liveBuffers.remove(id, 0);
            return true;
        }
        freeWithoutAlloc++;
        return false;
    }

    void summary(long used, long committed) {
        lastUsed = used;
        lastCommitted = committed;
    }

    /** Bytes of the application's live objects. */
    public long liveBytes() {
        return liveBytes;
    }

    /** Bytes of the recorder's live buffers. */
    public long liveBufferBytes() {
        return liveBufferBytes;
    }

    /**
     * Application objects allocated and not freed so far (the recorder's buffers, live until it stops, are
     * not a finding).
     */
    public long allocWithoutFree() {
        return live.size();
    }

    /** Free events whose id was not live. */
    public long freeWithoutAlloc() {
        return freeWithoutAlloc;
    }

    /** The last HeapSummary's used bytes, or -1. */
    public long lastUsed() {
        return lastUsed;
    }

    /** The last HeapSummary's committed bytes, or -1. */
    public long lastCommitted() {
        return lastCommitted;
    }
}
