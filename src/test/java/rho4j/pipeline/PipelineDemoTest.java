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

    private static Path stage(Results r, String name) {
        return r.stages().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().dir();
    }

    private static Map<String, Boolean> cachedByStage(Results r) {
        return r.stages().stream().collect(Collectors.toMap(Stages.Record::name, Stages.Record::cached));
    }

    @Test
    @Order(1)
    void tinyDemoRunsEndToEnd() throws Exception {
        Results res = run(TINY);
        assertTrue(cachedByStage(res).values().stream().noneMatch(c -> c), "fresh OUT: every stage runs");
        // The paper's structure: a base pretrained first, the reference and every CLM/SLM run continuing from it.
        assertTrue(cachedByStage(res).keySet().containsAll(List.of("base", "reference", "clm-seed1", "slm-seed1", "clm-seed2", "slm-seed2")),
                cachedByStage(res).keySet().toString());
        Path baseModel = stage(res, "base").resolve("model");
        for (String run : List.of("reference", "clm-seed1", "slm-seed2")) {
            JsonNode spec = Json.MAPPER.readTree(stage(res, run).resolve("run.json").toFile());
            assertEquals(baseModel.toAbsolutePath().normalize().toString(), spec.path("initFrom").asText(), run + " starts from the base");
        }

        JsonNode j = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertEquals(List.of(1, 2), List.of(j.path("seeds").path(0).asInt(), j.path("seeds").path(1).asInt()));
        for (String run : List.of("clm", "slm")) {
            for (String f : List.of("target_holdout_loss", "test_accuracy", "downstream_loss")) {
                JsonNode v = j.path(run).path(f);
                double mean = v.path("mean").asDouble(), min = v.path("min").asDouble(), max = v.path("max").asDouble();
                assertTrue(v.path("mean").isNumber() && Double.isFinite(mean) && min <= mean && mean <= max, run + "." + f + " = " + v);
                assertEquals(2, v.path("seeds").size(), run + "." + f + " has one value per seed");
                assertEquals((v.path("seeds").get(0).asDouble() + v.path("seeds").get(1).asDouble()) / 2, mean, 1e-12, run + "." + f);
            }
            for (String f : List.of("tokens_seen", "tokens_trained")) assertTrue(j.path(run).path(f).isNumber(), run + "." + f);
        }
        for (String f : List.of("test_accuracy", "target_holdout_loss", "downstream_loss")) {
            JsonNode c = j.path("slm_vs_clm").path(f);
            assertEquals(j.path("slm").path(f).path("mean").asDouble() - j.path("clm").path(f).path("mean").asDouble(), c.path("difference").asDouble(), 1e-12, f);
            assertTrue(c.path("win").isBoolean(), f + ": two seeds decide a win");
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
        assertEquals(Set.of("slm-seed1", "slm-seed2", "eval-slm-seed1", "eval-slm-seed2", "dynamics-slm", "tokens-slm", "report"), reran);
        assertEquals(0.4, res.slm().tokensTrained() / (double) res.clm().tokensTrained(), 0.02);
        assertFalse(Double.isNaN(res.selection().precision()));
    }

    @Test
    @Order(4)
    void interruptedTrainingResumesFromItsCheckpoint() throws Exception {
        Recipe r = TINY.withRatio(0.4);
        Path slm = stage(run(r), "slm-seed1");
        // Simulate a kill after the step-36 checkpoint (one every tenth of 40 steps): no DONE, no final model, latest at step 36.
        Files.delete(slm.resolve(Stages.DONE));
        rho4j.util.AtomicFiles.deleteTree(slm.resolve("model"));
        Files.writeString(slm.resolve("latest"), "checkpoints/step-000036\n");
        Results res = run(r);
        assertFalse(cachedByStage(res).get("slm-seed1"), "the interrupted stage runs again");
        assertTrue(lastLog.contains("slm") && lastLog.contains("resuming") && lastLog.contains("from step 36"), lastLog);
        assertTrue(cachedByStage(res).get("clm-seed1") && cachedByStage(res).get("slm-seed2"));
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
