package rho4j.dist;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import rho4j.data.TokenStore;
import rho4j.model.LlamaConfig;
import rho4j.score.ReferenceScores;
import rho4j.train.Reference;
import rho4j.train.TrainSpec;
import rho4j.train.Trainer;

/**
 * One process of {@link DataParallelTrainingTest}: trains every case of {@link #cases} one after the other in the same
 * process group (one JVM start per rank for all cases). Args: STORE SCORES OUT_BASE.
 */
public final class TrainChild {
    static final LlamaConfig TINY = new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false);

    /** name -> spec; micro-batch 2 of 16 tokens; "accum" cases run 2 micro-batches per rank, the others 1. */
    static Map<String, TrainSpec> cases() {
        Map<String, TrainSpec> m = new LinkedHashMap<>();
        m.put("clm", spec(2));
        m.put("slm-batch", spec(2, "objective", "slm", "ratio", 0.6, "scope", "batch"));
        m.put("slm-micro", spec(2, "objective", "slm", "ratio", 0.6, "scope", "micro-batch"));
        m.put("slm-sequence", spec(2, "objective", "slm", "ratio", 0.5, "scope", "sequence"));
        m.put("clm-accum", spec(4));
        m.put("slm-batch-accum", spec(4, "objective", "slm", "ratio", 0.6, "scope", "batch"));
        return m;
    }

    /** TINY (preset tiny at dim 32, ffn 64, context 16), 4 steps, {@code micros} micro-batches of 2 per optimizer step. */
    static TrainSpec spec(int micros, Object... more) {
        Map<String, Object> o = new LinkedHashMap<>(Map.of("preset", "tiny", "dim", 32, "ffn", 64, "context", 16, "micro-batch", 2,
                "batch-tokens", (long) micros * 2 * 16, "steps", 4, "warmup", 1, "lr", 3e-3, "min-lr", 3e-4));
        o.putAll(Map.of("eval-every", 2, "ckpt-every", 2, "log-every", 1, "eval-windows", 32));
        for (int i = 0; i < more.length; i += 2) o.put((String) more[i], more[i + 1]);
        TrainSpec s = TrainSpec.of(o, 64);
        if (!s.model().equals(TINY)) throw new IllegalStateException(s.model() + " is not TINY");
        return s;
    }

    /** CLM and SLM --scope batch with {@code micros} micro-batches of 2 per step: for worlds other than 2. */
    static Map<String, TrainSpec> wideCases(int micros) {
        Map<String, TrainSpec> m = new LinkedHashMap<>();
        m.put("clm", spec(micros));
        m.put("slm-batch", spec(micros, "objective", "slm", "ratio", 0.6, "scope", "batch"));
        return m;
    }

    /** Args: STORE SCORES OUT_BASE [MICROS]: with MICROS, the {@link #wideCases}. */
    public static void main(String[] args) throws Exception {
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        Map<String, TrainSpec> cases = args.length > 3 ? wideCases(Integer.parseInt(args[3])) : cases();
        try (TokenStore store = TokenStore.open(Path.of(args[0])); ReferenceScores scores = ReferenceScores.open(Path.of(args[1]))) {
            for (Map.Entry<String, TrainSpec> e : cases.entrySet()) {
                boolean slm = e.getValue().selection().selective();
                Trainer t = new Trainer(e.getValue(), e.getValue().initialModel(), store, store, slm ? new Reference.Stored(scores) : Reference.none(),
                        Path.of(args[2]).resolve(e.getKey()), null, false, quiet);
                t.train(Integer.MAX_VALUE);
                System.out.println("done " + e.getKey());
            }
        }
        System.exit(0);
    }
}
