package dev.jtrace.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.model.ModelThread;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The viewer's HTTP server: the JDK's {@code com.sun.net.httpserver} bound to 127.0.0.1 only, serving the
 * assets of the page from the jar (a fixed list: no part of a request ever names a file) and a JSON API
 * about the one trace it was started with.
 *
 * <ul>
 *   <li>{@code GET /api/meta}: the trace, its threads, task rows and the server's limits;</li>
 *   <li>{@code GET /api/window?from=&to=&threads=&tasks=&vt=&px=&limit=&async=}: what the timeline shows there
 *       ({@link WindowQuery});</li>
 *   <li>{@code GET /api/active?from=&to=} and {@code GET /api/search?q=&after=&dir=}: the threads active in a
 *       window, the next hit of a name ({@link WindowQuery#active}, {@link WindowQuery#search});</li>
 *   <li>{@code GET /api/analysis}: the analyses, as {@code jtrace analyze --json} writes them ({@link AnalysisJson});</li>
 *   <li>{@code GET /api/plots}: what the analysis pages draw besides (histograms, GC pauses and cycles, heap).</li>
 * </ul>
 *
 * Only GET and HEAD are served; a request whose Host header is not this server's loopback address is refused
 * (so that a web page elsewhere cannot read the trace through DNS rebinding); at most
 * {@link #MAX_CONCURRENT} window queries compute at once, more are answered 503.
 */
public final class ViewerServer implements AutoCloseable {
    /** Window queries computing at once. */
    static final int MAX_CONCURRENT = 4;
    /** Longest request path and query accepted. */
    static final int MAX_PATH = 256;
    static final int MAX_QUERY = 8192;
    private static final String ASSET_DIR = "/dev/jtrace/web/static/";

    private record Asset(byte[] bytes, String type) {}

    /** Request path -> asset file and type: the only files this server can send. */
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/style.css", new String[] {"style.css", "text/css; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/timeline.js", new String[] {"timeline.js", "text/javascript; charset=utf-8"},
            "/analysis.js", new String[] {"analysis.js", "text/javascript; charset=utf-8"},
            "/favicon.svg", new String[] {"favicon.svg", "image/svg+xml"});

    private final TraceIndex index;
    private final GenerationStore store;
    private final WindowQuery windows;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Map<String, Asset> assets = new HashMap<>();
    private final Semaphore computing = new Semaphore(MAX_CONCURRENT);
    private final String meta;
    private final Set<String> hosts;
    private final PrintStream log;
    private volatile String analysis;
    private volatile String plots;

    private ViewerServer(TraceIndex index, int port, long cacheBytes, PrintStream log) throws IOException {
        this.index = index;
        this.log = log;
        for (Map.Entry<String, String[]> e : ASSETS.entrySet()) {
            assets.put(e.getKey(), new Asset(resource(e.getValue()[0]), e.getValue()[1]));
        }
        this.store = new GenerationStore(index, cacheBytes);
        this.windows = new WindowQuery(index, store);
        this.meta = meta(index);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.http = HttpServer.create(new InetSocketAddress(loopback, port), 64);
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(MAX_CONCURRENT, MAX_CONCURRENT, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "jtrace-view-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        int bound = http.getAddress().getPort();
        this.hosts = Set.of("127.0.0.1:" + bound, "localhost:" + bound);
        http.start();
    }

    /**
     * Serves {@code index} on 127.0.0.1:{@code port} (0: a free port) until {@link #close()}. Decoded
     * generations are cached up to {@code cacheBytes}; errors of requests are reported on {@code log}.
     */
    public static ViewerServer start(TraceIndex index, int port, long cacheBytes, PrintStream log) throws IOException {
        return new ViewerServer(index, port, cacheBytes, log);
    }

    /**
     * A cache budget that fits the heap: a quarter of the maximum heap, between 16 MiB and 1 GiB (decoding a
     * generation needs room besides: the store drops cached generations first when it lacks it).
     */
    public static long defaultCacheBytes() {
        return Math.max(16L << 20, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4));
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The viewer's URL. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + address().getPort() + "/");
    }

    /** Generations decoded for window queries so far. */
    public long generationsDecoded() {
        return store.decodedCount();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ViewerServer.class.getResourceAsStream(ASSET_DIR + name)) {
            if (in == null) {
                throw new IOException("the viewer's asset " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    private static String meta(TraceIndex idx) {
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb);
        j.beginObject().field("file", idx.file.getFileName().toString()).field("fileBytes", idx.fileSize)
                .field("start", 0).field("end", idx.duration()).field("generations", idx.gens.size())
                .field("events", idx.events).field("regions", idx.regions()).field("tasks", idx.tasks())
                .field("threadCount", idx.model.threads().size()).field("gridBucketNs", idx.grid.width())
                .field("indexBytes", idx.estimatedBytes())
                .field("firstEvent", idx.firstEvent == Long.MAX_VALUE ? 0 : idx.firstEvent - idx.origin())
                .field("lastEvent", idx.lastEvent == Long.MIN_VALUE ? idx.duration() : idx.lastEvent - idx.origin());
        j.name("threads").beginArray();
        for (TraceIndex.ThreadRow t : idx.threads.values()) {
            ModelThread m = idx.model.threads().get(t.id);
            j.beginObject().field("id", t.id).field("name", m.name()).field("displayName", m.displayName())
                    .name("virtual").value(m.virtual() ? 1 : 0).field("depth", t.maxDepth).field("events", t.events)
                    .field("carrierRuns", t.carrierRuns)
                    .field("runningNanos", m.nanos(dev.jtrace.model.ThreadState.RUNNING)).field("first", m.first() - idx.origin()).field("last", m.last() - idx.origin()).endObject();
        }
        j.endArray();
        j.name("taskRows").beginArray();
        for (TraceIndex.TaskName n : idx.taskNames.values()) {
            j.beginObject().field("name", n.name).field("count", n.count).field("lanes", n.lanes).endObject();
        }
        j.endArray();
        j.name("counterTracks").beginArray();
        for (TraceIndex.Series s : idx.counterSeries()) {
            j.beginObject().field("name", s.name()).field("heap", s.heap() ? 1 : 0).endObject();
        }
        j.endArray();
        j.field("gcPauses", idx.gcPauses.size()).field("gcCycles", idx.gcCycles.size());
        j.name("notShown").beginObject().field("threads", idx.threadsNotShown).field("crossingSpans", idx.crossingNotShown)
                .field("scheduler", idx.schedulerNotShown).field("counters", idx.countersNotShown).endObject();
        j.name("report").beginObject().field("completeGenerations", idx.report.completeGenerations())
                .field("skippedGenerations", idx.report.skippedGenerations())
                .field("lostTailBytes", idx.report.lostTailBytes()).field("problems", idx.report.problems().size())
                .endObject();
        j.name("limits").beginObject().field("items", WindowQuery.MAX_ITEMS).field("threads", WindowQuery.MAX_THREADS)
                .field("px", WindowQuery.MAX_PX).field("generations", WindowQuery.MAX_GENERATIONS)
                .field("decodeBytes", WindowQuery.MAX_DECODE_BYTES).field("concurrent", MAX_CONCURRENT).endObject();
        j.endObject();
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------ requests

    /** A request refused with a status and a message. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                String method = ex.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.getResponseHeaders().set("Allow", "GET, HEAD");
                    throw new Refused(405, "only GET and HEAD are served");
                }
                String host = ex.getRequestHeaders().getFirst("Host");
                if (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
                    throw new Refused(403, "requests must be addressed to " + uri());
                }
                String path = ex.getRequestURI().getRawPath();
                String query = ex.getRequestURI().getRawQuery();
                if (path == null || path.length() > MAX_PATH || query != null && query.length() > MAX_QUERY) {
                    throw new Refused(414, "request too long");
                }
                switch (path) {
                    case "/api/meta" -> json(ex, 200, meta);
                    case "/api/analysis" -> json(ex, 200, analysis());
                    case "/api/plots" -> json(ex, 200, plots());
                    case "/api/window" -> json(ex, 200, window(params(query)));
                    case "/api/active" -> json(ex, 200, active(params(query)));
                    case "/api/search" -> json(ex, 200, search(params(query)));
                    default -> {
                        Asset a = assets.get(path);
                        if (a == null) {
                            throw new Refused(404, "not found");
                        }
                        send(ex, 200, a.type(), a.bytes(), "no-cache");
                    }
                }
            } catch (Refused r) {
                error(ex, r.status, r.getMessage());
            } catch (GenerationStore.Busy b) {
                error(ex, 503, b.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(ex, 503, "interrupted");
            } catch (IOException | RuntimeException e) {
                log.println("jtrace view: " + ex.getRequestURI() + ": " + e);
                error(ex, 500, String.valueOf(e.getMessage()));
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        }
    }

    private String analysis() {
        String a = analysis;
        if (a == null) {
            synchronized (this) {
                if (analysis == null) {
                    analysis = AnalysisJson.analysis(index);
                }
                a = analysis;
            }
        }
        return a;
    }

    private String plots() {
        String p = plots;
        if (p == null) {
            synchronized (this) {
                if (plots == null) {
                    plots = AnalysisJson.plots(index);
                }
                p = plots;
            }
        }
        return p;
    }

    private String window(Map<String, String> q) throws Refused, IOException, InterruptedException,
            GenerationStore.Busy {
        long span = index.duration() + 1;
        long from = Math.max(-span, longParam(q, "from", null));
        long to = Math.min(2 * span, longParam(q, "to", null));
        if (to <= from) {
            throw new Refused(400, "'to' must be after 'from' (and overlap the trace, 0.." + index.duration() + ")");
        }
        String ts = q.getOrDefault("threads", "");
        long[] threads = ts.isEmpty() ? new long[0] : new long[(int) ts.chars().filter(c -> c == ',').count() + 1];
        if (threads.length > WindowQuery.MAX_THREADS) {
            throw new Refused(400, "at most " + WindowQuery.MAX_THREADS + " threads per request");
        }
        if (threads.length > 0) {
            String[] parts = ts.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                try {
                    threads[i] = Long.parseLong(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new Refused(400, "'threads' must be a comma-separated list of thread ids");
                }
            }
        }
        int px = (int) Math.min(WindowQuery.MAX_PX, Math.max(1, longParam(q, "px", 1000L)));
        int limit = (int) Math.min(WindowQuery.MAX_ITEMS, Math.max(1, longParam(q, "limit", (long) WindowQuery.MAX_ITEMS)));
        boolean tasks = "1".equals(q.get("tasks"));
        boolean vt = "1".equals(q.get("vt"));
        boolean async = "1".equals(q.get("async"));
        if (!computing.tryAcquire()) {
            throw new Refused(503, "at most " + MAX_CONCURRENT + " window queries at once; try again");
        }
        try {
            return windows.run(new WindowQuery.Params(from, to, threads, tasks, vt, px, limit, async,
                    "1".equals(q.get("lod"))));
        } finally {
            computing.release();
        }
    }

    /** {@code /api/active?from=&to=}: the threads active in the window ({@link WindowQuery#active}). */
    private String active(Map<String, String> q) throws Refused {
        long span = index.duration() + 1;
        long from = Math.max(-span, longParam(q, "from", null));
        long to = Math.min(2 * span, longParam(q, "to", null));
        if (to <= from) {
            throw new Refused(400, "'to' must be after 'from'");
        }
        if (!computing.tryAcquire()) {
            throw new Refused(503, "at most " + MAX_CONCURRENT + " window queries at once; try again");
        }
        try {
            return windows.active(from, to);
        } finally {
            computing.release();
        }
    }

    /** {@code /api/search?q=&after=&dir=1|-1}: the next hit of a name ({@link WindowQuery#search}). */
    private String search(Map<String, String> q) throws Refused, IOException, InterruptedException,
            GenerationStore.Busy {
        String text = q.getOrDefault("q", "");
        if (text.isEmpty() || text.length() > 200) {
            throw new Refused(400, "'q' must hold 1 to 200 characters");
        }
        long span = index.duration() + 1;
        long after = Math.max(-2 * span, Math.min(2 * span, longParam(q, "after", -span)));
        int dir = "-1".equals(q.get("dir")) ? -1 : 1;
        if (!computing.tryAcquire()) {
            throw new Refused(503, "at most " + MAX_CONCURRENT + " window queries at once; try again");
        }
        try {
            return windows.search(text, after, dir);
        } finally {
            computing.release();
        }
    }

    private static long longParam(Map<String, String> q, String name, Long otherwise) throws Refused {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            if (otherwise == null) {
                throw new Refused(400, "parameter '" + name + "' is required");
            }
            return otherwise;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Refused(400, "parameter '" + name + "' must be an integer, not '" + v + "'");
        }
    }

    private static Map<String, String> params(String raw) throws Refused {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                m.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "malformed query string");
            }
        }
        return m;
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), "no-store");
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject().field("error", message).field("status", status).endObject();
        json(ex, status, sb.toString());
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, String cache) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", cache);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
                + " connect-src 'self'; frame-ancestors 'none'");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() throws IOException {
        http.stop(0);
        executor.shutdownNow();
        store.close();
    }
}
