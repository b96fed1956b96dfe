package rho4j.model;

import static org.bytedeco.pytorch.global.torch.linear;
import static rho4j.engine.Tensors.s;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import rho4j.engine.Engine;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import rho4j.engine.Precision;
import rho4j.engine.Tensors;

/**
 * The output head and the cross-entropy of training, fused and done by hand in row chunks, so that each chunk of
 * logits is made once and replaced by its log-softmax, which the backward pass turns into the softmax in place (no
 * second copy, no separate logits gradient), and the backward pass (softmax - one-hot, then the two head products)
 * runs on the selected rows only, which is where selective training saves head compute. The rest of the network is
 * differentiated by autograd from the gradient of the final hidden states.
 * <pre>
 *   FusedHeadLoss f = FusedHeadLoss.forward(hidden, W, targets);   // hidden (B, T, D) with graph, W (V, D)
 *   float[] losses = f.losses();                                 // (B*T): -log P(target)
 *   f.backward(weights);                                         // weights (B*T): d objective / d loss_i
 * </pre>
 */
public final class FusedHeadLoss {
    /** Rows per chunk of training logits. */
    static final int CHUNK = 512;
    /**
     * Rows per chunk when scoring: 8 MiB of logits, smaller blocks than training's because scoring runs batch after
     * batch with nothing else alive and the allocator keeps the blocks' footprint (bench/README.md).
     */
    static int scoreChunk(long v, long elementBytes) { return (int) Math.max(32, (8L << 20) / (elementBytes * v)); }

    private final Tensor hidden, flat, head, targets;
    private final Precision precision;
    private final rho4j.engine.Device device;
    private final List<Tensor> logProbs = new ArrayList<>(); // (C, V) per chunk: log-softmax of the logits
    private final float[] losses;
    private final double[] exactLosses; // the same in the model's precision: a float64 run reports its loss to the last bits
    private final long n, v;

    private FusedHeadLoss(Tensor hidden, Tensor head, Tensor targets, Precision precision) {
        this.hidden = hidden;
        this.precision = precision;
        this.device = Tensors.deviceOf(hidden);
        this.head = head;
        this.n = hidden.numel() / hidden.size(-1);
        this.v = head.size(0);
        this.flat = hidden.detach().reshape(n, hidden.size(-1)); // (N, D), no graph: the head is differentiated by hand
        this.targets = targets.reshape(n);
        this.losses = new float[(int) n];
        this.exactLosses = new double[(int) n];
    }

    /**
     * Logits chunk by chunk and their log-softmax (one fused, vectorised kernel: about half the time of logsumexp plus
     * a subtraction); the loss is minus the target's log-probability. Keeps the log-probabilities for the backward pass,
     * where softmax is their exp, in place.
     */
    public static FusedHeadLoss forward(Tensor hidden, Tensor head, Tensor targets) { return forward(hidden, head, targets, Precision.FP32); }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor)} under a precision policy: in bf16 the logits are a bf16 product and
     * their log-softmax, the losses and the backward's softmax are fp32. Per-token losses are read back to the host
     * once, after the last chunk (one synchronisation per forward on a GPU).
     */
    public static FusedHeadLoss forward(Tensor hidden, Tensor head, Tensor targets, Precision precision) {
        FusedHeadLoss f = new FusedHeadLoss(hidden, head, targets, precision);
        List<Tensor> chunkLosses = new ArrayList<>();
        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope mixed = Engine.compute(precision, f.device)) {
            Tensor w = f.computeHead();
            for (long r0 = 0; r0 < f.n; r0 += CHUNK) {
                long c = Math.min(CHUNK, f.n - r0);
                final long from = r0, rows = c;
                // (C, V); the logits themselves are freed at once, only the log-probabilities are kept
                Tensor lp = rho4j.engine.Engine.scoped(() -> Llama.widened(linear(f.flat.narrow(0, from, rows), w)).log_softmax(1));
                chunkLosses.add(targetLosses(lp, f.targets, r0));
                f.logProbs.add(lp);
            }
            // in the losses' own precision (exact for float64 models), once for the whole forward
            double[] l = Tensors.toDoubles(chunkLosses.size() == 1 ? chunkLosses.get(0) : torch.cat(new TensorVector(chunkLosses.toArray(new Tensor[0]))));
            System.arraycopy(l, 0, f.exactLosses, 0, l.length);
            for (int i = 0; i < l.length; i++) f.losses[i] = (float) l[i];
        }
        return f;
    }

    /** The head's weight as the products use it: detached, and cast to bf16 once per pass rather than once per chunk. */
    private Tensor computeHead() {
        Tensor w = head.detach();
        return Engine.lowPrecision(device) && w.scalar_type().intern() == torch.ScalarType.Float ? w.to(torch.ScalarType.BFloat16) : w;
    }

    /**
     * No-grad scoring: per-token losses and, if asked, the predictive entropy (-sum p log p) of every
     * row, chunk by chunk, keeping nothing: {losses, entropies or null}, row-major (B*T).
     */
    public static float[][] score(Tensor hidden, Tensor head, Tensor targets, boolean entropy) {
        return score(hidden, head, targets, entropy, Precision.FP32);
    }

    /** As {@link #score(Tensor, Tensor, Tensor, boolean)} under a precision policy (bf16 logits, fp32 log-softmax and losses). */
    public static float[][] score(Tensor hidden, Tensor head, Tensor targets, boolean entropy, Precision precision) {
        long n = hidden.numel() / hidden.size(-1);
        Tensor flat = hidden.detach().reshape(n, hidden.size(-1)), tgt = targets.reshape(n), w0 = head.detach();
        float[] loss = new float[(int) n], ent = entropy ? new float[(int) n] : null;
        rho4j.engine.Device dev = Tensors.deviceOf(hidden);
        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope mixed = Engine.compute(precision, dev)) {
            Tensor w = Engine.lowPrecision(dev) && w0.scalar_type().intern() == torch.ScalarType.Float ? w0.to(torch.ScalarType.BFloat16) : w0;
            int rows = scoreChunk(w.size(0), Math.max(4, w.element_size())); // the chunk's log-probabilities are fp32
            for (long r0 = 0; r0 < n; r0 += rows) {
                try (PointerScope chunk = new PointerScope()) { // free each chunk's logits at once
                    long c = Math.min(rows, n - r0);
                    Tensor lp = Llama.widened(linear(flat.narrow(0, r0, c), w)).log_softmax(1); // (C, V) log-probabilities
                    float[] l = Tensors.toFloats(targetLosses(lp, tgt, r0));
                    System.arraycopy(l, 0, loss, (int) r0, (int) c);
                    if (entropy) { // H = -sum p log p
                        Tensor h = lp.exp().mul_(lp).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).neg_(); // (C)
                        System.arraycopy(Tensors.toFloats(h), 0, ent, (int) r0, (int) c);
                    }
                }
            }
        }
        return new float[][] {loss, ent};
    }

    /** -log P(target) of the rows of a (C, V) log-probability chunk starting at row r0: (C), on the chunk's device. */
    private static Tensor targetLosses(Tensor logProbs, Tensor targets, long r0) {
        long c = logProbs.size(0);
        return logProbs.gather(1, targets.narrow(0, r0, c).unsqueeze(1)).squeeze(1).neg(); // (C)
    }

    /** Per-token losses -log P(target | prefix), row-major (B*T). */
    public float[] losses() { return losses; }

    /** {@link #losses()} in double precision (exact for float64 models). */
    public double[] exactLosses() { return exactLosses; }

    /** {@link #backward(double[])} with float weights. */
    public void backward(float[] weights) {
        double[] w = new double[weights.length];
        for (int i = 0; i < w.length; i++) w[i] = weights[i];
        backward(w);
    }

    /**
     * Back-propagates sum_i weights[i] * loss_i: rows with weight 0 cost nothing in the head. For row i,
     * d loss_i / d logits = softmax - one-hot(target) =: P_i; with G = diag(w) P the head gradient is G^T h = P^T (w h)
     * and the hidden gradient G W = w (P W), so the weights scale the narrow (rows, D) side, never the (rows, V) one.
     */
    public void backward(double[] weights) {
        int d = (int) flat.size(1);
        org.bytedeco.pytorch.TensorOptions opts = flat.options(); // dtype and device of the hidden states
        rho4j.engine.Device dev = Tensors.deviceOf(flat);
        Tensor gradHidden = torch.zeros(new long[] {n, d}, opts);
        Tensor gradHead = torch.zeros_like(head.detach());
        long[] allTargets = Tensors.toLongs(targets); // one read-back, not one per chunk
        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope mixed = Engine.compute(precision, device)) {
            boolean low = Engine.lowPrecision(device);
            Tensor headW = computeHead();
            for (int k = 0; k < logProbs.size(); k++) {
                try (PointerScope chunk = new PointerScope()) { // this chunk's temporaries die here
                    long r0 = (long) k * CHUNK, c = logProbs.get(k).size(0);
                    int rows = 0;
                    for (long i = 0; i < c; i++) if (weights[(int) (r0 + i)] != 0) rows++;
                    if (rows == 0) continue;
                    long[] idx = new long[rows], flatTarget = new long[rows];
                    double[] w = new double[rows];
                    for (int i = 0, j = 0; i < c; i++) {
                        if (weights[(int) (r0 + i)] == 0) continue;
                        idx[j] = i;
                        flatTarget[j] = j * v + allTargets[(int) (r0 + i)];
                        w[j++] = weights[(int) (r0 + i)];
                    }
                    boolean all = rows == c; // every row selected (CLM): work on the chunk in place, no row gather
                    Tensor sel = all ? null : Tensors.longs(dev, idx, rows);
                    Tensor g = all ? logProbs.get(k) : logProbs.get(k).index_select(0, sel); // (S, V) log-probs of the selected rows
                    g.exp_(); // softmax
                    g.view(-1).index_add_(0, Tensors.longs(dev, flatTarget, rows), torch.full(new long[] {rows}, s(-1.0), opts)); // P = softmax - one-hot
                    Tensor wt = Tensors.doubles(dev, w, rows, 1).to(g.scalar_type().intern()); // (S, 1)
                    Tensor h = all ? flat.narrow(0, r0, c) : flat.narrow(0, r0, c).index_select(0, sel); // (S, D)
                    if (low) g = g.to(torch.ScalarType.BFloat16); // P rounded once for both products, not once per product
                    Tensor gh = g.matmul(headW).mul_(wt); // (S, D) = w (P W)
                    if (all) gradHidden.narrow(0, r0, c).copy_(gh);
                    else gradHidden.narrow(0, r0, c).index_copy_(0, sel, gh.to(gradHidden.scalar_type().intern()));
                    // (V, D) += P^T (w h): in bf16 a bf16 product added to the fp32 gradient (in-place products skip autocast)
                    if (low) gradHead.add_(g.t().matmul(h.mul(wt)));
                    else gradHead.addmm_(g.t(), h.mul(wt));
                }
            }
        }
        // Hand both gradients to autograd as the roots' gradients (added to W.grad together with any gradient W gets
        // through a tied embedding).
        torch.backward(new TensorVector(hidden, head), new TensorVector(gradHidden.view(hidden.sizes()), gradHead),
                new org.bytedeco.pytorch.BoolOptional(), false, new TensorVector());
    }
}
