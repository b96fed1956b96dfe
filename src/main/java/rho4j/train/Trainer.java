package rho4j.train;

import static rho4j.engine.Tensors.s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.engine.Engine;
import rho4j.engine.Tensors;
import rho4j.model.FusedHeadLoss;
import rho4j.model.Llama;
import rho4j.score.ReferenceScores;
import rho4j.util.Json;

/**
 * The training loop for both objectives. CLM is the SLM path with every token selected: per micro-batch, per-token
 * losses (B, T) -> a selection mask -> backward of the summed selected losses; after the optimizer batch the gradients
 * are divided by the number of selected tokens, so the loss is the mean over selected tokens (the paper's 1/(N k%)).
 */
public final class Trainer {
    /** Where reference losses come from in SLM: stored scores, or a reference model run on the fly. */
    public record Reference(ReferenceScores scores, Llama model) {
        public static Reference none() { return new Reference(null, null); }
    }

    private final TrainConfig cfg;
    private final TokenStore train, val;
    private final Reference ref;
    private final Path run, tokenizerJson;
    private final PrintStream log;
    private final Llama model;
    private final AdamW opt;
    private final WindowSampler sampler;
    private final MetricsLog metrics;
    private final int T, B;
    private int step;
    private long windowsDrawn, tokensSeen, tokensTrained;
    private float[] lastExcess = new float[0];

    public Trainer(TrainConfig cfg, TokenStore train, TokenStore val, Reference ref, Path run, Path tokenizerJson, boolean resume, PrintStream log)
            throws IOException {
        Engine.init();
        this.cfg = cfg;
        this.train = train;
        this.val = val;
        this.ref = ref == null ? Reference.none() : ref;
        this.run = run;
        this.tokenizerJson = tokenizerJson;
        this.log = log;
        this.T = cfg.model().contextLength();
        this.B = cfg.microBatch();
        Selection sel = cfg.selection();
        if (sel.selective() && !sel.keepsAll() && sel.score().needsReference() && this.ref.scores() == null && this.ref.model() == null)
            throw new IllegalArgumentException("--objective slm with --score " + sel.score().id + " needs --scores SCORES or --reference-run REF_RUN");
        if (this.ref.scores() != null) {
            this.ref.scores().verifyFor(train, T);
            if (sel.score().needsEntropy() && !this.ref.scores().hasEntropy())
                throw new IllegalArgumentException("--score " + sel.score().id + " needs reference entropy: rescore with `rho score --entropy`");
        }
        if (train.meta().vocabSize() > cfg.model().vocabSize())
            throw new IllegalArgumentException("the store's vocabulary (" + train.meta().vocabSize() + ") exceeds the model's (" + cfg.model().vocabSize() + ")");
        Files.createDirectories(run);
        this.sampler = new WindowSampler(train.size(), T, cfg.seed());
        Device device = Device.parse(cfg.device());
        this.model = new Llama(cfg.model(), device, ScalarType.Float, cfg.seed());
        this.opt = new AdamW(model.parameters(), cfg.adam());
        ObjectNode settings = Json.MAPPER.valueToTree(cfg);
        settings.put("objective", sel.objective());
        settings.put("train_store", train.dir().toString());
        if (this.ref.scores() != null) settings.put("scores", this.ref.scores().dir().toString());
        Path checkpoint = resume ? Checkpoint.latest(run) : null;
        if (resume && checkpoint == null) log.println("rho: no checkpoint in " + run + " yet: starting from step 0");
        if (checkpoint != null) {
            var saved = Json.tree(run.resolve("run.json"), "restore it, or start a new run with --overwrite").path("config");
            if (!saved.toString().equals(Json.MAPPER.valueToTree(cfg).toString())) // text, since 128 reads back as int, not long
                throw new IllegalArgumentException(run.resolve("run.json") + " was written with other settings; resume with the same settings or use a new --out");
            Checkpoint.State st = Checkpoint.readState(checkpoint);
            try (var file = rho4j.model.Safetensors.open(checkpoint.resolve("model.safetensors"))) { // straight into the model
                for (var e : model.parameters().entrySet()) file.readInto(e.getKey(), e.getValue());
            }
            var state = rho4j.model.Safetensors.read(checkpoint.resolve("optimizer.safetensors"));
            opt.load(state, st.step());
            state.values().forEach(Tensor::close);
            step = st.step();
            windowsDrawn = st.windowsDrawn();
            tokensSeen = st.tokensSeen();
            tokensTrained = st.tokensTrained();
            log.printf("rho: resuming %s from step %d (%s)%n", run, step, checkpoint.getFileName());
        } else {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.set("config", Json.MAPPER.valueToTree(cfg));
            root.setAll(settings);
            Json.write(run.resolve("run.json"), root);
        }
        this.metrics = new MetricsLog(run.resolve("metrics.jsonl"), checkpoint == null ? -1 : step);
    }

    public Llama model() { return model; }

    public int step() { return step; }

    /** Trains until {@code cfg.maxSteps()} (or {@code untilStep}, for tests that stop midway), checkpointing as configured. */
    public Summary train(int untilStep) throws IOException {
        int end = Math.min(untilStep, cfg.maxSteps());
        LrSchedule sched = cfg.schedule();
        long t0 = System.nanoTime();
        int startStep = step;
        double lastLoss = Double.NaN;
        while (step < end) {
            long ts = System.nanoTime();
            StepResult r;
            double lr = sched.lr(step);
            try (PointerScope scope = Engine.stepScope()) {
                r = trainStep(lr);
            }
            step++;
            double secs = (System.nanoTime() - ts) / 1e9;
            long stepTokens = (long) cfg.sequencesPerStep() * T;
            tokensSeen += stepTokens;
            tokensTrained += r.selected();
            lastLoss = r.loss();
            ObjectNode m = metrics.line("train", step, tokensSeen);
            m.put("tokens_trained", tokensTrained).put("loss", r.loss()).put("lr", lr).put("grad_norm", r.gradNorm()).put("tok_per_s", stepTokens / secs);
            if (cfg.selection().selective()) {
                m.put("all_loss", r.allLoss()).put("sel_loss", r.loss()).put("unsel_loss", r.unselLoss()).put("sel_frac", r.selFrac());
                if (!Double.isNaN(r.meanExcess())) m.put("mean_excess", r.meanExcess());
            }
            metrics.write(m);
            boolean last = step == cfg.maxSteps();
            if (step % cfg.logEvery() == 0 || step == startStep + 1 || last) {
                double elapsed = (System.nanoTime() - t0) / 1e9, rate = (step - startStep) / elapsed;
                log.printf("step %5d/%d | loss %.4f%s | lr %.2e | %6.0f tok/s | ETA %s%n", step, cfg.maxSteps(), r.loss(),
                        cfg.selection().selective() ? String.format(" | sel %.2f unsel-loss %.3f", r.selFrac(), r.unselLoss()) : "",
                        lr, stepTokens / secs, eta((cfg.maxSteps() - step) / rate));
            }
            if (cfg.evalEvery() > 0 && (step % cfg.evalEvery() == 0 || last)) evaluate();
            String signal = rho4j.util.Interrupt.pending(); // SIGTERM/SIGINT: checkpoint this step, then stop
            if ((cfg.ckptEvery() > 0 && step % cfg.ckptEvery() == 0) || last || signal != null) {
                Checkpoint.save(run, model, opt, new Checkpoint.State(step, windowsDrawn, tokensSeen, tokensTrained, cfg.seed()), tokenizerJson, cfg.keepCheckpoints());
            }
            if (signal != null && !last) {
                metrics.flush();
                throw rho4j.util.Interrupt.stopped("checkpoint of step " + step + " written to " + run + "; continue with --resume");
            }
        }
        if (step == cfg.maxSteps()) Checkpoint.writeModel(run.resolve("model"), model, tokenizerJson);
        metrics.flush();
        return new Summary(step, tokensSeen, tokensTrained, lastLoss);
    }

    public record Summary(int steps, long tokensSeen, long tokensTrained, double lastLoss) {}

    record StepResult(double loss, double allLoss, double unselLoss, double selFrac, double meanExcess, long selected, double gradNorm) {}

    /** One optimizer step: (optional ranking pass), masked forward/backward per micro-batch, mean over selected, clip, AdamW. */
    private StepResult trainStep(double lr) throws IOException {
        int accum = cfg.accumulation(), nSeq = cfg.sequencesPerStep();
        Batch batch = loadBatch(nSeq);
        Selection sel = cfg.selection();
        boolean[] batchMask = sel.selective() && !sel.keepsAll() && sel.scope() == SelectionScope.BATCH ? batchMask(batch) : null;
        long expected = expectedSelected(nSeq);
        double selSum = 0, unselSum = 0, excessSum = 0;
        long selCount = 0, unselCount = 0, excessCount = 0;
        float[] excess = new float[nSeq * T]; // this step's excess losses, for the histogram at the next evaluation
        opt.zeroGrad();
        for (int mb = 0; mb < accum; mb++) {
            int s0 = mb * B;
            Tensor x = Tensors.longs(batch.slice(batch.inputs, s0, B), B, T), y = Tensors.longs(batch.slice(batch.targets, s0, B), B, T);
            FusedHeadLoss head = FusedHeadLoss.forward(model.hidden(x), model.headWeight(), y); // logits (B*T, V) made once
            float[] lossArr = head.losses(); // (B*T)
            for (int i = 0; i < lossArr.length; i++)
                if (!Float.isFinite(lossArr[i]))
                    throw new IllegalStateException(String.format("step %d: the loss is %s at micro-batch %d (lr %.3g). The last checkpoint in %s is intact:"
                            + " lower --lr or lengthen --warmup, then --resume", step + 1, lossArr[i], mb, lr, run));
            boolean[] mask;
            if (batchMask != null) mask = java.util.Arrays.copyOfRange(batchMask, s0 * T, (s0 + B) * T);
            else mask = TokenSelector.select(sel, batch.inputs(lossArr, s0, B), selectionSeed(mb + 1));
            // d objective / d loss_i = 1/selected for selected tokens, 0 otherwise: the mean over selected tokens of the
            // optimizer batch, with the normalisation folded in (no pass over the gradients afterwards), and the head's
            // backward run on selected rows only.
            float[] weight = new float[mask.length];
            for (int i = 0; i < mask.length; i++) weight[i] = mask[i] ? (float) (1.0 / expected) : 0f;
            head.backward(weight);
            for (int i = 0; i < lossArr.length; i++) {
                if (mask[i]) { selSum += lossArr[i]; selCount++; } else { unselSum += lossArr[i]; unselCount++; }
                if (batch.refLoss != null && !Float.isNaN(batch.refLoss[s0 * T + i])) {
                    float ex = lossArr[i] - batch.refLoss[s0 * T + i];
                    excessSum += ex;
                    excess[(int) excessCount++] = ex;
                }
            }
        }
        if (selCount == 0) throw new IllegalStateException("step " + (step + 1) + ": no token was selected (ratio " + sel.ratio() + " too small for the batch)");
        if (selCount != expected) opt.scaleGrads((double) expected / selCount); // document unit, intersections: count known only now
        double norm = opt.clipGradNorm(cfg.gradClip());
        if (!Double.isFinite(norm))
            throw new IllegalStateException("step " + (step + 1) + ": the gradient norm is " + norm + "; the last checkpoint in " + run + " is intact: lower --lr and --resume");
        opt.step(lr);
        windowsDrawn += nSeq;
        lastExcess = java.util.Arrays.copyOf(excess, (int) excessCount);
        if (cfg.dumpSteps().contains(step + 1)) dumpSelection(batch, batchMask);
        double all = (selSum + unselSum) / (selCount + unselCount);
        return new StepResult(selSum / selCount, all, unselCount == 0 ? Double.NaN : unselSum / unselCount,
                (double) selCount / (selCount + unselCount), excessCount == 0 ? Double.NaN : excessSum / excessCount, selCount, norm);
    }

    /** BATCH scope: one ranking over every token of the optimizer batch (a no-grad pass when the score needs L_theta). */
    private boolean[] batchMask(Batch batch) {
        Selection sel = cfg.selection();
        float[] modelLoss = sel.score().needsModelLoss() ? rankingLosses(batch) : new float[batch.sequences * T];
        return TokenSelector.select(sel, batch.inputs(modelLoss, 0, batch.sequences), selectionSeed(0));
    }

    /** The BATCH-scope mask the next step will use (for tests: it must not depend on the micro-batch split). */
    boolean[] peekBatchMask() throws IOException {
        try (PointerScope scope = Engine.stepScope()) {
            return batchMask(loadBatch(cfg.sequencesPerStep()));
        }
    }

    /** Tokens a step selects when every target is valid: exact for token units; a first guess for the others. */
    private long expectedSelected(int nSeq) {
        Selection sel = cfg.selection();
        if (sel.keepsAll()) return (long) nSeq * T;
        return switch (sel.scope()) {
            case SEQUENCE -> nSeq * TokenSelector.target(sel.ratio(), T);
            case MICRO_BATCH -> cfg.accumulation() * TokenSelector.target(sel.ratio(), B * T);
            case BATCH -> TokenSelector.target(sel.ratio(), nSeq * T);
        };
    }

    /** Random selection and nothing else draws from this: (seed, step, micro-batch) fixes it, so resume repeats it. */
    private long selectionSeed(int micro) { return cfg.seed() * 1_000_003L + (long) step * 1009 + micro; }

    /** BATCH scope: no-grad losses of every sequence, in chunks of a fixed size so the split into micro-batches cannot change them. */
    private float[] rankingLosses(Batch batch) {
        int n = batch.sequences, chunk = Math.max(1, cfg.rankChunk());
        float[] out = new float[n * T];
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int s0 = 0; s0 < n; s0 += chunk) {
                int c = Math.min(chunk, n - s0);
                try (PointerScope scope = Engine.stepScope()) { // each chunk's activations go before the next chunk's
                    float[] l = model.scoreTokens(Tensors.longs(batch.slice(batch.inputs, s0, c), c, T), Tensors.longs(batch.slice(batch.targets, s0, c), c, T), false)[0];
                    System.arraycopy(l, 0, out, s0 * T, c * T);
                }
            }
        }
        return out;
    }

    /** The sequences of one optimizer step, with reference losses/entropies and document ids of their targets. */
    final class Batch {
        final int sequences;
        final int[] inputs, targets, docIds;
        final long[] starts;
        float[] refLoss, refEntropy;

        Batch(int sequences) {
            this.sequences = sequences;
            inputs = new int[sequences * T];
            targets = new int[sequences * T];
            docIds = new int[sequences * T];
            starts = new long[sequences];
        }

        int[] slice(int[] a, int seq0, int n) { return java.util.Arrays.copyOfRange(a, seq0 * T, (seq0 + n) * T); }

        TokenSelector.Inputs inputs(float[] modelLoss, int seq0, int n) {
            return new TokenSelector.Inputs(modelLoss, sub(refLoss, seq0, n), sub(refEntropy, seq0, n), null, docIds == null ? null
                    : java.util.Arrays.copyOfRange(docIds, seq0 * T, (seq0 + n) * T), n, T);
        }

        private float[] sub(float[] a, int seq0, int n) { return a == null ? null : java.util.Arrays.copyOfRange(a, seq0 * T, (seq0 + n) * T); }
    }

    private Batch loadBatch(int nSeq) throws IOException {
        Batch b = new Batch(nSeq);
        int[] buf = new int[T + 1];
        Selection sel = cfg.selection();
        boolean needRef = sel.selective() && (ref.scores() != null || ref.model() != null);
        if (needRef) b.refLoss = new float[nSeq * T];
        if (needRef && sel.score().needsEntropy()) b.refEntropy = new float[nSeq * T];
        for (int s0 = 0; s0 < nSeq; s0++) {
            long start = sampler.windowStart(sampler.window(windowsDrawn + s0));
            b.starts[s0] = start;
            train.read(start, buf, 0, T + 1);
            System.arraycopy(buf, 0, b.inputs, s0 * T, T);
            System.arraycopy(buf, 1, b.targets, s0 * T, T);
            int d = train.docOf(start + 1);
            long nextStart = d + 1 < train.numDocs() ? train.docStart(d + 1) : Long.MAX_VALUE;
            for (int t = 0; t < T; t++) { // document of each target token: the unit of --unit document
                long pos = start + 1 + t;
                while (pos >= nextStart) { d++; nextStart = d + 1 < train.numDocs() ? train.docStart(d + 1) : Long.MAX_VALUE; }
                b.docIds[s0 * T + t] = d;
            }
            if (needRef && ref.scores() != null) {
                ref.scores().readLoss(start + 1, b.refLoss, s0 * T, T);
                if (b.refEntropy != null) ref.scores().readEntropy(start + 1, b.refEntropy, s0 * T, T);
            }
        }
        if (needRef && ref.model() != null) onlineReference(b);
        return b;
    }

    /** --reference-run: the reference model's losses (and entropies) on the same windows, computed now (one extra forward). */
    private void onlineReference(Batch b) {
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int s0 = 0; s0 < b.sequences; s0 += B) {
                int c = Math.min(B, b.sequences - s0);
                float[][] le = ref.model().scoreTokens(Tensors.longs(b.slice(b.inputs, s0, c), c, T), Tensors.longs(b.slice(b.targets, s0, c), c, T),
                        b.refEntropy != null);
                System.arraycopy(le[0], 0, b.refLoss, s0 * T, c * T);
                if (b.refEntropy != null) System.arraycopy(le[1], 0, b.refEntropy, s0 * T, c * T);
            }
        }
    }

    /** Mean token loss over the first evalWindows windows of the validation store; also logs the excess-loss histogram. */
    public double evaluate() throws IOException {
        if (!lastExcessEmpty()) metrics.write(Histogram.of("excess_loss", lastExcess, 40).toJson(metrics.line("hist", step, tokensSeen)));
        if (val == null) return Double.NaN;
        double v = validationLoss(model, val, T, B, cfg.evalWindows());
        metrics.write(metrics.line("eval", step, tokensSeen).put("val_loss", v));
        log.printf("step %5d | val loss %.4f%n", step, v);
        return v;
    }

    private boolean lastExcessEmpty() { return lastExcess.length == 0; }

    /** Mean next-token loss over the first {@code maxWindows} packed windows of a store (no gradients). */
    public static double validationLoss(Llama model, TokenStore store, int T, int batch, int maxWindows) throws IOException {
        double sum = 0;
        float[] l = windowLosses(model, store, T, batch, maxWindows);
        for (float v : l) sum += v;
        return sum / l.length;
    }

    /**
     * Per-token losses of the first {@code maxWindows} packed windows of a store, window after window (T per window):
     * validation loss, token dynamics and held-out evaluation all read the same positions.
     */
    public static float[] windowLosses(Llama model, TokenStore store, int T, int batch, int maxWindows) throws IOException {
        long windows = Math.min(WindowSampler.numWindows(store.size(), T), maxWindows);
        if (windows < 1) throw new IllegalArgumentException("store " + store.dir() + " is shorter than one window of " + (T + 1) + " tokens");
        float[] out = new float[(int) (windows * T)];
        try (NoGradGuard ng = new NoGradGuard()) {
            for (long w0 = 0; w0 < windows; w0 += batch) {
                int c = (int) Math.min(batch, windows - w0);
                int[][] xy = WindowSampler.readWindows(store, w0, c, T);
                int[] x = xy[0], y = xy[1];
                try (PointerScope scope = Engine.stepScope()) {
                    System.arraycopy(model.scoreTokens(Tensors.longs(x, c, T), Tensors.longs(y, c, T), false)[0], 0, out, (int) (w0 * T), c * T);
                }
            }
        }
        return out;
    }

    /** Writes selection/step-N.json: the first micro-batch's token ids, reference and model losses, and the mask. */
    private void dumpSelection(Batch b, boolean[] batchMask) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("step", step + 1);
        var seqs = root.putArray("sequences");
        int n = Math.min(B, b.sequences);
        float[] modelLoss;
        try (NoGradGuard ng = new NoGradGuard()) {
            modelLoss = model.scoreTokens(Tensors.longs(b.slice(b.inputs, 0, n), n, T), Tensors.longs(b.slice(b.targets, 0, n), n, T), false)[0];
        }
        boolean[] mask = batchMask != null ? batchMask : TokenSelector.select(cfg.selection(), b.inputs(modelLoss, 0, n), selectionSeed(1));
        for (int s0 = 0; s0 < n; s0++) {
            ObjectNode q = seqs.addObject();
            q.put("start", b.starts[s0]);
            var ids = q.putArray("targets");
            var rl = q.putArray("ref_loss");
            var ml = q.putArray("model_loss");
            var sl = q.putArray("selected");
            for (int t = 0; t < T; t++) {
                int i = s0 * T + t;
                ids.add(b.targets[i]);
                rl.add(b.refLoss == null ? Float.NaN : b.refLoss[i]);
                ml.add(modelLoss[i]);
                sl.add(mask[i]);
            }
        }
        Json.write(run.resolve("selection").resolve(String.format("step-%06d.json", step + 1)), root);
    }

    static String eta(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
