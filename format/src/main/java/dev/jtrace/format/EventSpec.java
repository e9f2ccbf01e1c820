package dev.jtrace.format;

import java.util.List;

/**
 * The schema of one event type as written into every generation's event-type table: a reader that does
 * not know the type still knows how many arguments to skip and what they mean.
 *
 * @param id the type byte (1..255); ids of 128 and above are experimental
 * @param name a stable name such as {@code RegionBegin}
 * @param args the arguments in wire order
 */
public record EventSpec(int id, String name, List<Arg> args) {

    /** One named argument. */
    public record Arg(String name, ArgKind kind) {}

    public EventSpec {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("event type id out of range: " + id);
        }
        args = List.copyOf(args);
    }

    /** Experimental events (Go's convention) may be dropped by tools that do not understand them. */
    public boolean experimental() {
        return id >= EventTypes.FIRST_EXPERIMENTAL;
    }

    /** Index of the argument called {@code argName}, or -1. */
    public int indexOf(String argName) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).name().equals(argName)) {
                return i;
            }
        }
        return -1;
    }
}
