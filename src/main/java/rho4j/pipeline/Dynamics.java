package rho4j.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import rho4j.analysis.CheckpointLosses;
import rho4j.analysis.DynamicsFiles;
import rho4j.data.TokenStore;

/** The dynamics stage: per-token held-out losses at each kept checkpoint of a run, sorted into loss-change categories. */
final class Dynamics {
    /** Held-out windows whose per-token losses are tracked across checkpoints for the dynamics chart. */
    private static final int DYNAMICS_WINDOWS = 8;

    private Dynamics() {}

    /** Per-token losses of the first held-out windows at every kept checkpoint, then the loss-dynamics categories. */
    static void run(Path run, rho4j.engine.Device device, TokenStore holdout, Path dir, PrintStream log) throws IOException {
        List<Path> ckpts = CheckpointLosses.checkpoints(List.of(run));
        if (ckpts.size() < 2) throw new IOException(run + " keeps " + ckpts.size() + " checkpoints; dynamics needs at least 2");
        var r = CheckpointLosses.analyze(ckpts, device, holdout, DYNAMICS_WINDOWS, DYNAMICS_WINDOWS, new PrintStream(java.io.OutputStream.nullOutputStream()));
        DynamicsFiles.writeJson(r, dir.resolve("dynamics.json"));
        log.printf("dynamics %s: %d checkpoints x %d tokens%n", run.getFileName(), r.x().length, r.categories().length);
    }
}
