package rho4j.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import rho4j.util.Json;

/** The numbers of one pipeline run (results.json) and their printed table. */
public record Results(String recipe, double ratio, RunMetrics clm, RunMetrics slm, SelectionStats selection,
                      List<Stages.Record> stages) {

    /** Per trained model; NaN where a number could not be measured (no eval task with solutions, say). */
    public record RunMetrics(double targetHoldoutLoss, double testAccuracy, double downstreamLoss, long tokensSeen,
                             long tokensTrained) {}

    /** Selection against the demo's ground truth, over all SLM selection dumps; null without ground truth. */
    public record SelectionStats(double noiseSelectedFraction, double usefulSelectedFraction, double precision,
                                 double recall, long tokens) {}

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("recipe", recipe);
        root.put("ratio", ratio);
        run(root.putObject("clm"), clm);
        ObjectNode s = run(root.putObject("slm"), slm);
        if (selection != null) {
            s.put("noise_selected_fraction", selection.noiseSelectedFraction());
            s.put("useful_selected_fraction", selection.usefulSelectedFraction());
            s.put("precision", selection.precision());
            s.put("recall", selection.recall());
            s.put("selection_tokens_counted", selection.tokens());
        }
        var st = root.putArray("stages");
        for (Stages.Record r : stages) {
            st.addObject().put("name", r.name()).put("key", r.key()).put("cached", r.cached()).put("seconds", r.seconds());
        }
        return root;
    }

    private static ObjectNode run(ObjectNode o, RunMetrics m) {
        return o.put("target_holdout_loss", m.targetHoldoutLoss()).put("test_accuracy", m.testAccuracy())
                .put("downstream_loss", m.downstreamLoss()).put("tokens_seen", m.tokensSeen()).put("tokens_trained", m.tokensTrained());
    }

    public void write(Path file) throws IOException {
        Json.write(file, toJson());
    }

    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-5s %12s %10s %12s %12s %14s%n", "run", "holdout_loss", "test_acc", "downstream", "tokens_seen", "tokens_trained"));
        for (var e : List.of(java.util.Map.entry("clm", clm), java.util.Map.entry("slm", slm))) {
            RunMetrics m = e.getValue();
            b.append(String.format(Locale.ROOT, "%-5s %12.4f %10.3f %12.4f %12d %14d%n", e.getKey(), m.targetHoldoutLoss(),
                    m.testAccuracy(), m.downstreamLoss(), m.tokensSeen(), m.tokensTrained()));
        }
        if (selection != null) {
            b.append(String.format(Locale.ROOT, "slm selection (ratio %.2f): precision %.3f  recall %.3f  noise selected %.3f  useful selected %.3f%n",
                    ratio, selection.precision(), selection.recall(), selection.noiseSelectedFraction(), selection.usefulSelectedFraction()));
        }
        return b.toString();
    }
}
