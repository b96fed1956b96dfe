package rho4j.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run folder into {@link RunData}. Tolerant by design: the trainer may still be writing (a torn last line),
 * a run may have been stopped before evaluation, and a report should still come out. Nothing is silently dropped:
 * each skipped line or unreadable file becomes a note naming the file and line.
 */
final class RunLoader {
    static final String METRICS = "metrics.jsonl";
    static final String SETTINGS = "run.json";
    static final String EVAL = "eval.json";
    static final String DYNAMICS = "dynamics.json";
    static final String TOKENS = "tokens.json";

    // NaN/Infinity appear in logs of diverged runs; accept them rather than losing the whole line.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private RunLoader() {}

    static RunData load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a run folder (no such directory)");
        }
        List<String> notes = new ArrayList<>();
        List<JsonNode> train = new ArrayList<>();
        List<JsonNode> eval = new ArrayList<>();
        List<JsonNode> hist = new ArrayList<>();
        Path metrics = dir.resolve(METRICS);
        boolean hasMetrics = Files.isRegularFile(metrics);
        if (hasMetrics) {
            readMetrics(metrics, train, eval, hist, notes);
        }
        JsonNode settings = readJson(dir.resolve(SETTINGS), notes);
        JsonNode evalResult = readJson(dir.resolve(EVAL), notes);
        JsonNode dynamics = readJson(dir.resolve(DYNAMICS), notes);
        JsonNode tokens = readJson(dir.resolve(TOKENS), notes);
        String name = settings != null && settings.path("name").isTextual() && !settings.get("name").asText().isBlank()
                ? settings.get("name").asText()
                : String.valueOf(dir.toAbsolutePath().normalize().getFileName());
        return new RunData(name, dir, hasMetrics, train, eval, hist, settings, evalResult, dynamics, tokens, notes);
    }

    private static void readMetrics(Path file, List<JsonNode> train, List<JsonNode> eval, List<JsonNode> hist,
            List<String> notes) throws IOException {
        int unknown = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    notes.add(file.getFileName() + ":" + no + ": not valid JSON, line skipped ("
                            + e.getOriginalMessage() + ")");
                    continue;
                }
                if (n == null || !n.isObject()) {
                    notes.add(file.getFileName() + ":" + no + ": not a JSON object, line skipped");
                    continue;
                }
                switch (n.path("type").asText()) {
                    case "train" -> train.add(n);
                    case "eval" -> eval.add(n);
                    case "hist" -> hist.add(n);
                    default -> unknown++; // other line types are for other tools
                }
            }
        }
        if (unknown > 0) {
            notes.add(file.getFileName() + ": " + unknown + " line(s) of other types ignored");
        }
    }

    /** The file's JSON, or null if it is absent; a broken file becomes a note with its line and column. */
    private static JsonNode readJson(Path file, List<String> notes) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                notes.add(file.getFileName() + ": expected a JSON object, file ignored");
                return null;
            }
            return n;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
            notes.add(file.getFileName() + where + ": not valid JSON, file ignored (" + e.getOriginalMessage() + ")");
            return null;
        }
    }
}
