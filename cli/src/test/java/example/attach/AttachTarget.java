package example.attach;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM that AttachTest attaches to: it constructs {@link Item}s (a class loaded before any attach, so
 * the alloc/free experiment must retransform it), starts a short-lived thread now and then, and exits when
 * its stdin closes.
 */
public final class AttachTarget {
    /** The class chosen for allocfree in AttachTest. */
    public static final class Item {
        final int n;

        Item(int n) {
            this.n = n;
        }
    }

    /** Calls notifyAll, and is loaded before any attach: the agent must replace its call without a restart. */
    public static final class Mailbox {
        private int posted;

        synchronized void post() {
            posted++;
            notifyAll();
        }
    }

    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        sink = new Item(-1);
        if (args.length == 2 && args[0].equals("own")) {
            // the application records itself (the recorder is on its class path)
            dev.jtrace.JTrace.start(java.nio.file.Path.of(args[1]));
        }
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // until EOF
                }
            } catch (IOException e) {
                // exit below
            }
            try {
                dev.jtrace.JTrace.stop();
            } catch (IOException e) {
                e.printStackTrace();
            }
            System.exit(0);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        System.out.println("ready");
        System.out.flush();
        List<Item> keep = new ArrayList<>();
        Mailbox mailbox = new Mailbox();
        for (int i = 0;; i++) {
            mailbox.post();
            dev.jtrace.JTrace.log(null, "target", "step");
            Item it = new Item(i);
            if (i % 2 == 0) {
                keep.add(it);
            }
            if (keep.size() > 500) {
                keep.clear();
                System.gc();
            }
            if (i % 50 == 0) {
                Thread t = Thread.ofPlatform().name("target-worker-" + i).start(() -> {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.join();
            }
            Thread.sleep(2);
        }
    }
}
