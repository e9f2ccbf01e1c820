package dev.jtrace.bench.server;

import dev.jtrace.JTrace;
import dev.jtrace.Region;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server of {@link ServerEndToEnd}, run in its own JVM: Jetty 12 on loopback with a handler
 * instrumented as an application would be (a task per request, regions around its steps, a log), whose
 * requests parse a query, hash, touch a shared cache under a lock, and render a small JSON body. With the
 * agent, the JVM's threads, parks, monitors and GCs are recorded too; with {@code -Dbench.trace=FILE} the
 * server records its own events with the recorder alone (no agent, no JFR); otherwise the jtrace calls run
 * with tracing off; {@code -Dbench.appevents=false} leaves the server's own events out. {@code /stop} stops
 * it.
 *
 * <p>With {@code -Dbench.toggle=recorder|jfr-default|jfr-profile|none} (and {@code -Dbench.toggle.dir=DIR}),
 * {@code /toggle/on} starts that tracer inside this JVM and {@code /toggle/off} stops it, for
 * {@link InterleavedCpu}'s windows; {@code none} toggles nothing (its A/A control).
 */
public final class BenchServer {
    private static final Object CACHE_LOCK = new Object();
    private static final long[] CACHE = new long[1024];

    /**
     * {@code -Dbench.appevents=false}: the same work without the server's own 11 events, so that the agent's
     * runtime recording can be compared with JFR's, which records none of them.
     */
    private static final boolean APP_EVENTS = !"false".equals(System.getProperty("bench.appevents"));

    private static final Toggle TOGGLE = new Toggle(System.getProperty("bench.toggle", "none"),
            Path.of(System.getProperty("bench.toggle.dir", System.getProperty("java.io.tmpdir"))));

    private BenchServer() {}

    /**
     * Waits for a server started in {@code server} to write its port to {@code portFile}; fails with the
     * server's log when it dies or takes a minute.
     */
    static int awaitPort(Process server, Path portFile, Path log) throws java.io.IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(portFile) || Files.readString(portFile).isBlank()) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return Integer.parseInt(Files.readString(portFile).trim());
    }

    /**
     * Turns one tracer on and off inside this JVM. Every "on" writes a fresh file, deleted at the next "off":
     * a window's cost includes the tracer's writing, but the disk does not fill over many windows.
     */
    private static final class Toggle {
        private final String what;
        private final Path dir;
        private int windows;
        private Path file;
        private jdk.jfr.Recording jfr;

        Toggle(String what, Path dir) {
            this.what = what;
            this.dir = dir;
        }

        synchronized boolean set(boolean on) {
            try {
                if (on && file == null) {
                    file = dir.resolve("window-" + windows++ + (what.startsWith("jfr") ? ".jfr" : ".jtrace"));
                    switch (what) {
                        case "recorder" -> JTrace.start(file);
                        case "jfr-default", "jfr-profile" -> {
                            jfr = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration(what.substring(4)));
                            jfr.setToDisk(true);
                            jfr.setDestination(file);
                            jfr.start();
                        }
                        case "none" -> { }
                        default -> throw new IllegalArgumentException("bench.toggle=" + what
                                + ": expected recorder, jfr-default, jfr-profile or none");
                    }
                } else if (!on && file != null) {
                    if (what.equals("recorder")) {
                        JTrace.stop();
                    } else if (jfr != null) {
                        jfr.stop();
                        jfr.close();
                        jfr = null;
                    }
                    Files.deleteIfExists(file);
                    file = null;
                }
                return true;
            } catch (Exception e) {
                e.printStackTrace();
                return false;
            }
        }
    }

    /** A request's work with its 11 events: a task, four regions (begin and end) and a log. */
    private static String tracedBody(Request request) {
        dev.jtrace.Task task = JTrace.newTask(null, "request");
        try {
            String q;
            try (Region r = JTrace.region(task, "parse")) {
                q = request.getHttpURI().getQuery();
            }
            byte[] digest;
            try (Region r = JTrace.region(task, "hash")) {
                digest = digest(q);
            }
            try (Region r = JTrace.region(task, "cache")) {
                cache(digest);
            }
            String body;
            try (Region r = JTrace.region(task, "render")) {
                body = render(digest);
            }
            JTrace.log(task, "response", "200");
            return body;
        } finally {
            task.end();
        }
    }

    private static byte[] digest(String q) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < 20; i++) {
                md.update((q == null ? "" : q).getBytes(StandardCharsets.UTF_8));
            }
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] cache(byte[] digest) {
        synchronized (CACHE_LOCK) {
            CACHE[digest[0] & 1023]++;
        }
        return digest;
    }

    private static String render(byte[] digest) {
        return "{\"digest\":\"" + HexFormat.of().formatHex(digest) + "\"}";
    }

    public static void main(String[] args) throws Exception {
        String trace = System.getProperty("bench.trace");
        if (trace != null) {
            JTrace.start(Path.of(trace));
        }
        QueuedThreadPool pool = new QueuedThreadPool(16, 4);
        pool.setName("jetty");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                if (path.startsWith("/toggle/")) {
                    boolean ok = TOGGLE.set(path.equals("/toggle/on"));
                    response.setStatus(ok ? 200 : 500);
                    callback.succeeded();
                    return true;
                }
                if (path.equals("/stop")) {
                    // The stop begins once the reply is written: begun at once, it could close the connection
                    // before the reply went out, and the driver saw "connection closed" (a 40-minute run lost).
                    response.write(true, null, Callback.from(() -> {
                        callback.succeeded();
                        Thread.ofPlatform().start(() -> {
                            try {
                                server.stop();
                            } catch (Exception e) {
                                e.printStackTrace();
                            }
                        });
                    }, callback::failed));
                    return true;
                }
                String body = APP_EVENTS ? tracedBody(request)
                        : render(cache(digest(request.getHttpURI().getQuery())));
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, java.nio.ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        Files.writeString(Path.of(args[0]), Integer.toString(connector.getLocalPort()));
        server.join();
        if (trace != null) {
            JTrace.stop();
        }
    }
}
