package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;
import rho4j.PythonTorch;
import rho4j.data.TokenStore;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Tensors;
import rho4j.model.AdamW;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.util.Json;

/**
 * One real optimizer step of the Trainer in float64 against bench/peer.py's independent step (plain PyTorch autograd,
 * its own selection code, torch's clip_grad_norm_ and AdamW): from the same weights and the same batch, the loss
 * (the mean over the selected tokens of the whole optimizer batch, whatever the micro-batch split), the gradient norm
 * before clipping and every updated weight agree within 1e-10, for CLM and SLM with every scope, unit and score.
 */
class StepParityTest {
    static final LlamaConfig CFG = new LlamaConfig(64, 24, 2, 4, 2, 40, 16, 10000, 1e-5, false);
    static final int MICRO = 2, T = 16;
    static final long SEED = 3;
    // eps near the gradients' size, so the first AdamW step depends on the gradients' scale and not only their sign
    static final AdamW.Hyper ADAM = new AdamW.Hyper(0.9, 0.95, 1e-3, 0.1);
    static final double LR = 1e-2, CLIP_ACTS = 0.05, CLIP_IDLE = 1e3;

    record Case(String name, Selection sel, int accum, double clip) {}

    static Selection slm(double ratio, ScoreFunction f, SelectionScope scope, SelectionUnit unit) { return Selection.slm(ratio, f, scope, unit); }

    static final List<Case> CASES = List.of(
            new Case("clm accum 1", Selection.clm(), 1, CLIP_IDLE),
            new Case("clm accum 4 clipped", Selection.clm(), 4, CLIP_ACTS),
            new Case("excess sequence token accum 2", slm(0.6, ScoreFunction.EXCESS, SelectionScope.SEQUENCE, SelectionUnit.TOKEN), 2, CLIP_IDLE),
            new Case("excess micro-batch token accum 4 clipped", slm(0.6, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN), 4, CLIP_ACTS),
            new Case("excess batch token accum 4", slm(0.5, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN), 4, CLIP_IDLE),
            new Case("excess batch token accum 1 clipped", slm(0.7, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN), 1, CLIP_ACTS),
            new Case("excess sequence document accum 1", slm(0.6, ScoreFunction.EXCESS, SelectionScope.SEQUENCE, SelectionUnit.DOCUMENT), 1, CLIP_IDLE),
            new Case("excess micro-batch document accum 2 clipped", slm(0.5, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.DOCUMENT), 2, CLIP_ACTS),
            new Case("excess batch document accum 4", slm(0.4, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.DOCUMENT), 4, CLIP_IDLE),
            new Case("excess+entropy micro-batch token accum 2", slm(0.7, ScoreFunction.EXCESS_AND_ENTROPY, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN), 2, CLIP_IDLE),
            new Case("excess+entropy batch document accum 2 clipped", slm(0.6, ScoreFunction.EXCESS_AND_ENTROPY, SelectionScope.BATCH, SelectionUnit.DOCUMENT), 2, CLIP_ACTS),
            new Case("reference sequence token accum 2", slm(0.5, ScoreFunction.REFERENCE, SelectionScope.SEQUENCE, SelectionUnit.TOKEN), 2, CLIP_IDLE),
            new Case("entropy batch token accum 4", slm(0.3, ScoreFunction.ENTROPY, SelectionScope.BATCH, SelectionUnit.TOKEN), 4, CLIP_IDLE));

    @Test
    void oneTrainerStepMatchesThePeerForEveryObjectiveScopeUnitAndSplit(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("store"), CFG.vocabSize(), 200, 4);
        Llama init = new Llama(CFG, Device.CPU, DType.FP64, 17);
        Llama ref = new Llama(CFG, Device.CPU, DType.FP32, 29); // the reference model, run on the fly

        ObjectNode in = Json.MAPPER.createObjectNode();
        in.putObject("config").put("dim", CFG.dim()).put("layers", CFG.nLayers()).put("heads", CFG.nHeads()).put("kv_heads", CFG.nKvHeads())
                .put("ffn", CFG.ffnDim()).put("vocab", CFG.vocabSize()).put("ctx", CFG.contextLength()).put("norm_eps", CFG.normEps())
                .put("rope_theta", CFG.ropeTheta()).put("tie", false);
        ObjectNode w = in.putObject("weights");
        for (Map.Entry<String, Tensor> e : init.parameters().entrySet()) w.set(metaName(e.getKey()), nested(Tensors.toDoubles(e.getValue()), Tensors.shape(e.getValue())));
        ArrayNode cases = in.putArray("cases");
        List<StepOut> rho = new ArrayList<>();
        for (Case c : CASES) {
            TrainSpec tc = spec(c);
            cases.add(peerCase(tc, store, ref, c));
            rho.add(trainOneStep(tc, store, ref, new Llama(CFG, Device.CPU, DType.FP64, init.parameters()), tmp.resolve("run-" + rho.size())));
        }
        Files.writeString(tmp.resolve("in.json"), in.toString());
        PythonTorch.run(Files.readString(Path.of("bench/peer.py").toAbsolutePath()), "--check-step", tmp.resolve("in.json").toString(), tmp.resolve("out.json").toString());
        JsonNode out = Json.MAPPER.readTree(tmp.resolve("out.json").toFile()).get("cases");

        int clipped = 0, rescaled = 0;
        for (int k = 0; k < CASES.size(); k++) {
            Case c = CASES.get(k);
            JsonNode p = out.get(k);
            StepOut r = rho.get(k);
            assertEquals(p.get("selected").asLong(), r.selected, c.name + ": tokens selected");
            assertEquals(p.get("loss").asDouble(), r.loss, 1e-10, c.name + ": loss");
            assertEquals(p.get("grad_norm").asDouble(), r.gradNorm, 1e-10, c.name + ": gradient norm before clipping");
            for (Map.Entry<String, double[]> e : r.weights.entrySet()) {
                double[] exp = flat(p.get("weights").get(metaName(e.getKey())));
                assertEquals(exp.length, e.getValue().length, c.name + " " + e.getKey());
                for (int i = 0; i < exp.length; i++) assertEquals(exp[i], e.getValue()[i], 1e-10, c.name + ": " + e.getKey() + "[" + i + "]");
            }
            if (p.get("clipped").asBoolean()) clipped++;
            if (r.selected != targetCount(c)) rescaled++;
        }
        // The cases exercise what they claim: clipping acts in some and not in others; whole documents and
        // intersections select a count other than the target, so the rescale to the true count matters.
        assertTrue(clipped > 0 && clipped < CASES.size(), clipped + " of " + CASES.size() + " steps clipped");
        assertTrue(rescaled >= 3, rescaled + " steps selected other than the target count");
    }

    /** The run specification of a case, through the same option names as `rho train`. */
    static TrainSpec spec(Case c) {
        Map<String, Object> o = new java.util.LinkedHashMap<>(Map.of("preset", "tiny", "dim", CFG.dim(), "ffn", CFG.ffnDim(), "context", T,
                "seed", SEED, "micro-batch", MICRO, "batch-tokens", (long) c.accum * MICRO * T, "steps", 2, "warmup", 0, "lr", LR));
        o.putAll(Map.of("min-lr", LR, "eval-every", 0, "ckpt-every", 0, "log-every", 1000, "beta1", ADAM.beta1(), "beta2", ADAM.beta2(),
                "eps", ADAM.eps(), "weight-decay", ADAM.weightDecay(), "clip", c.clip));
        if (c.sel.selective())
            o.putAll(Map.of("objective", "slm", "ratio", c.sel.ratio(), "score", c.sel.score().id, "scope", c.sel.scope().id(), "unit", c.sel.unit().id()));
        TrainSpec spec = TrainSpec.of(o, CFG.vocabSize());
        assertEquals(CFG, spec.model());
        assertEquals(c.sel, spec.selection());
        return spec;
    }

    /** round_half_up(k * valid) summed over the scopes of one step (every target is valid here). */
    private static long targetCount(Case c) {
        if (c.sel.keepsAll()) return (long) c.accum * MICRO * T;
        return switch (c.sel.scope()) {
            case SEQUENCE -> c.accum * MICRO * Math.round(Math.floor(c.sel.ratio() * T + 0.5));
            case MICRO_BATCH -> c.accum * Math.round(Math.floor(c.sel.ratio() * MICRO * T + 0.5));
            case BATCH -> Math.round(Math.floor(c.sel.ratio() * c.accum * MICRO * T + 0.5));
        };
    }

    record StepOut(double loss, double gradNorm, long selected, Map<String, double[]> weights) {}

    private static StepOut trainOneStep(TrainSpec tc, TokenStore store, Llama ref, Llama model, Path run) throws Exception {
        Trainer t = new Trainer(tc, model, store, null, new Reference.Online(ref), run, null, false, TrainerTest.QUIET);
        t.train(1);
        JsonNode m = Json.MAPPER.readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
        assertEquals("train", m.get("type").asText());
        Map<String, double[]> w = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : t.model().parameters().entrySet()) w.put(e.getKey(), Tensors.toDoubles(e.getValue()));
        return new StepOut(m.get("loss").asDouble(), m.get("grad_norm").asDouble(), m.get("tokens_trained").asLong(), w);
    }

    /**
     * The batch of step 1 as the documented packing defines it: the first windows of the seed's order (window w holds
     * tokens [wT, wT + T]), each target's document, and the reference model's losses and entropies on those windows.
     */
    private static ObjectNode peerCase(TrainSpec tc, TokenStore store, Llama ref, Case c) {
        int n = tc.sequencesPerStep();
        WindowSampler sampler = new WindowSampler(store.size(), T, tc.seed());
        int[] x = new int[n * T], y = new int[n * T], doc = new int[n * T], buf = new int[T + 1];
        for (int s = 0; s < n; s++) {
            long start = sampler.window(s) * T;
            store.read(start, buf, 0, T + 1);
            for (int t = 0; t < T; t++) {
                x[s * T + t] = buf[t];
                y[s * T + t] = buf[t + 1];
                doc[s * T + t] = store.docOf(start + 1 + t);
            }
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.set("tokens", rows(x, n));
        o.set("targets", rows(y, n));
        o.set("docs", rows(doc, n));
        o.put("micro_batch", MICRO);
        if (c.sel.selective()) {
            float[] loss = new float[n * T], ent = new float[n * T];
            try (var ng = new org.bytedeco.pytorch.NoGradGuard()) {
                for (int s0 = 0; s0 < n; s0 += MICRO) { // micro-batch groups, as the trainer scores them
                    int[] xs = java.util.Arrays.copyOfRange(x, s0 * T, (s0 + MICRO) * T), ys = java.util.Arrays.copyOfRange(y, s0 * T, (s0 + MICRO) * T);
                    float[][] le = ref.scoreTokens(xs, ys, MICRO, T, true);
                    System.arraycopy(le[0], 0, loss, s0 * T, MICRO * T);
                    System.arraycopy(le[1], 0, ent, s0 * T, MICRO * T);
                }
            }
            o.set("ref_loss", rows(loss, n));
            o.set("ref_entropy", rows(ent, n));
        }
        o.putObject("selection").put("objective", c.sel.objective()).put("ratio", c.sel.ratio()).put("score", c.sel.score().id)
                .put("scope", c.sel.scope().id()).put("unit", c.sel.unit().id());
        o.putObject("optimizer").put("lr", LR).put("beta1", ADAM.beta1()).put("beta2", ADAM.beta2()).put("eps", ADAM.eps())
                .put("weight_decay", ADAM.weightDecay()).put("clip", c.clip);
        return o;
    }

    /** The peer's (Meta's) name of a Hugging Face parameter name. */
    static String metaName(String hf) { return rho4j.model.PeerParityTest.metaName(hf); }

    private static ArrayNode rows(int[] v, int n) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int r = 0; r < n; r++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < T; t++) row.add(v[r * T + t]);
        }
        return a;
    }

    private static ArrayNode rows(float[] v, int n) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int r = 0; r < n; r++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < T; t++) {
                if (Float.isNaN(v[r * T + t])) row.addNull();
                else row.add((double) v[r * T + t]);
            }
        }
        return a;
    }

    private static JsonNode nested(double[] v, long[] shape) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        if (shape.length == 1) {
            for (double d : v) a.add(d);
            return a;
        }
        int cols = (int) shape[1];
        for (int r = 0; r < shape[0]; r++) {
            ArrayNode row = a.addArray();
            for (int c = 0; c < cols; c++) row.add(v[r * cols + c]);
        }
        return a;
    }

    private static double[] flat(JsonNode n) {
        List<Double> out = new ArrayList<>();
        walk(n, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void walk(JsonNode n, List<Double> out) {
        if (n.isArray()) for (JsonNode c : n) walk(c, out);
        else out.add(n.asDouble());
    }
}
