package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.demo.DemoSize;

class RecipeTest {
    @TempDir
    Path dir;

    static final String FULL = """
            name: arith
            seed: 7
            demo: false
            tokenizer:
              vocab_size: 1024
              train_on: reference
            reference:
              data: [data/reference.jsonl]
              template: "Question: {question}\\nAnswer: {answer}"
            corpus:
              data: [data/noisy.jsonl]
              field: text
            target_holdout:
              data: [data/holdout.jsonl]
            model:
              preset: demo
              context: 128
            budget:
              steps: 300
              micro_batch: 8
              batch_tokens: 1024
              lr: 2e-3
              warmup: 20
              reference_steps: 200
            selection:
              ratio: 0.6
              score: excess
              scope: micro-batch
              unit: token
            eval:
              tasks: [data/test.jsonl]
              shots: 2
              limit: 100
              max_new_tokens: 40
            """;

    private Path write(String text) throws Exception {
        Path f = dir.resolve("recipe.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void fullRecipeLoads() throws Exception {
        Recipe r = Recipe.load(write(FULL));
        assertEquals("arith", r.name());
        assertEquals(7, r.seed());
        assertEquals(List.of(), r.tokenizer().trainOn(), "train_on: reference means the reference data");
        assertEquals(List.of(dir.resolve("data/reference.jsonl")), r.reference().files(), "paths relative to the recipe");
        assertEquals("Question: {question}\nAnswer: {answer}", r.reference().template());
        assertEquals("text", r.targetHoldout().field());
        assertEquals(128, r.model().config(1024).contextLength());
        assertEquals(200, r.budget().referenceSteps());
        assertEquals(2e-3, r.budget().lr());
        assertEquals(0.6, r.selection().ratio());
        assertEquals(40, r.eval().maxNewTokens());
    }

    @Test
    void unknownKeyNamesFileAndKey() throws Exception {
        Path f = write(FULL.replace("  warmup: 20", "  warmpu: 20"));
        var e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("budget.warmpu"), e.getMessage());
        Path g = write(FULL + "extra: 1\n");
        var e2 = assertThrows(IllegalArgumentException.class, () -> Recipe.load(g));
        assertTrue(e2.getMessage().contains(g.toString()) && e2.getMessage().contains("'extra'"), e2.getMessage());
    }

    @Test
    void badValuesNameFileAndKey() throws Exception {
        Path f = write(FULL.replace("steps: 300", "steps: lots"));
        var e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("budget.steps"), e.getMessage());
        Path g = write(FULL.replace("model:\n  preset: demo", "model: demo\nx:\n  preset: demo"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> Recipe.load(g));
        assertTrue(e2.getMessage().contains(g.toString()) && e2.getMessage().contains("model"), e2.getMessage());
        Path h = write(FULL.replace("  data: [data/noisy.jsonl]\n", ""));
        var e3 = assertThrows(IllegalArgumentException.class, () -> Recipe.load(h));
        assertTrue(e3.getMessage().contains("corpus.data"), e3.getMessage());
    }

    @Test
    void demoRecipeNeedsNoFiles() throws Exception {
        Recipe r = Recipe.load(write("demo: true\ndemo_size: tiny\nselection:\n  ratio: 0.5\n"));
        assertEquals(DemoSize.TINY, r.demoSize());
        assertEquals(0.5, r.selection().ratio());
        assertEquals(Recipe.demo(DemoSize.TINY).budget(), r.budget());
    }

    @Test
    void ratioChangesOnlyTheSlmKey() {
        Recipe a = Recipe.demo(DemoSize.TINY), b = a.withRatio(0.3);
        assertEquals(Stages.key("clm", a.budget(), a.seed()), Stages.key("clm", b.budget(), b.seed()));
        assertTrue(!Stages.key("slm", a.selection()).equals(Stages.key("slm", b.selection())));
    }

    @Test
    void sweepSpecParses() {
        assertEquals(List.of(0.4, 0.5), Sweep.parse("ratio=0.4, 0.5"));
        assertThrows(IllegalArgumentException.class, () -> Sweep.parse("lr=0.1"));
        assertThrows(IllegalArgumentException.class, () -> Sweep.parse("ratio=0.4,x"));
    }

    @Test
    void shippedExampleLoads() throws Exception {
        Recipe r = Recipe.load(Path.of("recipes/example.yaml"));
        assertEquals("arith-example", r.name());
        assertEquals(0.6, r.selection().ratio());
        assertEquals(List.of(1L, 2L, 3L), r.seeds());
        assertEquals(400, r.pretrain().steps());
        assertEquals(2e-3, r.pretrain().lr());
    }
}
