package rho4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.model.Safetensors;
import rho4j.util.AtomicFiles;
import rho4j.util.Json;

/**
 * Run folder layout:
 * <pre>
 * RUN/run.json                      settings (TrainConfig) and inputs
 * RUN/metrics.jsonl                 one JSON object per line
 * RUN/checkpoints/step-000100/      model.safetensors, config.json, optimizer.safetensors, state.json, tokenizer.json
 * RUN/latest                        name of the newest complete checkpoint (written last, atomically)
 * RUN/model/                        final weights in Hugging Face layout (model.safetensors, config.json, tokenizer.json)
 * </pre>
 * A checkpoint is written into a temporary folder and renamed when complete, so a kill at any moment leaves the
 * previous checkpoint usable.
 */
public final class Checkpoint {
    /** Everything beyond weights and moments that an exact resume needs. RNG: none is stateful after init (data order
     *  and random selection derive from seed and step), so seed + step + windowsDrawn restore them. */
    public record State(int step, long windowsDrawn, long tokensSeen, long tokensTrained, long seed) {}

    private Checkpoint() {}

    public static Path save(Path run, Llama model, AdamW opt, State st, Path tokenizerJson, int keep) throws IOException {
        Path dir = run.resolve("checkpoints").resolve(String.format("step-%06d", st.step()));
        Path tmp = run.resolve("checkpoints").resolve(".tmp-" + dir.getFileName());
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        writeModel(tmp, model, tokenizerJson);
        Safetensors.write(tmp.resolve("optimizer.safetensors"), opt.state(), Map.of("step", Long.toString(opt.stepCount())));
        Json.write(tmp.resolve("state.json"), st);
        AtomicFiles.deleteTree(dir);
        AtomicFiles.move(tmp, dir);
        AtomicFiles.writeString(run.resolve("latest"), "checkpoints/" + dir.getFileName() + "\n");
        prune(run.resolve("checkpoints"), keep, dir);
        return dir;
    }

    /** model.safetensors + config.json (+ tokenizer.json): a folder Hugging Face's LlamaForCausalLM loads. */
    public static void writeModel(Path dir, Llama model, Path tokenizerJson) throws IOException {
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), model.parameters(), Map.of("format", "pt"));
        Json.write(dir.resolve("config.json"), model.cfg.toHfJson(Json.MAPPER, 0, 0));
        if (tokenizerJson != null && Files.exists(tokenizerJson))
            AtomicFiles.write(dir.resolve("tokenizer.json"), t -> Files.copy(tokenizerJson, t));
    }

    private static void prune(Path checkpoints, int keep, Path newest) throws IOException {
        if (keep <= 0) return;
        List<Path> all = new ArrayList<>();
        try (var s = Files.list(checkpoints)) {
            s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().forEach(all::add);
        }
        for (int i = 0; i < all.size() - keep; i++) if (!all.get(i).equals(newest)) AtomicFiles.deleteTree(all.get(i));
    }

    /** The newest complete checkpoint of a run, or null when there is none. */
    public static Path latest(Path run) throws IOException {
        Path f = run.resolve("latest");
        if (!Files.exists(f)) return null;
        Path dir = rho4j.util.SafePaths.resolveInside(run, Files.readString(f).trim(), run.resolve("checkpoints"), f);
        if (!Files.exists(dir.resolve("state.json"))) throw new IOException(f + " names " + dir + ", which is incomplete or missing");
        return dir;
    }

    public static State readState(Path ckpt) throws IOException {
        return Json.read(ckpt.resolve("state.json"), State.class, "the checkpoint is damaged: resume from an older one (edit the run's latest file) or retrain");
    }

    /**
     * Loads a model from a folder with config.json + model.safetensors: a run's model/, a checkpoint, or a run folder
     * itself (then model/ if present, else the latest checkpoint).
     */
    public static Llama loadModel(Path path, Device device, ScalarType dtype) throws IOException {
        Path dir = modelDir(path);
        LlamaConfig cfg = LlamaConfig.readHf(dir.resolve("config.json"));
        try (Safetensors.Reader file = Safetensors.open(dir.resolve("model.safetensors"))) {
            return new Llama(cfg, device, dtype, file); // tensor by tensor, straight into the model's memory
        }
    }

    public static Path modelDir(Path path) throws IOException {
        if (Files.exists(path.resolve("config.json")) && Files.exists(path.resolve("model.safetensors"))) return path;
        if (Files.exists(path.resolve("model").resolve("model.safetensors"))) return path.resolve("model");
        Path l = latest(path);
        if (l != null) return l;
        throw new IOException(path + " holds no model: expected config.json + model.safetensors, a model/ folder, or a run with checkpoints (train it first with `rho train`)");
    }

    public static JsonNode readJson(Path f) throws IOException { return Json.MAPPER.readTree(f.toFile()); }
}
