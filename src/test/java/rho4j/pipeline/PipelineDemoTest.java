package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import rho4j.demo.DemoSize;
import rho4j.report.HtmlReport;
import rho4j.util.Json;

/**
 * The TINY demo end to end, then the cache: a second run trains nothing, and a new ratio reruns only the SLM side.
 * One shared OUT folder (static @TempDir), methods in order, so the whole class costs one full run plus one SLM run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineDemoTest {
    @TempDir
    static Path out;

    private static final Recipe TINY = Recipe.demo(DemoSize.TINY);

    private static String lastLog = "";

    private static Results run(Recipe r) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            return Pipeline.run(r, out, log);
        } finally {
            lastLog = buf.toString(StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Boolean> cachedByStage(Results r) {
        return r.stages().stream().collect(Collectors.toMap(Stages.Record::name, Stages.Record::cached));
    }

    @Test
    @Order(1)
    void tinyDemoRunsEndToEnd() throws Exception {
        long t0 = System.nanoTime();
        Results res = run(TINY);
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 120, "TINY demo took " + secs + " s; the budget is 2 minutes");
        assertTrue(cachedByStage(res).values().stream().noneMatch(c -> c), "fresh OUT: every stage runs");

        JsonNode j = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        for (String run : List.of("clm", "slm")) {
            for (String f : List.of("target_holdout_loss", "test_accuracy", "downstream_loss", "tokens_seen", "tokens_trained")) {
                JsonNode v = j.path(run).path(f);
                assertTrue(v.isNumber() && Double.isFinite(v.asDouble()), run + "." + f + " = " + v);
            }
        }
        for (String f : List.of("noise_selected_fraction", "useful_selected_fraction", "precision", "recall")) {
            JsonNode v = j.path("slm").path(f);
            assertTrue(v.isNumber() && v.asDouble() >= 0 && v.asDouble() <= 1, "slm." + f + " = " + v);
        }
        assertEquals(j.path("clm").path("tokens_seen").asLong(), j.path("slm").path("tokens_seen").asLong(), "same budget");
        double trainedRatio = j.path("slm").path("tokens_trained").asDouble() / j.path("clm").path("tokens_trained").asDouble();
        assertEquals(TINY.selection().ratio(), trainedRatio, 0.02, "SLM trains on ~ratio of the CLM tokens");

        Path html = out.resolve("report.html");
        assertTrue(Files.exists(html));
        String page = Files.readString(html);
        for (String id : HtmlReport.SECTIONS) assertTrue(page.contains("id=\"" + id + "\""), "report section " + id);
    }

    @Test
    @Order(2)
    void secondRunTrainsNothing() throws Exception {
        Results res = run(TINY);
        assertTrue(cachedByStage(res).values().stream().allMatch(c -> c), "every stage cached: " + res.stages());
    }

    @Test
    @Order(3)
    void newRatioRerunsOnlySlmStages() throws Exception {
        Results res = run(TINY.withRatio(0.4));
        Set<String> reran = res.stages().stream().filter(s -> !s.cached()).map(Stages.Record::name).collect(Collectors.toSet());
        assertEquals(Set.of("slm", "eval-slm", "dynamics-slm", "tokens-slm", "report"), reran);
        assertEquals(0.4, res.slm().tokensTrained() / (double) res.clm().tokensTrained(), 0.02);
        assertFalse(Double.isNaN(res.selection().precision()));
    }

    @Test
    @Order(4)
    void interruptedTrainingResumesFromItsCheckpoint() throws Exception {
        Recipe r = TINY.withRatio(0.4);
        Path slm = run(r).stages().stream().filter(s -> s.name().equals("slm")).findFirst().orElseThrow().dir();
        // Simulate a kill after the step-35 checkpoint: no DONE, no final model, latest pointing at step 35.
        Files.delete(slm.resolve(Stages.DONE));
        rho4j.util.AtomicFiles.deleteTree(slm.resolve("model"));
        Files.writeString(slm.resolve("latest"), "checkpoints/step-000035\n");
        Results res = run(r);
        assertFalse(cachedByStage(res).get("slm"), "the interrupted stage runs again");
        assertTrue(lastLog.contains("slm") && lastLog.contains("resuming") && lastLog.contains("from step 35"), lastLog);
        assertTrue(cachedByStage(res).get("clm"));
    }

    @Test
    @Order(5)
    void sweepReusesEveryRunAndWritesATable() throws Exception {
        List<Results> all = Pipeline.sweep(TINY, List.of(0.6, 0.4), out, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(2, all.size());
        assertTrue(all.stream().flatMap(r -> r.stages().stream()).allMatch(Stages.Record::cached), "both ratios ran before");
        String table = Files.readString(out.resolve("sweep.txt"));
        assertTrue(table.contains("0.60") && table.contains("0.40") && table.contains("clm"), table);
        assertEquals(2, Json.MAPPER.readTree(out.resolve("sweep.json").toFile()).size());
    }
}
