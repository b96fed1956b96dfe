package rho4j.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import rho4j.util.Json;

/**
 * The run's eval.json, the layout `rho report` reads: {"tasks": [{"task", "metric", "value", other numbers...}]},
 * one row per held-out store (metric loss) and per task (metric accuracy). Per-item details go elsewhere
 * ({@link TaskResult#writeJson}).
 */
public final class EvalSummary {
    private EvalSummary() {}

    /** @param heldoutLosses held-out name -> mean token loss, in the order given */
    public static ObjectNode of(Map<String, Double> heldoutLosses, List<TaskResult> results) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode rows = root.putArray("tasks");
        heldoutLosses.forEach((name, loss) -> rows.addObject().put("task", name).put("metric", "loss").put("value", loss).put("perplexity", Math.exp(loss)));
        for (TaskResult r : results) {
            TaskResult.Scores s = r.scores();
            ObjectNode row = rows.addObject().put("task", r.task()).put("metric", "accuracy").put("value", s.accuracy()).put("n", s.n());
            if (s.accuracyNorm() != null) row.put("accuracy_norm", s.accuracyNorm());
            if (s.downstreamLoss() != null) row.put("downstream_loss", s.downstreamLoss());
            if (s.perplexity() != null) row.put("perplexity", s.perplexity());
        }
        return root;
    }
}
