package dev.jtrace.model;

import dev.jtrace.format.EventSpec;
import dev.jtrace.format.EventTypes;

/**
 * What an event is, keyed by its type id in the file's EVENT_TYPES table (the ids of {@link EventTypes}),
 * never by its name: a tool switches on this rather than on name strings, so a renamed or misspelt type in
 * a file cannot change what an event means. Ids this version does not know are {@link #OTHER}.
 */
public enum EventKind {
    THREAD_SWITCH(EventTypes.THREAD_SWITCH),
    TASK_BEGIN(EventTypes.TASK_BEGIN),
    TASK_END(EventTypes.TASK_END),
    REGION_BEGIN(EventTypes.REGION_BEGIN),
    REGION_END(EventTypes.REGION_END),
    LOG(EventTypes.LOG),
    COUNTER(EventTypes.COUNTER),
    THREAD_START(EventTypes.THREAD_START),
    THREAD_END(EventTypes.THREAD_END),
    PARK(EventTypes.PARK),
    MONITOR_BLOCKED(EventTypes.MONITOR_BLOCKED),
    SLEEP(EventTypes.SLEEP),
    VIRTUAL_THREAD_PINNED(EventTypes.VIRTUAL_THREAD_PINNED),
    GC_PAUSE(EventTypes.GC_PAUSE),
    GC_PHASE(EventTypes.GC_PHASE),
    HEAP_SUMMARY(EventTypes.HEAP_SUMMARY),
    ALLOC_SAMPLE(EventTypes.ALLOC_SAMPLE),
    CPU_SAMPLE(EventTypes.CPU_SAMPLE),
    PARK_BEGIN(EventTypes.PARK_BEGIN),
    WAIT_BEGIN(EventTypes.WAIT_BEGIN),
    SLEEP_BEGIN(EventTypes.SLEEP_BEGIN),
    BLOCK_END(EventTypes.BLOCK_END),
    UNPARK(EventTypes.UNPARK),
    NOTIFY(EventTypes.NOTIFY),
    YIELD(EventTypes.YIELD),
    VIRTUAL_THREAD_MOUNT(EventTypes.VIRTUAL_THREAD_MOUNT),
    VIRTUAL_THREAD_UNMOUNT(EventTypes.VIRTUAL_THREAD_UNMOUNT),
    VIRTUAL_THREAD_SUBMIT(EventTypes.VIRTUAL_THREAD_SUBMIT),
    SOCKET_READ(EventTypes.SOCKET_READ),
    SOCKET_WRITE(EventTypes.SOCKET_WRITE),
    FILE_READ(EventTypes.FILE_READ),
    FILE_WRITE(EventTypes.FILE_WRITE),
    ALLOC(EventTypes.ALLOC),
    FREE(EventTypes.FREE),
    /** A type id this version does not know (a newer minor version's, or an experiment's). */
    OTHER(-1);

    /** The type id in the format. */
    public final int typeId;

    private static final EventKind[] BY_ID = new EventKind[256];

    static {
        for (EventKind k : values()) {
            if (k.typeId >= 0) {
                BY_ID[k.typeId] = k;
            }
        }
    }

    EventKind(int typeId) {
        this.typeId = typeId;
    }

    /** The kind of type id {@code id}; {@link #OTHER} for an unknown one. */
    public static EventKind of(int id) {
        EventKind k = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        return k == null ? OTHER : k;
    }

    /** The kind of an event type from a file's table. */
    public static EventKind of(EventSpec spec) {
        return of(spec.id());
    }

    /** Span events of the agent reported with their true start and a duration (blocking). */
    public boolean isBlocking() {
        return this == PARK || this == MONITOR_BLOCKED || this == SLEEP || this == VIRTUAL_THREAD_PINNED || isIo();
    }

    /** Blocking socket or file I/O from JFR (types 37 to 40): spans with a true start, like the others. */
    public boolean isIo() {
        return this == SOCKET_READ || this == SOCKET_WRITE || this == FILE_READ || this == FILE_WRITE;
    }

    /**
     * The scheduler events of the agent's JDK hooks (types 27 to 36): written by the thread they are about,
     * at their true time (their subject is the writing thread; a wake-up's or a mount's argument names the
     * other thread).
     */
    public boolean isScheduler() {
        return typeId >= EventTypes.PARK_BEGIN && typeId <= EventTypes.VIRTUAL_THREAD_SUBMIT;
    }

    /** ParkBegin, WaitBegin, SleepBegin: open a blocked interval of the writing thread that BlockEnd closes. */
    public boolean isBlockBegin() {
        return this == PARK_BEGIN || this == WAIT_BEGIN || this == SLEEP_BEGIN;
    }

    /** Events that say nothing about a thread: the runtime's process-wide ones. */
    public boolean isProcessWide() {
        return this == GC_PAUSE || this == GC_PHASE || this == HEAP_SUMMARY;
    }

    /**
     * Events the thread itself emitted while executing (the application's calls): proof that the thread
     * ran at that instant. Runtime events are written by the agent's thread on behalf of others.
     */
    public boolean isOwnAction() {
        return this == TASK_BEGIN || this == TASK_END || this == REGION_BEGIN || this == REGION_END || this == LOG
                || this == COUNTER;
    }
}
