package rho4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    @TempDir
    Path tmp;

    @Test
    void reportIsSelfContainedAndHasEverySection() throws Exception {
        Path clm = FakeRuns.complete(tmp, "clm", false, 1);
        Path slm = FakeRuns.complete(tmp, "slm", true, 2);
        Path out = tmp.resolve("out/report.html");
        HtmlReport.write(List.of(clm, slm), out);
        String html = Files.readString(out);

        assertSelfContained(html);
        for (String id : HtmlReport.SECTIONS) {
            assertTrue(html.contains("<section id=\"" + id + "\">"), "section " + id);
        }
        assertTrue(html.contains("<svg"), "charts are inline SVG");
        // Both runs appear in the legends, the evaluation table holds every numeric field.
        assertTrue(html.contains(">clm train<") && html.contains(">slm train<"));
        assertTrue(html.contains("<caption>value</caption>") && html.contains("<caption>downstream_loss</caption>")
                && html.contains("<caption>n</caption>"));
        assertTrue(html.contains("gsm8k (accuracy)"));
        // The CLM run has no selection statistics, and says so.
        assertTrue(html.contains("<b>clm</b>: not available for this run (not an SLM run"));
        // Token text is escaped, whitespace made visible.
        assertTrue(html.contains("&lt;script&gt;"));
        assertTrue(html.contains("↵&#10;"), "newline shown as ↵ plus a line break");
        assertTrue(html.contains("⇥"));
        assertTrue(html.contains("∅"));
        assertFalse(html.contains("No training or validation points"));
        try (var files = Files.list(out.getParent())) {
            assertEquals(1, files.count(), "atomic write leaves no temporary file");
        }
    }

    @Test
    void ablationsGetALineOverTheSweepAndDotsForTheRest() throws Exception {
        Path clm = FakeRuns.complete(tmp, "clm", false, 1);
        Path slm = FakeRuns.complete(tmp, "slm", true, 2);
        double nan = Double.NaN;
        List<HtmlReport.AblationRow> rows = List.of(
                new HtmlReport.AblationRow("ratio", "CLM", nan, 7.4, 0.1, 7.5, 1000),
                new HtmlReport.AblationRow("ratio", "0.40", 0.4, 7.0, 0.2, 7.1, 400),
                new HtmlReport.AblationRow("ratio", "1.00", 1.0, 7.4, 0.1, 7.5, 1000),
                new HtmlReport.AblationRow("self_reference", "CLM", nan, 7.4, 0.1, 7.5, 1000),
                new HtmlReport.AblationRow("self_reference", "clm:<entropy>", nan, 7.9, 0.0, 7.8, 600));
        String html = HtmlReport.render(List.of(clm, slm), List.of(), rows);
        assertSelfContained(html);
        String sec = html.substring(html.indexOf("<section id=\"ablations\">"), html.indexOf("<section id=\"selection\">"));
        // ratio: one line chart per number; self reference: one dot strip per number, CLM drawn as the dashed baseline
        assertEquals(3, sec.split("against the ratio\"", -1).length - 1, "one chart per number");
        assertEquals(3, sec.split("<title>CLM 7.4</title>|<title>CLM 0.1</title>|<title>CLM 7.5</title>", -1).length - 1, sec);
        assertTrue(sec.contains("self reference: held-out target loss") && sec.contains("clm:&lt;entropy&gt;: 7.9"), sec);
        assertFalse(sec.contains("<entropy>"), "labels are escaped");
        assertTrue(HtmlReport.render(List.of(clm)).contains("No ablations"), "a report without them says so");
    }

    @Test
    void missingFilesGiveNotAvailableNotes() throws Exception {
        Path full = FakeRuns.complete(tmp, "slm", true, 3);
        Path partial = FakeRuns.partial(tmp, "stopped");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        String html = HtmlReport.render(List.of(full, partial, empty));

        assertSelfContained(html);
        for (String id : HtmlReport.SECTIONS) {
            assertTrue(html.contains("<section id=\"" + id + "\">"), "section " + id);
        }
        for (String what : List.of("no eval.json", "no dynamics.json", "no tokens.json")) {
            assertTrue(html.contains("<b>stopped</b>: not available for this run (" + what + ")"), what);
        }
        assertTrue(html.contains("<b>empty</b>: not available for this run (no metrics.jsonl)"));
        assertTrue(html.contains("<b>empty</b>: not available for this run (no run.json)"));
        // The torn last line is reported with its file and line; the NaN line is kept (a gap in the chart).
        assertTrue(html.contains("metrics.jsonl:3: not valid JSON"), "note names file and line");
    }

    @Test
    void ticksAreRoundNumbers() {
        Ticks t = Ticks.nice(40960, 2048000, 6);
        assertEquals(0, t.lo());
        assertEquals(2_500_000, t.hi(), 1e-6);
        assertEquals("0.5M", t.label(500_000));
        Ticks l = Ticks.nice(2.63, 4.9, 5);
        assertEquals(0.5, l.step(), 1e-12);
        assertEquals("2.5", l.label(2.5));
        assertEquals("3.0", l.label(3.0));
    }

    @Test
    void tokenTextIsShownSensibly() {
        assertEquals("↵\n", TokenView.visible("\n"));
        assertEquals("∅", TokenView.visible(""));
        assertEquals(" a⇥ ", TokenView.visible(" a\t"));
        assertEquals("␀", TokenView.visible("\0"));
        assertEquals("&lt;b&gt; &amp; &quot;x&quot;", Html.esc("<b> & \"x\""));
    }

    static void assertSelfContained(String html) {
        String lower = html.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("http://"), "no http:// reference");
        assertFalse(lower.contains("https://"), "no https:// reference");
        assertFalse(lower.contains("<script src"), "no external script");
        assertFalse(lower.contains("<link"), "no external stylesheet");
        assertFalse(lower.contains("@import"), "no imported stylesheet");
        assertFalse(lower.contains("url("), "no url() fetches from CSS");
        Matcher m = Pattern.compile("(?:src|href)\\s*=\\s*\"([^\"]*)\"").matcher(lower);
        while (m.find()) {
            assertTrue(m.group(1).startsWith("#"), "only in-page links: " + m.group(1));
        }
    }
}
