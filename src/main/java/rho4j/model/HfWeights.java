package rho4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards a
 * {@code model.safetensors.index.json} names (its {@code weight_map}: tensor name -> shard file). Tensors are read one
 * at a time straight into the model's own memory (F32, BF16, F16 and F64 converted on the way in).
 */
public final class HfWeights implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Map<String, Safetensors.Reader> byName = new LinkedHashMap<>();
    private final Map<String, Path> fileOf = new LinkedHashMap<>();
    private final List<Safetensors.Reader> readers = new ArrayList<>();

    private HfWeights() {}

    /** True when the folder holds weights in either layout. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    /** Opens the folder's weights (only the headers are read now). */
    public static HfWeights open(Path dir) throws IOException {
        HfWeights w = new HfWeights();
        try {
            if (Files.isRegularFile(dir.resolve(SINGLE))) {
                w.add(dir.resolve(SINGLE), null, null);
            } else if (Files.isRegularFile(dir.resolve(INDEX))) {
                Path index = dir.resolve(INDEX);
                JsonNode root;
                try {
                    root = new ObjectMapper().readTree(index.toFile());
                } catch (com.fasterxml.jackson.core.JacksonException e) {
                    throw new IOException(index + ": not valid JSON (" + e.getOriginalMessage() + ")");
                }
                JsonNode map = root == null ? null : root.get("weight_map");
                if (map == null || !map.isObject() || map.isEmpty())
                    throw new IOException(index + ": \"weight_map\" is missing or empty (expected tensor name -> shard file)");
                Map<String, List<String>> namesOfShard = new LinkedHashMap<>();
                for (var it = map.fields(); it.hasNext(); ) {
                    var e = it.next();
                    String shard = e.getValue().asText();
                    if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith("."))
                        throw new IOException(index + ": \"weight_map\".\"" + e.getKey() + "\" must name a shard file in the same folder, got " + e.getValue());
                    namesOfShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(e.getKey());
                }
                for (var e : namesOfShard.entrySet()) {
                    Path shard = dir.resolve(e.getKey());
                    if (!Files.isRegularFile(shard)) throw new IOException(index + " names shard " + e.getKey() + ", which is missing from " + dir);
                    w.add(shard, e.getValue(), index);
                }
            } else {
                throw new IOException(dir + " holds neither " + SINGLE + " nor " + INDEX);
            }
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private void add(Path file, List<String> expected, Path index) throws IOException {
        Safetensors.Reader r = Safetensors.open(file);
        readers.add(r);
        if (expected != null)
            for (String n : expected)
                if (!r.names().contains(n)) throw new IOException(index + " puts tensor '" + n + "' in " + file.getFileName() + ", which does not hold it");
        for (String n : expected != null ? expected : List.copyOf(r.names())) {
            if (byName.containsKey(n)) throw new IOException(file + ": tensor '" + n + "' is also in " + fileOf.get(n));
            byName.put(n, r);
            fileOf.put(n, file);
        }
    }

    /** Tensor names, in file (or index) order. */
    public Set<String> names() { return java.util.Collections.unmodifiableSet(byName.keySet()); }

    /** The file holding a tensor (for messages), or null. */
    public Path fileOf(String name) { return fileOf.get(name); }

    public long[] shape(String name) {
        Safetensors.Reader r = byName.get(name);
        return r == null ? null : r.shape(name);
    }

    /** Copies the stored tensor into dst (converting its dtype), or throws naming the folder and the tensor. */
    public void readInto(String name, Tensor dst, Path dir) throws IOException {
        Safetensors.Reader r = byName.get(name);
        if (r == null) throw new IOException(dir + ": the weights have no tensor '" + name + "'"
                + (name.equals("lm_head.weight") ? " (config.json says tie_word_embeddings false; a tied model needs it true)" : " (a checkpoint of another architecture?)"));
        r.readInto(name, dst);
    }

    /**
     * Refuses tensors the model would leave unread: a bias or another module means config.json does not describe
     * these weights, and ignoring them would change the model. RoPE buffers (recomputed from config.json) and a
     * tied model's duplicate lm_head are not weights and are skipped.
     */
    public void checkOnly(List<String> used, boolean tied, Path dir) throws IOException {
        Set<String> u = Set.copyOf(used);
        for (String n : byName.keySet()) {
            if (u.contains(n) || n.endsWith(".rotary_emb.inv_freq") || (tied && n.equals("lm_head.weight"))) continue;
            throw new IOException(fileOf.get(n) + ": tensor '" + n + "' has no place in a Llama model of " + dir.resolve("config.json")
                    + (n.endsWith(".bias") ? " (biases are not implemented)" : " (weights of another architecture?)"));
        }
    }

    @Override
    public void close() throws IOException {
        for (Safetensors.Reader r : readers) r.close();
    }
}
