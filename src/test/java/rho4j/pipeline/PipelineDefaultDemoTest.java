package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.demo.DemoSize;

/** The DEFAULT demo's promise: everything, report included, within 10 minutes on two cores. Minutes long: slow. */
@Tag("slow")
class PipelineDefaultDemoTest {
    @TempDir
    Path out;

    @Test
    void defaultDemoFitsTenMinutes() throws Exception {
        long t0 = System.nanoTime();
        Results res = Pipeline.run(Recipe.demo(DemoSize.DEFAULT), out, System.out);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("DEFAULT demo: %.1f s%n", secs);
        assertTrue(secs < 600, "DEFAULT demo took " + secs + " s");
        assertTrue(Files.exists(out.resolve("report.html")));
        assertTrue(res.slm().targetHoldoutLoss().mean() > 0);
    }
}
