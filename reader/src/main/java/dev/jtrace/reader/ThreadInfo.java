package dev.jtrace.reader;

/**
 * A thread of a generation, from the THREADS table or, for virtual threads on shared lanes, from
 * ThreadSwitch events.
 */
public record ThreadInfo(long id, String name, boolean virtual, boolean daemon) {}
