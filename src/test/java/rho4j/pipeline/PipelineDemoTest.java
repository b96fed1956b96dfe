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

    @Test
    @Order(6)
    void ablationsRunBesideTheMainRunAndReachTheReport() throws Exception {
        Recipe r = TINY.withAblations(new Recipe.Ablations(List.of(1.0), List.of("batch"), List.of("document"),
                List.of(Recipe.SelfReference.parse("base:excess"), Recipe.SelfReference.parse("clm:entropy"))));
        Results res = run(r);
        Set<String> reran = res.stages().stream().filter(s -> !s.cached()).map(Stages.Record::name).collect(Collectors.toSet());
        assertTrue(reran.containsAll(Set.of("abl-ratio-1.00-seed1", "abl-scope-batch-seed1", "abl-unit-document-seed1",
                "abl-self-base-excess-seed1", "abl-self-clm-entropy-seed1", "scores-base", "scores-clm", "eval-abl-ratio-1.00-seed1")), reran.toString());
        for (String main : List.of("base", "reference", "scores", "clm-seed1", "slm-seed1", "clm-seed2", "slm-seed2"))
            assertFalse(reran.contains(main), main + " is the main run's, reused");

        // The self-reference scores come from the base itself and from the first seed's CLM model.
        JsonNode baseScores = Json.MAPPER.readTree(stage(res, "scores-base").resolve("scores.json").toFile());
        JsonNode clmScores = Json.MAPPER.readTree(stage(res, "scores-clm").resolve("scores.json").toFile());
        assertEquals(stage(res, "base").resolve("model").toString(), baseScores.path("referenceModel").asText());
        assertEquals(stage(res, "clm-seed1").resolve("model").toString(), clmScores.path("referenceModel").asText());

        JsonNode ab = Json.MAPPER.readTree(out.resolve("results.json").toFile()).path("ablations");
        assertEquals(1, ab.path("seed").asInt());
        JsonNode clm = ab.path("clm"), v = ab.path("variants");
        assertEquals(res.clm().runs().get(0).targetHoldoutLoss(), clm.path("target_holdout_loss").asDouble(), 0);
        assertEquals(List.of("0.60", "1.00"), labels(v.path("ratio")));
        assertEquals(List.of("micro-batch (main)", "batch"), labels(v.path("scope")));
        assertEquals(List.of("token (main)", "document"), labels(v.path("unit")));
        assertEquals(List.of("fine-tuned:excess (main)", "base:excess", "clm:entropy"), labels(v.path("self_reference")));
        // The main row of each ablation is the main SLM run of seed 1, not a rerun.
        double mainSlm = res.slm().runs().get(0).targetHoldoutLoss();
        for (String a : List.of("ratio", "scope", "unit", "self_reference"))
            assertEquals(mainSlm, v.path(a).path(0).path("target_holdout_loss").asDouble(), 0, a);
        // Ratio 1.0 selects every token: it is CLM, from the same base on the same data order.
        JsonNode all = v.path("ratio").path(1);
        assertEquals(1.0, all.path("x").asDouble());
        assertEquals(all.path("tokens_seen").asLong(), all.path("tokens_trained").asLong());
        assertEquals(clm.path("target_holdout_loss").asDouble(), all.path("target_holdout_loss").asDouble(), 1e-4 * clm.path("target_holdout_loss").asDouble());
        for (String a : List.of("scope", "unit", "self_reference")) {
            JsonNode last = v.path(a).path(v.path(a).size() - 1);
            assertTrue(Double.isFinite(last.path("target_holdout_loss").asDouble()) && last.path("tokens_trained").asLong() > 0, a + ": " + last);
        }

        String page = Files.readString(out.resolve("report.html"));
        int at = page.indexOf("id=\"ablations\""), next = page.indexOf("<section", at);
        String section = page.substring(at, next);
        assertTrue(section.contains("against the ratio") && section.contains("self reference: held-out target loss"), section);
        assertTrue(section.split("<svg", -1).length - 1 >= 12, "one chart per ablation and number");
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("Ablation `self_reference`") && md.contains("| clm:entropy |"), md);
    }

    private static List<String> labels(JsonNode arr) {
        List<String> out = new java.util.ArrayList<>();
        arr.forEach(n -> out.add(n.path("label").asText()));
        return out;
    }
}
