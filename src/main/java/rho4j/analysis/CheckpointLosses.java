package rho4j.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rho4j.data.TokenStore;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.train.Checkpoint;
import rho4j.model.ModelFiles;
import rho4j.score.WindowLosses;

/** Token dynamics of real runs: per-token losses of the same validation windows at each checkpoint, then the categories. */
public final class CheckpointLosses {
    private CheckpointLosses() {}

    /** Checkpoint folders in training order: a run folder stands for all its checkpoints/step-*. */
    public static List<Path> checkpoints(List<Path> given) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : given) {
            Path dir = p.resolve("checkpoints");
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    s.filter(q -> q.getFileName().toString().startsWith("step-")).sorted().forEach(out::add);
                }
            } else out.add(p);
        }
        return out;
    }

    /**
     * Loads each checkpoint, computes the losses of the first {@code windows} packed windows of {@code store}, and
     * classifies every token; x is the tokens seen at each checkpoint (its step when state.json is absent).
     */
    public static DynamicsResult analyze(List<Path> ckpts, Device device, TokenStore store, int windows, int batch, PrintStream log) throws IOException {
        if (ckpts.size() < 2) throw new IllegalArgumentException("token dynamics need at least 2 checkpoints, found " + ckpts.size());
        double[] x = new double[ckpts.size()];
        float[][] losses = new float[ckpts.size()][];
        for (int k = 0; k < ckpts.size(); k++) {
            Path c = ckpts.get(k);
            x[k] = Files.exists(c.resolve("state.json")) ? Checkpoint.readState(c).tokensSeen() : k;
            Llama m = ModelFiles.load(c, device, DType.FP32);
            losses[k] = WindowLosses.of(m, store, batch, windows);
            log.printf("dynamics: %s (%d tokens)%n", c, losses[k].length);
        }
        return TokenDynamics.analyze(x, losses);
    }
}
