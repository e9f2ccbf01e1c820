package example.allocfree;

/**
 * The class chosen for the alloc/free experiment in AllocFreeIT. One constructor delegates with
 * {@code this(...)}, so an object built with it passes two constructors and must still be one Alloc;
 * {@link Sub} passes through Tracked's constructor and must not be counted as a Tracked.
 */
public class Tracked {
    private final int index;
    private final long payload;

    public Tracked(int index) {
        this.index = index;
        this.payload = index * 31L;
    }

    public Tracked() {
        this(-1);
    }

    public int index() {
        return index;
    }

    public long payload() {
        return payload;
    }

    /** A subclass: not chosen, so not recorded, although it runs Tracked's constructor. */
    public static final class Sub extends Tracked {
        public Sub() {
            super(-2);
        }
    }
}
