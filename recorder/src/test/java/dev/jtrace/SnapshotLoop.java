package dev.jtrace;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Child process of {@link FlightSnapshotKillTest}: keeps a flight recorder busy and writes its window to the
 * same file over and over, saying "writing N" before each write, until it is killed.
 */
public final class SnapshotLoop {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        FlightRecorder fr = new FlightRecorder(TraceConfig.builder().generationPeriod(Duration.ofMillis(5)).build(),
                Duration.ofSeconds(60), 8L * 1024 * 1024);
        fr.start();
        Thread load = new Thread(() -> {
            for (long n = 0; ; n++) {
                JTrace.log(null, "load", "event with some text to make the window grow " + (n & 1023));
                if ((n & 4095) == 0) {
                    Thread.onSpinWait();
                }
            }
        }, "load");
        load.setDaemon(true);
        load.start();
        for (int i = 0; ; i++) {
            System.out.println("writing " + i);
            System.out.flush();
            fr.writeTo(file);
        }
    }
}
