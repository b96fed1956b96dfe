package rho4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.eval.EvalTask;
import rho4j.eval.Evaluator;
import rho4j.eval.GoldRule;
import rho4j.eval.TaskLayout;
import rho4j.eval.TaskResult;
import rho4j.model.TorchLanguageModel;
import rho4j.score.WindowLosses;
import rho4j.util.Json;

/**
 * The eval stage of one trained run: held-out target loss over the whole target-holdout store, then every task with
 * the evaluator (few-shot, greedy). Writes eval-full.json (the evaluator's layout), eval.json (the report's layout)
 * and metrics.json (the numbers results.json takes).
 */
final class Evaluation {
    /** A layout for the demo's test.jsonl {question, answer (worked solution), gold}: none of the built-ins reads gold. */
    static final TaskLayout DEMO_LAYOUT = new TaskLayout("arith", TaskLayout.Kind.GENERATE, "question", "answer",
            GoldRule.parse("field:gold"), null, TaskLayout.Continuation.TEXT, "idx");

    private Evaluation() {}

    static void run(Path run, Device device, TokenStore holdout, Recipe r, List<Path> taskFiles, Path dir, PrintStream log) throws IOException {
        TorchLanguageModel lm = TorchLanguageModel.load(run, device);
        lm.model().setPrecision(rho4j.engine.Precision.parse(r.precision(), device));
        double holdoutLoss = WindowLosses.mean(lm.model(), holdout, r.budget().microBatch(), Integer.MAX_VALUE);
        Recipe.Eval e = r.eval();
        Evaluator ev = new Evaluator(lm, new Evaluator.Config(e.shots(), e.limit(), 8, e.maxNewTokens(), r.seed()));
        List<TaskResult> results = new ArrayList<>();
        for (Path f : taskFiles) results.add(ev.evaluate(task(f)));
        TaskResult.writeJson(results, dir.resolve("eval-full.json"));
        Json.write(dir.resolve("eval.json"), rho4j.eval.EvalSummary.of(java.util.Map.of("target_holdout", holdoutLoss), results));
        TaskResult first = results.isEmpty() ? null : results.get(0);
        ObjectNode m = Json.MAPPER.createObjectNode().put("target_holdout_loss", holdoutLoss)
                .put("test_accuracy", first == null ? Double.NaN : first.scores().accuracy())
                .put("downstream_loss", first == null || first.scores().downstreamLoss() == null ? Double.NaN : first.scores().downstreamLoss());
        Json.write(dir.resolve("metrics.json"), m);
        log.printf(Locale.ROOT, "eval %s: holdout loss %.4f, accuracy %.3f%n", run.getFileName(), holdoutLoss, m.get("test_accuracy").asDouble());
    }

    /** The demo's test file needs its own layout (its gold is a field); other files use the built-in detection. */
    private static EvalTask task(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            String first = lines.filter(l -> !l.isBlank()).findFirst().orElse("{}");
            JsonNode o = Json.MAPPER.readTree(first);
            if (o.has("question") && o.has("answer") && o.has("gold")) {
                String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
                return new EvalTask(name, file, DEMO_LAYOUT, null);
            }
        }
        return EvalTask.detect(file);
    }
}
