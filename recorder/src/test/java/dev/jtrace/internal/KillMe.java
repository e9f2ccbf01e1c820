package dev.jtrace.internal;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Child process of {@link SigkillTest}: records numbered events until it is killed. */
public final class KillMe {
    public static void main(String[] args) throws Exception {
        JTrace.start(TraceConfig.builder().file(Path.of(args[0])).generationPeriod(Duration.ofMillis(20)).build());
        long start = System.nanoTime();
        boolean told = false;
        for (long n = 0; ; n++) {
            JTrace.counter("n", n);
            if ((n & 1023) == 0) {
                Thread.sleep(1);
                if (!told && System.nanoTime() - start > 300_000_000L) {
                    System.out.println("ready");
                    System.out.flush();
                    told = true;
                }
            }
        }
    }
}
