package rho4j.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch.ScalarType;
import rho4j.analysis.DynamicsFiles;
import rho4j.analysis.TokenDynamics;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.engine.Engine;
import rho4j.engine.Tensors;
import rho4j.model.Llama;
import rho4j.train.Checkpoint;

/** The dynamics stage: per-token held-out losses at each kept checkpoint of a run, sorted into loss-change categories. */
final class Dynamics {
    /** Held-out windows whose per-token losses are tracked across checkpoints for the dynamics chart. */
    private static final int DYNAMICS_WINDOWS = 8;

    private Dynamics() {}

    /** Per-token losses of the first held-out windows at every kept checkpoint, then the loss-dynamics categories. */
    static void run(Path run, TokenStore holdout, Path dir, PrintStream log) throws IOException {
        List<Path> ckpts;
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            ckpts = s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
        }
        if (ckpts.size() < 2) throw new IOException(run + " keeps " + ckpts.size() + " checkpoints; dynamics needs at least 2");
        double[] x = new double[ckpts.size()];
        float[][] losses = new float[ckpts.size()][];
        for (int k = 0; k < ckpts.size(); k++) {
            Llama m = Checkpoint.loadModel(ckpts.get(k), Device.CPU, ScalarType.Float);
            x[k] = Checkpoint.readState(ckpts.get(k)).step();
            losses[k] = windowLosses(m, holdout);
        }
        DynamicsFiles.writeJson(TokenDynamics.analyze(x, losses), dir.resolve("dynamics.json"));
        log.printf("dynamics %s: %d checkpoints x %d tokens%n", run.getFileName(), x.length, losses[0].length);
    }

    private static float[] windowLosses(Llama m, TokenStore store) {
        int T = m.cfg.contextLength();
        int n = (int) Math.min(DYNAMICS_WINDOWS, (store.size() - 1) / T);
        int[] x = new int[n * T], y = new int[n * T], buf = new int[T + 1];
        for (int i = 0; i < n; i++) {
            store.read((long) i * T, buf, 0, T + 1);
            System.arraycopy(buf, 0, x, i * T, T);
            System.arraycopy(buf, 1, y, i * T, T);
        }
        try (PointerScope s = Engine.stepScope(); NoGradGuard g = new NoGradGuard()) {
            return m.scoreTokens(Tensors.longs(x, n, T), Tensors.longs(y, n, T), false)[0];
        }
    }
}
