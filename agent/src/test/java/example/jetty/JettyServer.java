package example.jetty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The child JVM's program in JettyIT: a Jetty 12 server on loopback (Jetty's thread pool, connector, HTTP
 * parser and scheduler; only the handler below is ours) whose requests sleep, park, contend on a monitor,
 * allocate, collect, and start platform and virtual threads. {@code /stop} stops the server; main then
 * returns and the JVM exits.
 */
public final class JettyServer {
    private static final Object LOCK = new Object();
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        // Idle pool threads end after 1 s: the trace sees Jetty's threads start and end.
        QueuedThreadPool pool = new QueuedThreadPool(32, 2, 1000);
        pool.setName("jetty-pool");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        AtomicInteger spawned = new AtomicInteger();
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                switch (path) {
                    case "/hello" -> {
                    }
                    case "/sleep" -> Thread.sleep(10);
                    case "/park" -> LockSupport.parkNanos(5_000_000);
                    case "/lock" -> {
                        synchronized (LOCK) {
                            Thread.sleep(3);
                        }
                    }
                    case "/alloc" -> {
                        List<byte[]> l = new ArrayList<>();
                        for (int i = 0; i < 4000; i++) {
                            l.add(new byte[1024]);
                        }
                        sink = l;
                    }
                    case "/gc" -> System.gc();
                    case "/spawn" -> {
                        Thread t = Thread.ofPlatform().name("spawned-" + spawned.incrementAndGet())
                                .start(() -> LockSupport.parkNanos(2_000_000));
                        t.join();
                    }
                    case "/virtual" -> {
                        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                            for (int i = 0; i < 5; i++) {
                                ex.submit(() -> LockSupport.parkNanos(1_000_000));
                            }
                        }
                    }
                    case "/stop" -> Thread.ofPlatform().name("stopper").start(() -> {
                        try {
                            server.stop();
                        } catch (Exception e) {
                            e.printStackTrace();
                        }
                    });
                    default -> {
                        Response.writeError(request, response, callback, 404);
                        return true;
                    }
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                Content.Sink.write(response, true, "ok " + path, callback);
                return true;
            }
        });
        server.start();
        Path tmp = Files.createTempFile(portFile.getParent(), "port", ".tmp");
        Files.writeString(tmp, Integer.toString(connector.getLocalPort()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        server.join();
        System.out.println("server stopped");
    }
}
