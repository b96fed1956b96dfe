package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import rho4j.pipeline.Pipeline;
import rho4j.pipeline.Recipe;
import rho4j.train.TrainSpec;

/** One run specification, whoever writes it: flags, a --config file and a recipe with the same values agree. */
class TrainSpecSourcesTest {
    @TempDir Path dir;

    static final int VOCAB = 1024;

    /** The options the pipeline sets for a 300-step SLM run, as flags (see Pipeline.trainSpec). */
    static final List<String> FLAGS = List.of("--preset", "1b", "--heads", "16", "--context", "128", "--steps", "300",
            "--micro-batch", "8", "--batch-tokens", "1024", "--lr", "2e-3", "--warmup", "20", "--seed", "7", "--objective", "slm",
            "--ratio", "0.6", "--score", "excess", "--scope", "micro-batch", "--unit", "token", "--device", "cpu",
            "--eval-every", "30", "--eval-windows", "32", "--ckpt-every", "30", "--log-every", "30", "--keep-checkpoints", "11");

    static TrainSpec fromCommandLine(List<String> args) throws java.io.IOException {
        List<String> all = new ArrayList<>(List.of("train", "--data", "unused", "--out", "unused"));
        all.addAll(args);
        String[] a = all.toArray(new String[0]);
        CommandLine cl = new CommandLine(new Main());
        cl.setDefaultValueProvider(Main.ConfigDefaults.from(a, cl));
        CommandLine.ParseResult pr = cl.parseArgs(a);
        TrainCommand cmd = (TrainCommand) pr.subcommand().commandSpec().userObject();
        return TrainSpec.of(cmd.specOptions(), VOCAB);
    }

    @Test
    void flagsConfigFileAndRecipeGiveTheSameSpec() throws Exception {
        TrainSpec flags = fromCommandLine(FLAGS);

        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < FLAGS.size(); i += 2) yaml.append(FLAGS.get(i).substring(2)).append(": ").append(FLAGS.get(i + 1)).append('\n');
        Path config = dir.resolve("train.yaml");
        Files.writeString(config, yaml.toString());
        TrainSpec file = fromCommandLine(List.of("--config", config.toString()));

        Files.createDirectories(dir.resolve("data"));
        for (String f : List.of("ref.jsonl", "noisy.jsonl", "holdout.jsonl", "test.jsonl")) Files.writeString(dir.resolve("data/" + f), "{}\n");
        Path recipe = dir.resolve("recipe.yaml");
        Files.writeString(recipe, """
                seed: 7
                tokenizer: {vocab_size: 1024}
                reference: {data: [data/ref.jsonl]}
                corpus: {data: [data/noisy.jsonl]}
                target_holdout: {data: [data/holdout.jsonl]}
                model: {preset: 1b, heads: 16, context: 128}
                budget: {steps: 300, micro_batch: 8, batch_tokens: 1024, lr: 2e-3, warmup: 20}
                selection: {ratio: 0.6, score: excess, scope: micro-batch, unit: token}
                eval: {tasks: [data/test.jsonl]}
                """);
        TrainSpec fromRecipe = Pipeline.trainSpec(Recipe.load(recipe), VOCAB, 300, "slm", false);

        assertEquals(flags, file);
        assertEquals(flags, fromRecipe);
        // The one preset-override rule: 1b has 32 heads and 4 kv heads; 16 heads keep the 4 kv heads (GQA), a
        // recipe no differently from a flag.
        assertEquals(16, flags.model().nHeads());
        assertEquals(4, flags.model().nKvHeads());
        assertEquals(2e-4, flags.optim().minLr(), 1e-18); // derived default: lr / 10
        // a flag beats the --config file
        assertEquals(9L, fromCommandLine(List.of("--config", config.toString(), "--seed", "9")).seed());
    }

    @Test
    void kvHeadsFollowOneRule() throws Exception {
        assertEquals(4, fromCommandLine(List.of("--preset", "1b", "--heads", "8")).model().nKvHeads());
        assertEquals(2, fromCommandLine(List.of("--preset", "1b", "--heads", "2")).model().nKvHeads()); // 4 kv heads cannot serve 2
        assertEquals(2, fromCommandLine(List.of("--preset", "1b", "--heads", "8", "--kv-heads", "2")).model().nKvHeads());
        assertEquals(32, fromCommandLine(List.of("--preset", "1b")).model().nHeads());
    }

    @Test
    void badValuesNameTheOption() {
        var e = assertThrows(IllegalArgumentException.class, () -> fromCommandLine(List.of("--micro-batch", "0")));
        assertTrue(e.getMessage().contains("--micro-batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainSpec.of(java.util.Map.of("step", 3), VOCAB));
        assertTrue(e.getMessage().contains("'step'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fromCommandLine(List.of("--heads", "0")));
        assertTrue(e.getMessage().contains("--heads"), e.getMessage());
    }

    @Test
    void runJsonRoundTripsTheSpec(@TempDir Path tmp) throws Exception {
        TrainSpec spec = fromCommandLine(List.of("--preset", "tiny", "--steps", "2", "--micro-batch", "2", "--context", "16", "--eval-every", "0",
                "--objective", "slm", "--score", "random", "--dump-steps", "1,2"));
        try (var store = rho4j.Fixtures.randomStore(tmp.resolve("s"), 512, 200, 3)) {
            new rho4j.train.Trainer(spec, spec.initialModel(), store, null,
                    null, tmp.resolve("run"), null, false, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).train(1);
        }
        var saved = rho4j.util.Json.MAPPER.readTree(tmp.resolve("run/run.json").toFile()).path("config");
        TrainSpec back = rho4j.util.Json.MAPPER.treeToValue(saved, TrainSpec.class);
        assertEquals(spec, back);
        assertNotEquals(spec, fromCommandLine(List.of("--preset", "tiny", "--steps", "3")));
        assertArrayEquals(new int[] {1, 2}, back.dumpSteps().stream().mapToInt(Integer::intValue).toArray());
    }
}
