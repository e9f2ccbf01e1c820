package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import dev.jtrace.analysis.TraceAnalysis;
import dev.jtrace.model.ThreadState;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
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

    private static String existing(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    @BeforeAll
    static void start() throws Exception {
        String chromium = existing("/usr/bin/chromium", "/usr/lib/chromium/chromium");
        String chromedriver = existing("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        if (chromium == null || chromedriver == null) {
            fail("the browser tests need Debian's chromium and chromium-driver (bin/test installs them)");
        }
        trace = TestTraces.viewer(dir);
        ref = Reference.read(trace.file());
        index = TraceIndex.build(trace.file(), null);
        analysis = index.analysis();
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
        shots = Path.of(System.getProperty("jtrace.screenshots", "target/screenshots"));
        Files.createDirectories(shots);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")),
                "--window-size=1440,900", "--force-device-scale-factor=1");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
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
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> "0".equals(js(
                "return document.body.dataset.pending")));
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
        // its GC pauses, within its regions, are GC time (not subtracted from running on top of anything)
        assertThat(cell(a, "gc")).isEqualTo("7.500");
        WebElement b = driver.findElement(By.cssSelector("#threads-table tr[data-thread='" + trace.workerB() + "']"));
        assertThat(cell(b, "parked")).isEqualTo("6.000");
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
        List<WebElement> rows = driver.findElements(By.cssSelector("#blocking-table tr[data-rank]"));
        assertThat(rows).hasSize(prof.size());
        for (int i = 0; i < prof.size(); i++) {
            assertThat(cell(rows.get(i), "kind")).isEqualTo(prof.get(i).kind);
            assertThat(cell(rows.get(i), "nanos")).isEqualTo(ms(prof.get(i).nanos));
            assertThat(cell(rows.get(i), "count")).isEqualTo(String.valueOf(prof.get(i).count));
            assertThat(cell(rows.get(i), "top")).isEqualTo(prof.get(i).callSite);
        }
        rows.get(0).click();
        assertThat(driver.findElement(By.cssSelector("#blocking-table tr.frames:not([hidden])")).getText())
                .contains(prof.get(0).frames.get(0));

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
    }
}
