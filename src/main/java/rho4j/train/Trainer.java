package rho4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import rho4j.data.TokenStore;
import rho4j.engine.Engine;
import rho4j.model.AdamW;
import rho4j.model.FusedHeadLoss;
import rho4j.model.Llama;
import rho4j.model.ModelFiles;
import rho4j.score.WindowLosses;
import rho4j.util.Json;

/**
 * The training loop for both objectives, handed its model. CLM is the SLM path with every token selected: per
 * micro-batch, per-token losses (B, T) -> a selection mask -> backward of the selected losses, each weighted by
 * 1 / (tokens selected in the optimizer batch), so the loss is the mean over selected tokens (the paper's 1/(N k%)).
 */
public final class Trainer {
    private final TrainSpec spec;
    private final TokenStore train, val;
    private final Reference ref;
    private final Path run, tokenizerJson;
    private final PrintStream log;
    private final Llama model;
    private final AdamW opt;
    private final WindowSampler sampler;
    private final MetricsLog metrics;
    private final DataParallel dp;
    private final int T, B;
    private int step;
    private long windowsDrawn, tokensSeen, tokensTrained;
    private float[] lastExcess = new float[0];

    /**
     * @param model        the model to train (random from {@link TrainSpec#initialModel}, or loaded): on resume its
     *                     weights are replaced by the latest checkpoint's
     * @param tokenizerJson copied into checkpoints and the final model folder (may be null)
     * @param resume       continue from the run's latest checkpoint, if any
     */
    public Trainer(TrainSpec spec, Llama model, TokenStore train, TokenStore val, Reference ref, Path run, Path tokenizerJson,
                   boolean resume, PrintStream log) throws IOException {
        this.spec = spec;
        this.model = model;
        this.train = train;
        this.val = val;
        this.ref = ref == null ? Reference.none() : ref;
        this.run = run;
        this.tokenizerJson = tokenizerJson;
        this.log = log;
        this.T = spec.model().contextLength();
        this.B = spec.microBatch();
        model.setPrecision(spec.precision()); // a loaded model computes as the run says too
        if (!model.cfg.equals(spec.model()))
            throw new IllegalArgumentException("the model's shape " + model.cfg + " is not the run's " + spec.model());
        Selection sel = spec.selection();
        if (sel.selective() && !sel.keepsAll() && sel.score().needsReference() && this.ref instanceof Reference.None)
            throw new IllegalArgumentException("--objective slm with --score " + sel.score().id + " needs --scores SCORES or --reference-run REF_RUN");
        if (this.ref instanceof Reference.Stored st) {
            st.scores().verifyFor(train, T);
            if (sel.score().needsEntropy() && !st.scores().hasEntropy())
                throw new IllegalArgumentException("--score " + sel.score().id + " needs reference entropy: rescore with `rho score --entropy`");
        }
        if (train.meta().vocabSize() > spec.model().vocabSize())
            throw new IllegalArgumentException("the store's vocabulary (" + train.meta().vocabSize() + ") exceeds the model's (" + spec.model().vocabSize() + ")");
        Files.createDirectories(run);
        this.dp = new DataParallel(rho4j.engine.Distributed.get(spec.device().isCuda()), spec);
        this.sampler = new WindowSampler(train.size(), T, spec.seed());
        this.opt = model.optimizer(spec.optim().adam());
        ObjectNode specJson = Json.MAPPER.valueToTree(spec);
        // the settings and the data, not their paths (each rank may see the store under another path)
        dp.agree(specJson.toString() + "/" + sel.objective() + "/" + train.size() + "/" + train.numDocs() + "/"
                + (this.ref instanceof Reference.Stored) + "/" + resume);
        Path checkpoint = resume ? Checkpoint.latest(run) : null;
        if (resume && checkpoint == null) log.println("rho: no checkpoint in " + run + " yet: starting from step 0");
        if (checkpoint != null) {
            var saved = Json.tree(run.resolve("run.json"), "restore it, or start a new run with --overwrite");
            if (!saved.path("config").toString().equals(specJson.toString())) // text, since 128 reads back as int, not long
                throw new IllegalArgumentException(run.resolve("run.json") + " was written with other settings; resume with the same settings or use a new --out");
            int savedWorld = saved.path("world_size").asInt(1);
            if (savedWorld != dp.world())
                throw new IllegalArgumentException(run + " was trained by " + savedWorld + " process(es), this resume has " + dp.world()
                        + " (WORLD_SIZE): resume with the same number, e.g. rho launch --nproc-per-node " + savedWorld + " -- train ... --resume");
            Checkpoint.State st = Checkpoint.restore(checkpoint, model, opt);
            step = st.step();
            windowsDrawn = st.windowsDrawn();
            tokensSeen = st.tokensSeen();
            tokensTrained = st.tokensTrained();
            log.printf("rho: resuming %s from step %d (%s)%n", run, step, checkpoint.getFileName());
        } else if (dp.leader()) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.set("config", specJson);
            root.setAll(specJson.deepCopy()); // also flat at the top, for the report's settings table
            root.put("objective", sel.objective());
            root.put("train_store", train.dir().toString());
            root.put("world_size", dp.world());
            if (this.ref instanceof Reference.Stored st) root.put("scores", st.scores().dir().toString());
            Json.write(run.resolve("run.json"), root);
        }
        this.metrics = new MetricsLog(dp.leader() ? run.resolve("metrics.jsonl") : null, checkpoint == null ? -1 : step);
        dp.syncParameters(model);
        dp.reduceGradientsOf(model);
    }

    public Llama model() { return model; }

    public int step() { return step; }

    /** Trains until the spec's steps (or {@code untilStep}, for tests that stop midway), checkpointing as configured. */
    public Summary train(int untilStep) throws IOException {
        int end = Math.min(untilStep, spec.steps());
        LrSchedule sched = spec.schedule();
        TrainSpec.Cadence every = spec.cadence();
        long t0 = System.nanoTime();
        int startStep = step;
        double lastLoss = Double.NaN;
        while (step < end) {
            long ts = System.nanoTime();
            StepResult r;
            double lr = sched.lr(step);
            try (Engine.Scope scope = Engine.stepScope()) {
                r = trainStep(lr);
            }
            step++;
            double secs = (System.nanoTime() - ts) / 1e9;
            long stepTokens = (long) spec.sequencesPerStep() * T;
            tokensSeen += stepTokens;
            tokensTrained += r.selected();
            lastLoss = r.loss();
            ObjectNode m = metrics.line("train", step, tokensSeen);
            m.put("tokens_trained", tokensTrained).put("loss", r.loss()).put("lr", lr).put("grad_norm", r.gradNorm()).put("tok_per_s", stepTokens / secs);
            if (spec.selection().selective()) {
                m.put("all_loss", r.allLoss()).put("sel_loss", r.loss()).put("unsel_loss", r.unselLoss()).put("sel_frac", r.selFrac());
                if (!Double.isNaN(r.meanExcess())) m.put("mean_excess", r.meanExcess());
            }
            metrics.write(m);
            boolean last = step == spec.steps();
            if (dp.leader() && (step % every.logEvery() == 0 || step == startStep + 1 || last)) {
                double elapsed = (System.nanoTime() - t0) / 1e9, rate = (step - startStep) / elapsed;
                log.printf("step %5d/%d | loss %.4f%s | lr %.2e | %6.0f tok/s | ETA %s%n", step, spec.steps(), r.loss(),
                        spec.selection().selective() ? String.format(" | sel %.2f unsel-loss %.3f", r.selFrac(), r.unselLoss()) : "",
                        lr, stepTokens / secs, eta((spec.steps() - step) / rate));
            }
            if (every.evalEvery() > 0 && (step % every.evalEvery() == 0 || last)) evaluate();
            String signal = rho4j.util.Interrupt.pending(); // SIGTERM/SIGINT: checkpoint this step, then stop
            if (dp.leader() && ((every.ckptEvery() > 0 && step % every.ckptEvery() == 0) || last || signal != null)) {
                Checkpoint.save(run, model, opt, new Checkpoint.State(step, windowsDrawn, tokensSeen, tokensTrained, spec.seed()), tokenizerJson,
                        every.keepCheckpoints());
            }
            if (signal != null && !last) {
                metrics.flush();
                throw rho4j.util.Interrupt.stopped("checkpoint of step " + step + " written to " + run + "; continue with --resume");
            }
        }
        if (step == spec.steps() && dp.leader()) ModelFiles.write(run.resolve("model"), model, tokenizerJson, spec.export());
        metrics.flush();
        return new Summary(step, tokensSeen, tokensTrained, lastLoss);
    }

    public record Summary(int steps, long tokensSeen, long tokensTrained, double lastLoss) {}

    record StepResult(double loss, double allLoss, double unselLoss, double selFrac, double meanExcess, long selected, double gradNorm) {}

    /** One optimizer step: (optional ranking pass), masked forward/backward per micro-batch, mean over selected, clip, AdamW. */
    private StepResult trainStep(double lr) throws IOException {
        int accum = spec.accumulation(), nSeq = spec.sequencesPerStep();
        Batch batch = Batch.load(train, sampler, windowsDrawn, nSeq, T, spec.selection(), ref, B);
        Selection sel = spec.selection();
        boolean[] batchMask = sel.selective() && !sel.keepsAll() && sel.scope() == SelectionScope.BATCH ? batchMask(batch) : null;
        long expected = expectedSelected(nSeq);
        double selSum = 0, unselSum = 0, excessSum = 0;
        long selCount = 0, unselCount = 0, excessCount = 0;
        float[] excess = new float[nSeq * T]; // this step's excess losses, for the histogram at the next evaluation
        opt.zeroGrad();
        dp.beforeStep();
        double scale = dp.lossScale(); // 1 in one process; the world size under the Reducer, which averages (DataParallel)
        for (int mb = dp.firstMicro(); mb < dp.endMicro(); mb++) { // this rank's share of the global batch
            int s0 = mb * B;
            FusedHeadLoss head = model.trainForward(batch.slice(batch.inputs, s0, B), batch.slice(batch.targets, s0, B), B, T);
            float[] lossArr = head.losses(); // (B*T)
            double[] exact = head.exactLosses(); // the reported losses, in the model's precision
            checkFinite(lossArr, mb, lr);
            boolean[] mask = batchMask != null ? Arrays.copyOfRange(batchMask, s0 * T, (s0 + B) * T)
                    : TokenSelector.select(sel, batch.inputs(lossArr, s0, B), selectionSeed(mb + 1));
            // d objective / d loss_i = 1/selected for selected tokens, 0 otherwise: the mean over selected tokens of the
            // optimizer batch, with the normalisation folded in, and the head's backward run on selected rows only.
            double[] weight = new double[mask.length];
            for (int i = 0; i < mask.length; i++) weight[i] = mask[i] ? 1.0 / expected * scale : 0;
            dp.backward(mb, () -> head.backward(weight)); // the last micro-batch's gradients are summed over ranks as it runs
            double mbSel = 0, mbUnsel = 0, mbExcess = 0; // per micro-batch, so ranks' partial sums add up as one process's
            for (int i = 0; i < lossArr.length; i++) {
                if (mask[i]) { mbSel += exact[i]; selCount++; } else { mbUnsel += exact[i]; unselCount++; }
                if (batch.refLoss != null && !Float.isNaN(batch.refLoss[s0 * T + i])) {
                    float ex = lossArr[i] - batch.refLoss[s0 * T + i];
                    mbExcess += ex;
                    excess[(int) excessCount++] = ex;
                }
            }
            selSum += mbSel;
            unselSum += mbUnsel;
            excessSum += mbExcess;
        }
        float[] stepExcess = Arrays.copyOf(excess, (int) excessCount);
        if (dp.world() > 1) {
            double[] st = {selSum, selCount, unselSum, unselCount, excessSum, excessCount};
            dp.sum(st);
            selSum = st[0]; selCount = (long) st[1]; unselSum = st[2]; unselCount = (long) st[3]; excessSum = st[4]; excessCount = (long) st[5];
            stepExcess = dp.gather(stepExcess);
        }
        if (selCount == 0) throw new IllegalStateException("step " + (step + 1) + ": no token was selected (ratio " + sel.ratio() + " too small for the batch)");
        if (selCount != expected) opt.scaleGrads((double) expected / selCount); // document unit, intersections: count known only now
        double norm = opt.clipGradNorm(spec.optim().clip());
        if (!Double.isFinite(norm))
            throw new IllegalStateException("step " + (step + 1) + ": the gradient norm is " + norm + "; the last checkpoint in " + run + " is intact: lower --lr and --resume");
        opt.step(lr);
        windowsDrawn += nSeq;
        lastExcess = stepExcess;
        if (spec.dumpSteps().contains(step + 1) && dp.leader()) dumpSelection(batch, batchMask);
        double all = (selSum + unselSum) / (selCount + unselCount);
        return new StepResult(selSum / selCount, all, unselCount == 0 ? Double.NaN : unselSum / unselCount,
                (double) selCount / (selCount + unselCount), excessCount == 0 ? Double.NaN : excessSum / excessCount, selCount, norm);
    }

    /** A non-finite loss stops the run before its backward pass can spoil the weights; the last checkpoint stays intact. */
    private void checkFinite(float[] losses, int micro, double lr) {
        for (float l : losses)
            if (!Float.isFinite(l))
                throw new IllegalStateException(String.format("step %d: the loss is %s at micro-batch %d (lr %.3g). The last checkpoint in %s is intact:"
                        + " lower --lr or lengthen --warmup, then --resume", step + 1, l, micro, lr, run));
    }

    /** BATCH scope: one ranking over every token of the optimizer batch (a no-grad pass when the score needs L_theta). */
    private boolean[] batchMask(Batch batch) {
        Selection sel = spec.selection();
        float[] modelLoss = sel.score().needsModelLoss() ? rankingLosses(batch) : new float[batch.sequences * T];
        return TokenSelector.select(sel, batch.inputs(modelLoss, 0, batch.sequences), selectionSeed(0));
    }

    /** The BATCH-scope mask the next step will use (for tests: it must not depend on the micro-batch split). */
    boolean[] peekBatchMask() throws IOException {
        try (Engine.Scope scope = Engine.stepScope()) {
            return batchMask(Batch.load(train, sampler, windowsDrawn, spec.sequencesPerStep(), T, spec.selection(), ref, B));
        }
    }

    /** Tokens a step selects when every target is valid: exact for token units; a first guess for the others. */
    private long expectedSelected(int nSeq) {
        Selection sel = spec.selection();
        if (sel.keepsAll()) return (long) nSeq * T;
        return switch (sel.scope()) {
            case SEQUENCE -> nSeq * TokenSelector.target(sel.ratio(), T);
            case MICRO_BATCH -> spec.accumulation() * TokenSelector.target(sel.ratio(), B * T);
            case BATCH -> TokenSelector.target(sel.ratio(), nSeq * T);
        };
    }

    /** Random selection and nothing else draws from this: (seed, step, micro-batch) fixes it, so resume repeats it. */
    private long selectionSeed(int micro) { return spec.seed() * 1_000_003L + (long) step * 1009 + micro; }

    /** BATCH scope: no-grad losses of every sequence, in chunks of a fixed size so the split into micro-batches cannot change them. */
    private float[] rankingLosses(Batch batch) {
        int n = batch.sequences, chunk = spec.batch().rankChunk();
        float[] out = new float[n * T];
        try (Engine.Scope ng = Engine.noGrad()) {
            for (int s0 = 0; s0 < n; s0 += chunk) {
                int c = Math.min(chunk, n - s0);
                if (!dp.ownsChunk(s0 / chunk)) continue; // another rank's chunk: its losses arrive below
                try (Engine.Scope scope = Engine.stepScope()) { // each chunk's activations go before the next chunk's
                    float[] l = model.scoreTokens(batch.slice(batch.inputs, s0, c), batch.slice(batch.targets, s0, c), c, T, false)[0];
                    System.arraycopy(l, 0, out, s0 * T, c * T);
                }
            }
        }
        return dp.world() > 1 ? dp.combineChunks(out) : out;
    }

    /** Mean token loss over the first evalWindows windows of the validation store; also logs the excess-loss histogram. */
    public double evaluate() throws IOException {
        if (!dp.leader()) return Double.NaN; // rank 0 evaluates and writes; the others wait for it at the next step
        if (lastExcess.length > 0) metrics.write(Histogram.of("excess_loss", lastExcess, 40).toJson(metrics.line("hist", step, tokensSeen)));
        if (val == null) return Double.NaN;
        double v = WindowLosses.mean(model, val, B, spec.cadence().evalWindows());
        metrics.write(metrics.line("eval", step, tokensSeen).put("val_loss", v));
        log.printf("step %5d | val loss %.4f%n", step, v);
        return v;
    }

    /** The first micro-batch's selection at this step, for the token view. */
    private void dumpSelection(Batch b, boolean[] batchMask) throws IOException {
        int n = Math.min(B, b.sequences);
        float[] modelLoss;
        try (Engine.Scope ng = Engine.noGrad()) {
            modelLoss = model.scoreTokens(b.slice(b.inputs, 0, n), b.slice(b.targets, 0, n), n, T, false)[0];
        }
        boolean[] mask = batchMask != null ? batchMask : TokenSelector.select(spec.selection(), b.inputs(modelLoss, 0, n), selectionSeed(1));
        SelectionDump.write(run, step + 1, b, n, modelLoss, mask);
    }

    static String eta(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
