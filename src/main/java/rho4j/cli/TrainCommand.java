package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.score.ReferenceScores;
import rho4j.train.AdamW;
import rho4j.train.Checkpoint;
import rho4j.train.ScoreFunction;
import rho4j.train.Selection;
import rho4j.train.SelectionScope;
import rho4j.train.SelectionUnit;
import rho4j.train.TrainConfig;
import rho4j.train.Trainer;

@Command(name = "train", mixinStandardHelpOptions = true, description = {"Train a model with causal LM (all tokens) or selective LM (Rho-1).",
        "Any option can also come from --config FILE (YAML/JSON: option names as keys)."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML/JSON file of option values (flags override)") Path config;
    @Option(names = "--data", required = true, description = "training token store") Path data;
    @Option(names = "--val", description = "validation store (default: DATA/holdout when present)") Path val;
    @Option(names = "--out", required = true, description = "run folder") Path out;
    @Option(names = "--resume", description = "continue from the run's latest checkpoint") boolean resume;
    @Option(names = "--overwrite", description = "replace an existing run at --out (deleted once the new run has its first checkpoint)") boolean overwrite;

    @Option(names = "--preset", defaultValue = "small", description = "model size: tiny, demo, small, ref, x4, 125m, 350m, 1b") String preset;
    @Option(names = "--dim") Integer dim;
    @Option(names = "--layers") Integer layers;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--kv-heads") Integer kvHeads;
    @Option(names = "--ffn") Integer ffn;
    @Option(names = "--context") Integer context;
    @Option(names = "--tie", description = "tie input embedding and output head") boolean tie;

    @Option(names = "--steps", defaultValue = "1000") int steps;
    @Option(names = "--micro-batch", defaultValue = "8") int micro;
    @Option(names = "--batch-tokens", description = "tokens per optimizer step (default: one micro-batch)") Long batchTokens;
    @Option(names = "--lr", defaultValue = "6e-4") double lr;
    @Option(names = "--min-lr", description = "default lr / 10") Double minLr;
    @Option(names = "--warmup", defaultValue = "100") int warmup;
    @Option(names = "--weight-decay", defaultValue = "0.1") double wd;
    @Option(names = "--beta1", defaultValue = "0.9") double beta1;
    @Option(names = "--beta2", defaultValue = "0.95") double beta2;
    @Option(names = "--clip", defaultValue = "1.0") double clip;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, cuda:N, auto") String device;
    @Option(names = "--eval-every", defaultValue = "100") int evalEvery;
    @Option(names = "--eval-windows", defaultValue = "64") int evalWindows;
    @Option(names = "--ckpt-every", defaultValue = "200") int ckptEvery;
    @Option(names = "--keep-checkpoints", defaultValue = "2") int keep;
    @Option(names = "--log-every", defaultValue = "10") int logEvery;

    @Option(names = "--objective", defaultValue = "clm", description = "clm or slm") String objective;
    @Option(names = "--scores", description = "reference scores from `rho score`") Path scores;
    @Option(names = "--reference-run", description = "compute reference losses on the fly with this run's model") Path referenceRun;
    @Option(names = "--ratio", defaultValue = "0.6", description = "fraction of tokens trained on (SLM)") double ratio;
    @Option(names = "--score", defaultValue = "excess", description = "excess, reference, entropy, excess+entropy, random") String score;
    @Option(names = "--scope", defaultValue = "micro-batch", description = "sequence, micro-batch, batch") String scope;
    @Option(names = "--unit", defaultValue = "token", description = "token or document") String unit;
    @Option(names = "--rank-chunk", defaultValue = "4", description = "batch scope: sequences per ranking forward") int rankChunk;
    @Option(names = "--dump-steps", split = ",", description = "steps whose selected tokens go to RUN/selection/") List<Integer> dumpSteps;

    @Override
    public Integer call() throws Exception {
        TrainGuard.checkOptions(this);
        try (TokenStore train = TokenStore.open(data); var lock = rho4j.util.FolderLock.acquire(out, "run");
             var replaced = TrainGuard.Replacement.begin(out, resume, overwrite, System.err); var armed = rho4j.util.Interrupt.arm()) {
            LlamaConfig m = LlamaConfig.preset(preset).withVocab(train.meta().vocabSize());
            m = new LlamaConfig(m.vocabSize(), or(dim, m.dim()), or(layers, m.nLayers()), or(heads, m.nHeads()),
                    or(kvHeads, kvHeads == null && heads != null ? heads : m.nKvHeads()), or(ffn, m.ffnDim()), or(context, m.contextLength()),
                    m.ropeTheta(), m.normEps(), tie || m.tieEmbeddings());
            Selection sel = switch (objective.toLowerCase()) {
                case "clm" -> Selection.clm();
                case "slm" -> Selection.slm(ratio, ScoreFunction.parse(score), SelectionScope.parse(scope), SelectionUnit.parse(unit));
                default -> throw new IllegalArgumentException("--objective must be clm or slm, not " + objective);
            };
            long bt = batchTokens != null ? batchTokens : (long) micro * m.contextLength();
            TrainConfig tc = new TrainConfig(m, device, seed, micro, bt, steps, lr, minLr != null ? minLr : lr / 10, warmup,
                    new AdamW.Hyper(beta1, beta2, 1e-8, wd), clip, evalEvery, evalWindows, ckptEvery, logEvery, keep, sel, rankChunk, dumpSteps);
            Path valPath = val != null ? val : Files.exists(data.resolve("holdout/meta.json")) ? data.resolve("holdout") : null;
            TokenStore valStore = valPath == null ? null : TokenStore.open(valPath);
            ReferenceScores rs = scores == null ? null : ReferenceScores.open(scores);
            Llama refModel = referenceRun == null ? null : Checkpoint.loadModel(referenceRun, Device.parse(device), ScalarType.Float);
            if (rs != null && refModel != null) throw new IllegalArgumentException("give --scores or --reference-run, not both");
            TrainGuard.verifyInputs(train, rs, referenceRun, out, resume, System.err);
            System.err.printf("rho train: %s, %.2fM parameters, %d steps x %d tokens (%d micro-batches of %d), objective %s%s%n", out,
                    m.numParams() / 1e6, steps, bt, tc.accumulation(), micro, sel.objective(),
                    sel.selective() ? String.format(" (ratio %.2f, score %s, scope %s, unit %s)", ratio, sel.score().id, sel.scope().id(), sel.unit().id()) : "");
            Trainer t = new Trainer(tc, train, valStore, new Trainer.Reference(rs, refModel), out, Commands.tokenizerOf(data), resume, System.err);
            Trainer.Summary s = t.train(replaced.active() ? TrainGuard.Replacement.firstCheckpoint(ckptEvery, steps) : Integer.MAX_VALUE);
            replaced.commit();
            if (t.step() < steps) s = t.train(Integer.MAX_VALUE);
            System.out.printf("trained %d steps: %d tokens seen, %d trained on, final loss %.4f -> %s%n", s.steps(), s.tokensSeen(), s.tokensTrained(),
                    s.lastLoss(), out.resolve("model"));
            if (rs != null) rs.close();
            if (valStore != null) valStore.close();
        }
        return 0;
    }

    private static int or(Integer v, int d) { return v != null ? v : d; }
}
