package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtrace.format.EventTypes;
import dev.jtrace.model.TraceBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server under clients that misbehave: slow, idle, many at once. Over raw sockets, so that nothing on the
 * client side pools, retries or times out for the test.
 */
class ServerLoadTest {
    @TempDir
    static Path dir;

    static TraceIndex index;
    static ViewerServer server;
    static String host;

    /** Four threads of nested regions in two generations: a window over one is a few hundred items. */
    @BeforeAll
    static void start() throws Exception {
        TraceBuilder b = new TraceBuilder();
        for (int gen = 0; gen < 2; gen++) {
            long g0 = 1_000 + gen * 10_000_000L;
            TraceBuilder.Gen g = b.generation(g0, g0 + 10_000_000L);
            for (long t = 1; t <= 4; t++) {
                g.thread(t, "worker-" + t, false);
                for (int i = 0; i < 200; i++) {
                    long at = g0 + 1_000 + i * 40_000L + t * 100;
                    g.event(t, t, at, EventTypes.REGION_BEGIN, 0L, "op", 0L)
                            .event(t, t, at + 5_000, EventTypes.REGION_BEGIN, 0L, "inner", 0L)
                            .event(t, t, at + 9_000, EventTypes.REGION_END, 0L, "inner")
                            .event(t, t, at + 20_000, EventTypes.REGION_END, 0L, "op");
                }
            }
            g.end();
        }
        index = TraceIndex.build(b.write(dir.resolve("load.jtrace")), null);
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
        host = "127.0.0.1:" + server.address().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Answer(int status, String head, String body, long nanos) {}

    static Socket connect(ViewerServer s) throws IOException {
        Socket sock = new Socket(InetAddress.getByName("127.0.0.1"), s.address().getPort());
        sock.setSoTimeout(30_000);
        return sock;
    }

    static void send(Socket sock, String target, boolean close) throws IOException {
        OutputStream out = sock.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + (close ? "Connection: close\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one answer (by its Content-Length, so that the connection may stay open). */
    static Answer read(Socket sock, long t0) throws IOException {
        InputStream in = sock.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection before answering (" + head + ")");
            }
            head.write(c);
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Answer(Integer.parseInt(h.substring(9, 12)), h, new String(body, StandardCharsets.UTF_8),
                System.nanoTime() - t0);
    }

    static Answer get(String target) throws IOException {
        long t0 = System.nanoTime();
        try (Socket sock = connect(server)) {
            send(sock, target, true);
            return read(sock, t0);
        }
    }

    static String window(long from, long to) {
        return "/api/window?from=" + from + "&to=" + to + "&threads=1,2,3,4&tasks=1&px=800";
    }

    /** Whether the server closed {@code sock} within {@code millis} (reading nothing else). */
    static boolean closedWithin(Socket sock, long millis) throws IOException {
        sock.setSoTimeout((int) millis);
        try {
            return sock.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: closed as well
        }
    }

    // ------------------------------------------------------------------------------------------ slow clients

    /**
     * Eight clients each trickle a request header one byte a second and stay open; meanwhile every other request
     * is answered in well under a second (the JDK server with four workers answered none while four did this).
     */
    @Test
    void slowClientsDoNotDelayOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        String header = "GET /api/meta HTTP/1.1\r\nHost: " + host + "\r\nX-Slow: " + "x".repeat(100) + "\r\n\r\n";
        AtomicInteger sent = new AtomicInteger();
        ExecutorService trickle = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = connect(server);
                slow.add(s);
                trickle.submit(() -> {
                    OutputStream out = s.getOutputStream();
                    for (int k = 0; k < header.length(); k++) {
                        out.write(header.charAt(k));
                        out.flush();
                        sent.incrementAndGet();
                        Thread.sleep(1000);
                    }
                    return null;
                });
            }
            Thread.sleep(1500); // every slow client has begun its header
            assertThat(sent.get()).isGreaterThanOrEqualTo(16);
            get(window(0, index.duration())); // decodes once; the measured requests then compute
            long worst = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            int n = 0;
            while (System.nanoTime() < deadline) {
                for (String target : List.of("/api/meta", "/", window(0, index.duration()), window(5_000, 900_000))) {
                    Answer a = get(target);
                    assertThat(a.status()).as(target).isEqualTo(200);
                    worst = Math.max(worst, a.nanos());
                    n++;
                }
            }
            System.err.printf("slow clients: %d requests answered while 8 clients trickled, slowest %.1f ms%n", n,
                    worst / 1e6);
            assertThat(worst).isLessThan(TimeUnit.SECONDS.toNanos(1));
            for (Socket s : slow) {
                assertThat(closedWithin(s, 1)).as("a slow client is still connected (within the header timeout)")
                        .isFalse();
            }
        } finally {
            trickle.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ timeouts

    /**
     * With a one-second header timeout: a connection that sends nothing, one that trickles a header a byte every
     * 200 ms (so that an idle timeout alone would never fire), and one kept alive after its answer are each
     * closed about a second later; a connection that answers on time is not.
     */
    @Test
    void idleAndTricklingConnectionsAreClosedAfterTheTimeout() throws Exception {
        try (ViewerServer s = ViewerServer.start(index, 0, 16 << 20, System.err, Duration.ofSeconds(1),
                Duration.ofSeconds(1))) {
            String h = "127.0.0.1:" + s.address().getPort();
            try (Socket silent = connect(s); Socket trickler = connect(s); Socket kept = connect(s)) {
                long t0 = System.nanoTime();
                kept.getOutputStream().write(("GET /api/meta HTTP/1.1\r\nHost: " + h + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                Answer a = read(kept, t0);
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.head()).doesNotContainIgnoringCase("Connection: close");
                long answered = System.nanoTime();
                // the trickler sends a byte every 200 ms and watches for the close in between
                String header = "GET /api/meta HTTP/1.1\r\nHost: " + h + "\r\n" + "X-Slow: " + "y".repeat(200);
                long trickleClosed = -1;
                for (int k = 0; k < header.length() && trickleClosed < 0; k++) {
                    try {
                        trickler.getOutputStream().write(header.charAt(k));
                    } catch (IOException e) {
                        trickleClosed = System.nanoTime() - t0;
                        break;
                    }
                    if (closedWithin(trickler, 200)) {
                        trickleClosed = System.nanoTime() - t0;
                    }
                    assertThat(System.nanoTime() - t0).as("the trickler is still connected after 5 s")
                            .isLessThan(TimeUnit.SECONDS.toNanos(5));
                }
                assertThat(trickleClosed).isBetween(TimeUnit.MILLISECONDS.toNanos(800), TimeUnit.MILLISECONDS.toNanos(2500));
                assertThat(closedWithin(silent, 2500)).as("the silent connection is closed").isTrue();
                assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(4000));
                assertThat(closedWithin(kept, 2500)).as("the kept-alive connection is closed").isTrue();
                long keptClosed = System.nanoTime() - answered;
                assertThat(keptClosed).isBetween(TimeUnit.MILLISECONDS.toNanos(800), TimeUnit.MILLISECONDS.toNanos(3000));
                System.err.printf("timeouts: trickler closed after %.2f s, kept-alive %.2f s after its answer%n",
                        trickleClosed / 1e9, keptClosed / 1e9);
            }
            // a client that keeps asking on one connection, each request on time, keeps it
            try (Socket busy = connect(s)) {
                for (int i = 0; i < 4; i++) {
                    long t0 = System.nanoTime();
                    busy.getOutputStream().write(("GET /api/meta HTTP/1.1\r\nHost: " + h + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(read(busy, t0).status()).isEqualTo(200);
                    Thread.sleep(600);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ overload

    /** With every window computation slot taken, a window request is answered 503 at once, with Retry-After. */
    @Test
    void windowsBeyondTheConcurrencyLimitGet503AtOnce() throws Exception {
        server.computing.acquire(ViewerServer.MAX_CONCURRENT);
        try {
            Answer a = get(window(0, index.duration()));
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.head()).containsIgnoringCase("Retry-After: " + ViewerServer.RETRY_AFTER_SECONDS);
            assertThat(a.body()).contains("at most " + ViewerServer.MAX_CONCURRENT + " window queries at once");
            assertThat(a.nanos()).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
            assertThat(get("/api/meta").status()).as("other requests are served meanwhile").isEqualTo(200);
        } finally {
            server.computing.release(ViewerServer.MAX_CONCURRENT);
        }
        assertThat(get(window(0, index.duration())).status()).isEqualTo(200);
    }

    /**
     * 2,000 window requests from 200 threads that start together, each on a connection of its own: every one
     * is answered 200 or 503 (with Retry-After) within 15 s; none is reset, none hangs.
     */
    @Test
    void twoThousandConcurrentWindowsAreAllAnswered() throws Exception {
        get(window(0, index.duration())); // decode both generations first: the requests below compute
        int threads = 200;
        int each = 10;
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicLong slowest = new AtomicLong();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        long d = index.duration();
        List<Future<?>> done = new ArrayList<>();
        long t0;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        long from = (seed * 7919L + i * 104_729L) % (d / 2);
                        String target = window(from, from + 1 + (i % 3 == 0 ? d / 2 : d / 40));
                        try {
                            Answer a = get(target);
                            statuses.computeIfAbsent(a.status(), k -> new AtomicInteger()).incrementAndGet();
                            slowest.accumulateAndGet(a.nanos(), Math::max);
                            if (a.status() == 503 && !a.head().toLowerCase(Locale.ROOT).contains("retry-after: 1")) {
                                failures.add("503 without Retry-After: " + a.head());
                            }
                        } catch (IOException e) {
                            failures.add(target + ": " + e);
                        }
                    }
                    return null;
                }));
            }
            t0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        long wall = System.nanoTime() - t0;
        System.err.printf("2,000 windows at 200 concurrency: %s in %.2f s, slowest answer %.0f ms%n", statuses,
                wall / 1e9, slowest.get() / 1e6);
        assertThat(failures).isEmpty();
        assertThat(statuses.keySet()).isSubsetOf(200, 503);
        assertThat(statuses.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(threads * each);
        assertThat(statuses.get(200)).isNotNull();
        assertThat(slowest.get()).isLessThan(TimeUnit.SECONDS.toNanos(15));
    }

    /** 1,000 connections opened at once, then each sends a request: all are accepted and answered, none reset. */
    @Test
    void aBurstOfAThousandConnectionsIsAnswered() throws Exception {
        int n = 1000;
        List<Socket> socks = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ok = new AtomicInteger();
        try {
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Socket>> opened = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    opened.add(vt.submit(() -> {
                        go.await();
                        return connect(server);
                    }));
                }
                go.countDown();
                for (Future<Socket> f : opened) {
                    socks.add(f.get(30, TimeUnit.SECONDS));
                }
                for (Socket s : socks) {
                    vt.submit(() -> {
                        try {
                            long t0 = System.nanoTime();
                            send(s, "/api/meta", true);
                            if (read(s, t0).status() == 200) {
                                ok.incrementAndGet();
                            }
                        } catch (IOException e) {
                            failures.add(e.toString());
                        }
                    });
                }
            }
        } finally {
            for (Socket s : socks) {
                s.close();
            }
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isEqualTo(n);
    }
}
