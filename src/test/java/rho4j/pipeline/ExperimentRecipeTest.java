package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * experiments/real/recipe.yaml, filled in as run.sh fills it, loads with the paper's structure: a base pretrained on
 * the general package text, three seeds, and the selection run.sh substitutes for each ablation.
 */
class ExperimentRecipeTest {
    @Test
    void theShippedRecipeHasThePapersStructure(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        for (String f : List.of("corpus/noisy/a.jsonl", "math/reference.jsonl", "math/math-text.jsonl", "math/target_holdout.jsonl")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.writeString(dir.resolve(f), "{\"text\": \"x\"}\n");
        }
        String text = Files.readString(Path.of("experiments/real/recipe.yaml"))
                .replace("@DATA@", data.toString()).replace("@BASE_STEPS@", "150").replace("@REF_STEPS@", "100").replace("@STEPS@", "100")
                .replace("@LIMIT@", "50").replace("@SEEDS@", "[1, 2, 3]").replace("@RATIO@", "0.7").replace("@BATCH@", "2048").replace("@MICRO@", "4").replace("@WARMUP@", "10");
        // run.sh appends its ablations section (a here-document) to the main recipe
        String sh = Files.readString(Path.of("experiments/real/run.sh"));
        int from = sh.indexOf("<<'YAML'\n") + "<<'YAML'\n".length();
        text += sh.substring(from, sh.indexOf("\nYAML\n", from) + 1);
        assertTrue(!text.contains("@"), "every placeholder is one run.sh fills: " + text);
        Path f = dir.resolve("real.yaml");
        Files.writeString(f, text);
        Recipe r = Recipe.load(f);
        assertEquals(List.of(1L, 2L, 3L), r.seeds());
        assertEquals(150, r.pretrain().steps());
        assertEquals(List.of(dir.resolve("corpus/noisy")), r.pretrain().data().files());
        assertEquals(null, r.base());
        assertEquals(100, r.budget().steps());
        assertEquals(100, r.budget().referenceSteps());
        assertEquals(new Recipe.SelectionSpec(0.7, "excess", "micro-batch", "token"), r.selection());
        assertEquals(2048, r.budget().batchTokens());
        assertEquals(4, r.budget().microBatch());
        assertEquals(10, r.budget().warmup());
        assertEquals(List.of(0.4, 0.5, 0.6, 0.7, 0.8, 1.0), r.ablations().ratios(), "the paper's Fig. 9 ratios");
        assertEquals(List.of("batch"), r.ablations().scopes());
        assertEquals(List.of("document"), r.ablations().units());
        assertEquals(List.of("base:excess", "clm:excess", "clm:entropy", "clm:excess+entropy"),
                r.ablations().selfReference().stream().map(Object::toString).toList(), "the NeurIPS version's Table 3, from the base and from CLM");
        assertEquals(50, r.eval().limit());
        // run.sh names every ablation's recipe by substituting the name line
        assertTrue(text.lines().anyMatch("name: real"::equals));
        for (String p : List.of("@DATA@", "@BASE_STEPS@", "@REF_STEPS@", "@STEPS@", "@LIMIT@", "@SEEDS@", "@RATIO@", "@BATCH@", "@MICRO@", "@WARMUP@"))
            assertTrue(sh.contains(p), "run.sh fills " + p);
    }
}
