package dev.jtrace.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Known scheduler work, with its own tally written to {@code args[0]} as {@code key=value} lines, so that
 * the test compares the trace with what really happened (a park loop may park more often than it is
 * unparked: a permit can end a park early):
 *
 * <ul>
 *   <li>{@code sched-ping} and {@code sched-pong} hand a turn to each other {@value #ROUNDS} times with
 *       park/unpark;
 *   <li>{@code sched-waiter-*} and {@code sched-notifier} hand a turn with Object.wait and notify /
 *       notifyAll {@value #WAIT_ROUNDS} times;
 *   <li>{@value #VTHREADS} virtual threads named {@code sched-vt-N} sleep 1 ms {@value #VT_SLEEPS} times each;
 *   <li>{@code sched-rows-*}: four threads contend for one "row lock" that is held with Object.wait, in
 *       {@link RowLocks#waitForRow}, as H2's row locks are;
 *   <li>{@code sched-io} reads {@value #IO_BYTES} bytes from a loopback socket whose peer answers after
 *       30 ms.
 * </ul>
 */
public final class SchedulerWorkload {
    static final int ROUNDS = 2000;
    static final int WAIT_ROUNDS = 1000;
    static final int VTHREADS = 200;
    static final int VT_SLEEPS = 5;
    static final int IO_BYTES = 1234;

    private static volatile int turn;
    private static final AtomicLong parks = new AtomicLong();
    private static final AtomicLong unparks = new AtomicLong();
    private static final AtomicLong waits = new AtomicLong();
    private static final AtomicLong notifies = new AtomicLong();
    private static final AtomicLong notifyAlls = new AtomicLong();
    private static final AtomicLong rowWaits = new AtomicLong();

    private SchedulerWorkload() {}

    public static void main(String[] args) throws Exception {
        pingPong();
        waitNotify();
        virtualThreads();
        rowLocks();
        socketRead();
        Files.writeString(Path.of(args[0]), "parks=" + parks + "\nunparks=" + unparks + "\nwaits=" + waits
                + "\nnotifies=" + notifies + "\nnotifyAlls=" + notifyAlls + "\nrowWaits=" + rowWaits
                + "\nsleeps=" + (VTHREADS * VT_SLEEPS) + "\n");
    }

    private static void pingPong() throws InterruptedException {
        Thread[] t = new Thread[2];
        for (int side = 0; side < 2; side++) {
            int me = side;
            t[side] = new Thread(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    while (turn != me) {
                        parks.incrementAndGet();
                        LockSupport.park(SchedulerWorkload.class);
                    }
                    turn = 1 - me;
                    unparks.incrementAndGet();
                    LockSupport.unpark(t[1 - me]);
                }
            }, me == 0 ? "sched-ping" : "sched-pong");
        }
        t[0].start();
        t[1].start();
        t[0].join();
        t[1].join();
    }

    private static void waitNotify() throws InterruptedException {
        Object lock = new Object();
        int[] state = {0};
        Thread notifier = new Thread(() -> {
            for (int i = 0; i < WAIT_ROUNDS; i++) {
                synchronized (lock) {
                    while (state[0] != 0) {
                        waits.incrementAndGet();
                        waitQuietly(lock);
                    }
                    state[0] = 1;
                    if (i % 2 == 0) {
                        notifies.incrementAndGet();
                        lock.notify();
                    } else {
                        notifyAlls.incrementAndGet();
                        lock.notifyAll();
                    }
                }
            }
        }, "sched-notifier");
        Thread waiter = new Thread(() -> {
            for (int i = 0; i < WAIT_ROUNDS; i++) {
                synchronized (lock) {
                    while (state[0] != 1) {
                        waits.incrementAndGet();
                        waitQuietly(lock);
                    }
                    state[0] = 0;
                    notifies.incrementAndGet();
                    lock.notify();
                }
            }
        }, "sched-waiter-0");
        notifier.start();
        waiter.start();
        notifier.join();
        waiter.join();
    }

    private static void waitQuietly(Object lock) {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void virtualThreads() throws InterruptedException {
        List<Thread> vts = new ArrayList<>();
        for (int i = 0; i < VTHREADS; i++) {
            vts.add(Thread.ofVirtual().name("sched-vt-" + i).start(() -> {
                for (int k = 0; k < VT_SLEEPS; k++) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        for (Thread t : vts) {
            t.join();
        }
    }

    /** A row lock as H2 has them: a waiter waits on the row until its holder's transaction ends. */
    static final class RowLocks {
        private final Object row = new Object();
        private Thread holder;

        void waitForRow() throws InterruptedException {
            synchronized (row) {
                while (holder != null) {
                    rowWaits.incrementAndGet();
                    row.wait();
                }
                holder = Thread.currentThread();
            }
        }

        void release() {
            synchronized (row) {
                holder = null;
                notifyAlls.incrementAndGet();
                row.notifyAll();
            }
        }
    }

    private static void socketRead() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    Thread.sleep(30);
                    s.getOutputStream().write(new byte[IO_BYTES]);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "sched-io-peer");
            peer.start();
            Thread reader = new Thread(() -> {
                try (java.net.Socket s = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                    s.getInputStream().readNBytes(new byte[IO_BYTES], 0, IO_BYTES);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "sched-io");
            reader.start();
            reader.join();
            peer.join();
        }
    }

    private static void rowLocks() throws InterruptedException {
        RowLocks rows = new RowLocks();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ts.add(new Thread(() -> {
                for (int k = 0; k < 25; k++) {
                    try {
                        rows.waitForRow();
                        Thread.sleep(0, 200_000); // the transaction, holding the row
                        rows.release();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "sched-rows-" + i));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join();
        }
    }
}
