package rho4j.model;

import rho4j.train.LrSchedule;
import rho4j.engine.Device;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import rho4j.PythonTorch;
import rho4j.engine.Engine;
import rho4j.engine.Tensors;

class AdamWTest {
    static final String SCRIPT = """
            import torch
            w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64, requires_grad=True)
            b = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
            opt = torch.optim.AdamW([{'params': [w], 'weight_decay': 0.1}, {'params': [b], 'weight_decay': 0.0}],
                                    lr=0.05, betas=(0.9, 0.95), eps=1e-8)
            grads = [([[1, -1], [0, 2]], [0.5, -3]), ([[0.5, 2], [-1, 0.1]], [1, 1]), ([[-3, 0.1], [1, 1]], [-0.2, 4])]
            lrs = [0.05, 0.03, 0.01]
            for (gw, gb), lr in zip(grads, lrs):
                for g in opt.param_groups: g['lr'] = lr
                opt.zero_grad()
                w.grad = torch.tensor(gw, dtype=torch.float64); b.grad = torch.tensor(gb, dtype=torch.float64)
                opt.step()
            print(' '.join(repr(v) for v in w.detach().flatten().tolist() + b.detach().tolist()))
            """;

    @Test
    void matchesTorchOptimAdamW() throws Exception {
        double[] expected = Arrays.stream(PythonTorch.run(SCRIPT).trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
        Engine.init();
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", Tensors.doubles(Device.CPU, new double[] {1, -2, 0.5, 3}, 2, 2).set_requires_grad(true));
        params.put("b", Tensors.doubles(Device.CPU, new double[] {0.3, -0.7}, 2).set_requires_grad(true));
        AdamW opt = new AdamW(params, new AdamW.Hyper(0.9, 0.95, 1e-8, 0.1));
        double[][] gw = {{1, -1, 0, 2}, {0.5, 2, -1, 0.1}, {-3, 0.1, 1, 1}}, gb = {{0.5, -3}, {1, 1}, {-0.2, 4}};
        double[] lrs = {0.05, 0.03, 0.01};
        for (int s = 0; s < 3; s++) {
            // Gradients arrive through autograd, as in training: d/dp sum(p * g) = g.
            params.get("w").mul(Tensors.doubles(Device.CPU, gw[s], 2, 2)).sum().add(params.get("b").mul(Tensors.doubles(Device.CPU, gb[s], 2)).sum()).backward();
            opt.step(lrs[s]);
            opt.zeroGrad();
        }
        double[] got = new double[6];
        System.arraycopy(Tensors.toDoubles(params.get("w")), 0, got, 0, 4);
        System.arraycopy(Tensors.toDoubles(params.get("b")), 0, got, 4, 2);
        assertArrayEquals(expected, got, 1e-12);
        assertEquals(3, opt.stepCount());
    }

    /** Gradients w = [[3, 0], [0, 4]], b = [0, 0]: global norm 5. */
    private static Map<String, Tensor> withGradients() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", Tensors.doubles(Device.CPU, new double[] {1, 1, 1, 1}, 2, 2).set_requires_grad(true));
        params.put("b", Tensors.doubles(Device.CPU, new double[] {1, 1}, 2).set_requires_grad(true));
        params.put("unused", Tensors.doubles(Device.CPU, new double[] {1}, 1).set_requires_grad(true)); // no gradient: skipped
        params.get("w").mul(Tensors.doubles(Device.CPU, new double[] {3, 0, 0, 4}, 2, 2)).sum().add(params.get("b").mul(Tensors.doubles(Device.CPU, new double[] {0, 0}, 2)).sum()).backward();
        return params;
    }

    @Test
    void clippingScalesByMaxOverNormAndLeavesSmallGradientsExactlyAlone() {
        Engine.init();
        Map<String, Tensor> p = withGradients();
        AdamW opt = new AdamW(p, AdamW.Hyper.defaults());
        assertEquals(5.0, opt.clipGradNorm(1.0), 1e-12, "returns the norm before clipping");
        double c = 1.0 / (5.0 + 1e-6); // torch.nn.utils.clip_grad_norm_'s coefficient
        assertArrayEquals(new double[] {3 * c, 0, 0, 4 * c}, Tensors.toDoubles(p.get("w").grad()), 1e-15);
        assertEquals(1.0, opt.clipGradNorm(0), 1e-6, "maxNorm 0: norm only");

        Map<String, Tensor> q = withGradients();
        AdamW opt2 = new AdamW(q, AdamW.Hyper.defaults());
        assertEquals(5.0, opt2.clipGradNorm(10.0), 1e-12);
        assertArrayEquals(new double[] {3, 0, 0, 4}, Tensors.toDoubles(q.get("w").grad()), 0.0, "below the limit: bit for bit unchanged");

        // Same numbers as libtorch's own clip_grad_norm_ (the function this one replaces).
        Map<String, Tensor> r = withGradients();
        double theirs = org.bytedeco.pytorch.global.torch.clip_grad_norm_(new org.bytedeco.pytorch.TensorVector(r.values().toArray(new Tensor[0])), 1.0);
        assertEquals(theirs, 5.0, 1e-12);
        assertArrayEquals(Tensors.toDoubles(r.get("w").grad()), Tensors.toDoubles(p.get("w").grad()), 1e-15);
    }

    @Test
    void zeroGradDropsTheGradients() {
        Engine.init();
        Map<String, Tensor> p = withGradients();
        new AdamW(p, AdamW.Hyper.defaults()).zeroGrad();
        for (Tensor t : p.values()) assertEquals(false, t.grad().defined());
    }

    @Test
    void learningRateScheduleByHand() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, s.lr(0), 1e-15);          // warmup: peak * 1/10
        assertEquals(5e-4, s.lr(4), 1e-15);          // peak * 5/10
        assertEquals(1e-3, s.lr(9), 1e-15);          // warmup reaches the peak
        assertEquals(1e-3, s.lr(10), 1e-15);         // cosine starts at the peak
        assertEquals(5.5e-4, s.lr(60), 1e-15);       // halfway: min + (peak - min) / 2
        // a quarter of the way: min + 0.5 (peak - min)(1 + cos(pi/4)) = 1e-4 + 4.5e-4 * 1.70710678...
        assertEquals(1e-4 + 4.5e-4 * (1 + Math.sqrt(0.5)), s.lr(35), 1e-15);
        assertEquals(1e-4, s.lr(110), 1e-15);
        assertEquals(1e-4, s.lr(500), 1e-15);
    }
}
