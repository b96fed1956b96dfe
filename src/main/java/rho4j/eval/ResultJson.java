package rho4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * JSON form of results, built field by field so the key order is fixed (no map iteration order leaks in):
 * <pre>
 * {"tasks": [{"task", "file", "train_file", "layout": {name, kind, question, solution, gold, choices, continuation, id},
 *             "config": {shots, limit, batch_size, max_new_tokens, seed},
 *             "scores": {n, accuracy, accuracy_norm, downstream_loss, perplexity, solution_tokens},
 *             "items": [{index, id, prompt_tokens, generated, predicted, gold, correct, correct_norm, predicted_norm,
 *                        option_logprobs, option_chars, solution_nll, solution_tokens}]}]}
 * </pre>
 * Keys that do not apply are null; non-finite numbers (an impossible option's -Infinity) are null too, as JSON has
 * no such numbers.
 */
public final class ResultJson {
    private ResultJson() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static String toJson(List<TaskResult> results) {
        try {
            return JSON.writeValueAsString(tree(results)) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("serialising results", e);
        }
    }

    static void write(List<TaskResult> results, Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, toJson(results));
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static ObjectNode tree(List<TaskResult> results) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode tasks = root.putArray("tasks");
        for (TaskResult r : results) tasks.add(task(r));
        return root;
    }

    private static ObjectNode task(TaskResult r) {
        ObjectNode t = JSON.createObjectNode();
        t.put("task", r.task());
        t.put("file", r.file());
        t.put("train_file", r.trainFile());
        ObjectNode l = t.putObject("layout");
        TaskLayout layout = r.layout();
        l.put("name", layout.name());
        l.put("kind", layout.kind().label());
        l.put("question", layout.questionField());
        l.put("solution", layout.solutionField());
        l.put("gold", layout.gold().toString());
        l.put("choices", layout.choicesField());
        l.put("continuation", layout.continuation().label());
        l.put("id", layout.idField());
        ObjectNode c = t.putObject("config");
        Evaluator.Config cfg = r.config();
        c.put("shots", cfg.shots());
        c.put("limit", cfg.limit());
        c.put("batch_size", cfg.batchSize());
        c.put("max_new_tokens", cfg.maxNewTokens());
        c.put("seed", cfg.seed());
        ObjectNode s = t.putObject("scores");
        TaskResult.Scores sc = r.scores();
        s.put("n", sc.n());
        number(s, "accuracy", sc.accuracy());
        number(s, "accuracy_norm", sc.accuracyNorm());
        number(s, "downstream_loss", sc.downstreamLoss());
        number(s, "perplexity", sc.perplexity());
        s.put("solution_tokens", sc.solutionTokens());
        ArrayNode items = t.putArray("items");
        for (ItemResult i : r.items()) items.add(item(i));
        return t;
    }

    private static ObjectNode item(ItemResult i) {
        ObjectNode o = JSON.createObjectNode();
        o.put("index", i.index());
        o.put("id", i.id());
        o.put("prompt_tokens", i.promptTokens());
        o.put("generated", i.generated());
        o.put("predicted", i.predicted());
        o.put("gold", i.gold());
        o.put("correct", i.correct());
        o.put("correct_norm", i.correctNorm());
        o.put("predicted_norm", i.predictedNorm());
        ArrayNode lp = o.putArray("option_logprobs");
        for (Double d : i.optionLogProbs()) {
            if (Double.isFinite(d)) lp.add(d);
            else lp.addNull();
        }
        ArrayNode ch = o.putArray("option_chars");
        i.optionChars().forEach(ch::add);
        number(o, "solution_nll", i.solutionNll());
        o.put("solution_tokens", i.solutionTokens());
        return o;
    }

    private static void number(ObjectNode o, String key, Double v) {
        if (v == null || !Double.isFinite(v)) o.putNull(key);
        else o.put(key, v);
    }
}
