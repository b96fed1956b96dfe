package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rho4j.data.TokenStore;
import rho4j.engine.DType;
import rho4j.model.Llama;
import rho4j.model.ModelFiles;
import rho4j.score.ReferenceScores;
import rho4j.train.Reference;
import rho4j.train.Selection;
import rho4j.train.TrainSpec;
import rho4j.train.Trainer;

@Command(name = "train", mixinStandardHelpOptions = true, description = {"Train a model with causal LM (all tokens) or selective LM (Rho-1).",
        "Any option can also come from --config FILE (YAML/JSON: option names as keys); flags override it."})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec command;

    @Option(names = "--config", description = "YAML/JSON file of option values (flags override)") Path config;
    @Option(names = "--data", required = true, description = "training token store") Path data;
    @Option(names = "--val", description = "validation store (default: DATA/holdout when present)") Path val;
    @Option(names = "--out", required = true, description = "run folder") Path out;
    @Option(names = "--resume", description = "continue from the run's latest checkpoint") boolean resume;
    @Option(names = "--scores", description = "reference scores from `rho score`") Path scores;
    @Option(names = "--reference-run", description = "compute reference losses on the fly with this run's model") Path referenceRun;
    @Option(names = "--overwrite", description = "replace an existing run at --out (deleted once the new run has its first checkpoint)") boolean overwrite;

    // The run specification: every option below goes by name into TrainSpec.of, which holds the defaults.
    @Option(names = "--preset", description = "model size: tiny, demo, small, ref, x4, 125m, 350m, 1b (default small)") String preset;
    @Option(names = "--dim") Integer dim;
    @Option(names = "--layers") Integer layers;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--kv-heads", description = "default: the preset's when they divide --heads, else --heads") Integer kvHeads;
    @Option(names = "--ffn") Integer ffn;
    @Option(names = "--context") Integer context;
    @Option(names = "--tie", description = "tie input embedding and output head") Boolean tie;
    @Option(names = "--steps", description = "optimizer steps (default 1000)") Integer steps;
    @Option(names = "--micro-batch", description = "sequences per forward/backward (default 8)") Integer micro;
    @Option(names = "--batch-tokens", description = "tokens per optimizer step (default: one micro-batch)") Long batchTokens;
    @Option(names = "--lr", description = "peak learning rate (default 6e-4)") Double lr;
    @Option(names = "--min-lr", description = "final learning rate (default lr / 10)") Double minLr;
    @Option(names = "--warmup", description = "warmup steps (default 100)") Integer warmup;
    @Option(names = "--weight-decay", description = "default 0.1, matrices only") Double wd;
    @Option(names = "--beta1", description = "default 0.9") Double beta1;
    @Option(names = "--beta2", description = "default 0.95") Double beta2;
    @Option(names = "--eps", description = "AdamW epsilon (default 1e-8)") Double eps;
    @Option(names = "--clip", description = "global gradient-norm clip (default 1.0; 0 = off)") Double clip;
    @Option(names = "--seed", description = "data order, init and random selection (default 1)") Long seed;
    @Option(names = "--device", description = "cpu, cuda, cuda:N, auto (default cpu)") String device;
    @Option(names = "--eval-every", description = "default 100") Integer evalEvery;
    @Option(names = "--eval-windows", description = "default 64") Integer evalWindows;
    @Option(names = "--ckpt-every", description = "default 200") Integer ckptEvery;
    @Option(names = "--keep-checkpoints", description = "default 2; beyond the newest two, checkpoints keep the weights without the optimizer state") Integer keep;
    @Option(names = "--log-every", description = "default 10") Integer logEvery;
    @Option(names = "--objective", description = "clm or slm (default clm)") String objective;
    @Option(names = "--ratio", description = "fraction of tokens trained on, SLM (default 0.6)") Double ratio;
    @Option(names = "--score", description = "excess, reference, entropy, excess+entropy, random (default excess)") String score;
    @Option(names = "--scope", description = "sequence, micro-batch, batch (default micro-batch)") String scope;
    @Option(names = "--unit", description = "token or document (default token)") String unit;
    @Option(names = "--rank-chunk", description = "batch scope: sequences per ranking forward (default 4)") Integer rankChunk;
    @Option(names = "--precision", description = "fp32, bf16 (mixed: fp32 masters and moments, bf16 products) or auto (default: bf16 where the hardware runs it fast)") String precision;
    @Option(names = "--save-dtype", description = "dtype of the exported model/ folder: fp32 (default) or bf16; checkpoints keep fp32") String saveDtype;
    @Option(names = "--dump-steps", split = ",", description = "steps whose selected tokens go to RUN/selection/") List<Integer> dumpSteps;
    @Option(names = "--init-from", description = "continue from a Hugging Face model folder (or a run): shape from its config.json, "
            + "weights from model.safetensors or its shards; fresh optimizer and schedule; the store must use its tokenizer.json") Path initFrom;
    @Option(names = "--max-shard-size", description = "model/ weights above this are written in shards with an index (default 2GB)") String maxShardSize;

    /** The options given (on the command line or in --config) that belong to the run specification. */
    Map<String, Object> specOptions() {
        Map<String, Object> o = new LinkedHashMap<>();
        for (var opt : command.options()) {
            String key = opt.longestName().replaceFirst("^-+", "");
            if (TrainSpec.DEFAULTS.containsKey(key) && opt.getValue() != null) o.put(key, opt.getValue());
        }
        return o;
    }

    @Override
    public Integer call() throws Exception {
        TrainGuard.checkOptions(this);
        boolean writer = Commands.writer(); // under a launcher, rank 0 alone locks and replaces the run folder
        try (TokenStore train = TokenStore.open(data); var lock = writer ? rho4j.util.FolderLock.acquire(out, "run") : null;
             var replaced = TrainGuard.Replacement.begin(out, resume || !writer, overwrite, System.err); var armed = rho4j.util.Interrupt.arm()) {
            TrainSpec spec = TrainSpec.of(specOptions(), train.meta().vocabSize());
            TrainGuard.checkDumpSteps(spec);
            // init-from: the base folder's tokenizer.json (equal to the store's), so its tokenizer files and config travel into model/
            Path tokenizer = spec.initFrom() != null ? InitFrom.checkTokenizer(Path.of(spec.initFrom()), train, data) : Commands.tokenizerOf(data);
            Path valPath = val != null ? val : Files.exists(data.resolve("holdout/meta.json")) ? data.resolve("holdout") : null;
            if (scores != null && referenceRun != null) throw new IllegalArgumentException("give --scores or --reference-run, not both");
            TokenStore valStore = valPath == null ? null : TokenStore.open(valPath);
            ReferenceScores rs = scores == null ? null : ReferenceScores.open(scores);
            Reference ref = rs != null ? new Reference.Stored(rs)
                    : referenceRun != null ? new Reference.Online(ModelFiles.load(referenceRun, spec.device(), DType.FP32).setPrecision(spec.precision())) : Reference.none();
            TrainGuard.verifyInputs(train, rs, referenceRun, out, resume, System.err);
            Selection sel = spec.selection();
            System.err.printf("rho train: %s, %.2fM parameters, %d steps x %d tokens (%d micro-batches of %d), objective %s%s%n", out,
                    spec.model().numParams() / 1e6, spec.steps(), spec.batch().tokens(), spec.accumulation(), spec.microBatch(), sel.objective(),
                    sel.selective() ? String.format(" (ratio %.2f, score %s, scope %s, unit %s)", sel.ratio(), sel.score().id, sel.scope().id(), sel.unit().id()) : "");
            Commands.precision("train", String.valueOf(specOptions().getOrDefault("precision", "auto")), spec.device()); // as TrainSpec resolved it
            Llama model = spec.initialModel();
            Trainer t = new Trainer(spec, model, train, valStore, ref, out, tokenizer, resume, System.err);
            Trainer.Summary s = t.train(replaced.active() ? TrainGuard.Replacement.firstCheckpoint(spec.cadence().ckptEvery(), spec.steps()) : Integer.MAX_VALUE);
            replaced.commit();
            if (t.step() < spec.steps()) s = t.train(Integer.MAX_VALUE);
            System.out.printf("trained %d steps: %d tokens seen, %d trained on, final loss %.4f -> %s%n", s.steps(), s.tokensSeen(), s.tokensTrained(),
                    s.lastLoss(), out.resolve("model"));
            if (rs != null) rs.close();
            if (valStore != null) valStore.close();
        }
        return 0;
    }
}
