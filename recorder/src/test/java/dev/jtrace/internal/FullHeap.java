package dev.jtrace.internal;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Child process of {@link WriterFaultTest}: records while the heap is kept full for a few seconds. */
public final class FullHeap {
    static volatile List<byte[]> hog = new ArrayList<>(100_000);

    /** Keeps the heap full for three seconds: fill until OutOfMemoryError, hold a moment, free a little. */
    private static void fill() {
        long until = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < until) {
            try {
                List<byte[]> h = hog;
                while (System.nanoTime() < until) {
                    h.add(new byte[64 * 1024]);
                }
            } catch (Throwable e) {
                try {
                    Thread.sleep(5); // others hit the wall now
                    List<byte[]> h = hog;
                    for (int i = 0; i < 8 && !h.isEmpty(); i++) {
                        h.remove(h.size() - 1);
                    }
                } catch (Throwable again) {
                    // still full: go round
                }
            }
        }
        hog = null;
    }

    public static void main(String[] args) throws Exception {
        JTrace.start(TraceConfig.builder().file(Path.of(args[0])).generationPeriod(Duration.ofMillis(20))
                .bufferSize(8192).maxBufferedBytes(1 << 20).build());
        Session s = Session.active();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong returned = new AtomicLong();
        AtomicLong thrown = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                long n = 0;
                while (!stop.get()) {
                    try {
                        JTrace.counter("n", n++);
                        returned.incrementAndGet();
                    } catch (OutOfMemoryError e) {
                        thrown.incrementAndGet();
                    }
                }
            }));
        }
        Thread filler = Thread.ofPlatform().start(FullHeap::fill);
        while (filler.isAlive()) {
            try {
                filler.join();
            } catch (Throwable e) {
                // out of memory here too: wait on
            }
        }
        hog = null;
        System.gc();
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        JTrace.stop();
        System.out.println("result returned=" + returned.get() + " thrown=" + thrown.get() + " writerErrors="
                + s.writerErrors());
    }
}
