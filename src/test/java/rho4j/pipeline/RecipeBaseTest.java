package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.model.ModelFiles;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.tokenize.TrainOptions;
import rho4j.train.TrainSpec;
import rho4j.util.Json;

/** `base:` in a recipe: the paper's continual pretraining (reference = base fine-tuned; CLM and SLM continue from the base). */
class RecipeBaseTest {
    @TempDir
    Path dir;

    static final LlamaConfig SHAPE = new LlamaConfig(1, 32, 2, 4, 2, 64, 256, 10000, 1e-5, false);

    /** A Hugging Face folder with a byte-level tokenizer: what `base:` names. */
    Path base(String name, long seed) throws Exception {
        Path tok = dir.resolve(name + "-tok.json");
        ByteLevelBpe bpe = ByteLevelBpe.train(List.of("Question: what is 2 plus 3? Answer: 2 + 3 = 5. The answer is 5.",
                "noise: qzx 8812 <div> lorem ipsum").iterator(), 300, TrainOptions.defaults());
        bpe.save(tok);
        Path b = dir.resolve(name);
        ModelFiles.write(b, new Llama(SHAPE.withVocab(bpe.vocabSize()), Device.CPU, DType.FP32, seed), tok);
        return b;
    }

    Path recipe(String body) throws Exception {
        Path f = dir.resolve("recipes/r.yaml");
        Files.createDirectories(f.getParent());
        Files.writeString(f, body);
        return f;
    }

    @Test
    void everyRunContinuesFromTheBaseWithItsShapeAndTokenizer() throws Exception {
        Path b = base("base", 1);
        Recipe r = Recipe.load(recipe("demo: true\nbase: ../base\nmodel:\n  context: 64\nbudget:\n  steps: 10\n  micro_batch: 2\n"));
        assertEquals(b.toAbsolutePath().normalize(), r.base());
        assertFalse(r.trainOptions().containsKey("preset"));
        for (String objective : List.of("clm", "slm")) {
            TrainSpec s = Pipeline.trainSpec(r, 1, 10, objective, false);
            assertEquals(r.base().toString(), s.initFrom());
            assertEquals(LlamaConfig.readHf(b.resolve("config.json")).withContext(64), s.model());
            assertEquals(2L * 64, s.batch().tokens());
        }
        // without model.context: the base's own context (256 here; capped at 2048)
        Recipe full = Recipe.load(recipe("demo: true\nbase: ../base\n"));
        assertEquals(256, Pipeline.trainSpec(full, 1, 10, "clm", false).model().contextLength());
    }

    @Test
    void shapeAndTokenizerKeysAreRefusedWithABase() throws Exception {
        base("base", 1);
        for (String[] c : new String[][] {{"model:\n  preset: tiny\n", "model.preset"}, {"model:\n  dim: 64\n", "model.dim"},
                {"tokenizer:\n  vocab_size: 512\n", "'tokenizer'"}}) {
            Path f = recipe("demo: true\nbase: ../base\n" + c[0]);
            Exception e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(f));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
        Path f = recipe("demo: true\nbase: ../missing\n");
        Exception e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'base'") && e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void aBaseCanBePretrainedFromGeneralTextAndRunsRepeatOverSeeds() throws Exception {
        Path f = recipe("demo: true\nbase:\n  data: [../general.jsonl]\n  field: body\n  steps: 7\nseeds: [3, 4, 5]\n");
        Recipe r = Recipe.load(f);
        assertEquals(null, r.base());
        assertEquals(7, r.pretrain().steps());
        assertEquals(List.of(dir.resolve("general.jsonl").toAbsolutePath().normalize()), r.pretrain().data().files());
        assertEquals("body", r.pretrain().data().field());
        assertEquals(List.of(3L, 4L, 5L), r.seeds());
        // the seed of a run is its data order; the base and reference keep the recipe's seed
        Path b0 = base("b0", 1);
        TrainSpec s = Pipeline.trainSpec(r, 300, 10, "clm", false, b0, 4L);
        assertEquals(4L, s.seed());
        assertEquals(b0.toAbsolutePath().normalize().toString(), s.initFrom());
        assertEquals(LlamaConfig.readHf(b0.resolve("config.json")).withContext(128), s.model(), "the base's shape, the demo's context");
        assertEquals(List.of(1L, 2L, 3L), Recipe.demo(rho4j.demo.DemoSize.DEFAULT).seeds(), "the demo reports three seeds");
        assertTrue(Recipe.demo(rho4j.demo.DemoSize.DEFAULT).pretrain() != null, "the demo pretrains its own base");
        // rho demo --seeds: the same rule as the recipe key
        assertEquals(List.of(9L, 4L), Recipe.demo(rho4j.demo.DemoSize.TINY).withSeeds(List.of(9L, 4L)).seeds());
        assertThrows(IllegalArgumentException.class, () -> Recipe.demo(rho4j.demo.DemoSize.TINY).withSeeds(List.of(2L, 2L)));
        assertThrows(IllegalArgumentException.class, () -> Recipe.demo(rho4j.demo.DemoSize.TINY).withSeeds(List.of()));
        // the demo computes in fp32 on every machine unless rho demo --precision says otherwise, with the recipe key's rule
        assertEquals("fp32", Recipe.demo(rho4j.demo.DemoSize.DEFAULT).precision());
        assertEquals("fp32", Recipe.demo(rho4j.demo.DemoSize.TINY).precision());
        assertEquals("bf16", Recipe.demo(rho4j.demo.DemoSize.DEFAULT).withPrecision("bf16").precision());
        assertEquals(Recipe.demo(rho4j.demo.DemoSize.DEFAULT).seeds(), Recipe.demo(rho4j.demo.DemoSize.DEFAULT).withPrecision("auto").seeds());
        Exception p16 = assertThrows(IllegalArgumentException.class, () -> Recipe.demo(rho4j.demo.DemoSize.TINY).withPrecision("fp16"));
        assertTrue(p16.getMessage().contains("fp16"), p16.getMessage());

        for (String[] c : new String[][] {{"base:\n  data: [g.jsonl]\n", "base.steps"}, {"base:\n  data: [g.jsonl]\n  steps: 5\n  stpes: 6\n", "base.stpes"},
                {"seeds: [1, 1]\n", "'seeds'"}, {"seeds: [1, x]\n", "'seeds'"}}) {
            Path bad = recipe("demo: true\n" + c[0]);
            Exception e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(bad));
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void ablationsAreReadAndEveryWrongValueNamesItsKey() throws Exception {
        Recipe r = Recipe.load(recipe("demo: true\nablations:\n  ratios: [0.4, 1.0]\n  scopes: [batch]\n  units: document\n"
                + "  self_reference: [base:excess, 'clm: excess+entropy']\n"));
        assertEquals(List.of(0.4, 1.0), r.ablations().ratios());
        assertEquals(List.of("batch"), r.ablations().scopes());
        assertEquals(List.of("document"), r.ablations().units(), "one value is a one-element list");
        assertEquals(List.of(new Recipe.SelfReference("base", "excess"), new Recipe.SelfReference("clm", "excess+entropy")), r.ablations().selfReference());
        assertTrue(Recipe.load(recipe("demo: true\n")).ablations().isEmpty(), "no section: no ablations");

        for (String[] c : new String[][] {{"ratios: [0]", "ablations.ratios"}, {"ratios: [x]", "ablations.ratios"},
                {"scopes: [bach]", "ablations.scopes"}, {"units: [word]", "ablations.units"},
                {"self_reference: [ref:excess]", "ablations.self_reference"}, {"self_reference: [clm:excesss]", "ablations.self_reference"},
                {"self_reference: [clm]", "ablations.self_reference"}, {"ratio: [0.5]", "ablations.ratio"}}) {
            Path bad = recipe("demo: true\nablations:\n  " + c[0] + "\n");
            Exception e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(bad));
            assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("'" + c[1] + "'") && !e.getMessage().contains("\n"), e.getMessage());
        }
        // Scoring with the base needs one: a recipe that trains from scratch has none.
        Path noBase = recipe("name: x\nreference: {data: [a.jsonl]}\ncorpus: {data: [a.jsonl]}\ntarget_holdout: {data: [a.jsonl]}\n"
                + "eval: {tasks: [t.jsonl]}\nablations: {self_reference: [base:excess]}\n");
        Exception e = assertThrows(IllegalArgumentException.class, () -> Recipe.load(noBase));
        assertTrue(e.getMessage().contains("needs a base model"), e.getMessage());
    }

    @Test
    void stagesAreKeyedByTheBaseFilesContent() throws Exception {
        Path a = base("a", 1), b = base("b", 2), c = base("c", 1);
        assertEquals(Pipeline.baseKey(a), Pipeline.baseKey(c)); // same content, other folder
        assertNotEquals(Pipeline.baseKey(a), Pipeline.baseKey(b)); // other weights
    }

    @Test
    @Tag("slow")
    void theDemoContinuesFromABase() throws Exception {
        Path b = base("base", 3);
        Path f = recipe("demo: true\ndemo_size: tiny\nbase: ../base\nmodel:\n  context: 128\nbudget:\n  steps: 8\n  reference_steps: 8\n"
                + "eval:\n  limit: 4\n  max_new_tokens: 8\n");
        Path out = dir.resolve("out");
        Pipeline.run(Recipe.load(f), out, new PrintStream(new ByteArrayOutputStream()));
        int runs = 0;
        try (var stages = Files.list(out.resolve("stages"))) {
            for (Path st : stages.toList()) {
                String n = st.getFileName().toString();
                if (!n.startsWith("reference-") && !n.startsWith("clm-") && !n.startsWith("slm-")) continue;
                var cfg = Json.MAPPER.readTree(st.resolve("run.json").toFile()).path("config");
                assertEquals(b.toAbsolutePath().normalize().toString(), cfg.path("initFrom").asText(), n);
                assertEquals(Json.MAPPER.readTree(b.resolve("config.json").toFile()).path("max_position_embeddings"),
                        Json.MAPPER.readTree(st.resolve("model/config.json").toFile()).path("max_position_embeddings"), n);
                runs++;
            }
        }
        assertEquals(1 + 2 * Recipe.demo(rho4j.demo.DemoSize.TINY).seeds().size(), runs, "the reference, and a CLM and an SLM run per seed");
        assertFalse(Files.exists(out.resolve("stages").resolve("tokenizer")), "no tokenizer is trained with a base");
    }
}
