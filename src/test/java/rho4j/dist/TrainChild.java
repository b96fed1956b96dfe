package rho4j.dist;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import rho4j.data.TokenStore;
import rho4j.model.LlamaConfig;
import rho4j.score.ReferenceScores;
import rho4j.train.ScoreFunction;
import rho4j.train.Selection;
import rho4j.train.SelectionScope;
import rho4j.train.SelectionUnit;
import rho4j.train.TrainConfig;
import rho4j.train.Trainer;

/**
 * One process of {@link DataParallelTrainingTest}: trains every case of {@link #cases} one after the other in the same
 * process group (one JVM start per rank for all cases). Args: STORE SCORES OUT_BASE.
 */
public final class TrainChild {
    static final LlamaConfig TINY = new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false);

    /** name -> config; micro-batch 2 of 16 tokens; "accum" cases run 2 micro-batches per rank, the others 1. */
    static Map<String, TrainConfig> cases() {
        TrainConfig base = TrainConfig.defaults(TINY).withBatch(2, 2L * 2 * 16).withSteps(4, 1).withLr(3e-3, 3e-4).withEvery(2, 2, 1);
        TrainConfig accum = base.withBatch(2, 4L * 2 * 16);
        Map<String, TrainConfig> m = new LinkedHashMap<>();
        m.put("clm", base);
        m.put("slm-batch", base.withSelection(Selection.slm(0.6, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN)));
        m.put("slm-micro", base.withSelection(Selection.slm(0.6, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN)));
        m.put("slm-sequence", base.withSelection(Selection.slm(0.5, ScoreFunction.EXCESS, SelectionScope.SEQUENCE, SelectionUnit.TOKEN)));
        m.put("clm-accum", accum);
        m.put("slm-batch-accum", accum.withSelection(Selection.slm(0.6, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN)));
        return m;
    }

    public static void main(String[] args) throws Exception {
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        try (TokenStore store = TokenStore.open(Path.of(args[0])); ReferenceScores scores = ReferenceScores.open(Path.of(args[1]))) {
            for (Map.Entry<String, TrainConfig> e : cases().entrySet()) {
                boolean slm = e.getValue().selection().selective();
                Trainer t = new Trainer(e.getValue(), store, store, new Trainer.Reference(slm ? scores : null, null), Path.of(args[2]).resolve(e.getKey()),
                        null, false, quiet);
                t.train(Integer.MAX_VALUE);
                System.out.println("done " + e.getKey());
            }
        }
        System.exit(0);
    }
}
