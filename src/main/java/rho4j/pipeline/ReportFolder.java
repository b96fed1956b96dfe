package rho4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import rho4j.util.Json;

/** Builds one run folder for HtmlReport from the stage folders, which keep training, eval and analysis apart. */
final class ReportFolder {
    private ReportFolder() {}

    /** A folder in the layout HtmlReport reads (see rho4j.report.package-info), assembled from the stage folders. */
    static Path assemble(Path to, String name, Path run, Path eval, Path dyn, Path tokens) throws IOException {
        Files.createDirectories(to);
        Files.copy(run.resolve("metrics.jsonl"), to.resolve("metrics.jsonl"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(eval.resolve("eval.json"), to.resolve("eval.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dyn.resolve("dynamics.json"), to.resolve("dynamics.json"), StandardCopyOption.REPLACE_EXISTING);
        if (tokens != null) Files.copy(tokens.resolve("tokens.json"), to.resolve("tokens.json"), StandardCopyOption.REPLACE_EXISTING);
        // run.json flattened: the report shows a flat settings table.
        JsonNode saved = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        ObjectNode flat = Json.MAPPER.createObjectNode().put("name", name);
        flatten("", saved, flat);
        flat.put("name", name);
        Json.write(to.resolve("run.json"), flat);
        return to;
    }

    /** Nested settings become dotted keys ("config.model.dim"); arrays stay as they are. */
    private static void flatten(String key, JsonNode n, ObjectNode out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> flatten(key.isEmpty() ? e.getKey() : key + "." + e.getKey(), e.getValue(), out));
        } else {
            out.set(key, n);
        }
    }
}
