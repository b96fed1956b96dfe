package rho4j.model;

import static rho4j.engine.Tensors.s;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import rho4j.engine.Engine;

/**
 * AdamW with decoupled weight decay, written out (rather than libtorch's optimizer) so its state is plain named
 * tensors we checkpoint and restore bit for bit, and so the binding's reversed-betas trap cannot bite.
 * Same arithmetic as torch.optim.AdamW (non-amsgrad, non-foreach):
 * p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 * Weight decay applies to matrices only (dim >= 2): never to norm weights or biases.
 */
public final class AdamW {
    public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
        public static Hyper defaults() { return new Hyper(0.9, 0.95, 1e-8, 0.1); }
    }

    private final Map<String, Tensor> params;
    private final Hyper h;
    private final Map<String, Tensor> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private long step;

    /** Parameters and state must live outside per-step memory scopes. */
    public AdamW(Map<String, Tensor> params, Hyper h) {
        this.params = params;
        this.h = h;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            m.put(e.getKey(), torch.zeros_like(e.getValue()).set_requires_grad(false));
            v.put(e.getKey(), torch.zeros_like(e.getValue()).set_requires_grad(false));
        }
    }

    public long stepCount() { return step; }

    public static boolean decays(Tensor p) { return p.dim() >= 2; }

    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(h.beta1(), step), bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2(), step));
        try (Engine.Scope ng = Engine.noGrad()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue(), g = p.grad();
                if (!g.defined()) continue;
                if (h.weightDecay() != 0 && decays(p)) p.mul_(s(1 - lr * h.weightDecay()));
                Tensor mm = m.get(e.getKey()), vv = v.get(e.getKey());
                mm.lerp_(g, s(1 - h.beta1()));
                vv.mul_(s(h.beta2())).addcmul_(g, g, s(1 - h.beta2()));
                Tensor denom = vv.sqrt().div_(s(bc2Sqrt)).add_(s(h.eps()));
                p.addcdiv_(mm, denom, s(-lr / bc1));
            }
        }
    }

    /**
     * Drops the gradients (as PyTorch's set_to_none): the first backward of the next step then hands its gradient
     * buffers over instead of adding into zeros, which saves a fill and an add pass over every parameter.
     */
    public void zeroGrad() {
        for (Tensor p : params.values()) p.mutable_grad().reset();
    }

    /** Multiplies every gradient by {@code factor} (turns summed losses into the mean over selected tokens). */
    public void scaleGrads(double factor) {
        try (Engine.Scope ng = Engine.noGrad()) {
            for (Tensor p : params.values()) {
                Tensor g = p.grad();
                if (g.defined()) g.mul_(s(factor));
            }
        }
    }

    /**
     * Global L2 norm of all gradients, then scaling so it is at most {@code maxNorm} (if positive), as
     * torch.nn.utils.clip_grad_norm_ (coefficient maxNorm / (norm + 1e-6), applied when below 1). Unlike libtorch's
     * version, gradients are not multiplied by a clamped coefficient of 1.0 when no clipping is needed: the same numbers
     * without a pass over every gradient. Returns the norm before clipping.
     */
    public double clipGradNorm(double maxNorm) {
        try (Engine.Scope ng = Engine.noGrad()) {
            // Per-tensor norms stay on the gradients' device; the one read-back below is the step's only host
            // synchronisation (a read per parameter would stall a GPU once per tensor). Squares summed in fp64.
            java.util.List<Tensor> norms = new java.util.ArrayList<>();
            for (Tensor p : params.values()) {
                Tensor g = p.grad();
                if (g.defined()) norms.add(g.norm().to(torch.ScalarType.Double));
            }
            if (norms.isEmpty()) return 0;
            double norm = torch.stack(new org.bytedeco.pytorch.TensorVector(norms.toArray(new Tensor[0]))).square().sum().sqrt().item_double();
            double coef = maxNorm / (norm + 1e-6);
            if (maxNorm > 0 && coef < 1)
                for (Tensor p : params.values()) {
                    Tensor g = p.grad();
                    if (g.defined()) g.mul_(s(coef));
                }
            return norm;
        }
    }

    /** State as named tensors: "exp_avg.NAME", "exp_avg_sq.NAME". */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        m.forEach((k, t) -> s.put("exp_avg." + k, t));
        v.forEach((k, t) -> s.put("exp_avg_sq." + k, t));
        return s;
    }

    /** Writes the moments and the step count to a safetensors file (part of a checkpoint). */
    public void save(Path file) throws IOException {
        Safetensors.write(file, state(), Map.of("step", Long.toString(step)));
    }

    /** Restores what {@link #save} wrote, bit for bit; {@code stepCount} is the optimizer steps taken so far. */
    public void restore(Path file, long stepCount) throws IOException {
        Map<String, Tensor> st = Safetensors.read(file);
        try {
            load(st, stepCount);
        } finally {
            st.values().forEach(Tensor::close);
        }
    }

    public void load(Map<String, Tensor> state, long stepCount) {
        try (Engine.Scope ng = Engine.noGrad()) {
            for (String k : params.keySet()) {
                Tensor a = state.get("exp_avg." + k), b = state.get("exp_avg_sq." + k);
                if (a == null || b == null) throw new IllegalArgumentException("optimizer state lacks moments for '" + k + "'");
                m.get(k).copy_(a);
                v.get(k).copy_(b);
            }
        }
        this.step = stepCount;
    }
}
