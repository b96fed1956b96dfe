package rho4j.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Scores and per-item results of one task. {@link #writeJson} writes the layout described in {@link ResultJson}.
 *
 * @param trainFile demonstrations' file, or null when they came from the task file's first items
 */
public record TaskResult(String task, String file, TaskLayout layout, Evaluator.Config config, String trainFile,
                         Scores scores, List<ItemResult> items) {
    public TaskResult {
        items = List.copyOf(items);
    }

    /**
     * @param n              items evaluated
     * @param accuracy       fraction correct (choice: raw log-likelihood argmax)
     * @param accuracyNorm   choice only: argmax of log-likelihood per character of the continuation
     * @param downstreamLoss mean negative log-likelihood per token of the gold solutions (nats), null without them
     * @param perplexity     exp(downstreamLoss)
     * @param solutionTokens tokens the downstream loss averages over
     */
    public record Scores(int n, double accuracy, Double accuracyNorm, Double downstreamLoss, Double perplexity,
                         long solutionTokens) {}

    /** Writes this result alone (atomically: temp file, then rename). */
    public void writeJson(Path path) {
        writeJson(List.of(this), path);
    }

    /** Writes several results as one JSON document {"tasks": [...]} (atomically). */
    public static void writeJson(List<TaskResult> results, Path path) {
        try {
            ResultJson.write(results, path);
        } catch (IOException e) {
            throw new UncheckedIOException("writing results to " + path + ": " + e.getMessage()
                    + "; check the folder exists and is writable", e);
        }
    }
}
