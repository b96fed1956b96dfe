package rho4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import rho4j.demo.NoiseKind;
import rho4j.demo.SelectionPrecision;
import rho4j.util.Json;

/**
 * Reads an SLM run's selection dumps (RUN/selection/step-N.json, see Trainer) against the corpus ground truth:
 * precision/recall over all dumps, and the report's token view from the last one.
 */
final class SelectionDumps {
    private SelectionDumps() {}

    static List<Path> files(Path run) throws IOException {
        Path dir = run.resolve("selection");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d+\\.json")).sorted().toList();
        }
    }

    /** SelectionPrecision over every dumped target position; end-of-text separators are not counted. */
    static SelectionPrecision precision(Path run, NoiseKinds kinds) throws IOException {
        SelectionPrecision.Tally tally = new SelectionPrecision.Tally();
        for (Path f : files(run)) {
            for (JsonNode seq : Json.MAPPER.readTree(f.toFile()).get("sequences")) {
                long start = seq.get("start").asLong();
                JsonNode sel = seq.get("selected");
                int n = sel.size();
                boolean[] selected = new boolean[n], valid = new boolean[n];
                NoiseKind[] k = new NoiseKind[n];
                for (int t = 0; t < n; t++) {
                    NoiseKind kind = kinds.at(start + 1 + t); // targets are store positions start+1..start+T
                    valid[t] = kind != null;
                    k[t] = kind == null ? NoiseKind.NONE : kind;
                    selected[t] = sel.get(t).asBoolean();
                }
                tally.add(selected, k, valid);
            }
        }
        return tally.result();
    }

    /** tokens.json for the report from the last dump: {"step", "docs":[{tokens, ref_loss, excess, selected, noise}]}. */
    static void writeTokensJson(Path run, rho4j.tokenize.TextEncoder tok, NoiseKinds kinds, int maxDocs, Path out) throws IOException {
        List<Path> dumps = files(run);
        if (dumps.isEmpty()) throw new IOException(run + " has no selection dumps: set --dump-steps for the SLM run");
        JsonNode dump = Json.MAPPER.readTree(dumps.get(dumps.size() - 1).toFile());
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("step", dump.get("step").asInt());
        ArrayNode docs = root.putArray("docs");
        int d = 0;
        for (JsonNode seq : dump.get("sequences")) {
            if (d++ >= maxDocs) break;
            long start = seq.get("start").asLong();
            ObjectNode doc = docs.addObject();
            ArrayNode tokens = doc.putArray("tokens"), ref = doc.putArray("ref_loss"), excess = doc.putArray("excess"),
                    selected = doc.putArray("selected"), noise = doc.putArray("noise");
            JsonNode ids = seq.get("targets"), rl = seq.get("ref_loss"), ml = seq.get("model_loss"), sel = seq.get("selected");
            for (int t = 0; t < ids.size(); t++) {
                int id = ids.get(t).asInt();
                tokens.add(id == tok.eotId() ? "<|endoftext|>" : tok.decode(new int[] {id}));
                ref.add(rl.get(t).asDouble());
                excess.add(ml.get(t).asDouble() - rl.get(t).asDouble());
                selected.add(sel.get(t).asBoolean());
                NoiseKind k = kinds == null ? null : kinds.at(start + 1 + t);
                noise.add(k != null && k.isNoise());
            }
        }
        Json.write(out, root);
    }
}
