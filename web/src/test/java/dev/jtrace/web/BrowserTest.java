package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jtrace.analysis.TraceAnalysis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtrace.model.SchedulerCorpus;
import dev.jtrace.model.ThreadState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The viewer in headless Chromium, used the way a person uses it: open the page, zoom with the wheel, drag,
 * press keys, click a region and read the details panel, visit every analysis page and read its numbers.
 * What the page shows is checked against the trace (read independently) and against {@link TraceAnalysis}.
 * Every page visited is saved as a PNG under {@code web/target/screenshots/}.
 */
class BrowserTest {
    @TempDir
    static Path dir;

    static TestTraces.Viewer trace;
    static Reference ref;
    static TraceIndex index;
    static TraceAnalysis analysis;
    static ViewerServer server;
    static ChromeDriver driver;
    static Path shots;

    @BeforeAll
    static void start() throws Exception {
        trace = TestTraces.viewer(dir);
        ref = Reference.read(trace.file());
        index = TraceIndex.build(trace.file(), null);
        analysis = index.analysis();
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
        shots = Path.of(System.getProperty("jtrace.screenshots", "target/screenshots"));
        Files.createDirectories(shots);
        // the same browser as InteractionScript's (it fails with what to install when chromium is missing)
        driver = InteractionScript.chromium(dir.resolve("chromium-profile"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    static double num(String script, Object... args) {
        return ((Number) js(script, args)).doubleValue();
    }

    static void waitIdle() {
        new WebDriverWait(driver, Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(20)).until(d -> "0".equals(js(
                "return document.body.dataset.pending")));
    }

    /** Opens the server's page and waits until the timeline shows items (not summaries), at most {@code seconds}. */
    static void openAtItems(ViewerServer s, int seconds) {
        driver.get(s.uri().toString());
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(seconds)).until(d -> "items".equals(js("return jtraceTimeline.mode()")));
    }

    /** The timeline legend's entries as [part, name, colour as the canvas spells it]. */
    @SuppressWarnings("unchecked")
    static List<List<Object>> legendEntries() {
        return (List<List<Object>>) js("""
                const out = []; let part = null;
                for (const e of document.getElementById('tl-legend').children) {
                  if (e.tagName === 'B') { part = e.textContent; continue; }
                  const i = e.querySelector('i'), x = document.createElement('canvas').getContext('2d');
                  x.fillStyle = getComputedStyle(i).backgroundColor;
                  out.push([part, e.textContent, x.fillStyle]);
                }
                return out""");
    }

    static void open(String hash) {
        driver.get(server.uri() + hash);
        if (!hash.isEmpty()) {
            driver.navigate().refresh();
        }
        waitIdle();
    }

    static void shot(String name) throws Exception {
        Files.write(shots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    static WebElement canvas() {
        return driver.findElement(By.id("tl-canvas"));
    }

    /** Offsets from the canvas's centre, as WebDriver's pointer actions take them. */
    static int[] offset(double x, double y) {
        WebElement c = canvas();
        return new int[] {(int) Math.round(x - c.getSize().getWidth() / 2.0), (int) Math.round(y - c.getSize().getHeight() / 2.0)};
    }

    static void wheel(double x, double y, int deltaY) {
        int[] o = offset(x, y);
        new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(canvas(), o[0], o[1]), 0, deltaY).perform();
    }

    static void click(double x, double y) {
        int[] o = offset(x, y);
        new Actions(driver).moveToElement(canvas(), o[0], o[1]).click().perform();
    }

    static double xOf(long t) {
        return num("return jtraceTimeline.xOf(arguments[0])", t);
    }

    static long rel(long ticks) {
        return ticks - index.origin();
    }

    /** Zooms with the mouse wheel over [from, to] until it is at least {@code px} wide on screen. */
    static void zoomTo(long from, long to, double y, double px) {
        for (int i = 0; i < 60 && xOf(to) - xOf(from) < px; i++) {
            wheel((xOf(from) + xOf(to)) / 2, y, -240);
            waitIdle();
        }
        assertThat(xOf(to) - xOf(from)).isGreaterThanOrEqualTo(px);
    }

    static String detail(String field) {
        return driver.findElement(By.cssSelector("#details dd[data-field='" + field + "']")).getText();
    }

    static String ms(long nanos) {
        long us = (nanos + 500) / 1000;
        return (us / 1000) + "." + String.format("%03d", us % 1000);
    }

    static String cell(WebElement row, String k) {
        return row.findElement(By.cssSelector("td[data-k='" + k + "']")).getText();
    }

    // ------------------------------------------------------------------------------------------ timeline

    @Test
    void zoomIntoARegionClickItAndReadItsDetails() throws Exception {
        open("");
        shot("timeline-overview");
        assertThat(driver.findElement(By.id("traceinfo")).getText()).contains("viewer.jtrace");
        Reference.Span slow = ref.region("slow-step");
        double y = num("return jtraceTimeline.sliceY(arguments[0], 1)", trace.workerA());
        zoomTo(rel(slow.start()), rel(slow.end()), y, 400);
        assertThat(js("return jtraceTimeline.mode()")).isEqualTo("items");
        shot("timeline-zoomed");
        y = num("return jtraceTimeline.sliceY(arguments[0], 1)", trace.workerA());
        click((xOf(rel(slow.start())) + xOf(rel(slow.end()))) / 2 + 30, y);
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "region".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("name")).isEqualTo("slow-step");
        assertThat(detail("thread")).isEqualTo("worker-A #" + trace.workerA());
        assertThat(detail("task")).isEqualTo(String.valueOf(trace.requestTask()));
        assertThat(detail("depth")).isEqualTo("1");
        assertThat(detail("duration")).isEqualTo(ms(slow.end() - slow.start()) + " ms");
        assertThat(detail("durationNs")).isEqualTo(String.valueOf(slow.end() - slow.start()));
        assertThat(driver.findElement(By.cssSelector("#details ol")).getText()).contains("TestTraces");
        shot("timeline-region-details");

        // the log inside it
        Reference.Span log = ref.logs.get(0);
        click(xOf(rel(log.start())), num("return jtraceTimeline.logY(arguments[0])", trace.workerA()));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "log".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("message")).isEqualTo("halfway through the slow step");
        assertThat(detail("category")).isEqualTo("progress");
    }

    @Test
    void keysAndDragMoveTheView() throws Exception {
        open("");
        @SuppressWarnings("unchecked")
        Map<String, Number> v0 = (Map<String, Number>) js("return jtraceTimeline.view()");
        double span0 = v0.get("to").doubleValue() - v0.get("from").doubleValue();
        new Actions(driver).moveToElement(canvas()).perform();
        new Actions(driver).sendKeys("w").perform();
        waitIdle();
        double span1 = num("const v = jtraceTimeline.view(); return v.to - v.from");
        assertThat(span1).isCloseTo(span0 * 0.8, within(span0 * 1e-6));
        double from1 = num("return jtraceTimeline.view().from");
        new Actions(driver).sendKeys("d").perform();
        waitIdle();
        assertThat(num("return jtraceTimeline.view().from")).isCloseTo(from1 + span1 * 0.1, within(span1 * 1e-6));
        new Actions(driver).sendKeys("s").sendKeys("a").perform();
        waitIdle();
        assertThat(num("const v = jtraceTimeline.view(); return v.to - v.from")).isCloseTo(span0, within(span0 * 1e-6));
        // drag 200 px to the left: the view moves 200 px of time to the right
        double nsPerPx = span0 / (canvas().getSize().getWidth() - num("return jtraceTimeline.labelWidth"));
        double before = num("return jtraceTimeline.view().from");
        int[] o = offset(900, 400);
        new Actions(driver).moveToElement(canvas(), o[0], o[1]).clickAndHold().moveByOffset(-100, 0)
                .moveByOffset(-100, 0).release().perform();
        waitIdle();
        assertThat(num("return jtraceTimeline.view().from")).isCloseTo(before + 200 * nsPerPx, within(nsPerPx * 2));
        new Actions(driver).keyDown(Keys.SHIFT).perform();
        new Actions(driver).keyUp(Keys.SHIFT).perform();
    }

    @Test
    void shiftDragSelectsATimeRangeForTheRangePage() throws Exception {
        open("");
        double x0 = 500;
        double x1 = 800;
        double t0 = num("const v = jtraceTimeline.view(), w = arguments[1] - jtraceTimeline.labelWidth;"
                + " return v.from + (arguments[0] - jtraceTimeline.labelWidth) / w * (v.to - v.from)", x0,
                canvas().getSize().getWidth());
        double t1 = num("const v = jtraceTimeline.view(), w = arguments[1] - jtraceTimeline.labelWidth;"
                + " return v.from + (arguments[0] - jtraceTimeline.labelWidth) / w * (v.to - v.from)", x1,
                canvas().getSize().getWidth());
        double nsPerPx = (t1 - t0) / (x1 - x0);
        int[] o = offset(x0, 400);
        new Actions(driver).keyDown(Keys.SHIFT).moveToElement(canvas(), o[0], o[1]).clickAndHold().moveByOffset(150, 0)
                .moveByOffset(150, 0).release().keyUp(Keys.SHIFT).perform();
        waitIdle();
        String hash = (String) js("return location.hash");
        assertThat(hash).matches("#range\\?t0=-?\\d+&t1=-?\\d+");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("t0=(-?\\d+)&t1=(-?\\d+)").matcher(hash);
        assertThat(m.find()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isCloseTo(t0, within(2 * nsPerPx));
        assertThat(Double.parseDouble(m.group(2))).isCloseTo(t1, within(2 * nsPerPx));
        // the selection stays drawn on the timeline
        Map<String, Number> sel = (Map<String, Number>) js("return jtraceTimeline.rangeSelection()");
        assertThat(sel.get("from").doubleValue()).isCloseTo(t0, within(2 * nsPerPx));
        assertThat(sel.get("to").doubleValue()).isCloseTo(t1, within(2 * nsPerPx));
        // the view did not pan
        assertThat(xOf(Math.round(t0))).isCloseTo(x0, within(2.0));
    }

    @Test
    void blockingEventsGcPausesAndTheVirtualThreadGroup() throws Exception {
        open("");
        Reference.Span park = ref.blocks.stream().filter(b -> b.thread() == trace.workerB() && b.kind().equals("Park"))
                .findFirst().orElseThrow();
        double y = num("return jtraceTimeline.blockY(arguments[0])", trace.workerB());
        zoomTo(rel(park.start()), rel(park.end()), y, 300);
        click((xOf(rel(park.start())) + xOf(rel(park.end()))) / 2, num("return jtraceTimeline.blockY(arguments[0])",
                trace.workerB()));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "block".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("kind")).isEqualTo("park");
        assertThat(detail("detail")).isEqualTo("app.Queue");
        assertThat(detail("duration")).isEqualTo("6.000 ms");
        assertThat(driver.findElement(By.cssSelector("#details ol")).getText()).contains("app.Queue.take(Queue.java:20)");
        shot("timeline-park-details");

        Reference.Span gc = ref.gc.stream().filter(x -> x.task() == 2).findFirst().orElseThrow();
        open(""); // from the whole trace again
        zoomTo(rel(gc.start()), rel(gc.end()), num("return jtraceTimeline.gcY()"), 200);
        click((xOf(rel(gc.start())) + xOf(rel(gc.end()))) / 2, num("return jtraceTimeline.gcY()"));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "gc".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("duration")).isEqualTo("4.000 ms");
        assertThat(detail("cause")).isEqualTo("Allocation Failure");

        // the concurrent cycle: drawn apart from its pauses, which lie 10 ms apart at their own times
        Reference.Span old = ref.gc.stream().filter(x -> x.task() == 3 && x.kind().equals("gc")).findFirst().orElseThrow();
        open("#/timeline?from=" + (rel(old.start()) - TestTraces.MS) + "&to=" + (rel(old.start()) + 12 * TestTraces.MS));
        click(xOf(rel(old.start()) + 5 * TestTraces.MS), num("return jtraceTimeline.gcCycleY()"));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "gccycle".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("name")).isEqualTo("G1 Old");
        assertThat(detail("pauses")).isEqualTo("2");
        assertThat(detail("duration")).isEqualTo("10.500 ms");
        assertThat(detail("pauseNanos")).isEqualTo("1.500 ms");
        shot("timeline-gc-cycle");
        // between its pauses, the pause row holds nothing
        click(xOf(rel(old.start()) + 5 * TestTraces.MS), num("return jtraceTimeline.gcY()"));
        assertThat(js("return document.getElementById('details').dataset.kind")).isEqualTo("gccycle");
        click(xOf(rel(old.start()) + TestTraces.MS / 2), num("return jtraceTimeline.gcY()"));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "gc".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("name")).isEqualTo("Pause Remark");
        assertThat(detail("collector")).isEqualTo("G1 Old");

        // the 20 virtual threads start as one collapsed row; a click on the group opens one row each
        long vt = index.threads.values().stream().filter(t -> t.virtual).findFirst().orElseThrow().id;
        assertThat(js("return jtraceTimeline.rowTop(arguments[0])", vt)).isNull();
        click(40, num("return jtraceTimeline.headerY('vt')"));
        waitIdle();
        assertThat(js("return jtraceTimeline.rowTop(arguments[0])", vt)).isNotNull();
        shot("timeline-virtual-threads");
    }

    /** Whether a pixel within 2 px of (x, y) on the canvas has about the colour {@code rgb} ("#rrggbb"). */
    static boolean colourNear(double x, double y, String rgb, int tolerance) {
        return (Boolean) js("""
                const [x, y, hex, tol] = arguments;
                const c = document.getElementById('tl-canvas');
                const want = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
                const d = c.getContext('2d').getImageData(Math.round(x) - 2, Math.round(y) - 2, 5, 5).data;
                for (let i = 0; i < d.length; i += 4) {
                  if (Math.abs(d[i] - want[0]) <= tol && Math.abs(d[i + 1] - want[1]) <= tol
                      && Math.abs(d[i + 2] - want[2]) <= tol) return true;
                }
                return false""", x, y, rgb, tolerance);
    }

    /** A CSS colour as the canvas normalizes it ("#rrggbb"). */
    static String canvasColour(String css) {
        return (String) js("const x = document.createElement('canvas').getContext('2d'); x.fillStyle = arguments[0];"
                + " return x.fillStyle", css);
    }

    /**
     * The scheduler corpus's virtual threads: wake-up arrows from the waker's row to the woken one's (checked
     * by their pixels), the carriers' lanes of virtual-thread slices (a click selects the virtual thread), a
     * park's details naming the unpark that ended it, and the latency page's worst scheduler latency opening
     * the timeline at that wake-up.
     */
    @Test
    void wakeupArrowsCarrierLanesAndSchedulerLatencyLinks() throws Exception {
        Path file = SchedulerCorpus.virtual(dir.resolve("sched-virtual.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            openAtItems(s, 30);
            long o = idx.origin();
            // six wake-ups, each from its waker's row at the wake-up to its wakee's row where it resumed
            List<Map<String, Object>> arrows = (List<Map<String, Object>>) js("return jtraceTimeline.wakeArrows()");
            assertThat(arrows).hasSize(6).allSatisfy(a -> assertThat(a.get("full")).isEqualTo(true));
            String wake = (String) js("return jtraceTimeline.wakeColor");
            Map<String, Object> unpark = arrows.stream().filter(a -> a.get("kind").equals("unpark")).findFirst().orElseThrow();
            assertThat(((Number) unpark.get("waker")).longValue()).isEqualTo(1);
            assertThat(((Number) unpark.get("wakee")).longValue()).isEqualTo(100);
            assertThat(((Number) unpark.get("x0")).doubleValue()).isCloseTo(xOf(500 - o), within(0.5));
            assertThat(((Number) unpark.get("x1")).doubleValue()).isCloseTo(xOf(610 - o), within(0.5));
            double y0 = ((Number) unpark.get("y0")).doubleValue();
            double y1 = ((Number) unpark.get("y1")).doubleValue();
            assertThat(y0).isCloseTo(num("return jtraceTimeline.blockY(1)"), within(1.0));
            assertThat(y1).isCloseTo(num("return jtraceTimeline.blockY(100)"), within(1.0));
            // drawn: the arrow's colour along its line (a third of the way, clear of the slices' labels)
            double ax = xOf(500 - o) + (xOf(610 - o) - xOf(500 - o)) / 3;
            assertThat(colourNear(ax, y0 + (y1 - y0) / 3, wake, 60)).isTrue();
            assertThat(colourNear(ax, y0 + (y1 - y0) / 3 - 30, wake, 60)).isFalse();
            // carrier lanes: 2 stretches on carrier 10, 3 on carrier 11, each in its virtual thread's colour
            List<Map<String, Object>> runs = (List<Map<String, Object>>) js("return jtraceTimeline.carrierSlices()");
            assertThat(runs).extracting(r -> ((Number) r.get("carrier")).longValue() + ":" + r.get("label"))
                    .containsExactlyInAnyOrder("10:vt-req-1", "10:vt-req-1", "11:vt-req-2", "11:#102", "11:vt-req-1");
            for (Map<String, Object> r : runs) {
                double x = ((Number) r.get("x")).doubleValue() + ((Number) r.get("w")).doubleValue() / 2;
                double y = ((Number) r.get("y")).doubleValue() + 2;
                assertThat(colourNear(x, y, canvasColour((String) js("return jtraceTimeline.carrierColor(arguments[0])", r.get("thread"))), 3))
                        .as("slice %s", r).isTrue();
            }
            shot("timeline-scheduler");
            // with the virtual threads collapsed into their group, every wake-up (all of virtual threads) is a stub
            // below its waker's row
            click(40, num("return jtraceTimeline.headerY('vt')"));
            waitIdle();
            List<Map<String, Object>> stubs = (List<Map<String, Object>>) js("return jtraceTimeline.wakeArrows()");
            assertThat(stubs).hasSize(6).allSatisfy(x -> {
                assertThat(x.get("full")).isEqualTo(false);
                assertThat(((Number) x.get("y1")).doubleValue() - ((Number) x.get("y0")).doubleValue()).isEqualTo(14.0);
            });
            click(40, num("return jtraceTimeline.headerY('vt')"));
            waitIdle();
            assertThat((List<?>) js("return jtraceTimeline.wakeArrows().filter(a => a.full)")).hasSize(6);
            // a click on vt-req-2's stretch on carrier 11 selects vt-req-2's row
            click(xOf(400 - o), num("return jtraceTimeline.carrierY(11)"));
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "carrier".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("thread")).isEqualTo("vt-req-2 #101");
            assertThat(detail("carrier")).isEqualTo("ForkJoinPool-1-worker-2 #11");
            assertThat(detail("durationNs")).isEqualTo("100");
            assertThat(num("return jtraceTimeline.selectedThread()")).isEqualTo(101);
            // vt-req-1's park (300 to 610): main's unpark at 500 woke it, 110 ns before it ran again
            click(xOf(400 - o), num("return jtraceTimeline.blockY(100)"));
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "block".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("kind")).isEqualTo("park");
            assertThat(detail("wakeBy")).isEqualTo("main #1 (unpark)");
            assertThat(detail("wakeAt")).isEqualTo("500 ns");
            assertThat(detail("wakeLatency")).isEqualTo("110 ns (woken to running)");
            shot("timeline-woken-by");

            // the latency page: the virtual threads' worst submit-to-mount, linked to the timeline
            driver.findElement(By.cssSelector("#nav a[data-page='latency']")).click();
            waitIdle();
            JsonNode sched = new ObjectMapper().readTree(idx.analysis().toJson()).get("scheduler");
            JsonNode worst = sched.get("virtual").get("worst").get(0);
            WebElement card = driver.findElement(By.cssSelector("#sched-cards .card[data-sched='virtual']"));
            assertThat(cell(card, "count")).isEqualTo(String.valueOf(sched.get("virtual").get("count").asLong())).isEqualTo("5"); // its submits; its unpark is in neither
            assertThat(cell(card, "max")).isEqualTo(worst.get("nanos").asLong() + " ns").isEqualTo("100 ns");
            WebElement first = card.findElement(By.cssSelector("tr[data-rank='0']"));
            assertThat(cell(first, "waker")).isEqualTo("main #1");
            assertThat(cell(first, "nanos")).isEqualTo("100 ns");
            WebElement link = first.findElement(By.cssSelector("a.jump"));
            assertThat(link.getText()).isEqualTo("vt-req-1 #100");
            assertThat(link.getAttribute("href")).endsWith(worst.get("link").asText());
            WebElement platform = driver.findElement(By.cssSelector("#sched-cards .card[data-sched='platform']"));
            assertThat(cell(platform, "count")).isEqualTo("0");
            shot("page-latency-scheduler");
            link.click();
            waitIdle();
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "wakeup".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("kind")).isEqualTo("submit");
            assertThat(detail("waker")).isEqualTo("main #1");
            assertThat(detail("thread")).isEqualTo("vt-req-1 #100");
            assertThat(detail("latencyNs")).isEqualTo("100");
            assertThat(detail("resumeAt")).isEqualTo("200 ns");
            // the view spans the wake-up and its resumption
            assertThat(xOf(100 - o)).isGreaterThan(num("return jtraceTimeline.labelWidth"));
            assertThat(xOf(200 - o)).isLessThan(canvas().getSize().getWidth());
            shot("timeline-from-scheduler-latency");
        }
    }

    /** Interaction time measured in the browser (performance.now()) around {@code action}, until the page is idle. */
    static double timed(Runnable action) {
        double t0 = num("return performance.now()");
        action.run();
        waitIdle();
        return num("return performance.now()") - t0;
    }

    @Test
    void searchForARegionNameAndLandOnIt() throws Exception {
        open("");
        Reference.Span slow = ref.region("slow-step");
        WebElement box = driver.findElement(By.id("tl-search"));
        box.sendKeys("slow-st");
        double ms = timed(() -> box.sendKeys(Keys.ENTER));
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "region".equals(js(
                "return document.getElementById('details').dataset.kind")));
        // landed on it: selected, in view, zoomed to about three times its length
        assertThat(detail("name")).isEqualTo("slow-step");
        assertThat(detail("thread")).isEqualTo("worker-A #" + trace.workerA());
        assertThat(xOf(rel(slow.start()))).isGreaterThan(num("return jtraceTimeline.labelWidth"));
        assertThat(xOf(rel(slow.end()))).isLessThan(canvas().getSize().getWidth());
        double span = num("const v = jtraceTimeline.view(); return v.to - v.from");
        assertThat(span).isCloseTo(3.0 * (slow.end() - slow.start()), within(0.01 * span));
        assertThat(num("return jtraceTimeline.searchInView()")).isEqualTo(1);
        double searchMs = num("return jtraceTimeline.searchMs()");
        assertThat(searchMs).as("search to selected hit, ms").isLessThan(5000);
        assertThat(ms).isLessThan(10_000);
        System.out.printf("search 'slow-st': hit selected after %.0f ms (until idle %.0f ms)%n", searchMs, ms);
        shot("timeline-search");
        // the only one: no further hit
        box.sendKeys(Keys.ENTER);
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> driver.findElement(By.id("tl-search-status"))
                .getText().startsWith("no further hit"));

        // 50 "tiny" regions: next and previous step through them in time order
        box.clear();
        box.sendKeys("tiny", Keys.ENTER);
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "region".equals(js(
                "return document.getElementById('details').dataset.kind")));
        List<Reference.Span> tiny = ref.regions.stream().filter(r -> r.name().equals("tiny"))
                .sorted(java.util.Comparator.comparingLong(Reference.Span::start)).toList();
        assertThat(tiny).hasSize(50);
        long first = ((Number) js("return jtraceTimeline.searchHit().start")).longValue();
        box.sendKeys(Keys.ENTER);
        waitIdle();
        long second = ((Number) js("return jtraceTimeline.searchHit().start")).longValue();
        box.sendKeys(Keys.SHIFT, Keys.ENTER);
        waitIdle();
        long back = ((Number) js("return jtraceTimeline.searchHit().start")).longValue();
        int i = tiny.stream().map(r -> rel(r.start())).toList().indexOf(first);
        assertThat(i).isGreaterThanOrEqualTo(0);
        assertThat(second).isEqualTo(rel(tiny.get(i + 1).start()));
        assertThat(back).isEqualTo(first);
        assertThat(detail("name")).isEqualTo("tiny");
        // distinct colours per name in the view
        List<String> names = (List<String>) js("return jtraceTimeline.viewNames()");
        assertThat(names).isNotEmpty();
        assertThat(names.stream().map(n -> (String) js("return jtraceTimeline.nameColor(arguments[0])", n)).distinct())
                .hasSameSizeAs(names);
        box.clear();
        box.sendKeys(Keys.ENTER);
    }

    /**
     * Every match in view is outlined, not only the hit landed on; once the slices, tasks and logs are done, Enter
     * steps through the threads whose name matches: each one's row shown (past the thread filter, its collapsed
     * group opened, virtual threads in order of activity) and selected; shift+Enter steps back.
     */
    @Test
    void searchOutlinesEveryHitInViewAndStepsThroughThreadNames() throws Exception {
        List<Reference.Span> tiny = ref.regions.stream().filter(r -> r.name().equals("tiny"))
                .sorted(java.util.Comparator.comparingLong(Reference.Span::start)).toList();
        assertThat(tiny).hasSize(50);
        // the 50 tiny regions (20 us each) side by side, each many pixels wide
        open("#/timeline?from=" + (rel(tiny.get(0).start()) - 20_000) + "&to=" + (rel(tiny.get(49).end()) + 20_000));
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "items".equals(js("return jtraceTimeline.mode()")));
        WebElement box = driver.findElement(By.id("tl-search"));
        box.clear();
        box.sendKeys("tiny");
        waitIdle();
        assertThat(num("return jtraceTimeline.searchInView()")).as("tiny regions outlined").isEqualTo(50);
        shot("timeline-search-all");

        // thread names: no slice, task or log holds "worker-b", so Enter goes to the thread, even filtered out
        WebElement filter = driver.findElement(By.id("tl-filter"));
        filter.clear();
        filter.sendKeys("worker-a");
        waitIdle();
        assertThat(shownThreads()).containsExactly(trace.workerA());
        box.clear();
        box.sendKeys("worker-b", Keys.ENTER);
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> Long.valueOf(trace.workerB()).equals(
                js("return jtraceTimeline.searchThread()") == null ? null : ((Number) js("return jtraceTimeline.searchThread()")).longValue()));
        assertThat((long) num("return jtraceTimeline.selectedThread()")).isEqualTo(trace.workerB());
        assertThat(shownThreads()).contains(trace.workerA(), trace.workerB());
        assertThat(driver.findElement(By.id("tl-filter")).getAttribute("value")).isEmpty();
        assertThat(num("return jtraceTimeline.rowTop(arguments[0])", trace.workerB()))
                .isBetween(0.0, (double) canvas().getSize().getHeight() - 20);
        assertThat(driver.findElement(By.id("tl-search-status")).getText())
                .isEqualTo("thread worker-B #" + trace.workerB() + " (1 of 1 thread names)");
        box.sendKeys(Keys.ENTER);
        waitIdle();
        assertThat(driver.findElement(By.id("tl-search-status")).getText()).startsWith("no further hit");

        // the 20 unnamed virtual threads, in their collapsed group: the first row of the group, then the next
        // (their order by activity is virtualThreadsAreSortedByActivity's)
        @SuppressWarnings("unchecked")
        List<Long> order = ((List<Object>) js("const ts = JT.meta.threads.filter(t => t.virtual);"
                + " ts.sort((a, b) => (b.runningNanos || 0) - (a.runningNanos || 0) || b.events - a.events || a.id - b.id);"
                + " return ts.map(t => t.id)")).stream().map(x -> ((Number) x).longValue()).toList();
        assertThat(order).hasSize(20);
        assertThat(js("return jtraceTimeline.rowTop(arguments[0])", order.get(0))).as("collapsed").isNull();
        box.clear();
        box.sendKeys("virtual thread", Keys.ENTER);
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> js("return jtraceTimeline.searchThread()") != null);
        assertThat(((Number) js("return jtraceTimeline.searchThread()")).longValue()).isEqualTo(order.get(0));
        assertThat(js("return jtraceTimeline.rowTop(arguments[0])", order.get(0))).isNotNull();
        box.sendKeys(Keys.ENTER);
        waitIdle();
        assertThat(((Number) js("return jtraceTimeline.searchThread()")).longValue()).isEqualTo(order.get(1));
        assertThat((long) num("return jtraceTimeline.selectedThread()")).isEqualTo(order.get(1));
        box.sendKeys(Keys.SHIFT, Keys.ENTER);
        waitIdle();
        assertThat(((Number) js("return jtraceTimeline.searchThread()")).longValue()).isEqualTo(order.get(0));
        box.sendKeys(Keys.SHIFT, Keys.ENTER);
        waitIdle();
        assertThat(driver.findElement(By.id("tl-search-status")).getText()).isEqualTo("no earlier hit");
        box.clear();
        box.sendKeys(Keys.ENTER);
    }

    @Test
    void hideIdleThreadsAndFilterAndPinRows() throws Exception {
        Reference.Span slow = ref.region("slow-step");
        // the second half of the slow step: worker-A runs it, worker-B waits for the hand-off without an event
        long from = rel(slow.start()) + 18 * TestTraces.MS;
        long to = rel(slow.end()) - 2 * TestTraces.MS;
        assertThat(ref.blocks.stream().filter(b -> b.thread() == trace.workerB() && b.end() > slow.start() + 18 * TestTraces.MS
                && b.start() < slow.end() - 2 * TestTraces.MS)).isEmpty();
        open("#/timeline?from=" + from + "&to=" + to);
        List<Long> before = shownThreads();
        assertThat(before).contains(trace.workerA(), trace.workerB());
        WebElement idle = driver.findElement(By.id("tl-idle"));
        double ms = timed(idle::click);
        List<Long> after = shownThreads();
        assertThat(after).contains(trace.workerA()).doesNotContain(trace.workerB());
        assertThat(after.size()).isLessThan(before.size());
        System.out.printf("hide idle threads: %d of %d rows left, %.0f ms%n", after.size(), before.size(), ms);
        assertThat(ms).as("hide idle threads, ms").isLessThan(5000);
        // the state track of worker-A there: running (in its region) but where GC pauses stopped it
        List<Map<String, Object>> states = (List<Map<String, Object>>) js("return jtraceTimeline.states(arguments[0])", trace.workerA());
        List<Map<String, Object>> inView = states.stream().filter(x -> ((Number) x.get("start")).longValue() < to
                && ((Number) x.get("start")).longValue() + ((Number) x.get("dur")).longValue() > from).toList();
        assertThat(inView).extracting(x -> x.get("state")).contains("running").isSubsetOf("running", "gc");
        for (Map<String, Object> x : inView) {
            if (x.get("state").equals("gc")) {
                long start = ((Number) x.get("start")).longValue();
                // at one of the model's stop-the-world pauses (a G1 cycle's phases are pauses of their own)
                assertThat(index.gcPauses).anySatisfy(g -> assertThat(rel(g.start())).isEqualTo(start));
            }
        }
        shot("timeline-hide-idle");
        idle.click();
        waitIdle();
        assertThat(shownThreads()).containsExactlyInAnyOrderElementsOf(before);

        // filter by name, then pin worker-B: it stays on top whatever the filter
        WebElement filter = driver.findElement(By.id("tl-filter"));
        filter.sendKeys("worker-a");
        waitIdle();
        assertThat(shownThreads()).containsExactly(trace.workerA());
        for (int i = 0; i < "worker-a".length(); i++) {
            filter.sendKeys(Keys.BACK_SPACE);
        }
        waitIdle();
        double y = num("return jtraceTimeline.rowTop(arguments[0])", trace.workerB()) + 8;
        click(40, y);
        waitIdle();
        assertThat((List<?>) js("return jtraceTimeline.pinned()")).hasSize(1);
        double pinnedTop = num("return jtraceTimeline.rowTop(arguments[0])", trace.workerB());
        assertThat(pinnedTop).isLessThan(num("return jtraceTimeline.rowTop(arguments[0])", trace.workerA()));
        // enough rows to scroll: the virtual threads' group opened
        click(40, num("return jtraceTimeline.headerY('vt')"));
        waitIdle();
        double gcY = num("return jtraceTimeline.gcY()");
        double aTop = num("return jtraceTimeline.rowTop(arguments[0])", trace.workerA());
        scrollRows(400);
        assertThat(num("return document.getElementById('tl-scroll').scrollTop")).as("the rows scrolled").isGreaterThan(100);
        assertThat(num("return jtraceTimeline.rowTop(arguments[0])", trace.workerA())).isLessThan(aTop - 100);
        assertThat(num("return jtraceTimeline.rowTop(arguments[0])", trace.workerB())).isEqualTo(pinnedTop);
        // the GC band is pinned too: it does not scroll away
        assertThat(num("return jtraceTimeline.gcY()")).isEqualTo(gcY);
        click(40, pinnedTop + 8);
        waitIdle();
        assertThat((List<?>) js("return jtraceTimeline.pinned()")).isEmpty();
    }

    static void scrollRows(int px) {
        js("document.getElementById('tl-scroll').scrollTop += arguments[0]", px);
        waitIdle();
    }

    @SuppressWarnings("unchecked")
    static List<Long> shownThreads() {
        return ((List<Object>) js("return jtraceTimeline.shownThreads()")).stream().map(x -> ((Number) x).longValue()).toList();
    }

    /**
     * The platform scheduler corpus: the first view is fitted to the events (100 to 8,000 ns of a 10,000 ns
     * generation); worker #1's state track shows its park (100 to 300) in the parked colour, and a click on it
     * names its blocker and the unpark by waker #2 that ended it.
     */
    @Test
    void stateTrackShowsAParkWithItsBlockerAndWaker() throws Exception {
        Path file = SchedulerCorpus.platform(dir.resolve("sched-platform.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            driver.get(s.uri().toString());
            waitIdle();
            long o = idx.origin();
            assertThat(idx.duration()).isEqualTo(10_000);
            Map<String, Number> v = (Map<String, Number>) js("return jtraceTimeline.view()");
            assertThat(v.get("from").doubleValue()).isBetween(100.0 - o - 400, 100.0 - o);
            assertThat(v.get("to").doubleValue()).isBetween(8000.0 - o, 8000.0 - o + 400);
            List<Map<String, Object>> states = (List<Map<String, Object>>) js("return jtraceTimeline.states(1)");
            Map<String, Object> park = states.stream().filter(x -> x.get("state").equals("parked")).findFirst().orElseThrow();
            assertThat(((Number) park.get("start")).longValue()).isEqualTo(100 - o);
            assertThat(((Number) park.get("dur")).longValue()).isEqualTo(200);
            assertThat(states).anySatisfy(x -> {
                assertThat(x.get("state")).isEqualTo("runnable");
                assertThat(((Number) x.get("start")).longValue()).isEqualTo(300 - o);
            });
            double y = num("return jtraceTimeline.stateY(1)");
            // a 200 ns park of a 8,300 ns view is about 27 px: zoom onto it
            zoomTo(100 - o, 300 - o, y, 200);
            y = num("return jtraceTimeline.stateY(1)");
            double x = (xOf(100 - o) + xOf(300 - o)) / 2;
            assertThat(colourNear(x, y, canvasColour((String) js("return jtraceTimeline.stateColor('parked')")), 3)).isTrue();
            double ms = timed(() -> click(x, num("return jtraceTimeline.stateY(1)")));
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "done".equals(js(
                    "return document.getElementById('details').dataset.cause")));
            assertThat(js("return document.getElementById('details').dataset.kind")).isEqualTo("state");
            assertThat(detail("state")).isEqualTo("parked");
            assertThat(detail("thread")).isEqualTo("worker #1");
            assertThat(detail("durationNs")).isEqualTo("200");
            assertThat(detail("blocker")).isEqualTo("app.Lock (park)");
            assertThat(detail("wakeBy")).isEqualTo("waker #2 (unpark)");
            assertThat(detail("wakeAt")).isEqualTo("300 ns");
            assertThat(detail("resumeAt")).isEqualTo("350 ns");
            assertThat(driver.findElement(By.cssSelector("#details ol")).getText()).contains("app.Service.call");
            assertThat(ms).as("click a state to its waker, ms").isLessThan(5000);
            System.out.printf("state details with blocker and waker: %.0f ms%n", ms);
            shot("timeline-state-track");
        }
    }

    /** The colour at (x, y) of the canvas as shown on the page's white, "#rrggbb". */
    static String shownColour(double x, double y) {
        return (String) js("""
                const c = document.getElementById('tl-canvas'), dpr = c.width / c.clientWidth;
                const d = c.getContext('2d').getImageData(Math.round(arguments[0] * dpr), Math.round(arguments[1] * dpr), 1, 1).data;
                const a = d[3] / 255, over = v => Math.round(v * a + 255 * (1 - a));
                return '#' + [0, 1, 2].map(i => over(d[i]).toString(16).padStart(2, '0')).join('')""", x, y);
    }

    /**
     * Virtual threads come in order of activity (the busiest first), not of their ids; the toolbar's legend
     * names the state and blocking colours the rows are drawn in; a GC pause is shaded across the rows below
     * the GC band (a virtual thread's empty row is pale red during the pause, white beside it).
     */
    @Test
    @SuppressWarnings("unchecked")
    void virtualThreadsAreSortedByActivityTheLegendNamesTheColoursAndPausesShadeTheRows() throws Exception {
        Path file = TestTraces.virtualThreadsAndAPause(dir.resolve("vt-activity.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            openAtItems(s, 30);
            long o = idx.origin();
            // by activity: vt-busy (ten regions), vt-middle (three), vt-quiet (one); the ids say 10, 11, 12
            List<Long> vts = shownThreads().stream().filter(id -> id >= 10 && id <= 12).toList();
            assertThat(vts).containsExactly(11L, 12L, 10L);
            assertThat(driver.findElement(By.id("tl-legend")).getText()).contains("states", "blocking", "GC pause");

            // the legend: every state and blocking kind, each in the colour its rows are drawn in
            List<List<Object>> legend = legendEntries();
            for (String st : List.of("running", "runnable", "parked", "blocked", "waiting", "sleeping", "io", "gc", "unknown")) {
                assertThat(legend).as(st).contains(List.of("states", st, canvasColour((String) js("return jtraceTimeline.stateColor(arguments[0])", st))));
            }
            assertThat(legend).extracting(e -> e.get(0) + " " + e.get(1)).contains("blocking park", "blocking wait",
                    "blocking monitor", "blocking sleep", "blocking pinned", "blocking io");

            // the pause (50 to 55 us) shades vt-quiet's row, empty there, and only there
            double y = num("return jtraceTimeline.sliceY(arguments[0], 0)", 10L);
            String in = shownColour(xOf(52_500 - o), y);
            String out = shownColour(xOf(70_000 - o), y);
            assertThat(out).isEqualTo("#ffffff");
            int r = Integer.parseInt(in.substring(1, 3), 16);
            int g = Integer.parseInt(in.substring(3, 5), 16);
            assertThat(r - g).as("pale red during the pause: %s", in).isGreaterThan(10);
            assertThat(r).isGreaterThan(230);
            shot("timeline-vt-activity-gc-shade");
        }
    }

    /**
     * Twelve overlapping tasks of one name get twelve lanes (the row starts folded, a click on its name unfolds
     * it); CPU samples are ticks on their thread's row that open their stack; a counter and the JVM heap are
     * counter tracks whose values a click reads.
     */
    @Test
    @SuppressWarnings("unchecked")
    void taskLanesSamplesAndCounterTracks() throws Exception {
        Path file = TestTraces.lanesSamplesCounters(dir.resolve("lanes.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            openAtItems(s, 30);
            long o = idx.origin();
            // the lanes the server assigned: one each
            JsonNode w = new ObjectMapper().readTree((String) js("const r = new XMLHttpRequest();"
                    + " r.open('GET', '/api/window?from=0&to=100000&threads=1&tasks=1&vt=0&px=100', false);"
                    + " r.send(); return r.responseText"));
            Set<Integer> lanes = new java.util.TreeSet<>();
            w.get("tasks").forEach(t -> lanes.add(t.get(4).asInt()));
            assertThat(lanes).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 12).boxed().toList());
            Map<String, Object> row = (Map<String, Object>) js("return jtraceTimeline.taskRow('order')");
            assertThat(((Number) row.get("lanes")).intValue()).isEqualTo(12);
            assertThat(row.get("folded")).isEqualTo(true);
            double folded = ((Number) row.get("h")).doubleValue();
            click(40, num("return jtraceTimeline.taskRowTop('order')") + 6);
            waitIdle();
            row = (Map<String, Object>) js("return jtraceTimeline.taskRow('order')");
            assertThat(row.get("folded")).isEqualTo(false);
            assertThat(((Number) row.get("h")).doubleValue()).isEqualTo(12 * 14 + 4).isGreaterThan(folded);
            shot("timeline-task-lanes");
            // collapsible: a second click folds it again
            click(40, num("return jtraceTimeline.taskRowTop('order')") + 6);
            waitIdle();
            row = (Map<String, Object>) js("return jtraceTimeline.taskRow('order')");
            assertThat(row.get("folded")).isEqualTo(true);
            assertThat(((Number) row.get("h")).doubleValue()).isEqualTo(folded);
            click(40, num("return jtraceTimeline.taskRowTop('order')") + 6);
            waitIdle();

            // a CPU sample's tick opens its stack
            click(xOf(20_000 - o), num("return jtraceTimeline.sampleY(1)"));
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "sample".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("thread")).isEqualTo("orders #1");
            assertThat(detail("start")).isEqualTo("20.0 us");
            assertThat(detail("frame")).startsWith("app.Orders.price");
            assertThat(driver.findElement(By.cssSelector("#details ol")).getText()).contains("app.Main.main");
            // the counter's value between its samples, the JVM heap's
            click(xOf(20_000 - o), num("return jtraceTimeline.counterY('queue-depth')"));
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "counter".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("name")).isEqualTo("queue-depth");
            assertThat(detail("value")).isEqualTo("7");
            assertThat(detail("start")).isEqualTo("15.0 us");
            click(xOf(30_000 - o), num("return jtraceTimeline.counterY('JVM heap used')"));
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "JVM heap used".equals(detail("name")));
            assertThat(detail("value")).isEqualTo("976.6 KiB (1,000,000 B)");
            shot("timeline-samples-counters");
        }
    }

    /**
     * Allocation samples are orange diamonds on their thread's row, apart from the CPU samples' blue ticks, and
     * named in the legend; a click on one opens its class, weight, thread, time and stack; zoomed out until the
     * burst of 200 merges below a pixel, a click on the burst says how many samples it holds and what they weigh.
     */
    @Test
    @SuppressWarnings("unchecked")
    void allocationSamplesAreTicksThatOpenTheirTypeAndStack() throws Exception {
        Path file = TestTraces.allocSamples(dir.resolve("alloc.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            openAtItems(s, 30);
            long o = idx.origin();
            // drawn: an orange diamond at 20 us, a blue tick at 10 us, on thread 1's row, in their legend colours
            double y = num("return jtraceTimeline.allocY(1)");
            String alloc = canvasColour((String) js("return jtraceTimeline.allocColor()"));
            String cpu = canvasColour((String) js("return jtraceTimeline.sampleColor()"));
            assertThat(alloc).isNotEqualTo(cpu);
            // (a pixel right of the allocation's centre: 20 us has a grid line over it)
            assertThat(shownColour(xOf(20_000 - o) + 1, y)).isEqualTo(alloc);
            assertThat(shownColour(xOf(10_000 - o), y)).isEqualTo(cpu);
            // a diamond: wider than the tick (2 px) at its middle, narrower at its top
            assertThat(shownColour(xOf(20_000 - o) + 2, y)).isEqualTo(alloc);
            assertThat(shownColour(xOf(10_000 - o) + 2, y)).isNotEqualTo(cpu);
            assertThat(shownColour(xOf(20_000 - o) + 3, y - 3)).isNotEqualTo(alloc);
            List<List<Object>> legend = legendEntries();
            assertThat(legend).contains(List.of("samples", "CPU", cpu), List.of("samples", "allocation", alloc));

            // a click on the allocation's tick opens its class, weight and stack
            click(xOf(20_000 - o), y);
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "alloc".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(driver.findElement(By.cssSelector("#details h3")).getText()).isEqualTo("Allocation sample");
            assertThat(detail("type")).isEqualTo("app.Order");
            assertThat(detail("weight")).isEqualTo("4.0 KiB (4,096 B)");
            assertThat(detail("thread")).isEqualTo("allocator #1");
            assertThat(detail("start")).isEqualTo("20.0 us");
            assertThat(detail("frame")).startsWith("app.Orders.newOrder");
            List<String> frames = driver.findElements(By.cssSelector("#details ol li")).stream()
                    .map(WebElement::getText).toList();
            assertThat(frames).hasSize(3);
            assertThat(frames.get(0)).startsWith("app.Orders.newOrder");
            assertThat(frames.get(2)).startsWith("app.Main.main");
            shot("timeline-alloc-samples");
            // the CPU sample beside it is still a CPU sample
            click(xOf(10_000 - o), y);
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "sample".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("frame")).startsWith("app.Orders.price");

            // the burst (12,000 samples in 12 us, more than a window's 10,000 items) is merged below a pixel in
            // this view: a click on it counts the group's samples and sums their weights (the i-th weighs 100 + i)
            assertThat(num("return jtraceTimeline.mergedBelow()")).isPositive();
            List<Map<String, Object>> burst = ((List<Map<String, Object>>) js("return jtraceTimeline.allocs(2)"))
                    .stream().filter(a -> ((Number) a.get("time")).longValue() >= TestTraces.ALLOC_BURST_START - o).toList();
            assertThat(burst.stream().mapToLong(a -> ((Number) a.get("count")).longValue()).sum())
                    .isEqualTo(TestTraces.ALLOC_BURST);
            Map<String, Object> middle = burst.get(burst.size() / 2);
            assertThat(((Number) middle.get("count")).longValue()).isGreaterThan(1);
            click(xOf(((Number) middle.get("time")).longValue()), num("return jtraceTimeline.allocY(2)"));
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "alloc".equals(js(
                    "return document.getElementById('details').dataset.kind")) && "long[]".equals(detail("type")));
            // the group opened (a neighbour of the one aimed at, maybe: they are a pixel apart) is one of the burst's
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "([\\d,]+) allocation samples narrower than a pixel .*\\(([\\d,]+) B\\) together").matcher(detail("merged"));
            assertThat(m.find()).as(detail("merged")).isTrue();
            long n = Long.parseLong(m.group(1).replace(",", ""));
            long weight = Long.parseLong(m.group(2).replace(",", ""));
            Map<String, Object> opened = burst.stream().filter(a -> ((Number) a.get("count")).longValue() == n
                    && ((Number) a.get("groupWeight")).longValue() == weight).findFirst().orElseThrow();
            long first = ((Number) opened.get("time")).longValue() - (TestTraces.ALLOC_BURST_START - o);
            assertThat(n).isGreaterThan(1);
            assertThat(weight).isEqualTo(n * (100 + first) + n * (n - 1) / 2);
            // the weight shown is the group's first sample's
            assertThat(detail("weight")).endsWith(String.format(java.util.Locale.ROOT, "(%,d B)", 100 + first));
            shot("timeline-alloc-samples-merged");
        }
    }

    /**
     * A dense trace (10,000 operations on 2 threads, each a task, a region around a nested region and a log):
     * the first view already shows slices (merged below a pixel where they are narrower, counted), and zoomed
     * with the wheel down to about a microsecond a single region is there, clickable. Each wheel step's time to
     * idle is measured in the browser.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDenseTraceShowsSlicesAtEveryZoomDownToAMicrosecond() throws Exception {
        Path file = TestTraces.many(dir, 2, 5000, 256 << 10);
        Reference dense = Reference.read(file);
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            openAtItems(s, 60);
            long o = idx.origin();
            // an "inner" region in the middle of the trace, on the first thread
            Reference.Span inner = dense.regions.stream().filter(r -> r.name().equals("inner"))
                    .sorted(java.util.Comparator.comparingLong(Reference.Span::start)).skip(dense.regions.size() / 4).findFirst()
                    .orElseThrow();
            long mid = inner.start() + (inner.end() - inner.start()) / 2 - o;
            List<Double> steps = new ArrayList<>();
            for (int i = 0; i < 80 && num("const v = jtraceTimeline.view(); return v.to - v.from") > 1000; i++) {
                double y = num("return jtraceTimeline.sliceY(arguments[0], 1)", inner.thread());
                double x = xOf(mid);
                assertThat(x).as("step %d, view %s", i, js("return jtraceTimeline.view()")).isBetween(
                        num("return jtraceTimeline.labelWidth"), (double) canvas().getSize().getWidth());
                assertThat(y).as("step %d", i).isBetween(0.0, (double) canvas().getSize().getHeight());
                steps.add(timed(() -> wheel(x, y, -480)));
            }
            double span = num("const v = jtraceTimeline.view(); return v.to - v.from");
            assertThat(span).isLessThanOrEqualTo(1000);
            assertThat(js("return jtraceTimeline.mode()")).isEqualTo("items");
            double y = num("return jtraceTimeline.sliceY(arguments[0], 1)", inner.thread());
            assertThat((List<Object>) js("return jtraceTimeline.hitsAt(arguments[0], arguments[1])", xOf(mid), y)).contains("region");
            click(xOf(mid), y);
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "region".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("name")).isEqualTo("inner");
            assertThat(detail("durationNs")).isEqualTo(String.valueOf(inner.end() - inner.start()));
            assertThat(driver.findElements(By.cssSelector("#details dd[data-field='merged']"))).isEmpty();
            // in the page: from the wheel event to the view drawn with its data
            List<Double> sorted = ((List<Object>) js("return jtraceTimeline.interactionMs()")).stream()
                    .map(x -> ((Number) x).doubleValue()).sorted().toList();
            assertThat(sorted).hasSameSizeAs(steps);
            double p95 = sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1);
            List<Double> outside = steps.stream().sorted().toList();
            System.out.printf("dense trace: %d wheel steps to %.0f ns; in the page p50 %.0f ms, p95 %.0f ms, max %.0f ms;"
                    + " with WebDriver p50 %.0f ms%n", steps.size(), span, sorted.get(sorted.size() / 2), p95,
                    sorted.get(sorted.size() - 1), outside.get(outside.size() / 2));
            assertThat(p95).as("p95 of a wheel step until drawn, ms").isLessThan(2000);
            shot("timeline-dense-1us");
        }
    }

    /**
     * The performance target: on a dense trace of millions of events (8 threads, 2.3 M events, generations of
     * 4 MiB), once the page says ready (the server decoded every generation ahead of the views), no interaction
     * waits more than 200 ms at p95: jumps to places far apart by a link, wheel steps in and out, pans with keys,
     * zooms out to the whole trace ({@link InteractionScript}), each timed in the page from the input to the
     * view drawn with its data.
     */
    @Test
    void aDenseTraceOfMillionsOfEventsAnswersEveryInteractionWithin200MsAtP95() throws Exception {
        Path file = dir.resolve("dense-2m.jtrace");
        long t0 = System.nanoTime();
        TestTraces.load(dev.jtrace.TraceConfig.builder().file(file).generationMaxBytes(4 << 20).build(), 8, 42_000);
        long t1 = System.nanoTime();
        TraceIndex idx = TraceIndex.build(file, null);
        long t2 = System.nanoTime();
        assertThat(idx.events()).isGreaterThan(2_000_000);
        assertThat(idx.generations()).isGreaterThanOrEqualTo(4);
        try (ViewerServer s = ViewerServer.start(idx, 0, ViewerServer.defaultCacheBytes(), System.err)) {
            s.decodeAhead();
            InteractionScript script = new InteractionScript(driver);
            script.openAndWaitReady(s.uri(), Duration.ofSeconds(120));
            long t3 = System.nanoTime();
            assertThat(driver.findElement(By.id("loadinfo")).getText()).isEqualTo(
                    "ready: all " + idx.generations() + " generations decoded");
            assertThat(s.generationsDecoded()).isEqualTo(idx.generations());
            InteractionScript.Result r = script.run((long) num("return JT.meta.firstEvent"),
                    (long) num("return JT.meta.lastEvent"), 8);
            if (r.percentile(0.95) > 200) {
                // the machine is shared (CI, other builds): one more pass, printed, before the verdict; a page or
                // server that is too slow fails both
                System.out.printf(Locale.ROOT, "dense: first pass %s; measuring once more%n", r.summary());
                r = script.run((long) num("return JT.meta.firstEvent"), (long) num("return JT.meta.lastEvent"), 8);
            }
            System.out.printf(Locale.ROOT, "dense %,d events, %d generations (recorded %.1f s, indexed %.1f s, ready %.1f s"
                    + " later): %s; slowest: %s%n", idx.events(), idx.generations(), (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    (t3 - t2) / 1e9, r.summary(), r.slowest(5));
            for (int i = 0; i < r.ms().size(); i++) {
                if (r.ms().get(i) > 150) {
                    System.out.printf(Locale.ROOT, "  %s %.0f ms:%s%n", r.labels().get(i), r.ms().get(i), script.details.get(i));
                }
            }
            // every step of the script was measured: 8 places of 10, 4 zooms out to the whole trace
            assertThat(r.ms()).hasSize(84);
            assertThat(r.labels()).contains("place 7 jump", "place 0 wheel in 2");
            assertThat(r.percentile(0.95)).as("p95 of an interaction until drawn, ms").isLessThanOrEqualTo(200);
            shot("timeline-dense-perf");
        }
    }

    // ------------------------------------------------------------------------------------------ analysis pages

    static void page(String name) throws Exception {
        driver.findElement(By.cssSelector("#nav a[data-page='" + name + "']")).click();
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> name.equals(js(
                "return document.getElementById('analysis-page').dataset.page")));
        shot("page-" + name);
    }

    @Test
    void everyAnalysisPageShowsWhatTraceAnalysisComputed() throws Exception {
        open("");
        page("threads");
        // every state of the model's state machine, and the model's names (as the timeline shows them)
        for (TraceAnalysis.ThreadTime t : analysis.threads.values()) {
            WebElement row = driver.findElement(By.cssSelector("#threads-table tr[data-thread='" + t.id + "']"));
            assertThat(cell(row, "name")).isEqualTo((t.virtual ? "[v] " : "")
                    + (t.name.isEmpty() ? t.displayName() : t.name + " #" + t.id));
            assertThat(cell(row, "name")).endsWith(String.valueOf(js("return JT.threadLabel(arguments[0])", t.id)));
            assertThat(cell(row, "lifetime")).isEqualTo(ms(t.lifetime()));
            for (ThreadState st : ThreadState.values()) {
                assertThat(cell(row, st.label)).as("%s of %s", st, t.displayName()).isEqualTo(ms(t.thread.nanos(st)));
            }
        }
        // the worker that burned CPU in its regions runs (at least its 32 ms of busy loops)
        WebElement a = driver.findElement(By.cssSelector("#threads-table tr[data-thread='" + trace.workerA() + "']"));
        assertThat(Double.parseDouble(cell(a, "running"))).isGreaterThanOrEqualTo(30.0);
        // its GC pauses, within its regions, are GC time (not subtracted from running on top of anything):
        // 1 + 2 + 1 + 0.5 + 4 ms
        assertThat(cell(a, "gc")).isEqualTo("8.500");
        WebElement b = driver.findElement(By.cssSelector("#threads-table tr[data-thread='" + trace.workerB() + "']"));
        // its 6 ms park less the 1 ms pause inside it, which stopped it (as every pause of its lifetime did)
        assertThat(cell(b, "parked")).isEqualTo("5.000");
        assertThat(cell(b, "gc")).isEqualTo("8.500");
        assertThat(cell(b, "blocked")).isEqualTo("2.000");

        page("latency");
        for (var e : Map.of("task", analysis.tasks, "region", analysis.regions).entrySet()) {
            for (TraceAnalysis.Latency l : e.getValue().values()) {
                WebElement card = driver.findElement(By.cssSelector(".card[data-kind='" + e.getKey() + "'][data-name='"
                        + l.name + "']"));
                Histogram h = l.histogram;
                assertThat(cell(card, "count")).isEqualTo(String.valueOf(h.getTotalCount()));
                assertThat(cell(card, "p50")).isEqualTo(ms(h.getValueAtPercentile(50)));
                assertThat(cell(card, "p90")).isEqualTo(ms(h.getValueAtPercentile(90)));
                assertThat(cell(card, "p99")).isEqualTo(ms(h.getValueAtPercentile(99)));
                assertThat(cell(card, "max")).isEqualTo(ms(h.getMaxValue()));
                List<WebElement> slowest = card.findElements(By.cssSelector("tr[data-task]"));
                assertThat(slowest).extracting(r -> Long.parseLong(r.getAttribute("data-task")))
                        .containsExactlyElementsOf(l.slowest().stream().map(TraceAnalysis.Instance::task).toList());
                assertThat(card.findElements(By.cssSelector("svg rect")).size()).isGreaterThan(1);
            }
        }
        // the slowest "slow-step" opens in the timeline, selected
        driver.findElement(By.cssSelector(".card[data-kind='region'][data-name='slow-step'] a.jump")).click();
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "region".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("name")).isEqualTo("slow-step");
        assertThat(detail("thread")).isEqualTo("worker-A #" + trace.workerA());
        shot("timeline-from-latency");

        page("latency");
        driver.findElement(By.cssSelector(".card[data-kind='task'][data-name='handoff'] a.jump")).click();
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "task".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("task")).isEqualTo(String.valueOf(trace.handoffTask()));
        assertThat(detail("thread")).isEqualTo("worker-A #" + trace.workerA());
        assertThat(detail("endThread")).isEqualTo("worker-B #" + trace.workerB());
        shot("timeline-task-flow");

        page("blocking");
        List<TraceAnalysis.Blocking> prof = analysis.blockingProfile();
        // contention and idle pool waits apart, each table heaviest first
        List<WebElement> rows = driver.findElements(By.cssSelector("#blocking-contention tr[data-rank], #blocking-idle tr[data-rank]"));
        assertThat(rows).hasSize(prof.size());
        for (WebElement row : rows) {
            TraceAnalysis.Blocking p = prof.get(Integer.parseInt(row.getAttribute("data-rank")));
            String table = row.findElement(By.xpath("ancestor::table")).getAttribute("id");
            assertThat(table).isEqualTo(p.idle ? "blocking-idle" : "blocking-contention");
            assertThat(cell(row, "kind")).isEqualTo(p.kind);
            assertThat(cell(row, "nanos")).isEqualTo(ms(p.nanos));
            assertThat(cell(row, "count")).isEqualTo(String.valueOf(p.count));
            assertThat(cell(row, "top")).isEqualTo(p.callSite);
            assertThat(cell(row, "longest")).isEqualTo(ms(p.longest.duration()));
            assertThat(cell(row, "jump")).isEqualTo(String.valueOf(js("return JT.threadLabel(arguments[0])", p.longest.thread())));
        }
        rows.get(0).findElement(By.cssSelector("td[data-k='top']")).click();
        assertThat(driver.findElement(By.cssSelector("#blocking-contention tr.frames:not([hidden])")).getText())
                .contains(prof.get(0).frames.get(0));
        // the call site stands out in its stack (the JDK's frames inside it are dimmed)
        assertThat(driver.findElement(By.cssSelector("#blocking-contention tr.frames:not([hidden]) .site")).getText())
                .isEqualTo(prof.get(0).callSite);

        page("gc");
        WebElement gc = driver.findElement(By.cssSelector("#gc-table tbody tr"));
        assertThat(cell(gc, "pauses")).isEqualTo(String.valueOf(analysis.gcPauses.size()));
        assertThat(cell(gc, "total")).isEqualTo(ms(analysis.gcTotal()));
        assertThat(cell(gc, "max")).isEqualTo("4.000");
        assertThat(cell(gc, "cycles")).isEqualTo(String.valueOf(analysis.gcCycles().size()));
        assertThat(driver.findElements(By.cssSelector("#gc-cycles-table tr[data-gc]"))).hasSize(analysis.gcCycles().size());
        List<WebElement> mmu = driver.findElements(By.cssSelector("#mmu-table tr[data-window]"));
        assertThat(mmu).hasSize(analysis.mmuWindows().size());
        for (WebElement r : mmu) {
            long w = Long.parseLong(r.getAttribute("data-window"));
            double shown = Double.parseDouble(cell(r, "utilization").replace(" %", ""));
            assertThat(shown).isCloseTo(analysis.mmu(w) * 100, within(0.051));
        }
        assertThat(driver.findElements(By.cssSelector("#analysis-page svg path"))).isNotEmpty();

        page("heap");
        WebElement heap = driver.findElement(By.cssSelector("#heap-table tbody tr"));
        assertThat(cell(heap, "final")).isEqualTo("50 B");
        assertThat(cell(heap, "allocWithoutFree")).isEqualTo(String.valueOf(analysis.allocWithoutFree));
        assertThat(cell(heap, "freeWithoutAlloc")).isEqualTo(String.valueOf(analysis.freeWithoutAlloc));
        // the line starts at the first sample, not flat from the trace's start (the plot's left edge is at x=64)
        String d = driver.findElement(By.cssSelector("#heap-alloc-chart path")).getAttribute("d");
        double firstX = Double.parseDouble(d.substring(1, d.indexOf(',')));
        double firstSample = analysis.heap.get(0)[0] - index.origin();
        assertThat(firstX).isCloseTo(64 + firstSample / index.duration() * (760 - 64 - 16), within(1.0));
        assertThat(firstX).isGreaterThan(65);
        // no HeapSummary events without the agent: said, not drawn
        assertThat(driver.findElement(By.id("heap-jvm-empty")).getText()).contains("No HeapSummary events");
    }

    // ------------------------------------------------------------------------------------------ range, blocking, heap

    /** Milliseconds the analysis page took from navigation to drawn, as the page measured it (performance.now). */
    static double renderMs() {
        return Double.parseDouble(String.valueOf(js("return document.getElementById('analysis-page').dataset.renderMs")));
    }

    @Test
    void aRangeShowsTheFlameGraphOfItsSamplesAndItsTables() throws Exception {
        Reference.Span handle = ref.regions.stream().filter(r -> r.name().equals("handle")).findFirst().orElseThrow();
        long t0 = handle.start() - index.origin();
        long t1 = handle.end() - index.origin();
        long expected = RangeQueryTest.samplesOf(trace.file()).stream().filter(t -> t >= handle.start() && t <= handle.end()).count();
        assertThat(expected).isGreaterThan(0);
        // the link the timeline's range selection makes
        open("#range?t0=" + t0 + "&t1=" + t1);
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "range".equals(js(
                "return document.getElementById('analysis-page').dataset.page")));
        assertThat(renderMs()).isLessThan(5000);
        shot("page-range");
        WebElement cpu = driver.findElement(By.id("flame-cpu"));
        WebElement all = cpu.findElement(By.cssSelector(".frame[data-depth='0']"));
        assertThat(Long.parseLong(all.getAttribute("data-total"))).isEqualTo(expected);
        // the recorded workload's methods: the worker's lambda and its busy loop
        List<WebElement> busy = cpu.findElements(By.cssSelector(".frame[data-name='dev.jtrace.web.TestTraces.busy']"));
        assertThat(busy).isNotEmpty();
        assertThat(cpu.findElements(By.cssSelector(".frame[data-name^='dev.jtrace.web.TestTraces.lambda$viewer']"))).isNotEmpty();
        // hover: name, total and self
        new Actions(driver).moveToElement(busy.get(0)).perform();
        WebElement tip = cpu.findElement(By.cssSelector(".flame-tip"));
        assertThat(tip.isDisplayed()).isTrue();
        assertThat(tip.getText()).contains("dev.jtrace.web.TestTraces.busy").contains("total").contains("self");
        // click zooms into the frame: it takes the whole width; a click on the path zooms out again
        double bodyWidth = num("return arguments[0].querySelector('.flame-body').clientWidth", cpu);
        double clickMs = num("const t = performance.now(); arguments[0].click(); return performance.now() - t;", busy.get(0));
        assertThat(clickMs).isLessThan(500);
        System.out.printf("range page drawn in %.0f ms, a zoom click in %.1f ms%n", renderMs(), clickMs);
        assertThat(cpu.getAttribute("data-focus")).isEqualTo("dev.jtrace.web.TestTraces.busy");
        WebElement focused = cpu.findElement(By.cssSelector(".frame.focus"));
        assertThat(focused.getSize().getWidth()).isGreaterThan((int) (bodyWidth * 0.95));
        shot("page-range-zoomed");
        cpu.findElement(By.cssSelector(".flame-crumbs a")).click();
        assertThat(cpu.getAttribute("data-focus")).isEqualTo("all");
        // the regions' flame graph: handle holds parse and slow-step
        WebElement regions = driver.findElement(By.id("flame-regions"));
        WebElement h = regions.findElement(By.cssSelector(".frame[data-name='handle']"));
        WebElement slow = regions.findElement(By.cssSelector(".frame[data-name='slow-step']"));
        assertThat(Integer.parseInt(slow.getAttribute("data-depth"))).isEqualTo(Integer.parseInt(h.getAttribute("data-depth")) + 1);
        assertThat(slow.getSize().getWidth()).isLessThan(h.getSize().getWidth());
        WebElement row = driver.findElement(By.cssSelector("#range-slices tr[data-kind='region'][data-name='slow-step']"));
        assertThat(cell(row, "count")).isEqualTo("1");
        assertThat(cell(row, "max")).isEqualTo(ms(ref.regions.stream().filter(r -> r.name().equals("slow-step"))
                .mapToLong(r -> r.end() - r.start()).max().orElseThrow()));
    }

    @Test
    void theThreadWithTheLongestParkOpensOnTheTimeline() throws Exception {
        // a selection made before, which must not stay in the details panel
        open("#/latency");
        driver.findElement(By.cssSelector(".card[data-kind='region'][data-name='slow-step'] a.jump")).click();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "region".equals(js(
                "return document.getElementById('details').dataset.kind")));
        page("blocking");
        // as a person reads it: the park rows' longest instances, the longest of them
        WebElement best = null;
        double longest = -1;
        for (WebElement r : driver.findElements(By.cssSelector("#blocking-contention tr[data-rank]"))) {
            if (cell(r, "kind").equals("park") && Double.parseDouble(cell(r, "longest")) > longest) {
                longest = Double.parseDouble(cell(r, "longest"));
                best = r;
            }
        }
        TraceAnalysis.Blocking park = analysis.blockingProfile().stream().filter(b -> b.kind.equals("park"))
                .max(java.util.Comparator.comparingLong(b -> b.longest.duration())).orElseThrow();
        assertThat(best).isNotNull();
        assertThat(Long.parseLong(best.getAttribute("data-thread"))).isEqualTo(park.longest.thread()).isEqualTo(trace.workerB());
        js("window.__jumpAt = performance.now()");
        best.findElement(By.cssSelector("td[data-k='jump'] a")).click();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "block".equals(js(
                "return document.getElementById('details').dataset.kind")));
        double jumpMs = num("return performance.now() - window.__jumpAt");
        assertThat(jumpMs).isLessThan(5000);
        System.out.printf("blocking row to its park selected on the timeline in %.0f ms%n", jumpMs);
        assertThat(detail("thread")).isEqualTo("worker-B #" + trace.workerB());
        assertThat(detail("kind")).isEqualTo("park");
        assertThat(detail("duration")).isEqualTo(ms(park.longest.duration()) + " ms");
        // and the GC pause that stopped it: the model's pause inside the park, named in its details
        List<dev.jtrace.model.GcPause> during = index.gcPauses.stream().filter(g -> g.start() < park.longest.start()
                + park.longest.duration() && g.end() > park.longest.start()).toList();
        assertThat(during).hasSize(1);
        dev.jtrace.model.GcPause inside = during.get(0);
        WebElement link = driver.findElement(By.cssSelector("#details dd[data-field='gcDuring'] a.gc-link"));
        assertThat(link.getText()).isEqualTo("G1 Young (GC " + inside.gcId() + ") at " + fmtNs(rel(inside.start()))
                + " for " + ms(inside.duration()) + " ms");
        shot("timeline-from-blocking");
        // a click on it selects the pause
        link.click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "gc".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("gc")).isEqualTo(String.valueOf(inside.gcId()));
        assertThat(detail("durationNs")).isEqualTo(String.valueOf(inside.duration()));
        assertThat(detail("cause")).isEqualTo("G1 Evacuation Pause");
        shot("timeline-park-gc-pause");
    }

    /**
     * The blocking page of SchedulerCorpus.platform: worker #1's park, whose innermost frame is Unsafe.park, is
     * listed under its first frame outside the JDK (app.Service.call); the pool worker waiting for its next task
     * (ThreadPoolExecutor.getTask) is in the idle table, not among the contention; its row's link opens that park
     * on the timeline, selected.
     */
    @Test
    void theBlockingPageGroupsByCallSiteAndSeparatesIdlePoolWaits() throws Exception {
        Path file = SchedulerCorpus.platform(dir.resolve("sched-platform-blocking.jtrace"));
        TraceIndex idx = TraceIndex.build(file, null);
        try (ViewerServer s = ViewerServer.start(idx, 0, 64 << 20, System.err)) {
            driver.get(s.uri() + "#/blocking");
            driver.navigate().refresh();
            waitIdle();
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "blocking".equals(js(
                    "return document.getElementById('analysis-page').dataset.page")));
            List<WebElement> contention = driver.findElements(By.cssSelector("#blocking-contention tr[data-rank]"));
            List<WebElement> idle = driver.findElements(By.cssSelector("#blocking-idle tr[data-rank]"));
            assertThat(contention).extracting(r -> cell(r, "top")).contains("app.Service.call(F.java:13)", "app.Queue.take(F.java:12)")
                    .noneMatch(t -> t.startsWith("jdk.internal.misc.Unsafe.park"));
            assertThat(contention).extracting(r -> r.getAttribute("data-thread")).doesNotContain("5");
            assertThat(idle).singleElement().satisfies(r -> {
                assertThat(cell(r, "kind")).isEqualTo("park");
                assertThat(r.getAttribute("data-thread")).isEqualTo("5");
                assertThat(cell(r, "jump")).isEqualTo("pool-1-thread-1 #5");
            });
            // worker #1's park: its stack with the JDK's frames above the call site dimmed
            WebElement park = contention.stream().filter(r -> cell(r, "top").equals("app.Service.call(F.java:13)"))
                    .findFirst().orElseThrow();
            park.findElement(By.cssSelector("td[data-k='top']")).click();
            WebElement frames = driver.findElement(By.cssSelector("#blocking-contention tr.frames:not([hidden])"));
            assertThat(frames.findElements(By.cssSelector(".jdk"))).extracting(WebElement::getText)
                    .contains("jdk.internal.misc.Unsafe.park(F.java:10)");
            assertThat(frames.findElement(By.cssSelector(".site")).getText()).isEqualTo("app.Service.call(F.java:13)");
            shot("page-blocking-idle");
            // the idle row to its instance on the timeline
            idle.get(0).findElement(By.cssSelector("td[data-k='jump'] a")).click();
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "block".equals(js(
                    "return document.getElementById('details').dataset.kind")));
            assertThat(detail("kind")).isEqualTo("park");
            assertThat(detail("thread")).isEqualTo("pool-1-thread-1 #5");
            assertThat(detail("duration")).isEqualTo(ms(2000) + " ms");
        }
    }

    /** The page's own formatting of a time in ns (JT.fmtNs). */
    static String fmtNs(long ns) {
        return (String) js("return JT.fmtNs(arguments[0])", ns);
    }

    @Test
    void aGcPauseLinkOnTheRangePageSelectsThePause() throws Exception {
        dev.jtrace.model.GcPause young = index.gcPauses.stream().filter(g -> g.gcId() == 2).findFirst().orElseThrow();
        long t0 = rel(young.start()) - TestTraces.MS;
        long t1 = rel(young.end()) + TestTraces.MS;
        open("#range?t0=" + t0 + "&t1=" + t1);
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "range".equals(js(
                "return document.getElementById('analysis-page').dataset.page")));
        WebElement row = driver.findElement(By.cssSelector("#range-gc tr[data-gc='2']"));
        assertThat(cell(row, "duration")).isEqualTo(ms(young.duration()));
        row.findElement(By.cssSelector("a.jump")).click();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "gc".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("gc")).isEqualTo("2");
        assertThat(detail("duration")).isEqualTo(ms(young.duration()) + " ms");
        assertThat(detail("cause")).isEqualTo("Allocation Failure");
        // the view is around the pause, which is drawn selected in it
        assertThat(xOf(rel(young.start()))).isGreaterThan(num("return jtraceTimeline.labelWidth"));
        assertThat(xOf(rel(young.end()))).isLessThan(canvas().getSize().getWidth());
        shot("timeline-from-range-gc");
    }

    @Test
    void anEmptyHeapPageSaysSo() throws Exception {
        Path other = TestTraces.many(dir, 2, 20, 1 << 20);
        try (ViewerServer s = ViewerServer.start(TraceIndex.build(other, null), 0, 16 << 20, System.err)) {
            driver.get(s.uri() + "#/heap");
            driver.navigate().refresh();
            waitIdle();
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "heap".equals(js(
                    "return document.getElementById('analysis-page').dataset.page")));
            shot("page-heap-empty");
            assertThat(driver.findElement(By.id("heap-alloc-empty")).getText()).contains("No alloc/free events");
            assertThat(driver.findElement(By.id("heap-jvm-empty")).getText()).contains("No HeapSummary events");
            // no chart with axis labels made up for nothing
            assertThat(driver.findElements(By.cssSelector("#analysis-page svg"))).isEmpty();
        }
    }

    /** Types {@code sql} into the SQL page's box, runs it and waits for its answer. */
    static void runSql(String sql) {
        WebElement box = driver.findElement(By.id("sql-query"));
        box.clear();
        box.sendKeys(sql);
        driver.findElement(By.id("sql-run")).click();
        waitIdle();
    }

    @Test
    void theSqlPageAnswersFromTheTraceAndOpensARowInTheTimeline() throws Exception {
        // reached from the timeline by the navigation, as the analysis pages are
        open("");
        driver.findElement(By.cssSelector("#nav a[data-page='sql']")).click();
        waitIdle();
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> driver.findElement(By.id("sql-status")).getText()
                .startsWith("Tables:"));
        runSql("SELECT count(*) AS regions FROM slice WHERE category = 'region'");
        assertThat(driver.findElement(By.cssSelector("table.sql-result tbody td")).getText())
                .isEqualTo(String.valueOf(ref.regions.size()));

        Reference.Span slow = ref.region("slow-step");
        long t0 = System.nanoTime();
        runSql("SELECT ts, dur, name, category, utid FROM slice WHERE name = 'slow-step' ORDER BY ts LIMIT 1");
        long answerMillis = (System.nanoTime() - t0) / 1_000_000;
        List<WebElement> cells = driver.findElements(By.cssSelector("table.sql-result tbody tr td"));
        assertThat(cells.get(1).getText()).isEqualTo(String.valueOf(slow.end() - slow.start()));
        assertThat(cells.get(4).getText()).isEqualTo(String.valueOf(trace.workerA()));
        assertThat(answerMillis).as("a one-row query on a small trace, typed and answered").isLessThan(10_000);
        shot("page-sql");

        // the row opens that region in the timeline, selected
        driver.findElement(By.cssSelector("table.sql-result tbody tr.jump")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "region".equals(js(
                "return document.getElementById('details').dataset.kind")));
        assertThat(detail("name")).isEqualTo("slow-step");
        assertThat(detail("durationNs")).isEqualTo(String.valueOf(slow.end() - slow.start()));

        // wrong queries say why; the database is read-only and cannot reach files
        open("#/sql");
        runSql("SELECT no_such_column FROM slice");
        assertThat(driver.findElement(By.cssSelector(".sql-error")).getText()).containsIgnoringCase("no_such_column");
        runSql("CREATE TABLE t AS SELECT 1");
        assertThat(driver.findElement(By.cssSelector(".sql-error")).getText()).containsIgnoringCase("read-only");
        runSql("COPY slice TO '" + dir.resolve("leak.csv") + "'");
        assertThat(driver.findElements(By.cssSelector(".sql-error"))).isNotEmpty();
        assertThat(dir.resolve("leak.csv")).doesNotExist();
    }
}
