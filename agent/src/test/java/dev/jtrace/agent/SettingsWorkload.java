package dev.jtrace.agent;

import dev.jtrace.JTrace;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;

/**
 * The child JVM's program in {@link SettingsIT}: first a heavy allocator alone (the agent's throttle holds),
 * then, with a second JFR recording of its own that asks for every park, CPU samples every 10 ms and
 * unthrottled allocation samples, short and long parks. Log events of category "phase" mark the phases.
 */
public final class SettingsWorkload {
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        JTrace.log(null, "phase", "alloc-begin");
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                sink = new byte[4096];
            }
        }
        JTrace.log(null, "phase", "alloc-end");
        try (Recording other = new Recording()) {
            other.enable("jdk.ThreadPark").withThreshold(Duration.ZERO);
            other.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            other.enable("jdk.ObjectAllocationSample").with("throttle", "off");
            other.start();
            JTrace.log(null, "phase", "other-recording");
            for (int i = 0; i < 200; i++) {
                LockSupport.parkNanos(1_000_000); // 1 ms: under the agent's threshold
            }
            for (int i = 0; i < 5; i++) {
                LockSupport.parkNanos(30_000_000);
            }
            Workload.spin(1_500_000_000L); // CPU samples, and the agent's next look at the settings
            other.stop();
        }
    }
}
