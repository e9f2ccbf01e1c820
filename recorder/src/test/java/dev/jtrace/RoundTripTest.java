package dev.jtrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        JTrace.stop();
    }

    @Test
    void everyEventTypeAndArgumentRoundTrips() throws Exception {
        Path file = dir.resolve("all.jtrace");
        JTrace.start(TraceConfig.builder().file(file).allocFree(true).build());
        assertThat(JTrace.isEnabled()).isTrue();
        Task parent = JTrace.newTask(null, "parent");
        Task child = JTrace.newTask(parent, "child");
        try (Region outer = JTrace.region(child, "outer")) {
            try (Region inner = JTrace.region(child, "inner")) {
                JTrace.log(child, "cat", "plain message");
                JTrace.log(child, "obj", new StringBuilder("from toString"));
            }
        }
        JTrace.logWithStack(parent, "stacked", "with stack");
        JTrace.counter("gauge", -12345);
        JTrace.counter("big", Long.MAX_VALUE);
        JTrace.alloc(77, "com.example.Foo", 4096);
        JTrace.free(77);
        JTrace.log(null, "nul", null);
        child.end();
        child.end(); // a second end records nothing
        parent.end();
        JTrace.stop();
        assertThat(JTrace.isEnabled()).isFalse();

        ReadBack r = ReadBack.read(file);
        assertThat(r.problems).isEmpty();
        assertThat(r.totalLoss()).isZero();
        long me = Thread.currentThread().threadId();
        List<ReadBack.Ev> user = r.events.stream()
                .filter(e -> !(e.type().equals("Alloc") && "jtrace.Buffer".equals(e.str("type"))))
                .toList();
        assertThat(user).extracting(ReadBack.Ev::type).containsExactly("TaskBegin", "TaskBegin", "RegionBegin",
                "RegionBegin", "Log", "Log", "RegionEnd", "RegionEnd", "Log", "Counter", "Counter", "Alloc", "Free",
                "Log", "TaskEnd", "TaskEnd");
        assertThat(user).allSatisfy(e -> assertThat(e.thread()).isEqualTo(me));
        assertThat(r.threadNames.get(me)).isEqualTo(Thread.currentThread().getName());

        ReadBack.Ev p = user.get(0);
        ReadBack.Ev c = user.get(1);
        assertThat(p.num("task")).isEqualTo(parent.id());
        assertThat(p.num("parent")).isZero();
        assertThat(p.str("name")).isEqualTo("parent");
        assertThat(c.num("task")).isEqualTo(child.id());
        assertThat(c.num("parent")).isEqualTo(parent.id());
        assertThat(c.str("name")).isEqualTo("child");
        assertThat(user.get(2).str("name")).isEqualTo("outer");
        assertThat(user.get(3).str("name")).isEqualTo("inner");
        assertThat(user.get(4).str("category")).isEqualTo("cat");
        assertThat(user.get(4).str("message")).isEqualTo("plain message");
        assertThat(user.get(4).num("task")).isEqualTo(child.id());
        assertThat(user.get(5).str("message")).isEqualTo("from toString");
        assertThat(user.get(6).str("name")).isEqualTo("inner");
        assertThat(user.get(7).str("name")).isEqualTo("outer");
        ReadBack.Ev stacked = user.get(8);
        assertThat(stacked.arg("stack")).isNotNull();
        assertThat(stacked.arg("stack").toString()).contains("everyEventTypeAndArgumentRoundTrips");
        assertThat(user.get(4).arg("stack")).isNull();
        assertThat(user.get(9).str("name")).isEqualTo("gauge");
        assertThat(user.get(9).num("value")).isEqualTo(-12345);
        assertThat(user.get(10).num("value")).isEqualTo(Long.MAX_VALUE);
        assertThat(user.get(11).num("id")).isEqualTo(77);
        assertThat(user.get(11).str("type")).isEqualTo("com.example.Foo");
        assertThat(user.get(11).num("size")).isEqualTo(4096);
        assertThat(user.get(12).num("id")).isEqualTo(77);
        assertThat(user.get(13).str("message")).isNull();
        assertThat(user.get(14).num("task")).isEqualTo(child.id());
        assertThat(user.get(15).num("task")).isEqualTo(parent.id());
        for (int i = 1; i < r.events.size(); i++) {
            assertThat(r.events.get(i).ticks()).isGreaterThanOrEqualTo(r.events.get(i - 1).ticks());
        }
        // the recorder reported its own buffer
        assertThat(r.ofType("Alloc")).anySatisfy(e -> assertThat(e.str("type")).isEqualTo("jtrace.Buffer"));
    }

    @Test
    void allocFreeIsOffUnlessEnabled() throws Exception {
        Path file = dir.resolve("noalloc.jtrace");
        JTrace.start(file);
        JTrace.alloc(1, "X", 1);
        JTrace.free(1);
        JTrace.log(null, "a", "b");
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.events).extracting(ReadBack.Ev::type).containsExactly("Log");
    }

    @Test
    void nothingIsRecordedWhileOffAndRegionsOpenedWhileOffCloseQuietly() throws Exception {
        Region early = JTrace.region(null, "before-start");
        Task t = JTrace.newTask(null, "untraced");
        assertThat(t.id()).isZero();
        JTrace.log(null, "x", "dropped");
        Path file = dir.resolve("off.jtrace");
        JTrace.start(file);
        early.close();
        t.end();
        JTrace.log(null, "x", "kept");
        JTrace.stop();
        JTrace.log(null, "x", "dropped too");
        ReadBack r = ReadBack.read(file);
        assertThat(r.events).extracting(e -> e.type() + ":" + e.arg("message")).containsExactly("Log:kept");
    }

    @Test
    void startAndStopManyTimesInOneJvm() throws Exception {
        for (int i = 0; i < 15; i++) {
            Path file = dir.resolve("s" + i + ".jtrace");
            JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(2)).build());
            for (int k = 0; k < 500; k++) {
                JTrace.counter("k", k);
            }
            JTrace.stop();
            ReadBack r = ReadBack.read(file);
            assertThat(r.problems).isEmpty();
            assertThat(r.ofType("Counter")).extracting(e -> e.num("value"))
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 500).boxed().toList());
        }
    }

    @Test
    void generationsAreConsecutiveAndSelfContained() throws Exception {
        Path file = dir.resolve("gens.jtrace");
        JTrace.start(TraceConfig.builder().file(file).generationPeriod(Duration.ofMillis(1)).build());
        for (int i = 0; i < 20; i++) {
            JTrace.log(null, "same-category", "message " + i);
            JTrace.advanceGeneration();
        }
        JTrace.stop();
        ReadBack r = ReadBack.read(file);
        assertThat(r.generations.size()).isGreaterThanOrEqualTo(21);
        for (int i = 1; i < r.generations.size(); i++) {
            assertThat(r.generations.get(i)).isEqualTo(r.generations.get(i - 1) + 1);
        }
        // every generation resolves its strings from its own table
        assertThat(r.ofType("Log")).extracting(e -> e.str("message"))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "message " + i).toList());
        assertThat(r.ofType("Log")).allSatisfy(e -> assertThat(e.str("category")).isEqualTo("same-category"));
    }

    @Test
    void startRefusesAnUnwritableFileWithItsName() {
        Path bad = dir.resolve("file-not-dir");
        try {
            Files.writeString(bad, "x");
            JTrace.start(bad.resolve("sub.jtrace"));
            throw new AssertionError("start should have failed");
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).contains("sub.jtrace");
        }
        assertThat(JTrace.isEnabled()).isFalse();
    }

    @Test
    void regionMustCloseOnItsThread() throws Exception {
        JTrace.start(dir.resolve("r.jtrace"));
        Region r = JTrace.region(null, "mine");
        Throwable[] seen = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                r.close();
            } catch (Throwable t) {
                seen[0] = t;
            }
        });
        other.start();
        other.join();
        r.close();
        assertThat(seen[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed on the thread");
    }
}
