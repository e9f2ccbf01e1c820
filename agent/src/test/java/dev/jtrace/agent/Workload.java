package dev.jtrace.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** The child JVM's program in {@link AgentIT}: parks, sleeps, contends on a monitor, allocates, collects. */
public final class Workload {
    static final Object LOCK = new Object();
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        Thread parker = Thread.ofPlatform().name("wl-park").start(() -> {
            for (int i = 0; i < 5; i++) {
                LockSupport.parkNanos(20_000_000);
            }
        });
        Thread sleeper = Thread.ofPlatform().name("wl-sleep").start(() -> {
            for (int i = 0; i < 5; i++) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Thread holder = Thread.ofPlatform().name("wl-lock-holder").start(() -> {
            for (int i = 0; i < 5; i++) {
                synchronized (LOCK) {
                    spin(20_000_000);
                }
                spin(1_000_000);
            }
        });
        Thread waiter = Thread.ofPlatform().name("wl-lock-waiter").start(() -> {
            spin(2_000_000);
            for (int i = 0; i < 5; i++) {
                synchronized (LOCK) {
                    spin(1_000_000);
                }
            }
        });
        Thread allocator = Thread.ofPlatform().name("wl-alloc").start(() -> {
            for (int round = 0; round < 20; round++) {
                List<byte[]> l = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    l.add(new byte[1024]);
                }
                sink = l;
            }
            System.gc();
        });
        for (Thread t : new Thread[] {parker, sleeper, holder, waiter, allocator}) {
            t.join();
        }
        spin(300_000_000); // CPU samples
    }

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            x++;
        }
        sink = x;
    }
}
