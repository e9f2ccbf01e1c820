package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TraceConfigTest {
    @Test
    void parsesEveryKey() {
        TraceConfig c = TraceConfig.parse("file=x.jtrace,period=250ms,genbytes=2m,buffer=4k,budget=8m,"
                + "reentrancy=skip,allocfree=true,stacks,lanes=3");
        assertThat(c.file()).isEqualTo(Path.of("x.jtrace"));
        assertThat(c.generationPeriod()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.generationMaxBytes()).isEqualTo(2L << 20);
        assertThat(c.bufferSize()).isEqualTo(4096);
        assertThat(c.maxBufferedBytes()).isEqualTo(8L << 20);
        assertThat(c.reentrancy()).isEqualTo(Reentrancy.SKIP);
        assertThat(c.allocFree()).isTrue();
        assertThat(c.stackTraces()).isTrue();
        assertThat(c.sharedLanes()).isEqualTo(3);
        assertThat(TraceConfig.parse(c.toString().replace("file=x.jtrace", "file=x.jtrace")).toString())
                .isEqualTo(c.toString());
    }

    @Test
    void durationsAndSizes() {
        assertThat(TraceConfig.parseDuration("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(TraceConfig.parseDuration("40ns")).isEqualTo(Duration.ofNanos(40));
        assertThat(TraceConfig.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(TraceConfig.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(TraceConfig.parseDuration("7")).isEqualTo(Duration.ofMillis(7));
        assertThat(TraceConfig.parseBytes("3g")).isEqualTo(3L << 30);
        assertThatThrownBy(() -> TraceConfig.parseDuration("soon")).hasMessageContaining("not a duration: 'soon'");
        assertThatThrownBy(() -> TraceConfig.parseBytes("lots")).hasMessageContaining("not a size: 'lots'");
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> TraceConfig.parse("colour=red")).hasMessageContaining("unknown jtrace option 'colour'");
        assertThatThrownBy(() -> TraceConfig.builder().bufferSize(100)).hasMessageContaining("buffer size");
        assertThatThrownBy(() -> TraceConfig.builder().generationPeriod(Duration.ZERO))
                .hasMessageContaining("generation period");
        assertThatThrownBy(() -> TraceConfig.parse("reentrancy=sometimes")).isInstanceOf(IllegalArgumentException.class);
    }
}
