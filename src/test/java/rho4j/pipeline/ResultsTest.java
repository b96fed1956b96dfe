package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** results.json over seeds: mean and min-max per number, and a win only when SLM is better by more than the spread. */
class ResultsTest {
    private static Results.RunMetrics m(long seed, double holdout, double acc, double downstream) {
        return new Results.RunMetrics(seed, holdout, acc, downstream, 1000, 600);
    }

    private static Results results(List<Results.RunMetrics> clm, List<Results.RunMetrics> slm) {
        return new Results("r", 0.6, Results.Seeds.of(clm), Results.Seeds.of(slm), null, List.of());
    }

    @Test
    void meansAndBandsPerSeed() {
        Results r = results(List.of(m(1, 2.0, 0.20, 3.0), m(2, 2.2, 0.30, 3.1), m(3, 2.1, 0.25, 3.2)),
                List.of(m(1, 1.9, 0.50, 3.3), m(2, 1.8, 0.45, 3.0), m(3, 2.3, 0.40, 3.1)));
        JsonNode j = r.toJson();
        assertEquals(0.25, j.path("clm").path("test_accuracy").path("mean").asDouble(), 1e-12);
        assertEquals(0.20, j.path("clm").path("test_accuracy").path("min").asDouble(), 1e-12);
        assertEquals(0.30, j.path("clm").path("test_accuracy").path("max").asDouble(), 1e-12);
        assertEquals(0.30, j.path("clm").path("test_accuracy").path("seeds").get(1).asDouble(), 1e-12);
        assertEquals(List.of(1, 2, 3), List.of(j.path("seeds").get(0).asInt(), j.path("seeds").get(1).asInt(), j.path("seeds").get(2).asInt()));
        // accuracy: +0.20 against spreads 0.10 and 0.10: a win
        JsonNode acc = j.path("slm_vs_clm").path("test_accuracy");
        assertEquals(0.20, acc.path("difference").asDouble(), 1e-12);
        assertEquals(0.10, acc.path("spread").asDouble(), 1e-12);
        assertEquals(true, acc.path("win").asBoolean());
        // held-out loss: means 2.1 (CLM) and 2.0 (SLM), lower by 0.1, but SLM's seeds span 0.5: not a win
        JsonNode loss = j.path("slm_vs_clm").path("target_holdout_loss");
        assertEquals(-0.1, loss.path("difference").asDouble(), 1e-12);
        assertEquals(0.5, loss.path("spread").asDouble(), 1e-12);
        assertEquals(false, loss.path("win").asBoolean());
        // downstream loss: SLM higher (worse) on average: never a win, whatever the spread
        assertEquals(false, j.path("slm_vs_clm").path("downstream_loss").path("win").asBoolean());
    }

    /** A run evaluated on GSM8K (solutions) and a multiple-choice task (no solutions, so no downstream loss). */
    private static Results.RunMetrics t(long seed, double gsmAcc, double gsmLoss, double mcAcc) {
        return new Results.RunMetrics(seed, 2.0, gsmAcc, gsmLoss, 1000, 600, Double.NaN, Double.NaN,
                List.of(new Results.TaskScore("gsm8k", gsmAcc, gsmLoss), new Results.TaskScore("mmlu_stem", mcAcc, Double.NaN)));
    }

    @Test
    void everyTaskOverSeedsWithItsOwnWin() {
        Results r = results(List.of(t(1, 0.10, 3.0, 0.25), t(2, 0.12, 3.2, 0.27), t(3, 0.14, 3.1, 0.23)),
                List.of(t(1, 0.20, 2.6, 0.24), t(2, 0.16, 2.5, 0.30), t(3, 0.18, 2.7, 0.27)));
        JsonNode j = r.toJson();
        JsonNode gsm = j.path("slm").path("tasks").path("gsm8k");
        assertEquals(0.18, gsm.path("accuracy").path("mean").asDouble(), 1e-12);
        assertEquals(0.16, gsm.path("accuracy").path("min").asDouble(), 1e-12);
        assertEquals(2.6, gsm.path("downstream_loss").path("mean").asDouble(), 1e-12);
        assertEquals(2.7, gsm.path("downstream_loss").path("seeds").get(2).asDouble(), 1e-12);
        assertTrue(j.path("clm").path("tasks").path("mmlu_stem").path("downstream_loss").isMissingNode(), "no solutions, no downstream loss");
        assertEquals(0.25, j.path("clm").path("tasks").path("mmlu_stem").path("accuracy").path("mean").asDouble(), 1e-12);
        // gsm8k accuracy +0.06 against spreads 0.04 (both): a win; downstream -0.5 against 0.2 and 0.2: a win
        JsonNode cg = j.path("slm_vs_clm").path("tasks").path("gsm8k");
        assertEquals(0.06, cg.path("accuracy").path("difference").asDouble(), 1e-12);
        assertEquals(0.04, cg.path("accuracy").path("spread").asDouble(), 1e-12);
        assertEquals(true, cg.path("accuracy").path("win").asBoolean());
        assertEquals(-0.5, cg.path("downstream_loss").path("difference").asDouble(), 1e-12);
        assertEquals(true, cg.path("downstream_loss").path("win").asBoolean());
        // mmlu_stem +0.02 (0.25 -> 0.27) against SLM's spread 0.06: not a win; and no downstream comparison
        JsonNode cm = j.path("slm_vs_clm").path("tasks").path("mmlu_stem");
        assertEquals(0.02, cm.path("accuracy").path("difference").asDouble(), 1e-12);
        assertEquals(false, cm.path("accuracy").path("win").asBoolean());
        assertTrue(cm.path("downstream_loss").isMissingNode());
        // results.md: a row per task, bands in percent and loss, and the per-task verdicts
        String md = r.markdown("p");
        assertTrue(md.contains("| gsm8k | 12.0% [10.0, 14.0] | 18.0% [16.0, 20.0] | 3.100 [3.000, 3.200] | 2.600 [2.500, 2.700] |"), md);
        assertTrue(md.contains("| mmlu_stem | 25.0% [23.0, 27.0] | 27.0% [24.0, 30.0] |  |  |"), md);
        assertTrue(md.contains("gsm8k/accuracy +0.0600 (spread 0.0400, a win); gsm8k/downstream_loss -0.5000 (spread 0.2000, a win); "
                + "mmlu_stem/accuracy +0.0200 (spread 0.0600, not a win)."), md);
        // the report's seed strips: one per task and number beside the main three
        assertTrue(r.seedRows().stream().anyMatch(row -> row.run().equals("slm") && row.metric().equals("mmlu_stem accuracy") && row.max() == 0.30));
        assertEquals(2 * (3 + 1), r.seedRows().size(), "3 main numbers (the first task's) + the second task's accuracy, per objective");
        // one task only: the main table is its table, no per-task section
        Results one = results(List.of(m(1, 2.0, 0.1, 3.0)), List.of(m(1, 1.9, 0.2, 2.9)));
        assertTrue(!one.markdown("p").contains("Every task"));
    }

    /** A task's name may hold '/' (the comparison's metric is TASK/METRIC): its verdicts stay under its whole name. */
    @Test
    void aTaskNameWithASlashKeepsItsVerdicts() {
        java.util.function.BiFunction<Long, Double, Results.RunMetrics> run = (seed, acc) -> new Results.RunMetrics(seed, 2.0, acc, 3.0,
                1000, 600, Double.NaN, Double.NaN, List.of(new Results.TaskScore("math/algebra", acc, 3.0)));
        JsonNode j = results(List.of(run.apply(1L, 0.10), run.apply(2L, 0.11)), List.of(run.apply(1L, 0.20), run.apply(2L, 0.21))).toJson();
        JsonNode c = j.path("slm_vs_clm").path("tasks").path("math/algebra");
        assertEquals(0.10, c.path("accuracy").path("difference").asDouble(), 1e-12);
        assertEquals(true, c.path("accuracy").path("win").asBoolean());
        assertEquals(0.0, c.path("downstream_loss").path("difference").asDouble(), 1e-12);
        assertTrue(j.path("slm_vs_clm").path("tasks").path("math").isMissingNode(), j.toString());
    }

    /** eval.json's task rows become TaskScores in order: held-out rows skipped, a repeated layout name numbered. */
    @Test
    void taskScoresFromEvalJson() throws Exception {
        JsonNode eval = rho4j.util.Json.MAPPER.readTree("""
                {"tasks": [{"task": "target_holdout", "metric": "loss", "value": 7.1},
                           {"task": "gsm8k", "metric": "accuracy", "value": 0.02, "n": 50, "downstream_loss": 6.7},
                           {"task": "mmlu", "metric": "accuracy", "value": 0.24, "n": 50},
                           {"task": "gsm8k", "metric": "accuracy", "value": 0.04, "n": 50, "downstream_loss": 6.5}]}""");
        List<Results.TaskScore> t = Pipeline.taskScores(eval);
        assertEquals(List.of("gsm8k", "mmlu", "gsm8k#2"), t.stream().map(Results.TaskScore::task).toList());
        assertEquals(6.7, t.get(0).downstreamLoss(), 0.0);
        assertTrue(Double.isNaN(t.get(1).downstreamLoss()), "multiple choice has no solutions");
        assertEquals(0.04, t.get(2).accuracy(), 0.0);
    }

    @Test
    void lowerLossByMoreThanTheSpreadIsAWin() {
        Results r = results(List.of(m(1, 2.0, 0.1, 3.0), m(2, 2.1, 0.1, 3.0)), List.of(m(1, 1.5, 0.1, 3.0), m(2, 1.6, 0.1, 3.0)));
        assertEquals(Boolean.TRUE, r.comparisons().get(1).win());
        assertEquals(Boolean.FALSE, r.comparisons().get(0).win(), "equal accuracy is no win");
    }

    @Test
    void slmsSelectedAndUnselectedTokenLossesAreReportedOverSeeds() {
        Results r = results(List.of(m(1, 2.0, 0.1, 3.0), m(2, 2.1, 0.1, 3.0)),
                List.of(new Results.RunMetrics(1, 1.5, 0.1, 3.0, 1000, 600, 0.5, 2.5), new Results.RunMetrics(2, 1.6, 0.1, 3.0, 1000, 600, 0.7, 2.1)));
        JsonNode j = r.toJson();
        assertEquals(0.6, j.path("slm").path("selected_token_loss").path("mean").asDouble(), 1e-12);
        assertEquals(2.3, j.path("slm").path("unselected_token_loss").path("mean").asDouble(), 1e-12);
        assertEquals(2.1, j.path("slm").path("unselected_token_loss").path("min").asDouble(), 1e-12);
        assertTrue(j.path("clm").path("selected_token_loss").isMissingNode(), "CLM selects every token");
        assertTrue(r.markdown("p").contains("0.600 [0.500, 0.700] on the selected tokens, 2.300 [2.100, 2.500] on the unselected"), r.markdown("p"));
    }

    @Test
    void oneSeedHasNoSpreadToBeat() {
        Results r = results(List.of(m(7, 2.0, 0.1, 3.0)), List.of(m(7, 1.0, 0.9, 2.0)));
        assertNull(r.comparisons().get(0).win());
        assertEquals(0.8, r.comparisons().get(0).difference(), 1e-12);
        assertEquals(0.0, r.comparisons().get(0).spread());
        assertEquals(0.9, r.slm().testAccuracy().mean());
    }

    @Test
    void ablationsAreTabledAgainstTheFirstSeedsClmRun() {
        Results base = results(List.of(m(7, 2.0, 0.20, 3.0), m(8, 2.2, 0.30, 3.1)), List.of(m(7, 1.9, 0.50, 3.3), m(8, 1.8, 0.45, 3.0)));
        Results r = new Results("r", 0.6, base.clm(), base.slm(), null, List.of(), List.of(
                new Results.Variant("ratio", "0.40", 0.4, m(7, 1.95, 0.4, 3.2)), new Results.Variant("ratio", "0.60", 0.6, m(7, 1.9, 0.50, 3.3)),
                new Results.Variant("unit", "document", Double.NaN, m(7, 2.05, 0.1, 3.4))));
        JsonNode ab = r.toJson().path("ablations");
        assertEquals(7, ab.path("seed").asInt(), "the first seed's runs");
        assertEquals(2.0, ab.path("clm").path("target_holdout_loss").asDouble(), 0);
        assertEquals(0.4, ab.path("variants").path("ratio").path(0).path("x").asDouble(), 0);
        assertEquals(1.9, ab.path("variants").path("ratio").path(1).path("target_holdout_loss").asDouble(), 0);
        assertTrue(ab.path("variants").path("unit").path(0).path("x").isMissingNode(), "no x outside a sweep");
        // report rows: per ablation the CLM baseline first, then the variants in order
        assertEquals(List.of("ratio/CLM", "ratio/0.40", "ratio/0.60", "unit/CLM", "unit/document"),
                r.ablationRows().stream().map(a -> a.ablation() + "/" + a.label()).toList());
        String md = r.markdown("p");
        assertTrue(md.contains("Ablation `unit` (seed 7, one run each)") && md.contains("| document | 600 | 2.050 | 10.0% | 3.400 |")
                && md.contains("| CLM | 600 | 2.000 | 20.0% | 3.000 |"), md);
        assertTrue(results(List.of(m(1, 2, 0, 3)), List.of(m(1, 2, 0, 3))).toJson().path("ablations").isMissingNode(), "none: no key");
    }
}
