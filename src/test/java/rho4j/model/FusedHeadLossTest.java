package rho4j.model;

import rho4j.engine.Engine;
import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import rho4j.engine.Device;
import rho4j.engine.Tensors;

/** The hand-fused head + cross-entropy against autograd through logits and cross_entropy (float64). */
class FusedHeadLossTest {
    @Test
    void lossesAndGradientsEqualAutogradWithAMask() { check(false, 0.6); }

    @Test
    void tiedHeadAndEveryRowSelected() { check(true, 1.0); }

    private static void check(boolean tied, double keep) {
        LlamaConfig cfg = new LlamaConfig(29, 16, 2, 4, 2, 24, 256, 10000, 1e-5, tied);
        int b = 3, t = 200; // 600 rows: two chunks, the second partial
        SplittableRandom r = new SplittableRandom(4);
        long[] x = new long[b * t], y = new long[b * t];
        float[] w = new float[b * t];
        double[] wd = new double[b * t];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(cfg.vocabSize());
            y[i] = r.nextInt(cfg.vocabSize());
            wd[i] = w[i] = r.nextDouble() < keep ? 1f / 400 : 0f;
        }
        Tensor xi = Tensors.longs(Device.CPU, x, b, t), yi = Tensors.longs(Device.CPU, y, b, t);

        Llama a = new Llama(cfg, Device.CPU, DType.FP64, 9);
        Tensor losses = a.tokenLosses(xi, yi);
        losses.mul(Tensors.doubles(Device.CPU, wd, b, t)).sum().backward();
        Map<String, double[]> expected = new LinkedHashMap<>();
        a.parameters().forEach((k, p) -> expected.put(k, Tensors.toDoubles(p.grad())));

        Llama f = new Llama(cfg, Device.CPU, DType.FP64, 9);
        FusedHeadLoss fused = FusedHeadLoss.forward(f.hidden(xi), f.headWeight(), yi);
        float[] exp;
        try (Engine.Scope ng = Engine.noGrad()) {
            exp = Tensors.toFloats(losses);
        }
        assertArrayEquals(exp, fused.losses(), 1e-6f);
        fused.backward(w);
        for (var e : f.parameters().entrySet()) {
            double[] g = Tensors.toDoubles(e.getValue().grad()), want = expected.get(e.getKey());
            for (int i = 0; i < g.length; i++) assertEquals(want[i], g[i], 1e-7 + 1e-6 * Math.abs(want[i]), e.getKey() + "[" + i + "]");
        }
    }
}
