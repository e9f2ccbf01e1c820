package example.allocfree;

import dev.jtrace.JTrace;
import dev.jtrace.ReentrantEventException;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;

/** The child JVM's program in AllocFreeIT (run under the agent with allocfree=example.allocfree.Tracked). */
public final class AllocFreeWorkload {
    static volatile Object sink;

    /** Its toString() constructs a Tracked: an allocation hook firing inside the recorder. */
    record Describer(int i) {
        @Override
        public String toString() {
            Tracked t = new Tracked(i);
            return "described " + t.index();
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "lifecycle" -> lifecycle(Integer.parseInt(args[1]));
            case "keep" -> keep(Integer.parseInt(args[1]));
            case "reentrant" -> reentrant(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * Constructs n Tracked (every other one through the delegating constructor) and 50 Sub; keeps every
     * fourth Tracked and lets the others die, then collects until its own phantom references on the dropped
     * ones were all enqueued (the agent's were discovered in the same collections).
     */
    static void lifecycle(int n) throws Exception {
        List<Tracked> kept = new ArrayList<>();
        ReferenceQueue<Object> q = new ReferenceQueue<>();
        List<PhantomReference<Object>> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Tracked t = i % 2 == 0 ? new Tracked(i) : new Tracked();
            if (i % 4 == 0) {
                kept.add(t);
            } else {
                mine.add(new PhantomReference<>(t, q));
            }
        }
        for (int i = 0; i < 50; i++) {
            sink = new Tracked.Sub();
        }
        sink = null;
        int enqueued = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (enqueued < mine.size()) {
            if (System.nanoTime() > deadline) {
                System.out.println("only " + enqueued + " of " + mine.size() + " references enqueued");
                System.exit(3);
            }
            System.gc();
            while (q.remove(50) != null) {
                enqueued++;
            }
        }
        // The reference handler enqueues the agent's references from the same pending list; give it a moment.
        Thread.sleep(300);
        System.out.println("kept " + kept.size() + " dropped " + enqueued);
        Reference.reachabilityFence(kept);
        Reference.reachabilityFence(mine);
    }

    /** Constructs n Tracked and keeps them all (for maxtracked). */
    static void keep(int n) {
        List<Tracked> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            kept.add(new Tracked(i));
        }
        System.out.println("kept " + kept.size());
    }

    /** Logs k objects whose toString() constructs a Tracked; reentrancy=fail throws out of each. */
    static void reentrant(int k) {
        int caught = 0;
        for (int i = 0; i < k; i++) {
            try {
                JTrace.log(null, "describe", new Describer(i));
            } catch (ReentrantEventException e) {
                caught++;
            }
        }
        long bridge = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jtrace-jfr-bridge")).mapToLong(Thread::threadId).findFirst().orElse(-1);
        System.out.println("caught " + caught + " on thread " + Thread.currentThread().threadId() + " bridge " + bridge);
        // threads for the JFR bridge to report after the workload's own events
        for (int i = 0; i < 5; i++) {
            Thread t = Thread.ofPlatform().name("wl-after-" + i).start(() -> { });
            try {
                t.join();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
