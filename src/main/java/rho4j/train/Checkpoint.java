package rho4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rho4j.model.AdamW;
import rho4j.model.Llama;
import rho4j.model.ModelFiles;
import rho4j.util.AtomicFiles;
import rho4j.util.Json;

/**
 * Run folder layout:
 * <pre>
 * RUN/run.json                      settings (TrainSpec) and inputs
 * RUN/metrics.jsonl                 one JSON object per line
 * RUN/checkpoints/step-000100/      model.safetensors, config.json, optimizer.safetensors, state.json, tokenizer.json
 *                                   (older than the newest two: the same without optimizer.safetensors)
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

    /** How many of the newest checkpoints keep the optimizer moments: a resume needs the newest, or the one before it. */
    static final int WITH_OPTIMIZER = 2;

    private Checkpoint() {}

    public static Path save(Path run, Llama model, AdamW opt, State st, Path tokenizerJson, int keep) throws IOException {
        Path dir = run.resolve("checkpoints").resolve(String.format("step-%06d", st.step()));
        Path tmp = run.resolve("checkpoints").resolve(".tmp-" + dir.getFileName());
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        ModelFiles.write(tmp, model, tokenizerJson);
        opt.save(tmp.resolve("optimizer.safetensors"));
        Json.write(tmp.resolve("state.json"), st);
        AtomicFiles.deleteTree(dir);
        AtomicFiles.move(tmp, dir);
        AtomicFiles.writeString(run.resolve("latest"), "checkpoints/" + dir.getFileName() + "\n");
        prune(run.resolve("checkpoints"), keep, dir);
        return dir;
    }

    /** Keeps the newest {@code keep} checkpoints (all when {@code keep <= 0}), the optimizer moments in the newest two only. */
    private static void prune(Path checkpoints, int keep, Path newest) throws IOException {
        List<Path> all = new ArrayList<>();
        try (var s = Files.list(checkpoints)) {
            s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().forEach(all::add);
        }
        int kept = keep > 0 ? Math.max(0, all.size() - keep) : 0; // index of the oldest checkpoint kept
        for (int i = 0; i < kept; i++) if (!all.get(i).equals(newest)) AtomicFiles.deleteTree(all.get(i));
        // Older checkpoints serve token dynamics and evaluation, which read weights only; the moments are two thirds
        // of a checkpoint's bytes (README, "Run folder").
        for (int i = kept; i < all.size() - WITH_OPTIMIZER; i++)
            if (!all.get(i).equals(newest)) Files.deleteIfExists(all.get(i).resolve("optimizer.safetensors"));
    }

    /** The newest complete checkpoint of a run, or null when there is none. */
    public static Path latest(Path run) throws IOException { return ModelFiles.latestCheckpoint(run); }

    public static State readState(Path ckpt) throws IOException {
        return Json.read(ckpt.resolve("state.json"), State.class, "the checkpoint is damaged: resume from an older one (edit the run's latest file) or retrain");
    }

    /** Restores a run's model weights and optimizer moments from a checkpoint; returns its state. */
    public static State restore(Path ckpt, Llama model, AdamW opt) throws IOException {
        State st = readState(ckpt);
        if (!Files.isRegularFile(ckpt.resolve("optimizer.safetensors")))
            throw new IllegalArgumentException(ckpt + " holds the weights only (checkpoints older than the newest " + WITH_OPTIMIZER
                    + " drop the optimizer state): resume from one of the newest " + WITH_OPTIMIZER + ", or start a run from these weights with --init-from");
        ModelFiles.readWeights(ckpt, model); // straight into the model
        opt.restore(ckpt.resolve("optimizer.safetensors"), st.step());
        return st;
    }
}
