package dev.jtrace.web;

import dev.jtrace.analysis.JsonWriter;
import dev.jtrace.model.ModelThread;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The viewer's HTTP server: Jetty bound to 127.0.0.1 only, serving the assets of the page from the jar (a fixed
 * list: no part of a request ever names a file) and a JSON API about the one trace it was started with.
 *
 * <ul>
 *   <li>{@code GET /api/meta}: the trace, its threads, task rows and the server's limits;</li>
 *   <li>{@code GET /api/window?from=&to=&threads=&tasks=&vt=&px=&limit=&async=}: what the timeline shows there
 *       ({@link WindowQuery});</li>
 *   <li>{@code GET /api/active?from=&to=} and {@code GET /api/search?q=&after=&dir=}: the threads active in a
 *       window, the next hit of a name ({@link WindowQuery#active}, {@link WindowQuery#search});</li>
 *   <li>{@code GET /api/statecause?thread=&start=}: the keys of the blocking and wake-up that the model says
 *       explain a thread's state ({@link StateTrack#cause});</li>
 *   <li>{@code GET /api/analysis}: the analyses, as {@code jtrace analyze --json} writes them ({@link AnalysisJson});</li>
 *   <li>{@code GET /api/plots}: what the analysis pages draw besides (histograms, GC pauses and cycles, heap);</li>
 *   <li>{@code GET /api/range?t0=&t1=[&thread=ID,...]}: flame graphs and tables of a time range, the flame graphs
 *       of the threads named (repeated or comma-separated; all when none) ({@link RangeQuery});</li>
 *   <li>{@code GET /api/sql/status} and {@code GET /api/sql?q=}: the SQL page's database, loaded on first use,
 *       and a read-only query on it ({@link SqlService}).</li>
 * </ul>
 *
 * Only GET and HEAD are served; a request whose Host header is not this server's loopback address is refused
 * (so that a web page elsewhere cannot read the trace through DNS rebinding); at most
 * {@link #MAX_CONCURRENT} window queries compute at once, more are answered 503 at once.
 *
 * <p>No client can stall it (docs/viewer.md, "The server"): Jetty parses requests without blocking, so a
 * connection holds a thread only while its request is handled, and handlers run on virtual threads; a
 * connection that has not sent a whole request header {@link #HEADER_TIMEOUT} after it opened or after its
 * previous answer is closed, however slowly it trickles bytes; one whose answer makes no progress for
 * {@link #IDLE_TIMEOUT} (a client that does not read it) is closed too; at most {@link #MAX_CONNECTIONS} are open, further ones wait in a
 * {@link #ACCEPT_QUEUE}-long accept queue.
 */
public final class ViewerServer implements AutoCloseable {
    /** Window queries computing at once. */
    static final int MAX_CONCURRENT = 4;
    /** Longest request path and query accepted. */
    static final int MAX_PATH = 256;
    static final int MAX_QUERY = 8192;
    /** Time a connection has to send a whole request header, from its opening or its previous answer. */
    static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Jetty's idle timeout: a connection whose answer makes no progress for this long (a client that does not
     * read it) is closed. Longer than a request's wait for the decoder, so that no request waiting for it is
     * cut off.
     */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Connections open at once; further ones wait in the accept queue until one closes. */
    static final int MAX_CONNECTIONS = 1024;
    /** Connections the kernel queues before the server accepts them (capped by net.core.somaxconn). */
    static final int ACCEPT_QUEUE = 4096;
    /** Seconds a 503 asks the client to wait (Retry-After). */
    static final int RETRY_AFTER_SECONDS = 1;
    private static final String ASSET_DIR = "/dev/jtrace/web/static/";
    private static final InetAddress LOOPBACK = loopback();

    private record Asset(byte[] bytes, String type) {}

    /** Request path -> asset file and type: the only files this server can send. */
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/style.css", new String[] {"style.css", "text/css; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/timeline.js", new String[] {"timeline.js", "text/javascript; charset=utf-8"},
            "/analysis.js", new String[] {"analysis.js", "text/javascript; charset=utf-8"},
            "/sql.js", new String[] {"sql.js", "text/javascript; charset=utf-8"},
            "/favicon.svg", new String[] {"favicon.svg", "image/svg+xml"});

    private final TraceIndex index;
    private final GenerationStore store;
    private final WindowQuery windows;
    private final RangeQuery ranges;
    private final SqlService sql;
    private final Server http;
    private final ServerConnector connector;
    private final ScheduledExecutorScheduler timer;
    private final long headerNanos;
    private final Map<Connection, HeaderWatch> watches = new ConcurrentHashMap<>();
    private final Map<String, Asset> assets = new HashMap<>();
    /** Permits of window computations (package-private: a test takes them all to see the 503). */
    final Semaphore computing = new Semaphore(MAX_CONCURRENT);
    private final String meta;
    private final Set<String> hosts;
    private final PrintStream log;
    private volatile String analysis;
    private volatile String plots;

    private ViewerServer(TraceIndex index, int port, long cacheBytes, PrintStream log, Duration headerTimeout,
            Duration idleTimeout) throws IOException {
        this.index = index;
        this.log = log;
        for (Map.Entry<String, String[]> e : ASSETS.entrySet()) {
            assets.put(e.getKey(), new Asset(resource(e.getValue()[0]), e.getValue()[1]));
        }
        this.store = new GenerationStore(index, cacheBytes);
        this.windows = new WindowQuery(index, store);
        this.ranges = new RangeQuery(index, store);
        this.sql = new SqlService(index.file, index.fileSize, log);
        this.meta = meta(index);
        this.headerNanos = headerTimeout.toNanos();
        // platform threads only select, accept and parse; every handler runs on a virtual thread of its own
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("jtrace-view");
        pool.setDaemon(true);
        pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jtrace-view-", 1).factory()));
        this.http = new Server(pool);
        this.timer = new ScheduledExecutorScheduler("jtrace-view-timer", true);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        // room for MAX_QUERY and the headers, so that a long query gets this server's 414, not the parser's
        config.setRequestHeaderSize(MAX_QUERY + 8192);
        this.connector = new ServerConnector(http, null, timer, null, 1, 1, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection c) {
                HeaderWatch w = new HeaderWatch(c);
                watches.put(c, w);
                w.arm(headerNanos);
            }

            @Override
            public void onClosed(Connection c) {
                HeaderWatch w = watches.remove(c);
                if (w != null) {
                    w.cancel();
                }
            }
        });
        http.addConnector(connector);
        http.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        http.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                HeaderWatch w = watches.get(request.getConnectionMetaData().getConnection());
                ViewerServer.this.handle(new Exchange(request, response, w == null ? callback : w.busy(callback)));
                return true;
            }
        });
        try {
            http.start();
        } catch (Exception e) {
            stopQuietly();
            store.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        int bound = connector.getLocalPort();
        this.hosts = Set.of("127.0.0.1:" + bound, "localhost:" + bound);
    }

    /**
     * Serves {@code index} on 127.0.0.1:{@code port} (0: a free port) until {@link #close()}. Decoded
     * generations are spilled to memory-mapped files (in a temporary directory removed by {@link #close()}) and
     * cached as objects up to {@code cacheBytes}; errors of requests are reported on {@code log}.
     */
    public static ViewerServer start(TraceIndex index, int port, long cacheBytes, PrintStream log) throws IOException {
        return new ViewerServer(index, port, cacheBytes, log, HEADER_TIMEOUT, IDLE_TIMEOUT);
    }

    /** {@link #start(TraceIndex, int, long, PrintStream)} with other timeouts (tests). */
    static ViewerServer start(TraceIndex index, int port, long cacheBytes, PrintStream log, Duration headerTimeout,
            Duration idleTimeout) throws IOException {
        return new ViewerServer(index, port, cacheBytes, log, headerTimeout, idleTimeout);
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
        return new InetSocketAddress(LOOPBACK, connector.getLocalPort());
    }

    /** The viewer's URL. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + address().getPort() + "/");
    }

    /**
     * Starts decoding every generation ahead of the views, in the background (see
     * {@link GenerationStore#decodeAhead}); progress goes to the log and to {@code /api/progress}, which the
     * page shows until it says ready.
     */
    public void decodeAhead() {
        store.decodeAhead(log);
    }

    /** Generations decoded for window queries so far. */
    public long generationsDecoded() {
        return store.decodedCount();
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // a literal address is never looked up
        }
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
                .field("start", 0).field("end", idx.duration()).field("origin", idx.origin()).field("generations", idx.gens.size())
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

    /**
     * One request, its response and the callback that completes the exchange once the answer is written.
     * Closing it answers 500 if no route answered, so that no exchange is left open.
     */
    private static final class Exchange implements AutoCloseable {
        final Request request;
        final Response response;
        final Callback callback;
        boolean answered;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        String method() {
            return request.getMethod();
        }

        @Override
        public void close() {
            if (!answered) {
                error(this, 500, "no answer");
            }
        }
    }

    /*
     * Routes: a path, and the method that computes its answer. A new route is one more case that calls
     * json(ex, 200, ...) (or send(...) for another type); throw Refused for a 4xx, or for a 503 (which gets
     * Retry-After).
     */
    private void handle(Exchange ex) {
        try (ex) {
            try {
                String method = ex.method();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.response.getHeaders().put("Allow", "GET, HEAD");
                    throw new Refused(405, "only GET and HEAD are served");
                }
                String host = ex.request.getHeaders().get(HttpHeader.HOST);
                if (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
                    throw new Refused(403, "requests must be addressed to " + uri());
                }
                String path = ex.request.getHttpURI().getPath();
                String query = ex.request.getHttpURI().getQuery();
                if (path == null || path.length() > MAX_PATH || query != null && query.length() > MAX_QUERY) {
                    throw new Refused(414, "request too long");
                }
                switch (path) {
                    case "/api/meta" -> json(ex, 200, meta);
                    case "/api/progress" -> json(ex, 200, store.progress());
                    case "/api/analysis" -> json(ex, 200, analysis());
                    case "/api/plots" -> json(ex, 200, plots());
                    case "/api/window" -> json(ex, 200, window(params(query)));
                    case "/api/range" -> json(ex, 200, range(params(query), threadIds(query)));
                    case "/api/active" -> json(ex, 200, active(params(query)));
                    case "/api/search" -> json(ex, 200, search(params(query)));
                    case "/api/statecause" -> json(ex, 200, stateCause(params(query)));
                    case "/api/sql/status" -> {
                        sql.startLoading();
                        json(ex, 200, sql.status());
                    }
                    case "/api/sql" -> json(ex, 200, sql.query(params(query).get("q")));
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
            } catch (GenerationStore.Busy | SqlService.Busy b) {
                error(ex, 503, b.getMessage());
            } catch (SqlService.BadQuery q) {
                error(ex, 400, q.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(ex, 503, "interrupted");
            } catch (IOException | RuntimeException e) {
                log.println("jtrace view: " + ex.request.getHttpURI() + ": " + e);
                error(ex, 500, String.valueOf(e.getMessage()));
            }
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
        long[] w = timeWindow(q, "from", "to");
        long from = w[0];
        long to = w[1];
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
        boolean lod = "1".equals(q.get("lod"));
        long t0 = System.nanoTime();
        String answer = bounded(() -> windows.run(new WindowQuery.Params(from, to, threads, tasks, vt, px, limit, async, lod)));
        // the server's share of the page's interaction time, which the timing script reports
        return answer.substring(0, answer.length() - 1) + ",\"computeMs\":" + (System.nanoTime() - t0) / 1_000_000 + "}";
    }

    /** A window, range, search or activity computation: it needs one of the {@link #computing} permits. */
    private interface Computation {
        String run() throws Refused, IOException, InterruptedException, GenerationStore.Busy;
    }

    /** Runs {@code c} under a permit, or answers 503 at once when all {@link #MAX_CONCURRENT} are taken. */
    private String bounded(Computation c) throws Refused, IOException, InterruptedException, GenerationStore.Busy {
        if (!computing.tryAcquire()) {
            throw new Refused(503, "at most " + MAX_CONCURRENT + " window queries at once (ranges, searches and"
                    + " activity included); try again");
        }
        try {
            return c.run();
        } finally {
            computing.release();
        }
    }

    /** {@code /api/active?from=&to=}: the threads active in the window ({@link WindowQuery#active}). */
    private String active(Map<String, String> q) throws Refused, IOException, InterruptedException,
            GenerationStore.Busy {
        long[] w = timeWindow(q, "from", "to");
        return bounded(() -> windows.active(w[0], w[1]));
    }

    /** {@code /api/search?q=&after=&dir=1|-1}: the next hit of a name ({@link WindowQuery#search}). */
    private String search(Map<String, String> q) throws Refused, IOException, InterruptedException,
            GenerationStore.Busy {
        String text = q.getOrDefault("q", "");
        if (text.isEmpty() || text.length() > 200) {
            throw new Refused(400, "'q' must hold 1 to 200 characters");
        }
        // the same bounds as a window's, so that origin + after (the search's own arithmetic) stays in a long
        long[] b = timeBounds();
        long after = Math.max(b[0], Math.min(b[1], longParam(q, "after", -TimeMath.add(index.duration(), 1))));
        int dir = "-1".equals(q.get("dir")) ? -1 : 1;
        return bounded(() -> windows.search(text, after, dir));
    }

    /**
     * {@code /api/statecause?thread=&start=}: what the model said explains the state of {@code thread} that
     * the timeline shows as starting at {@code start} (trace-relative ns): the start of its blocking and the
     * wake and resume times of its wake-up, each null when it has none. The page picks that blocking and
     * wake-up out of a window's items by these keys.
     */
    private String stateCause(Map<String, String> q) throws Refused {
        long thread = longParam(q, "thread", null);
        long o = index.origin();
        long start = TimeMath.add(o, longParam(q, "start", null));
        StateTrack.Cause c = index.states.cause(thread, start);
        boolean none = c == null;
        StringBuilder sb = new StringBuilder();
        JsonWriter j = new JsonWriter(sb).beginObject().field("thread", thread);
        relative(j.name("blockStart"), none ? Long.MIN_VALUE : c.blockStart(), o);
        relative(j.name("wake"), none ? Long.MIN_VALUE : c.wake(), o);
        relative(j.name("resume"), none ? Long.MIN_VALUE : c.resume(), o);
        j.name("kept").value(!index.states.causesFull()).endObject();
        return sb.toString();
    }

    /** A time relative to the trace's origin, or null for {@link Long#MIN_VALUE} (none). */
    private static void relative(JsonWriter j, long t, long origin) {
        if (t == Long.MIN_VALUE) {
            j.value((String) null);
        } else {
            j.value(t - origin);
        }
    }

    /**
     * A range's aggregation, its flame graphs of the threads {@code only} (empty: all); it computes under the same
     * bound as window queries.
     */
    private String range(Map<String, String> q, long[] only) throws Refused, IOException, InterruptedException,
            GenerationStore.Busy {
        long t0 = Math.max(0, longParam(q, "t0", null));
        long t1 = Math.min(index.duration(), longParam(q, "t1", null));
        if (t1 <= t0) {
            throw new Refused(400, "'t1' must be after 't0' (and overlap the trace, 0.." + index.duration() + ")");
        }
        return bounded(() -> {
            try {
                return ranges.run(t0, t1, only);
            } catch (RangeQuery.TooLarge e) {
                throw new Refused(413, e.getMessage());
            }
        });
    }

    /**
     * The times a request may name (ns since the trace's start): [-length, 2 x length] of the trace, narrowed so
     * that origin + t is a long. Every route that takes a time reads it through these bounds.
     */
    private long[] timeBounds() {
        long span = TimeMath.add(index.duration(), 1);
        long lo = Math.max(-span, TimeMath.sub(Long.MIN_VALUE, index.origin()));
        long hi = Math.min(TimeMath.mul(2, span), TimeMath.sub(Long.MAX_VALUE, index.origin()));
        return new long[] {lo, hi};
    }

    /**
     * The times {@code fromName} .. {@code toName} of a request (ns since the trace's start), clamped to
     * [-length, 2 x length] of the trace and so that their ends in ticks (origin + from, origin + to) and the
     * window's length are longs: arithmetic on the window then never wraps, whatever the trace's times.
     * Every route that takes a time range should read it here.
     */
    private long[] timeWindow(Map<String, String> q, String fromName, String toName) throws Refused {
        long[] b = timeBounds();
        long lo = b[0];
        long hi = b[1];
        long from = Math.max(lo, longParam(q, fromName, null));
        long to = Math.min(hi, longParam(q, toName, null));
        if (to <= from) {
            throw new Refused(400, "'" + toName + "' must be after '" + fromName + "' (and overlap the trace, 0.."
                    + index.duration() + ")");
        }
        if (TimeMath.sub(to, from) == Long.MAX_VALUE) {
            from = to - Long.MAX_VALUE; // to > 0 here: the window still holds [0, to]
        }
        return new long[] {from, to};
    }

    /**
     * The thread ids of every {@code thread=} parameter of a raw query string, each one id or a comma-separated
     * list of them (empty values and items are skipped): at most {@link WindowQuery#MAX_THREADS}, each a thread of
     * the trace. A request names them as the page's links do ({@code thread=3&thread=7} or {@code thread=3,7}).
     */
    long[] threadIds(String raw) throws Refused {
        List<Long> ids = new ArrayList<>();
        if (raw != null && !raw.isEmpty()) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                String k;
                String v;
                try {
                    k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                    v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new Refused(400, "malformed query string");
                }
                if (!k.equals("thread")) {
                    continue;
                }
                for (String item : v.split(",")) {
                    String t = item.trim();
                    if (t.isEmpty()) {
                        continue;
                    }
                    long id;
                    try {
                        id = Long.parseLong(t);
                    } catch (NumberFormatException e) {
                        throw new Refused(400, "parameter 'thread' must be thread ids (integers; repeat it or separate"
                                + " them with commas), not '" + t + "'");
                    }
                    if (index.model.threads().get(id) == null) {
                        throw new Refused(400, "parameter 'thread': there is no thread " + id + " in the trace");
                    }
                    if (!ids.contains(id)) {
                        ids.add(id);
                    }
                    if (ids.size() > WindowQuery.MAX_THREADS) {
                        throw new Refused(400, "parameter 'thread': at most " + WindowQuery.MAX_THREADS + " threads");
                    }
                }
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
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

    private static void json(Exchange ex, int status, String body) {
        send(ex, status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), "no-store");
    }

    private static void error(Exchange ex, int status, String message) {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject().field("error", message).field("status", status).endObject();
        if (status == 503) {
            ex.response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        json(ex, status, sb.toString());
    }

    private static final HttpFields SECURITY_HEADERS = HttpFields.build()
            .put("X-Content-Type-Options", "nosniff")
            .put("X-Frame-Options", "DENY")
            .put("Referrer-Policy", "no-referrer")
            .put("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
                    + " connect-src 'self'; frame-ancestors 'none'")
            .asImmutable();

    /** Writes the whole answer; the exchange completes (its callback) once it is written or failed. */
    private static void send(Exchange ex, int status, String type, byte[] body, String cache) {
        ex.answered = true;
        Response r = ex.response;
        HttpFields.Mutable h = r.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, type);
        h.put(HttpHeader.CACHE_CONTROL, cache);
        for (HttpField f : SECURITY_HEADERS) {
            h.put(f);
        }
        h.put(HttpHeader.CONTENT_LENGTH, body.length);
        r.setStatus(status);
        boolean head = ex.method().equals("HEAD");
        r.write(true, head || body.length == 0 ? null : ByteBuffer.wrap(body), ex.callback);
    }

    /**
     * Closes a connection that has not sent a whole request header {@link #headerNanos} after it opened or after
     * its previous answer: Jetty's idle timeout restarts with every byte, so alone it lets a client that trickles
     * a byte a second keep a connection forever.
     */
    private final class HeaderWatch implements Runnable {
        private static final long BUSY = Long.MIN_VALUE;
        private final Connection connection;
        /** When the connection last began waiting for a request header (nanoTime); BUSY while one is answered. */
        private volatile long waitingSince = System.nanoTime();
        private volatile Scheduler.Task task;
        private volatile boolean cancelled;

        HeaderWatch(Connection connection) {
            this.connection = connection;
        }

        void arm(long delayNanos) {
            if (!cancelled) {
                task = timer.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        void cancel() {
            cancelled = true;
            Scheduler.Task t = task;
            if (t != null) {
                t.cancel();
            }
        }

        /** A request's header has arrived: the clock restarts when {@code done}, its answer, completes. */
        Callback busy(Callback done) {
            waitingSince = BUSY;
            return new Callback.Nested(done) {
                @Override
                public void succeeded() {
                    waitingSince = System.nanoTime();
                    super.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    waitingSince = System.nanoTime();
                    super.failed(x);
                }
            };
        }

        @Override
        public void run() {
            if (cancelled || !connection.getEndPoint().isOpen()) {
                return;
            }
            long since = waitingSince;
            if (since == BUSY) {
                arm(headerNanos); // the idle timeout guards an exchange under way
                return;
            }
            long left = since + headerNanos - System.nanoTime();
            if (left <= 0) {
                connection.getEndPoint().close();
            } else {
                arm(left);
            }
        }
    }

    @Override
    public void close() throws IOException {
        stopQuietly();
        store.close();
        sql.close();
    }

    private void stopQuietly() {
        try {
            http.stop();
        } catch (Exception e) {
            log.println("jtrace view: stopping the server: " + e);
        }
        try {
            timer.stop();
        } catch (Exception e) {
            // its thread is a daemon
        }
    }
}
