package rho4j.model;

import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.PythonTorch;
import rho4j.engine.Device;
import rho4j.engine.Tensors;
import rho4j.util.Json;

/**
 * Forward and backward against an independent implementation: bench/peer.py (plain PyTorch 1.13, its own RMSNorm,
 * RoPE, explicit softmax attention with repeated kv heads) in float64. Logits, per-token losses and every gradient
 * must agree.
 */
public class PeerParityTest {
    /** bench/peer.py names parameters as Meta's reference code does. */
    public static String metaName(String hf) {
        return hf.replace("model.embed_tokens.weight", "tok_embeddings.weight").replace("model.norm.weight", "norm.weight")
                .replace("lm_head.weight", "output.weight").replace("model.layers.", "layers.")
                .replace("input_layernorm", "attention_norm").replace("post_attention_layernorm", "ffn_norm")
                .replace("self_attn.q_proj", "attention.wq").replace("self_attn.k_proj", "attention.wk")
                .replace("self_attn.v_proj", "attention.wv").replace("self_attn.o_proj", "attention.wo")
                .replace("mlp.gate_proj", "feed_forward.w1").replace("mlp.up_proj", "feed_forward.w3").replace("mlp.down_proj", "feed_forward.w2");
    }

    @Test
    void forwardAndGradientsMatchThePyTorchPeer(@TempDir Path tmp) throws Exception {
        LlamaConfig cfg = new LlamaConfig(37, 24, 2, 6, 2, 40, 12, 10000, 1e-5, false);
        Llama m = new Llama(cfg, Device.CPU, DType.FP64, 5);
        int b = 2, t = 9;
        SplittableRandom r = new SplittableRandom(1);
        long[] x = new long[b * t], y = new long[b * t];
        for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(cfg.vocabSize()); y[i] = r.nextInt(cfg.vocabSize()); }

        ObjectNode in = Json.MAPPER.createObjectNode();
        in.putObject("config").put("dim", cfg.dim()).put("layers", cfg.nLayers()).put("heads", cfg.nHeads()).put("kv_heads", cfg.nKvHeads())
                .put("ffn", cfg.ffnDim()).put("vocab", cfg.vocabSize()).put("ctx", cfg.contextLength()).put("batch", b)
                .put("norm_eps", cfg.normEps()).put("rope_theta", cfg.ropeTheta()).put("tie", false);
        ObjectNode w = in.putObject("weights");
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) w.set(metaName(e.getKey()), nested(Tensors.toDoubles(e.getValue()), Tensors.shape(e.getValue())));
        in.set("tokens", ids(x, b, t));
        in.set("targets", ids(y, b, t));
        Files.writeString(tmp.resolve("in.json"), in.toString());
        Path peer = Path.of("bench/peer.py").toAbsolutePath();
        PythonTorch.run(Files.readString(peer), "--check-forward", tmp.resolve("in.json").toString(), tmp.resolve("out.json").toString());
        JsonNode out = Json.MAPPER.readTree(tmp.resolve("out.json").toFile());

        Tensor xi = Tensors.longs(Device.CPU, x, b, t), yi = Tensors.longs(Device.CPU, y, b, t);
        double[] logits = Tensors.toDoubles(m.logits(xi));
        double[] expLogits = flat(out.get("logits"));
        assertEquals(expLogits.length, logits.length);
        for (int i = 0; i < logits.length; i++) assertEquals(expLogits[i], logits[i], 1e-10, "logit " + i);
        Tensor losses = m.tokenLosses(xi, yi);
        double[] l = Tensors.toDoubles(losses), expL = flat(out.get("losses"));
        for (int i = 0; i < l.length; i++) assertEquals(expL[i], l[i], 1e-10, "loss " + i);
        losses.mean().backward();
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
            double[] g = Tensors.toDoubles(e.getValue().grad()), exp = flat(out.get("grads").get(metaName(e.getKey())));
            assertEquals(exp.length, g.length, e.getKey());
            for (int i = 0; i < g.length; i++) assertEquals(exp[i], g[i], 1e-10, e.getKey() + "[" + i + "]");
        }
    }

    private static JsonNode ids(long[] v, int rows, int cols) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int r = 0; r < rows; r++) {
            ArrayNode row = a.addArray();
            for (int c = 0; c < cols; c++) row.add(v[r * cols + c]);
        }
        return a;
    }

    /** Row-major flat values -> nested JSON lists of the given shape. */
    static JsonNode nested(double[] v, long[] shape) {
        return nest(v, shape, 0, 0);
    }

    private static JsonNode nest(double[] v, long[] shape, int dim, int offset) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        long stride = 1;
        for (int d = dim + 1; d < shape.length; d++) stride *= shape[d];
        for (int i = 0; i < shape[dim]; i++) {
            if (dim == shape.length - 1) {
                a.add(v[offset + i]);
            } else a.add(nest(v, shape, dim + 1, (int) (offset + i * stride)));
        }
        return a;
    }

    private static double[] flat(JsonNode n) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        walk(n, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void walk(JsonNode n, java.util.List<Double> out) {
        if (n.isArray()) for (JsonNode c : n) walk(c, out);
        else out.add(n.asDouble());
    }
}
