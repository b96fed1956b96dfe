package rho4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report in real headless Chromium: the DOM must come out with every section and its charts, and a
 * screenshot must be produced. Set RHO4J_REPORT_KEEP=DIR to keep report.html and report.png for a look.
 */
class BrowserRenderTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final long TIMEOUT_S = 60;

    @TempDir
    Path tmp;

    Path html;

    @BeforeEach
    void writeReport() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "skipped: " + CHROMIUM + " is not installed (apt-get install chromium)");
        Path clm = FakeRuns.complete(tmp, "clm", false, 1);
        Path slm = FakeRuns.complete(tmp, "slm", true, 2);
        Path stopped = FakeRuns.partial(tmp, "stopped");
        html = tmp.resolve("report.html");
        HtmlReport.write(List.of(clm, slm, stopped), html);
    }

    @Test
    void domHasEverySectionAndItsCharts() throws Exception {
        Path dom = tmp.resolve("dom.html");
        run(List.of("--dump-dom", html.toUri().toString()), dom);
        String text = Files.readString(dom);
        for (String id : HtmlReport.SECTIONS) {
            assertTrue(text.contains("id=\"" + id + "\""), "rendered DOM lacks section " + id);
        }
        int svgs = text.split("<svg", -1).length - 1;
        assertTrue(svgs >= 10, "expected the charts in the DOM, found " + svgs + " <svg> elements");
        assertTrue(text.contains("class=\"t"), "token spans rendered");
        assertTrue(text.contains("not available for this run"));
    }

    @Test
    void screenshotIsProduced() throws Exception {
        Path png = tmp.resolve("report.png");
        run(List.of("--screenshot=" + png, "--window-size=1200,3000", "--hide-scrollbars", html.toUri().toString()),
                tmp.resolve("screenshot.log"));
        assertTrue(Files.isRegularFile(png), "no screenshot written");
        try (InputStream in = Files.newInputStream(png); DataInputStream d = new DataInputStream(in)) {
            byte[] sig = d.readNBytes(8);
            assertEquals((byte) 0x89, sig[0]);
            assertEquals("PNG", new String(sig, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
            d.readInt(); // IHDR length
            d.readInt(); // "IHDR"
            assertEquals(1200, d.readInt(), "width");
            assertEquals(3000, d.readInt(), "height");
        }
        assertTrue(Files.size(png) > 50_000, "screenshot looks blank: " + Files.size(png) + " bytes");
        String keep = System.getenv("RHO4J_REPORT_KEEP");
        if (keep != null && !keep.isBlank()) {
            Path dir = Files.createDirectories(Path.of(keep));
            Files.copy(png, dir.resolve("report.png"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(html, dir.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Runs chromium with the given arguments, stdout to {@code out}; fails with its log on error or time-out. */
    private void run(List<String> args, Path out) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        cmd.addAll(args);
        Path err = tmp.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish in " + TIMEOUT_S + " s: " + cmd + "\n" + tail(err));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + cmd + "\n" + tail(err));
    }

    private static String tail(Path f) {
        try {
            String s = Files.readString(f);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
