package rho4j.model;

import static org.bytedeco.pytorch.global.torch.linear;
import static rho4j.engine.Tensors.s;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import rho4j.engine.Tensors;

/**
 * The output head and the cross-entropy of training, fused and done by hand in row chunks, so that:
 * the logits (N, V) are made once and no log-softmax copy or separate logits gradient is materialised; the
 * backward pass (softmax - one-hot, then the two head products) runs on the selected rows only, which is where
 * selective training saves head compute. The rest of the network is differentiated by autograd from the gradient
 * of the final hidden states.
 * <pre>
 *   FusedHeadLoss f = FusedHeadLoss.forward(hidden, W, targets);   // hidden (B, T, D) with graph, W (V, D)
 *   float[] losses = f.losses();                                 // (B*T): -log P(target)
 *   f.backward(weights);                                         // weights (B*T): d objective / d loss_i
 * </pre>
 */
public final class FusedHeadLoss {
    /** Rows per chunk: a 512 x V chunk of logits stays within a few MB of cache. */
    static final int CHUNK = 512;

    private final Tensor hidden, flat, head, targets;
    private final List<Tensor> logits = new ArrayList<>(), lse = new ArrayList<>();
    private final float[] losses;
    private final long n, v;

    private FusedHeadLoss(Tensor hidden, Tensor head, Tensor targets) {
        this.hidden = hidden;
        this.head = head;
        this.n = hidden.numel() / hidden.size(-1);
        this.v = head.size(0);
        this.flat = hidden.detach().reshape(n, hidden.size(-1)); // (N, D), no graph: the head is differentiated by hand
        this.targets = targets.reshape(n);
        this.losses = new float[(int) n];
    }

    /** Logits chunk by chunk, log-sum-exp and the target logit per row; keeps the logits for the backward pass. */
    public static FusedHeadLoss forward(Tensor hidden, Tensor head, Tensor targets) {
        FusedHeadLoss f = new FusedHeadLoss(hidden, head, targets);
        try (NoGradGuard ng = new NoGradGuard()) {
            for (long r0 = 0; r0 < f.n; r0 += CHUNK) {
                long c = Math.min(CHUNK, f.n - r0);
                Tensor z = linear(f.flat.narrow(0, r0, c), head.detach()); // (C, V)
                Tensor l = z.logsumexp(new long[] {1}, false); // (C)
                Tensor picked = z.gather(1, f.targets.narrow(0, r0, c).unsqueeze(1)).squeeze(1); // (C)
                System.arraycopy(Tensors.toFloats(l.sub(picked)), 0, f.losses, (int) r0, (int) c);
                f.logits.add(z);
                f.lse.add(l);
            }
        }
        return f;
    }

    /**
     * No-grad scoring: per-token losses and, if asked, the predictive entropy (lse - sum softmax(z) z) of every
     * row, chunk by chunk, keeping nothing: {losses, entropies or null}, row-major (B*T).
     */
    public static float[][] score(Tensor hidden, Tensor head, Tensor targets, boolean entropy) {
        long n = hidden.numel() / hidden.size(-1);
        Tensor flat = hidden.detach().reshape(n, hidden.size(-1)), tgt = targets.reshape(n), w = head.detach();
        float[] loss = new float[(int) n], ent = entropy ? new float[(int) n] : null;
        try (NoGradGuard ng = new NoGradGuard()) {
            for (long r0 = 0; r0 < n; r0 += CHUNK) {
                long c = Math.min(CHUNK, n - r0);
                Tensor z = linear(flat.narrow(0, r0, c), w); // (C, V)
                Tensor l = z.logsumexp(new long[] {1}, false); // (C)
                System.arraycopy(Tensors.toFloats(l.sub(z.gather(1, tgt.narrow(0, r0, c).unsqueeze(1)).squeeze(1))), 0, loss, (int) r0, (int) c);
                if (entropy) {
                    Tensor expected = z.softmax(1).mul_(z).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()); // (C)
                    System.arraycopy(Tensors.toFloats(l.sub(expected)), 0, ent, (int) r0, (int) c);
                }
            }
        }
        return new float[][] {loss, ent};
    }

    /** Per-token losses -log P(target | prefix), row-major (B*T). */
    public float[] losses() { return losses; }

    /**
     * Back-propagates sum_i weights[i] * loss_i: rows with weight 0 cost nothing in the head. For row i,
     * d loss_i / d logits = softmax - one-hot(target); the head gradient is G^T h and the hidden gradient G W.
     */
    public void backward(float[] weights) {
        int d = (int) flat.size(1);
        Tensor gradHidden = torch.zeros(new long[] {n, d}, new org.bytedeco.pytorch.TensorOptions(flat.scalar_type().intern()));
        Tensor gradHead = torch.zeros_like(head.detach());
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int k = 0; k < logits.size(); k++) {
                long r0 = (long) k * CHUNK, c = logits.get(k).size(0);
                List<Long> rows = new ArrayList<>();
                for (long i = 0; i < c; i++) if (weights[(int) (r0 + i)] != 0) rows.add(i);
                if (rows.isEmpty()) continue;
                long[] idx = new long[rows.size()], flatTarget = new long[rows.size()];
                double[] w = new double[rows.size()];
                long[] tgt = Tensors.toLongs(targets.narrow(0, r0, c));
                for (int j = 0; j < idx.length; j++) {
                    idx[j] = rows.get(j);
                    flatTarget[j] = j * v + tgt[(int) idx[j]];
                    w[j] = weights[(int) (r0 + idx[j])];
                }
                Tensor sel = Tensors.longs(idx, idx.length);
                Tensor g = logits.get(k).index_select(0, sel); // (S, V) logits of the selected rows
                g.sub_(lse.get(k).index_select(0, sel).unsqueeze(1)).exp_(); // softmax
                g.view(-1).index_add_(0, Tensors.longs(flatTarget, flatTarget.length),
                        torch.full(new long[] {idx.length}, s(-1.0), new org.bytedeco.pytorch.TensorOptions(g.scalar_type().intern()))); // - one-hot
                g.mul_(Tensors.doubles(w, idx.length, 1).to(g.scalar_type().intern())); // (S, V) d objective / d logits
                Tensor h = flat.narrow(0, r0, c).index_select(0, sel); // (S, D)
                gradHidden.narrow(0, r0, c).index_copy_(0, sel, g.matmul(head.detach())); // (S, D)
                gradHead.addmm_(g.t(), h); // (V, D) += G^T h
            }
        }
        // Hand both gradients to autograd: d/dh of sum(h * gH) is gH, d/dW of sum(W * gW) is gW (added to W.grad,
        // together with any gradient W gets through a tied embedding).
        hidden.mul(gradHidden.view(hidden.sizes())).sum().add(head.mul(gradHead).sum()).backward();
    }
}
