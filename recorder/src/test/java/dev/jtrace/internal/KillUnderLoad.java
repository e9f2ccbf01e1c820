package dev.jtrace.internal;

import dev.jtrace.JTrace;
import dev.jtrace.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Child process of {@link SigkillTest}: threads log numbered events flat out until the process is killed. */
public final class KillUnderLoad {
    public static void main(String[] args) throws Exception {
        JTrace.start(TraceConfig.builder().file(Path.of(args[0])).generationPeriod(Duration.ofMillis(Long.parseLong(args[1])))
                .build());
        int threads = Integer.parseInt(args[2]);
        for (int t = 0; t < threads; t++) {
            Thread.ofPlatform().start(() -> {
                for (long n = 0; ; n++) {
                    JTrace.counter("n", n);
                }
            });
        }
        Thread.sleep(300);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
