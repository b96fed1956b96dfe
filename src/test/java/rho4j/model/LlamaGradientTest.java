package rho4j.model;

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

    private static void check(LlamaConfig cfg) {
        Llama m = new Llama(cfg, Device.CPU, ScalarType.Double, 7);
        SplittableRandom r = new SplittableRandom(3);
        int b = 2, t = 6;
        long[] x = new long[b * t], y = new long[b * t];
        for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(cfg.vocabSize()); y[i] = r.nextInt(cfg.vocabSize()); }
        Tensor xi = Tensors.longs(x, b, t), yi = Tensors.longs(y, b, t);
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
                try (NoGradGuard ng = new NoGradGuard()) {
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
