package dev.jtrace.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * In headless Chromium, as a person uses them: the range page's thread filter (select a range on the timeline
 * with shift+drag, narrow the thread list by name, pick one thread, then two, then all again) and a merged
 * group's longest member (zoom out until slices merge below a pixel, click a group, read its longest member,
 * open it). What the page shows is checked against {@link TestTraces#threadsAndSteps} read with the reader
 * alone ({@link Reference}, {@link ThreadFilterAndLongestTest#samplesOf}). Screenshots go to
 * {@code web/target/screenshots/}.
 */
class ThreadFilterAndLongestBrowserTest {
    @TempDir
    static Path dir;

    static Reference ref;
    static List<long[]> samples;
    static TraceIndex index;
    static ViewerServer server;
    static ChromeDriver driver;
    static Path shots;

    @BeforeAll
    static void start() throws Exception {
        Path file = TestTraces.threadsAndSteps(dir.resolve("steps.jtrace"));
        ref = Reference.read(file);
        samples = ThreadFilterAndLongestTest.samplesOf(file);
        index = TraceIndex.build(file, null);
        server = ViewerServer.start(index, 0, 64 << 20, System.err);
        shots = Path.of(System.getProperty("jtrace.screenshots", "target/screenshots"));
        Files.createDirectories(shots);
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

    static void until(String script) {
        new WebDriverWait(driver, Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(20))
                .until(d -> Boolean.TRUE.equals(js(script)));
    }

    static WebElement canvas() {
        return driver.findElement(By.id("tl-canvas"));
    }

    static int[] offset(double x, double y) {
        WebElement c = canvas();
        return new int[] {(int) Math.round(x - c.getSize().getWidth() / 2.0), (int) Math.round(y - c.getSize().getHeight() / 2.0)};
    }

    static double xOf(long t) {
        return num("return jtraceTimeline.xOf(arguments[0])", t);
    }

    static String detail(String field) {
        return driver.findElement(By.cssSelector("#details dd[data-field='" + field + "']")).getText();
    }

    static void shot(String name) throws Exception {
        Files.write(shots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    static long total(String flame) {
        return Long.parseLong(driver.findElement(By.cssSelector("#" + flame + " .frame[data-depth='0']"))
                .getAttribute("data-total"));
    }

    static List<String> frames(String flame) {
        return driver.findElements(By.cssSelector("#" + flame + " .frame")).stream().map(f -> f.getAttribute("data-name"))
                .toList();
    }

    /** Waits for the range page drawn with {@code summary} in its thread line. */
    static void rangePage(String summary) {
        until("const p = document.getElementById('analysis-page'), s = document.getElementById('range-thread-summary');"
                + " return p.dataset.page === 'range' && !!s && s.textContent.includes(" + quote(summary) + ")");
        waitIdle();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "\\'") + "'";
    }

    @Test
    void aRangesFlameGraphFilteredToOneThreadHoldsExactlyThatThreadsSamples() throws Exception {
        driver.get(server.uri().toString());
        waitIdle();
        // select a range with shift+drag over the middle of the trace
        int[] o = offset(560, 300);
        new Actions(driver).keyDown(Keys.SHIFT).moveToElement(canvas(), o[0], o[1]).clickAndHold().moveByOffset(200, 0)
                .moveByOffset(200, 0).release().keyUp(Keys.SHIFT).perform();
        until("return /^#range\\?t0=\\d+&t1=\\d+$/.test(location.hash)");
        Matcher m = Pattern.compile("t0=(\\d+)&t1=(\\d+)").matcher((String) js("return location.hash"));
        assertThat(m.find()).isTrue();
        long a = index.origin() + Long.parseLong(m.group(1));
        long b = index.origin() + Long.parseLong(m.group(2));
        rangePage("all 3 threads");
        long all = ThreadFilterAndLongestTest.samplesIn(samples, -1, a, b);
        assertThat(all).isGreaterThan(100);
        assertThat(total("flame-cpu")).isEqualTo(all);
        // the picker lists each thread with its samples in the range
        for (int k = 0; k < 3; k++) {
            WebElement row = driver.findElement(By.cssSelector("#range-threads-table tr[data-thread='"
                    + TestTraces.STEP_THREADS[k] + "']"));
            assertThat(row.findElement(By.cssSelector("td[data-k='name']")).getText())
                    .isEqualTo(TestTraces.STEP_NAMES[k] + " #" + TestTraces.STEP_THREADS[k]);
            assertThat(row.findElement(By.cssSelector("td[data-k='samples']")).getText().replace(",", ""))
                    .isEqualTo(String.valueOf(ThreadFilterAndLongestTest.samplesIn(samples, TestTraces.STEP_THREADS[k], a, b)));
        }
        // narrow the list by name, then pick beta alone
        driver.findElement(By.id("range-thread-filter")).sendKeys("BET");
        List<WebElement> shown = driver.findElements(By.cssSelector("#range-threads-table tbody tr")).stream()
                .filter(WebElement::isDisplayed).toList();
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0).getAttribute("data-thread")).isEqualTo("2");
        shot("page-range-thread-picker");
        js("window.__pickAt = performance.now()");
        shown.get(0).findElement(By.cssSelector("td[data-k='name'] a")).click();
        rangePage("one thread: beta #2");
        double pickMs = num("return performance.now() - window.__pickAt");
        long beta = ThreadFilterAndLongestTest.samplesIn(samples, 2, a, b);
        assertThat(beta).isGreaterThan(0).isLessThan(all);
        assertThat(total("flame-cpu")).isEqualTo(beta);
        assertThat(frames("flame-cpu")).contains("app.Beta.compute").noneMatch(f -> f.startsWith("app.Alpha")
                || f.startsWith("app.Gamma"));
        assertThat(frames("flame-regions")).contains("beta-work", "step").doesNotContain("alpha-work", "gamma-work");
        assertThat(total("flame-regions")).isEqualTo(ThreadFilterAndLongestTest.outermostIn(ref, 2, a, b));
        assertThat(driver.findElement(By.id("range-thread-summary")).getText()).contains(String.format(Locale.ROOT, "%,d samples", beta));
        System.out.printf("range page filtered to one thread in %.0f ms (load average %s)%n", pickMs,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        shot("page-range-one-thread");
        // two threads by their check boxes
        driver.findElement(By.cssSelector("#range-threads-table input[data-thread='2']")).click();
        driver.findElement(By.cssSelector("#range-threads-table input[data-thread='1']")).click();
        driver.findElement(By.cssSelector("#range-threads-table input[data-thread='3']")).click();
        driver.findElement(By.id("range-threads-apply")).click();
        rangePage("2 threads: alpha #1, gamma #3");
        assertThat(total("flame-cpu")).isEqualTo(ThreadFilterAndLongestTest.samplesIn(samples, 1, a, b)
                + ThreadFilterAndLongestTest.samplesIn(samples, 3, a, b));
        assertThat(frames("flame-cpu")).contains("app.Alpha.parse", "app.Gamma.compute").noneMatch(f -> f.startsWith("app.Beta"));
        // and back to all
        driver.findElement(By.id("range-threads-all")).click();
        rangePage("all 3 threads");
        assertThat(total("flame-cpu")).isEqualTo(all);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMergedGroupShowsAndOpensItsLongestMember() throws Exception {
        // from a 200 us view, where every step is drawn alone, zoom out with the wheel until they merge
        driver.get(server.uri() + "#/timeline?from=5000000&to=5200000");
        driver.navigate().refresh();
        waitIdle();
        assertThat(num("return jtraceTimeline.mergedBelow()")).isZero();
        List<Map<String, Object>> groups = List.of();
        double height = canvas().getSize().getHeight();
        double mid = (num("return jtraceTimeline.labelWidth") + canvas().getSize().getWidth()) / 2;
        int steps = 0;
        for (; steps < 40 && groups.isEmpty(); steps++) {
            int[] o = offset(mid, 300);
            new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(canvas(), o[0], o[1]), 0, 480).perform();
            waitIdle();
            groups = ((List<Map<String, Object>>) js("return jtraceTimeline.mergedGroups()")).stream()
                    .filter(g -> "region".equals(g.get("kind")) && ((Number) g.get("depth")).intValue() == 1
                            && ((Number) g.get("y")).doubleValue() > 40 && ((Number) g.get("y")).doubleValue() + 14 < height)
                    .toList();
        }
        System.out.printf("slices merged after %d wheel steps out, below %.0f ns%n", steps,
                num("return jtraceTimeline.mergedBelow()"));
        assertThat(groups).as("merged groups after zooming out").isNotEmpty();
        assertThat(num("return jtraceTimeline.mergedBelow()")).isGreaterThan(3000);
        // the widest group on screen, clicked in its middle
        Map<String, Object> g = groups.stream().max(Comparator.comparingDouble(x -> ((Number) x.get("w")).doubleValue()))
                .orElseThrow();
        double gx = ((Number) g.get("x")).doubleValue() + ((Number) g.get("w")).doubleValue() / 2;
        double gy = ((Number) g.get("y")).doubleValue() + ((Number) g.get("h")).doubleValue() / 2;
        int[] o = offset(gx, gy);
        new Actions(driver).moveToElement(canvas(), o[0], o[1]).click().perform();
        until("return document.getElementById('details').dataset.kind === 'region'"
                + " && !!document.querySelector(\"#details dd[data-field='merged']\")");
        // the group as the file holds it: the steps of that thread inside the group's span, and the longest
        long thread = ((Number) g.get("thread")).longValue();
        long gs = index.origin() + ((Number) g.get("start")).longValue();
        long ge = gs + ((Number) g.get("dur")).longValue();
        List<Reference.Span> members = ref.regions.stream().filter(r -> r.thread() == thread && r.depth() == 1
                && r.start() >= gs && r.end() <= ge).toList();
        Reference.Span longest = members.stream().max(Comparator.comparingLong(r -> r.end() - r.start())).orElseThrow();
        assertThat(members).hasSizeGreaterThan(1);
        assertThat(detail("merged")).startsWith(members.size() + " regions narrower than a pixel");
        assertThat(detail("name")).isEqualTo("step");
        WebElement link = driver.findElement(By.cssSelector("#details dd[data-field='longest'] a.longest-link"));
        assertThat(link.getAttribute("data-dur")).isEqualTo(String.valueOf(longest.end() - longest.start()));
        assertThat(link.getAttribute("data-start")).isEqualTo(String.valueOf(longest.start() - index.origin()));
        assertThat(link.getText()).startsWith("step, " + js("return JT.fmtNs(arguments[0])", longest.end() - longest.start())
                + " at ");
        shot("timeline-merged-group-longest");
        // a click opens that member: zoomed in where it is drawn alone, selected with its own details
        js("window.__openAt = performance.now()");
        link.click();
        until("return document.getElementById('details').dataset.kind === 'region'"
                + " && !document.querySelector(\"#details dd[data-field='merged']\")");
        waitIdle();
        double openMs = num("return performance.now() - window.__openAt");
        assertThat(detail("durationNs")).isEqualTo(String.valueOf(longest.end() - longest.start()));
        assertThat(detail("start")).isEqualTo(js("return JT.fmtNs(arguments[0])", longest.start() - index.origin()));
        assertThat(detail("name")).isEqualTo("step");
        assertThat(detail("depth")).isEqualTo("1");
        assertThat(detail("thread")).startsWith(TestTraces.STEP_NAMES[(int) thread - 1]);
        double x0 = xOf(longest.start() - index.origin());
        double x1 = xOf(longest.end() - index.origin());
        assertThat(x0).isGreaterThan(num("return jtraceTimeline.labelWidth"));
        assertThat(x1).isLessThan(canvas().getSize().getWidth());
        assertThat(x1 - x0).isGreaterThan(100);
        System.out.printf("merged group of %d: its longest member (%d ns) opened in %.0f ms (load average %s)%n",
                members.size(), longest.end() - longest.start(), openMs,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        shot("timeline-longest-member-opened");
    }
}
