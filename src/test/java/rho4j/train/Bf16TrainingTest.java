package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;
import rho4j.data.TokenStore;
import rho4j.data.TokenStoreWriter;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Engine;
import rho4j.engine.Precision;
import rho4j.engine.Tensors;
import rho4j.model.Llama;
import rho4j.model.ModelFiles;
import rho4j.score.ReferenceScores;
import rho4j.score.Scorer;
import rho4j.util.Json;

/** bf16 mixed precision against fp32 on the CPU: training curves, fp32 masters, exact resume, selection, scoring. */
class Bf16TrainingTest {
    @TempDir static Path tmp;
    static TokenStore store, holdout;

    @BeforeAll
    static void data() throws IOException {
        store = mixedStore(tmp.resolve("store"), 400, 1);
        holdout = mixedStore(tmp.resolve("holdout"), 60, 2);
    }

    /**
     * Half counting documents (learnable), half random ids (not): the loss falls and then levels off near half the
     * uniform entropy, so a relative tolerance on it means something at every step.
     */
    static TokenStore mixedStore(Path dir, int docs, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        int vocab = 64;
        try (TokenStoreWriter w = new TokenStoreWriter(dir, vocab, vocab - 1, "test-tokenizer")) {
            for (int d = 0; d < docs; d++) {
                int[] ids = new int[20 + r.nextInt(60)];
                int start = r.nextInt(vocab - 1);
                boolean counting = d % 2 == 0;
                for (int i = 0; i < ids.length; i++) ids[i] = counting ? (start + i) % (vocab - 1) : r.nextInt(vocab - 1);
                w.addDocument(ids);
            }
            w.finish();
        }
        return TokenStore.open(dir);
    }

    /** A tiny model (dim 64, 2 layers, context 32), 16 sequences a step. */
    static TrainSpec spec(int steps, String precision, Object... more) {
        Map<String, Object> o = new LinkedHashMap<>(Map.of("preset", "tiny", "dim", 64, "ffn", 128, "heads", 4, "kv-heads", 2, "context", 32,
                "micro-batch", 8, "batch-tokens", 16L * 32, "steps", steps));
        o.putAll(Map.of("warmup", 10, "lr", 3e-3, "eval-every", 0, "ckpt-every", 0, "log-every", 10, "eval-windows", 64, "precision", precision));
        for (int i = 0; i < more.length; i += 2) o.put((String) more[i], more[i + 1]);
        return TrainSpec.of(o, 64);
    }

    record Run(Trainer trainer, List<Double> losses, double heldOut) {}

    static Run train(TrainSpec spec, String name) throws IOException {
        Path run = tmp.resolve(name);
        Trainer t = new Trainer(spec, spec.initialModel(), store, holdout, null, run, null, false, TrainerTest.QUIET);
        t.train(Integer.MAX_VALUE);
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode j = Json.MAPPER.readTree(line);
            if (j.path("type").asText().equals("train")) losses.add(j.path("loss").asDouble());
        }
        return new Run(t, losses, t.evaluate());
    }

    private static Run fp32Run;

    /** The 40-step fp32 run, trained once: the curve bf16 must follow and the model the selection and scoring tests use. */
    static synchronized Run fp32Run() throws IOException {
        if (fp32Run == null) fp32Run = train(spec(40, "fp32"), "follow-fp32");
        return fp32Run;
    }

    /** Loss within 2% of fp32 at every logged step (every log-every steps and the last), held-out loss within 1%. */
    static void assertFollows(Run fp32, Run bf16, int logEvery) {
        assertEquals(fp32.losses().size(), bf16.losses().size());
        int n = fp32.losses().size();
        for (int s = 1; s <= n; s++) {
            if (s % logEvery != 0 && s != 1 && s != n) continue;
            double a = fp32.losses().get(s - 1), b = bf16.losses().get(s - 1);
            assertTrue(Math.abs(b - a) <= 0.02 * a, "step " + s + ": bf16 loss " + b + ", fp32 " + a);
        }
        assertTrue(fp32.losses().get(n - 1) < 0.9 * fp32.losses().get(0), "the model learned: " + fp32.losses().get(0) + " -> " + fp32.losses().get(n - 1));
        assertTrue(Math.abs(bf16.heldOut() - fp32.heldOut()) <= 0.01 * fp32.heldOut(), "held-out bf16 " + bf16.heldOut() + ", fp32 " + fp32.heldOut());
    }

    @Test
    void bf16TrainingFollowsFp32AndKeepsFp32Masters() throws IOException {
        Run fp32 = fp32Run(), bf16 = train(spec(40, "bf16"), "follow-bf16");
        assertFollows(fp32, bf16, 10);
        // it really computed in bf16: the curves are not the same numbers
        assertTrue(!fp32.losses().equals(bf16.losses()), "bf16 losses equal fp32's to the last bit: autocast did not run");
        // masters and AdamW moments stay fp32, in memory and in the checkpoint
        for (Tensor p : bf16.trainer().model().parameters().values()) assertEquals(DType.FP32, DType.of(p.scalar_type()));
        Path ckpt = Checkpoint.latest(tmp.resolve("follow-bf16"));
        for (String f : new String[] {"model.safetensors", "optimizer.safetensors"}) {
            if (!Files.exists(ckpt.resolve(f))) continue;
            for (Tensor t : rho4j.model.Safetensors.read(ckpt.resolve(f)).values()) assertEquals(DType.FP32, DType.of(t.scalar_type()), f);
        }
        JsonNode runJson = Json.MAPPER.readTree(tmp.resolve("follow-bf16/run.json").toFile());
        assertEquals("bf16", runJson.path("config").path("precision").asText());
    }

    @Test
    @Tag("slow")
    void bf16TrainingFollowsFp32Over200Steps() throws IOException {
        assertFollows(train(spec(200, "fp32"), "long-fp32"), train(spec(200, "bf16"), "long-bf16"), 10);
    }

    @Test
    void bf16ResumeReproducesTheUninterruptedRunBitForBit() throws IOException {
        TrainSpec s = spec(12, "bf16", "ckpt-every", 6, "keep-checkpoints", 2);
        Trainer straight = new Trainer(s, s.initialModel(), store, null, null, tmp.resolve("resume-a"), null, false, TrainerTest.QUIET);
        straight.train(Integer.MAX_VALUE);
        Trainer first = new Trainer(s, s.initialModel(), store, null, null, tmp.resolve("resume-b"), null, false, TrainerTest.QUIET);
        first.train(6);
        Trainer resumed = new Trainer(s, s.initialModel(), store, null, null, tmp.resolve("resume-b"), null, true, TrainerTest.QUIET);
        assertEquals(6, resumed.step());
        resumed.train(Integer.MAX_VALUE);
        Map<String, Tensor> a = straight.model().parameters(), b = resumed.model().parameters();
        for (String k : a.keySet()) assertArrayEquals(Tensors.toFloats(a.get(k)), Tensors.toFloats(b.get(k)), 0f, k);
    }

    @Test
    void ratioOneIsClmInBf16() throws IOException {
        Llama ref = new Llama(spec(1, "fp32").model(), Device.CPU, DType.FP32, 5);
        ModelFiles.write(tmp.resolve("r1-ref"), ref, null);
        Scorer.run(ref, tmp.resolve("r1-ref"), store, tmp.resolve("r1-scores"), 8, false, TrainerTest.QUIET);
        Map<String, Tensor> clm = train(spec(3, "bf16"), "r1-clm").trainer().model().parameters();
        try (ReferenceScores rs = ReferenceScores.open(tmp.resolve("r1-scores"))) {
            for (String scope : new String[] {"micro-batch", "batch"}) {
                TrainSpec s = spec(3, "bf16", "objective", "slm", "ratio", 1.0, "scope", scope);
                Trainer t = new Trainer(s, s.initialModel(), store, null, new Reference.Stored(rs), tmp.resolve("r1-slm-" + scope), null, false, TrainerTest.QUIET);
                t.train(Integer.MAX_VALUE);
                for (String k : clm.keySet()) assertArrayEquals(Tensors.toFloats(clm.get(k)), Tensors.toFloats(t.model().parameters().get(k)), 0f, scope + " " + k);
            }
        }
    }

    /**
     * The losses selection ranks come from an fp32 log-softmax of bf16 logits: fp32 numbers (not bf16-rounded ones)
     * within bf16's error of the fp32 model's. With reference losses built so the fp32 excess losses are spaced 0.25
     * apart (no near-ties, far more than that error), the bf16 mask equals the fp32 mask at every ratio.
     */
    @Test
    void selectionUnderBf16RanksFp32LossesAndMatchesTheFp32Mask() throws IOException {
        TrainSpec s = spec(1, "fp32");
        Llama m = s.initialModel();
        fp32Run().trainer().model().parameters().forEach((k, v) -> m.parameters().get(k).detach().copy_(v));
        int b = 4, t = 32;
        int[] x = new int[b * t], y = new int[b * t], buf = new int[t + 1];
        for (int i = 0; i < b; i++) {
            store.read((long) i * 7 * t, buf, 0, t + 1);
            System.arraycopy(buf, 0, x, i * t, t);
            System.arraycopy(buf, 1, y, i * t, t);
        }
        float[] lf = m.trainForward(x, y, b, t).losses();
        m.setPrecision(Precision.BF16);
        float[] lb = m.trainForward(x, y, b, t).losses();
        m.setPrecision(Precision.FP32);
        int n = lf.length, notBf16 = 0;
        double maxDiff = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(lf[i] - lb[i]));
            if ((Float.floatToRawIntBits(lb[i]) & 0xFFFF) != 0) notBf16++;
        }
        assertTrue(maxDiff < 0.05, "bf16 per-token losses differ from fp32 by up to " + maxDiff);
        assertTrue(maxDiff > 0, "bf16 losses equal fp32's: autocast did not run");
        assertTrue(notBf16 > n / 2, "losses carry fp32 precision, not bf16's 8 bits: " + notBf16 + " of " + n);
        // reference losses so that fp32's excess loss of token i is 0.25 * perm[i]: distinct, 0.25 apart
        int[] perm = new SplittableRandom(3).ints(0, n).distinct().limit(n).toArray();
        float[] ref = new float[n];
        for (int i = 0; i < n; i++) ref[i] = lf[i] - 0.25f * perm[i];
        boolean[] valid = new boolean[n];
        java.util.Arrays.fill(valid, true);
        for (double ratio : new double[] {0.1, 0.4, 0.6, 0.9}) {
            Selection sel = Selection.slm(ratio, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN);
            boolean[] mf = TokenSelector.select(sel, new TokenSelector.Inputs(lf, ref, null, valid, null, b, t), 1);
            boolean[] mb = TokenSelector.select(sel, new TokenSelector.Inputs(lb, ref, null, valid, null, b, t), 1);
            assertArrayEquals(mf, mb, "ratio " + ratio);
        }
    }

    /** Reference scoring in bf16: every stored loss within 0.05 nats of fp32 scoring, the mean within 0.5%; stored as fp32. */
    @Test
    void bf16ScoringStaysWithinToleranceOfFp32() throws IOException {
        Llama m = fp32Run().trainer().model();
        Path dir = tmp.resolve("follow-fp32/model");
        Scorer.run(m, dir, holdout, tmp.resolve("scores-fp32"), 8, true, TrainerTest.QUIET);
        m.setPrecision(Precision.BF16);
        Scorer.run(m, dir, holdout, tmp.resolve("scores-bf16"), 8, true, TrainerTest.QUIET);
        m.setPrecision(Precision.FP32);
        try (ReferenceScores a = ReferenceScores.open(tmp.resolve("scores-fp32")); ReferenceScores c = ReferenceScores.open(tmp.resolve("scores-bf16"))) {
            int len = (int) holdout.size();
            float[] la = new float[len], lc = new float[len], ea = new float[len], ec = new float[len];
            a.readLoss(0, la, 0, len);
            c.readLoss(0, lc, 0, len);
            a.readEntropy(0, ea, 0, len);
            c.readEntropy(0, ec, 0, len);
            double max = 0, sa = 0, sc = 0, maxE = 0;
            int k = 0;
            for (int i = 0; i < len; i++) {
                if (Float.isNaN(la[i])) continue;
                max = Math.max(max, Math.abs(la[i] - lc[i]));
                maxE = Math.max(maxE, Math.abs(ea[i] - ec[i]));
                sa += la[i];
                sc += lc[i];
                k++;
            }
            assertTrue(k > 1000, "scored " + k);
            assertTrue(max > 0 && max <= 0.05, "largest per-token difference " + max);
            assertTrue(maxE <= 0.05, "largest entropy difference " + maxE);
            assertTrue(Math.abs(sa - sc) / sa <= 0.005, "means " + sa / k + " vs " + sc / k);
        }
        assertEquals("bf16", Json.MAPPER.readTree(tmp.resolve("scores-bf16").resolve(ReferenceScores.META_FILE).toFile()).path("precision").asText());
        assertEquals("fp32", Json.MAPPER.readTree(tmp.resolve("scores-fp32").resolve(ReferenceScores.META_FILE).toFile()).path("precision").asText());
    }

    /** An exported bf16 folder holds bf16 tensors, says so in config.json, and loads back as fp32 of the rounded weights. */
    @Test
    void saveDtypeBf16WritesBf16WeightsAndSaysSo() throws IOException {
        TrainSpec s = spec(2, "bf16", "save-dtype", "bf16");
        Path run = tmp.resolve("save-bf16");
        Trainer t = new Trainer(s, s.initialModel(), store, null, null, run, null, false, TrainerTest.QUIET);
        t.train(Integer.MAX_VALUE);
        assertEquals("bfloat16", Json.MAPPER.readTree(run.resolve("model/config.json").toFile()).path("torch_dtype").asText());
        Map<String, Tensor> saved = rho4j.model.Safetensors.read(run.resolve("model/model.safetensors"));
        Llama back = ModelFiles.load(run.resolve("model"), Device.CPU, DType.FP32);
        for (var e : t.model().parameters().entrySet()) {
            assertEquals(DType.BF16, DType.of(saved.get(e.getKey()).scalar_type()), e.getKey());
            float[] rounded = Tensors.toFloats(e.getValue().detach().to(ScalarType.BFloat16));
            assertArrayEquals(rounded, Tensors.toFloats(back.parameters().get(e.getKey())), 0f, e.getKey());
        }
        // the checkpoint beside it keeps the fp32 masters
        for (Tensor w : rho4j.model.Safetensors.read(Checkpoint.latest(run).resolve("model.safetensors")).values())
            assertEquals(DType.FP32, DType.of(w.scalar_type()));
    }

    /**
     * Under bf16 the residual stream and the final RMSNorm stay fp32 (the hidden states the head reads are fp32), a
     * matrix product inside the policy is bf16, and the logits handed to the log-softmax are fp32 again.
     */
    @Test
    void bf16ProductsFp32ResidualStreamAndLogits() {
        Llama m = new Llama(spec(1, "fp32").model(), Device.CPU, DType.FP32, 3).setPrecision(Precision.BF16);
        Tensor idx = Tensors.longs(m.device, new int[2 * 32], 2, 32);
        try (Engine.Scope s = Engine.stepScope(); Engine.Scope ng = Engine.noGrad()) {
            assertEquals(DType.FP32, DType.of(m.hidden(idx).scalar_type()), "hidden states");
            assertEquals(DType.FP32, DType.of(m.logits(idx).scalar_type()), "logits");
            try (Engine.Scope mixed = Engine.compute(Precision.BF16, m.device)) {
                Tensor h = m.hidden(idx);
                assertEquals(DType.BF16, DType.of(org.bytedeco.pytorch.global.torch.linear(h, m.headWeight()).scalar_type()), "a product under the policy");
            }
        }
    }

    /** Cached bf16 decoding (bf16 KV cache) gives the logits of a full bf16 forward, and fp32's within bf16's error. */
    @Test
    void bf16CachedDecodingMatchesTheFullForward() throws IOException {
        Llama m = fp32Run().trainer().model();
        int[] ids = new int[2 * 12];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 5 + 3) % 63;
        float[] fp32Full, bf16Full, bf16Cached;
        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope s = Engine.stepScope()) {
            Tensor all = Tensors.longs(m.device, ids, 2, 12);
            fp32Full = Tensors.toFloats(m.logits(all).select(1, 11));
            m.setPrecision(Precision.BF16);
            bf16Full = Tensors.toFloats(m.logits(all).select(1, 11));
            Llama.KvCache cache = m.newCache(2, 16);
            int[] head = new int[2 * 8], tail = new int[2 * 4];
            for (int r = 0; r < 2; r++) {
                System.arraycopy(ids, r * 12, head, r * 8, 8);
                System.arraycopy(ids, r * 12 + 8, tail, r * 4, 4);
            }
            m.stepLogits(Tensors.longs(m.device, head, 2, 8), cache, 0, null, null);
            bf16Cached = Tensors.toFloats(m.stepLogits(Tensors.longs(m.device, tail, 2, 4), cache, 8, null, null));
        } finally {
            m.setPrecision(Precision.FP32);
        }
        double maxCached = 0, maxFp32 = 0;
        for (int i = 0; i < bf16Full.length; i++) {
            maxCached = Math.max(maxCached, Math.abs(bf16Cached[i] - bf16Full[i]));
            maxFp32 = Math.max(maxFp32, Math.abs(bf16Full[i] - fp32Full[i]));
        }
        assertTrue(maxCached <= 0.05, "cached against full bf16 logits: " + maxCached);
        assertTrue(maxFp32 > 0 && maxFp32 <= 0.1, "bf16 against fp32 logits: " + maxFp32);
    }

    /** The precision option: named values, auto (pinned to fp32 for this suite, else the hardware check), bad values. */
    @Test
    void precisionOptionResolvesAndAutoSaysWhy() {
        assertEquals(Precision.BF16, spec(1, "bf16").precision());
        assertEquals(Precision.FP32, spec(1, "fp32").precision());
        Precision.Choice pinned = Precision.choose("auto", Device.CPU);
        assertEquals(Precision.FP32, pinned.precision(), "the suite pins auto to fp32 (pom.xml)");
        assertTrue(pinned.reason().contains("-Drho.precision"), pinned.reason());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> spec(1, "fp16"));
        assertTrue(e.getMessage().contains("fp32, bf16 or auto"), e.getMessage());
        String was = System.clearProperty("rho.precision");
        try { // the hardware check itself: AMX, or the probe's two figures
            Precision.Choice hw = Precision.auto(Device.CPU);
            assertTrue(hw.reason().contains("AMX") || hw.reason().contains("matmul probe: bf16"), hw.reason());
        } finally {
            if (was != null) System.setProperty("rho.precision", was);
        }
    }

    /** The policy scope nests and restores: autocast is off again after it, and fp32 leaves everything alone. */
    @Test
    void computeScopesNestAndRestore() {
        Engine.init();
        assertTrue(!Engine.lowPrecision(Device.CPU));
        try (Engine.Scope outer = Engine.compute(Precision.BF16, Device.CPU)) {
            try (Engine.Scope inner = Engine.compute(Precision.BF16, Device.CPU)) {
                assertTrue(Engine.lowPrecision(Device.CPU));
            }
            assertTrue(Engine.lowPrecision(Device.CPU), "the inner scope restored the outer one's state");
            try (Engine.Scope f = Engine.compute(Precision.FP32, Device.CPU)) {
                assertTrue(!Engine.lowPrecision(Device.CPU), "an fp32 scope computes in fp32 inside a bf16 one");
            }
            assertTrue(Engine.lowPrecision(Device.CPU), "and restores bf16 after it");
        }
        assertTrue(!Engine.lowPrecision(Device.CPU));
    }
}
