package rho4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import rho4j.util.AtomicFiles;

/** metrics.jsonl: one compact JSON object per line. On resume, lines after the checkpoint's step are dropped, so the
 *  file reads as if the run had never stopped. */
final class MetricsLog {
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private final BufferedWriter out;

    /** {@code file} null: lines are made and dropped (the ranks of a data-parallel run other than rank 0). */
    MetricsLog(Path file, int keepUpToStep) throws IOException {
        if (file == null) {
            out = null;
            return;
        }
        if (keepUpToStep >= 0 && Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    if (COMPACT.readTree(line).path("step").asLong() <= keepUpToStep) kept.add(line);
                } catch (IOException e) { // a line cut by the kill: drop it
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } else {
            Files.deleteIfExists(file);
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    ObjectNode line(String type, int step, long tokens) {
        return COMPACT.createObjectNode().put("type", type).put("step", step).put("tokens", tokens);
    }

    void write(JsonNode n) throws IOException {
        if (out == null) return;
        out.write(COMPACT.writeValueAsString(n));
        out.write('\n');
        out.flush();
    }

    void flush() throws IOException { if (out != null) out.flush(); }
}
