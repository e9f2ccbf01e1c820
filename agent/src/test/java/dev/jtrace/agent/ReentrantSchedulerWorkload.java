package dev.jtrace.agent;

import dev.jtrace.JTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Scheduler events that happen inside the tracer: {@value #UNPARKS} log events whose message's
 * {@code toString()} unparks the thread {@code reent-target}, and {@value #SLEEPERS} virtual threads whose
 * log message's {@code toString()} sleeps 1 ms (the virtual thread unmounts while the recorder holds its
 * lane). Writes {@code escaped=N} (exceptions that reached the application) to {@code args[0]}.
 */
public final class ReentrantSchedulerWorkload {
    static final int UNPARKS = 300;
    static final int SLEEPERS = 50;

    private ReentrantSchedulerWorkload() {}

    public static void main(String[] args) throws Exception {
        Thread target = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(1_000_000);
            }
        }, "reent-target");
        target.setDaemon(true);
        target.start();
        Object unparker = new Object() {
            @Override
            public String toString() {
                LockSupport.unpark(target);
                return "unparked";
            }
        };
        int escaped = 0;
        for (int i = 0; i < UNPARKS; i++) {
            try {
                JTrace.log(null, "reent", unparker);
            } catch (RuntimeException e) {
                escaped++;
            }
        }
        Object sleeper = new Object() {
            @Override
            public String toString() {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "slept";
            }
        };
        int[] vtEscaped = new int[1];
        List<Thread> vts = new ArrayList<>();
        for (int i = 0; i < SLEEPERS; i++) {
            vts.add(Thread.ofVirtual().name("reent-vt-" + i).start(() -> {
                try {
                    JTrace.log(null, "reent", sleeper);
                } catch (RuntimeException e) {
                    synchronized (vtEscaped) {
                        vtEscaped[0]++;
                    }
                }
            }));
        }
        for (Thread t : vts) {
            t.join();
        }
        Files.writeString(Path.of(args[0]), "escaped=" + (escaped + vtEscaped[0]) + "\n");
    }
}
