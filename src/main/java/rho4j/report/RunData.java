package rho4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the report reads from one run folder. A file that is absent (or unreadable) is null / empty, and the
 * sections that need it say so; problems worth telling the reader about are in {@code notes}, naming file and line.
 *
 * @param settings   run.json, or null
 * @param evalResult eval.json, or null
 * @param dynamics   dynamics.json, or null
 * @param tokens     tokens.json, or null
 * @param hasMetrics whether metrics.jsonl existed
 */
record RunData(String name, Path dir, boolean hasMetrics, List<JsonNode> train, List<JsonNode> eval,
        List<JsonNode> hist, JsonNode settings, JsonNode evalResult, JsonNode dynamics, JsonNode tokens,
        List<String> notes) {

    /** An SLM run: run.json says so, or the trainer logged selection statistics. */
    boolean isSlm() {
        if (settings != null && "slm".equalsIgnoreCase(settings.path("objective").asText())) {
            return true;
        }
        return train.stream().anyMatch(n -> n.has("sel_loss") || n.has("sel_frac"));
    }

    /** Points (x, y) of the given metric lines where both fields are finite numbers, in file order. */
    static double[][] points(List<JsonNode> lines, String xKey, String yKey) {
        List<double[]> pts = new ArrayList<>();
        for (JsonNode n : lines) {
            JsonNode x = n.get(xKey);
            JsonNode y = n.get(yKey);
            if (x != null && y != null && x.isNumber() && y.isNumber()) {
                pts.add(new double[] {x.asDouble(), y.asDouble()});
            }
        }
        double[][] out = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            out[0][i] = pts.get(i)[0];
            out[1][i] = pts.get(i)[1];
        }
        return out;
    }
}
