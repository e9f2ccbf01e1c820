import java.net.URI;
import java.net.http.*;
import java.util.concurrent.*;
/** A closed-loop HTTP client for run.sh: 4 threads, one request each per millisecond at most, for N seconds. */
public class Load {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]); long until = System.nanoTime() + Long.parseLong(a[1]) * 1_000_000_000L;
        HttpClient c = HttpClient.newHttpClient();
        ExecutorService ex = Executors.newFixedThreadPool(4);
        java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
        for (int t = 0; t < 4; t++) ex.submit(() -> { int i = 0; while (System.nanoTime() < until) {
            try { c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x?q=" + (i++))).build(), HttpResponse.BodyHandlers.discarding()); n.incrementAndGet(); Thread.sleep(1);} catch (Exception e) { } } return null; });
        ex.shutdown(); ex.awaitTermination(1, TimeUnit.DAYS);
        System.out.println("requests " + n);
    }
}
