package rho4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.util.AtomicFiles;
import rho4j.util.Hashing;
import rho4j.util.Json;

/**
 * Model folders in Hugging Face layout, as transformers' LlamaForCausalLM loads them: config.json, weights in
 * model.safetensors or shards named by model.safetensors.index.json, generation_config.json and the tokenizer files.
 * A run folder is accepted too: its model/, else its latest checkpoint.
 */
public final class ModelFiles {
    /** Weights above this size are written in shards with an index (transformers' own layout). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 2_000_000_000L;
    /** Files of a base model folder that travel with its tokenizer.json into every folder written from it. */
    private static final List<String> TOKENIZER_COMPANIONS = List.of("tokenizer_config.json", "special_tokens_map.json");

    private ModelFiles() {}

    /**
     * How weights are written. {@code dtype} null keeps the model's own (fp32 training writes float32); a run's
     * {@code --save-dtype} sets it.
     */
    public record Export(long maxShardBytes, DType dtype) {
        public static final Export DEFAULT = new Export(DEFAULT_MAX_SHARD_BYTES, null);

        public Export {
            if (maxShardBytes <= 0) throw new IllegalArgumentException("--max-shard-size must be positive, got " + maxShardBytes);
        }
    }

    /** Writes a model folder (the final model of a run, or the weights of a checkpoint). */
    public static void write(Path dir, Llama model, Path tokenizerJson) throws IOException {
        write(dir, model, tokenizerJson, Export.DEFAULT);
    }

    /**
     * Writes a model folder. When {@code tokenizerJson} lies in a model folder whose config.json describes this
     * model (a run started with --init-from), that config.json is kept as it is except for torch_dtype, and its
     * generation_config.json, tokenizer_config.json and special_tokens_map.json travel along: the folder out equals
     * the folder in. Otherwise config.json is Rho4j's, with bos/eos ids read from the tokenizer.
     */
    public static void write(Path dir, Llama model, Path tokenizerJson, Export export) throws IOException {
        Files.createDirectories(dir);
        DType saved = export.dtype() != null ? export.dtype() : model.dtype;
        writeWeights(dir, model.parameters(), export.maxShardBytes(), saved);
        Path tok = tokenizerJson != null && Files.isRegularFile(tokenizerJson) ? tokenizerJson : null;
        Path tokDir = tok == null ? null : tok.toAbsolutePath().getParent();
        ObjectNode base = tokDir == null ? null : baseConfig(tokDir, model.cfg);
        ObjectNode config;
        if (base != null) {
            config = base;
        } else {
            TokenizerSpecials sp = tok == null ? null : TokenizerSpecials.of(tok);
            config = model.cfg.toHfJson(Json.MAPPER, sp == null ? -1 : sp.bosId(), sp == null ? -1 : sp.eosId());
            if (sp == null) config.putNull("bos_token_id").putNull("eos_token_id");
        }
        config.put("torch_dtype", torchDtype(saved));
        Json.write(dir.resolve("config.json"), config);
        Path baseGeneration = base == null ? null : tokDir.resolve("generation_config.json");
        if (baseGeneration != null && Files.isRegularFile(baseGeneration)) {
            AtomicFiles.write(dir.resolve("generation_config.json"), t -> Files.copy(baseGeneration, t));
        } else {
            ObjectNode g = Json.MAPPER.createObjectNode();
            g.put("_from_model_config", true);
            g.set("bos_token_id", config.get("bos_token_id"));
            g.set("eos_token_id", config.get("eos_token_id"));
            Json.write(dir.resolve("generation_config.json"), g);
        }
        if (tok != null) {
            AtomicFiles.write(dir.resolve("tokenizer.json"), t -> Files.copy(tok, t));
            for (String f : TOKENIZER_COMPANIONS)
                if (Files.isRegularFile(tokDir.resolve(f))) AtomicFiles.write(dir.resolve(f), t -> Files.copy(tokDir.resolve(f), t));
        }
    }

    /** The config.json of the model folder {@code dir} when it describes a model of this shape (any context), else null. */
    private static ObjectNode baseConfig(Path dir, LlamaConfig cfg) throws IOException {
        Path f = dir.resolve("config.json");
        if (!Files.isRegularFile(f) || !HfWeights.present(dir)) return null;
        JsonNode n = Json.MAPPER.readTree(f.toFile());
        if (!(n instanceof ObjectNode o)) return null;
        LlamaConfig c;
        try {
            c = LlamaConfig.fromHfJson(o, f);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return c.withContext(cfg.contextLength()).equals(cfg) && c.contextLength() >= cfg.contextLength() ? o : null;
    }

    static String torchDtype(DType d) {
        return switch (d) {
            case FP32 -> "float32";
            case FP64 -> "float64";
            case BF16 -> "bfloat16";
        };
    }

    /**
     * model.safetensors, or shards model-0000i-of-0000n.safetensors of at most maxShardBytes each (a larger tensor
     * alone in its shard) with model.safetensors.index.json; weight files of an earlier layout are removed.
     */
    static void writeWeights(Path dir, Map<String, Tensor> params, long maxShardBytes, DType dtype) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long total = 0;
        for (var e : params.entrySet()) {
            Tensor t = e.getValue().scalar_type().intern() == dtype.scalarType() ? e.getValue() : e.getValue().detach().to(dtype.scalarType());
            out.put(e.getKey(), t);
            total += t.numel() * t.element_size();
        }
        Set<String> written = new HashSet<>();
        if (total <= maxShardBytes) {
            Safetensors.write(dir.resolve(HfWeights.SINGLE), out, Map.of("format", "pt"));
            written.add(HfWeights.SINGLE);
        } else {
            List<Map<String, Tensor>> shards = new ArrayList<>();
            Map<String, Tensor> cur = new LinkedHashMap<>();
            long curBytes = 0;
            for (var e : out.entrySet()) {
                long b = e.getValue().numel() * e.getValue().element_size();
                if (!cur.isEmpty() && curBytes + b > maxShardBytes) {
                    shards.add(cur);
                    cur = new LinkedHashMap<>();
                    curBytes = 0;
                }
                cur.put(e.getKey(), e.getValue());
                curBytes += b;
            }
            shards.add(cur);
            ObjectNode index = Json.MAPPER.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                Safetensors.write(dir.resolve(name), shards.get(i), Map.of("format", "pt"));
                written.add(name);
                for (String t : shards.get(i).keySet()) map.put(t, name);
            }
            Json.write(dir.resolve(HfWeights.INDEX), index); // last: a reader finds the index only once every shard is there
            written.add(HfWeights.INDEX);
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                boolean weights = n.equals(HfWeights.SINGLE) || n.equals(HfWeights.INDEX) || n.matches("model-\\d{5}-of-\\d{5}\\.safetensors");
                if (weights && !written.contains(n)) Files.delete(p);
            }
        }
    }

    /**
     * Loads a model from a model folder, a checkpoint or a run folder ({@link #modelDir}), shaped by its config.json;
     * the model/ or a checkpoint of a run gets the run's training context (config.json keeps a base model's
     * max_position_embeddings), so scoring and evaluation see the windows training saw.
     */
    public static Llama load(Path path, Device device, DType dtype) throws IOException {
        Path dir = modelDir(path);
        LlamaConfig cfg = LlamaConfig.readHf(dir.resolve("config.json"));
        int trained = trainingContext(dir);
        return load(dir, trained > 0 && trained < cfg.contextLength() ? cfg.withContext(trained) : cfg, device, dtype);
    }

    /** The training context recorded in run.json when dir is RUN/model or RUN/checkpoints/step-N, else 0. */
    static int trainingContext(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize(), parent = abs.getParent();
        Path run = parent == null ? null : abs.getFileName().toString().equals("model") ? parent
                : parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints") ? parent.getParent() : null;
        if (run == null || !Files.isRegularFile(run.resolve("run.json"))) return 0;
        return Json.MAPPER.readTree(run.resolve("run.json").toFile()).path("config").path("model").path("contextLength").asInt(0);
    }

    /**
     * Loads the weights of model folder {@code dir} into a model of shape {@code cfg} (config.json's, perhaps with a
     * shorter context): tensor by tensor, straight into the model's memory. Tensors the model has no place for are
     * refused, never dropped.
     */
    public static Llama load(Path dir, LlamaConfig cfg, Device device, DType dtype) throws IOException {
        try (HfWeights files = HfWeights.open(dir)) {
            files.checkOnly(Llama.parameterNames(cfg), cfg.tieEmbeddings(), dir);
            return new Llama(cfg, device, dtype, files, dir); // a missing or misshapen tensor: IllegalArgumentException naming it
        }
    }

    /** Overwrites a model's weights with those of a folder (resume: the model was built by the caller). */
    public static void readWeights(Path dir, Llama model) throws IOException {
        try (HfWeights files = HfWeights.open(dir)) {
            for (var e : model.parameters().entrySet()) files.readInto(e.getKey(), e.getValue(), dir);
        }
    }

    /**
     * SHA-256 identifying a folder's weights: of model.safetensors, or of the index followed by each shard's hash, so
     * scores stay bound to the exact reference weights in either layout.
     */
    public static String weightsHash(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(HfWeights.SINGLE))) return Hashing.sha256(dir.resolve(HfWeights.SINGLE));
        Path index = dir.resolve(HfWeights.INDEX);
        StringBuilder b = new StringBuilder(Hashing.sha256(index));
        Set<String> shards = new java.util.TreeSet<>();
        Json.MAPPER.readTree(index.toFile()).path("weight_map").forEach(n -> shards.add(n.asText()));
        for (String s : shards) b.append('\n').append(s).append('=').append(Hashing.sha256(dir.resolve(s)));
        return Hashing.sha256(b.toString());
    }

    /** The folder holding config.json + weights for a model folder, a run's model/ or its latest checkpoint. */
    public static Path modelDir(Path path) throws IOException {
        if (Files.exists(path.resolve("config.json")) && HfWeights.present(path)) return path;
        if (HfWeights.present(path.resolve("model"))) return path.resolve("model");
        Path l = latestCheckpoint(path);
        if (l != null) return l;
        throw new IOException(path + " holds no model: expected config.json + model.safetensors (or a sharded " + HfWeights.INDEX
                + "), a model/ folder, or a run with checkpoints (train it first with `rho train`)");
    }

    /** The newest complete checkpoint of a run (named by RUN/latest), or null when there is none. */
    public static Path latestCheckpoint(Path run) throws IOException {
        Path f = run.resolve("latest");
        if (!Files.exists(f)) return null;
        Path dir = rho4j.util.SafePaths.resolveInside(run, Files.readString(f).trim(), run.resolve("checkpoints"), f);
        if (!Files.exists(dir.resolve("state.json"))) throw new IOException(f + " names " + dir + ", which is incomplete or missing");
        return dir;
    }
}
