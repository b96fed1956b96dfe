package rho4j.model;

import rho4j.engine.Engine;
import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import rho4j.engine.Device;
import rho4j.engine.Tensors;

/** Backward of the whole model (float64) against central finite differences of the forward loss. */
class LlamaGradientTest {
    // GQA (4 heads, 2 kv heads), tied head off, short context: every code path of training is exercised.
    static final LlamaConfig CFG = new LlamaConfig(23, 16, 2, 4, 2, 24, 8, 10000, 1e-5, false);

    @Test
    void gradientsMatchFiniteDifferences() {
        check(CFG);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithTiedHead() {
        check(CFG.withTied(true));
    }

    @Test
    void noGradForwardWithItsInPlaceOpsEqualsTheAutogradForward() {
        Llama m = new Llama(CFG.withContext(16), Device.CPU, DType.FP32, 2);
        long[] x = new long[3 * 16];
        for (int i = 0; i < x.length; i++) x[i] = (i * 7) % CFG.vocabSize();
        Tensor xi = Tensors.longs(Device.CPU, x, 3, 16);
        float[] withGraph = Tensors.toFloats(m.hidden(xi));
        float[] noGraph;
        try (Engine.Scope ng = Engine.noGrad()) {
            noGraph = Tensors.toFloats(m.hidden(xi));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(withGraph, noGraph, 0f, "same kernels, in place or not (MLP, RoPE, residual adds): bit for bit");
    }

    @Test
    void randomInitIsRandnTimesStdDrawnInPlace() {
        LlamaConfig cfg = CFG.withContext(16);
        Llama m = new Llama(cfg, Device.CPU, DType.FP32, 11);
        // The documented init, written out: seed, then per parameter in order randn(shape) * std (ones for norms).
        org.bytedeco.pytorch.global.torch.manual_seed(11);
        double std = 0.02, resid = 0.02 / Math.sqrt(2.0 * cfg.nLayers());
        for (String name : Llama.parameterNames(cfg)) {
            float[] got = Tensors.toFloats(m.parameters().get(name));
            if (name.endsWith("norm.weight")) {
                for (float f : got) assertEquals(1f, f, 0f, name);
                continue;
            }
            boolean r = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight");
            float[] want = Tensors.toFloats(org.bytedeco.pytorch.global.torch.randn(Tensors.shape(m.parameters().get(name))).mul_(Tensors.s(r ? resid : std)));
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 0f, name);
        }
    }

    private static void check(LlamaConfig cfg) {
        Llama m = new Llama(cfg, Device.CPU, DType.FP64, 7);
        SplittableRandom r = new SplittableRandom(3);
        int b = 2, t = 6;
        long[] x = new long[b * t], y = new long[b * t];
        for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(cfg.vocabSize()); y[i] = r.nextInt(cfg.vocabSize()); }
        Tensor xi = Tensors.longs(Device.CPU, x, b, t), yi = Tensors.longs(Device.CPU, y, b, t);
        Tensor loss = m.tokenLosses(xi, yi).mean();
        loss.backward();
        double eps = 1e-6;
        int checked = 0;
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
            Tensor p = e.getValue();
            double[] grad = Tensors.toDoubles(p.grad());
            Tensor flat = p.detach().view(-1);
            // A handful of coordinates per tensor, spread over it, keeps the test fast while touching every parameter.
            for (int k = 0; k < 4; k++) {
                int i = r.nextInt((int) flat.numel());
                double orig = flat.get(i).item_double(), plus, minus;
                try (Engine.Scope ng = Engine.noGrad()) {
                    flat.get(i).fill_(Tensors.s(orig + eps));
                    plus = m.tokenLosses(xi, yi).mean().item_double();
                    flat.get(i).fill_(Tensors.s(orig - eps));
                    minus = m.tokenLosses(xi, yi).mean().item_double();
                    flat.get(i).fill_(Tensors.s(orig));
                }
                double fd = (plus - minus) / (2 * eps);
                assertEquals(fd, grad[i], 1e-7 + 1e-5 * Math.abs(fd), e.getKey() + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked >= 4 * 10);
    }
}
