package dev.jtrace.web;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A scripted series of timeline interactions, timed in the page: from the input (a wheel step, a key, a link)
 * to the view drawn with its data ({@code jtraceTimeline.interactionMs()}, performance.now(), the page's 60 ms
 * debounce included). The same script runs in {@code BrowserTest} on a generated dense trace and, by
 * {@link #main}, on any trace file (docs/viewer.md: the 1 GiB trace).
 *
 * <p>Per place (spread over the trace's events, visited far apart: first, last, second, second to last, ...):
 * a jump there by a link (1/1000 of the events' span), three wheel steps in, two pans with D and one with A,
 * three wheel steps out, and every other place a zoom out to the whole trace in one wheel step.
 */
final class InteractionScript {
    private final ChromeDriver driver;
    /** Per measured interaction: its window requests' times (answer, server, ingest, draw). */
    final List<String> details = new ArrayList<>();

    private static double dbl(Object o) {
        return o == null ? -1 : ((Number) o).doubleValue();
    }

    InteractionScript(ChromeDriver driver) {
        this.driver = driver;
    }

    /** What one run measured: each interaction's label and time in ms, in order. */
    record Result(List<String> labels, List<Double> ms) {
        double percentile(double p) {
            List<Double> s = ms.stream().sorted().toList();
            return s.get(Math.max(0, (int) Math.ceil(s.size() * p) - 1));
        }

        String summary() {
            return String.format(Locale.ROOT, "%d interactions: p50 %.0f ms, p95 %.0f ms, max %.0f ms", ms.size(),
                    percentile(0.5), percentile(0.95), percentile(1.0));
        }

        /** The slowest interactions, for the report. */
        String slowest(int n) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < ms.size(); i++) {
                order.add(i);
            }
            order.sort((a, b) -> Double.compare(ms.get(b), ms.get(a)));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(n, order.size()); i++) {
                int k = order.get(i);
                sb.append(String.format(Locale.ROOT, "%s%s %.0f ms", i == 0 ? "" : ", ", labels.get(k), ms.get(k)));
            }
            return sb.toString();
        }
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    double num(String script, Object... args) {
        return ((Number) js(script, args)).doubleValue();
    }

    void waitIdle(Duration max) {
        new WebDriverWait(driver, max).pollingEvery(Duration.ofMillis(10)).until(d -> "0".equals(js(
                "return document.body.dataset.pending")));
    }

    /** Opens the timeline and waits until the page says the trace is ready (decoded ahead) and the view is drawn. */
    void openAndWaitReady(URI uri, Duration max) {
        driver.get(uri.toString());
        new WebDriverWait(driver, max).pollingEvery(Duration.ofMillis(100)).until(d -> "1".equals(js(
                "return document.body.dataset.ready")));
        waitIdle(max);
    }

    private WebElement canvas() {
        return driver.findElement(By.id("tl-canvas"));
    }

    private double measure(List<String> labels, List<Double> ms, String label, Runnable action) {
        int before = ((List<?>) js("return jtraceTimeline.interactionMs()")).size();
        double startAt = num("return performance.now()");
        action.run();
        waitIdle(Duration.ofSeconds(120));
        List<?> all = (List<?>) js("return jtraceTimeline.interactionMs()");
        double took = -1;
        for (int i = before; i < all.size(); i++) {
            took = Math.max(took, ((Number) all.get(i)).doubleValue());
        }
        if (took >= 0) {
            labels.add(label);
            ms.add(took);
            List<?> log = (List<?>) js("return jtraceTimeline.fetchLog().filter(x => x.at >= arguments[0])", startAt);
            StringBuilder sb = new StringBuilder();
            for (Object o : log) {
                java.util.Map<?, ?> m = (java.util.Map<?, ?>) o;
                sb.append(String.format(Locale.ROOT, " [%s, %s rows: queued %.0f, answer %.0f (server %s), ingest %.0f, draw %.0f]",
                        m.get("mode"), m.get("rows"), dbl(m.get("queued")), dbl(m.get("answer")), m.get("serverMs"), dbl(m.get("ingest")), dbl(m.get("draw"))));
            }
            details.add(sb.toString());
        }
        return took;
    }

    private void wheel(int deltaY) {
        WebElement c = canvas();
        // over the middle of the tracks (right of the labels), in the rows' area
        int x = (int) Math.round((num("return jtraceTimeline.labelWidth") + c.getSize().getWidth()) / 2.0 - c.getSize().getWidth() / 2.0);
        new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(c, x, 0), 0, deltaY).perform();
    }

    private void key(CharSequence k) {
        new Actions(driver).moveToElement(canvas()).sendKeys(k).perform();
    }

    /**
     * Runs the script over {@code places} places between {@code first} and {@code last} (ns since the trace's
     * start, the events' span) and returns each interaction's time.
     */
    Result run(long first, long last, int places) {
        List<String> labels = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        long span = Math.max(1, last - first);
        long w = Math.max(2000, span / 1000);
        for (int n = 0; n < places; n++) {
            // far apart: first, last, second, second to last, ...
            int k = n % 2 == 0 ? n / 2 : places - 1 - n / 2;
            long mid = first + (long) ((k + 0.5) / places * span);
            String at = "place " + k;
            measure(labels, ms, at + " jump", () -> js("location.hash = arguments[0]",
                    "#/timeline?from=" + (mid - w / 2) + "&to=" + (mid + w / 2)));
            for (int i = 0; i < 3; i++) {
                measure(labels, ms, at + " wheel in " + i, () -> wheel(-480));
            }
            measure(labels, ms, at + " pan D", () -> key("d"));
            measure(labels, ms, at + " pan D", () -> key("d"));
            measure(labels, ms, at + " pan A", () -> key("a"));
            for (int i = 0; i < 3; i++) {
                measure(labels, ms, at + " wheel out " + i, () -> wheel(480));
            }
            if (n % 2 == 1) {
                // S zooms out by 1.25 a press: 40 presses reach the whole trace from a 1/1000 view
                // one wheel step of 3,500 (a factor of e^7) reaches the whole trace from a 1/1000 view
                measure(labels, ms, at + " zoom out to the trace", () -> wheel(3500));
            }
        }
        return new Result(labels, ms);
    }

    /** A headless Chromium of Debian's chromium and chromium-driver, 1440 x 900. */
    static ChromeDriver chromium(Path profile) throws Exception {
        String chromium = existing("/usr/bin/chromium", "/usr/lib/chromium/chromium");
        String chromedriver = existing("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        if (chromium == null || chromedriver == null) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver");
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(profile), "--window-size=1440,900",
                "--force-device-scale-factor=1");
        ChromeDriver d = new ChromeDriver(service, options);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return d;
    }

    static String existing(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /**
     * Not a test: the script on a trace file ({@code FILE [PLACES]}): indexes it, serves it, decodes ahead,
     * opens it in headless Chromium, waits until the page says ready and runs the script. With
     * {@code -Djtrace.screenshot=FILE.png} it saves the first view (the whole trace) once ready; with 0 places it
     * stops there.
     */
    public static void main(String[] args) throws Exception {
        Path f = Path.of(args[0]);
        int places = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        long t0 = System.nanoTime();
        TraceIndex idx = TraceIndex.build(f, null);
        System.out.printf(Locale.ROOT, "indexed %,d events, %d generations in %.1f s; max heap %,d MiB%n", idx.events(),
                idx.generations(), (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().maxMemory() >> 20);
        Path profile = Files.createTempDirectory("jtrace-timing");
        try (ViewerServer s = ViewerServer.start(idx, 0, ViewerServer.defaultCacheBytes(), System.err)) {
            long t1 = System.nanoTime();
            s.decodeAhead();
            ChromeDriver d = chromium(profile);
            try {
                InteractionScript script = new InteractionScript(d);
                script.openAndWaitReady(s.uri(), Duration.ofMinutes(60));
                System.out.printf(Locale.ROOT, "ready %.1f s after the index: %s%n", (System.nanoTime() - t1) / 1e9,
                        script.js("return document.getElementById('loadinfo').textContent"));
                String shot = System.getProperty("jtrace.screenshot");
                if (shot != null) {
                    // the first view, once ready: the whole trace
                    Files.write(Path.of(shot), d.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
                }
                if (places == 0) {
                    return;
                }
                long first = (long) script.num("return JT.meta.firstEvent");
                long last = (long) script.num("return JT.meta.lastEvent");
                Result r = script.run(first, last, places);
                System.out.println(r.summary());
                System.out.println("slowest: " + r.slowest(8));
                for (int i = 0; i < r.ms().size(); i++) {
                    System.out.printf(Locale.ROOT, "  %-32s %6.0f ms%s%n", r.labels().get(i), r.ms().get(i),
                            script.details.get(i));
                }
            } finally {
                d.quit();
            }
        }
    }
}
