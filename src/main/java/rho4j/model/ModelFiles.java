package rho4j.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.util.AtomicFiles;
import rho4j.util.Json;

/**
 * Model folders in Hugging Face layout: model.safetensors + config.json (+ tokenizer.json), as transformers'
 * LlamaForCausalLM loads them. A run folder is accepted too: its model/, else its latest checkpoint.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** Writes a model folder (the final model of a run, or the weights of a checkpoint). */
    public static void write(Path dir, Llama model, Path tokenizerJson) throws IOException { write(dir, model, tokenizerJson, model.dtype); }

    /**
     * As {@link #write(Path, Llama, Path)} with the weights saved in {@code dtype} (an exported bf16 folder is half the
     * size; checkpoints keep the model's own dtype, the fp32 masters); config.json's torch_dtype says which.
     */
    public static void write(Path dir, Llama model, Path tokenizerJson, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Map<String, org.bytedeco.pytorch.Tensor> weights = model.parameters();
        if (dtype != model.dtype) {
            Map<String, org.bytedeco.pytorch.Tensor> cast = new java.util.LinkedHashMap<>();
            weights.forEach((k, t) -> cast.put(k, t.detach().to(dtype.scalarType())));
            weights = cast;
        }
        Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        com.fasterxml.jackson.databind.node.ObjectNode config = model.cfg.toHfJson(Json.MAPPER, 0, 0);
        config.put("torch_dtype", switch (dtype) { case FP32 -> "float32"; case BF16 -> "bfloat16"; case FP64 -> "float64"; });
        Json.write(dir.resolve("config.json"), config);
        if (tokenizerJson != null && Files.exists(tokenizerJson))
            AtomicFiles.write(dir.resolve("tokenizer.json"), t -> Files.copy(tokenizerJson, t));
    }

    /** Loads a model from a model folder, a checkpoint or a run folder ({@link #modelDir}). */
    public static Llama load(Path path, Device device, DType dtype) throws IOException {
        Path dir = modelDir(path);
        LlamaConfig cfg = LlamaConfig.readHf(dir.resolve("config.json"));
        try (Safetensors.Reader file = Safetensors.open(dir.resolve("model.safetensors"))) {
            return new Llama(cfg, device, dtype, file); // tensor by tensor, straight into the model's memory
        }
    }

    /** Overwrites a model's weights with those of a folder (resume: the model was built by the caller). */
    public static void readWeights(Path dir, Llama model) throws IOException {
        try (Safetensors.Reader file = Safetensors.open(dir.resolve("model.safetensors"))) {
            for (var e : model.parameters().entrySet()) file.readInto(e.getKey(), e.getValue());
        }
    }

    /** The folder holding config.json + model.safetensors for a model folder, a run's model/ or its latest checkpoint. */
    public static Path modelDir(Path path) throws IOException {
        if (Files.exists(path.resolve("config.json")) && Files.exists(path.resolve("model.safetensors"))) return path;
        if (Files.exists(path.resolve("model").resolve("model.safetensors"))) return path.resolve("model");
        Path l = latestCheckpoint(path);
        if (l != null) return l;
        throw new IOException(path + " holds no model: expected config.json + model.safetensors, a model/ folder, or a run with checkpoints (train it first with `rho train`)");
    }

    /** The newest complete checkpoint of a run (named by RUN/latest), or null when there is none. */
    public static Path latestCheckpoint(Path run) throws IOException {
        Path f = run.resolve("latest");
        if (!Files.exists(f)) return null;
        Path dir = run.resolve(Files.readString(f).trim());
        if (!Files.exists(dir.resolve("state.json"))) throw new IOException(f + " names " + dir + ", which is incomplete or missing");
        return dir;
    }
}
