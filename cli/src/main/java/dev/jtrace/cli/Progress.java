package dev.jtrace.cli;

import java.io.PrintStream;
import java.util.function.LongConsumer;

/**
 * A progress line on stderr for long work over a file: shown when stderr is a terminal or when asked
 * for, at most ten times a second.
 */
final class Progress implements LongConsumer, AutoCloseable {
    private final String what;
    private final long total;
    private final boolean on;
    private final PrintStream err = System.err;
    private long lastPrint;
    private boolean printed;

    Progress(String what, long total, boolean forced) {
        this.what = what;
        this.total = Math.max(1, total);
        this.on = forced || System.console() != null;
    }

    @Override
    public void accept(long done) {
        long now = System.nanoTime();
        if (!on || now - lastPrint < 100_000_000L) {
            return;
        }
        lastPrint = now;
        printed = true;
        int pct = (int) Math.min(100, done * 100 / total);
        int bar = pct / 4;
        err.printf("\r%s [%s%s] %3d%% (%,d of %,d bytes)", what, "#".repeat(bar), " ".repeat(25 - bar), pct, done, total);
        err.flush();
    }

    @Override
    public void close() {
        if (printed) {
            err.print("\r" + " ".repeat(90) + "\r");
            err.flush();
        }
    }
}
