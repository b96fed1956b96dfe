package rho4j.train;

import java.io.IOException;
import java.util.Arrays;
import rho4j.data.TokenStore;
import rho4j.engine.Engine;

/**
 * The sequences of one optimizer step as Java arrays (row-major, T per sequence): input and target ids, the document
 * of each target (the unit of --unit document) and, for SLM, the reference losses and entropies of the targets.
 */
final class Batch {
    final int sequences, T;
    final int[] inputs, targets, docIds;
    final long[] starts;
    float[] refLoss, refEntropy;

    private Batch(int sequences, int T) {
        this.sequences = sequences;
        this.T = T;
        inputs = new int[sequences * T];
        targets = new int[sequences * T];
        docIds = new int[sequences * T];
        starts = new long[sequences];
    }

    int[] slice(int[] a, int seq0, int n) { return Arrays.copyOfRange(a, seq0 * T, (seq0 + n) * T); }

    TokenSelector.Inputs inputs(float[] modelLoss, int seq0, int n) {
        return new TokenSelector.Inputs(modelLoss, sub(refLoss, seq0, n), sub(refEntropy, seq0, n), null, slice(docIds, seq0, n), n, T);
    }

    private float[] sub(float[] a, int seq0, int n) { return a == null ? null : Arrays.copyOfRange(a, seq0 * T, (seq0 + n) * T); }

    /**
     * The {@code n} windows drawn after {@code drawn} in the sampler's order, with the reference's losses when the
     * selection needs them ({@code chunk}: sequences per online-reference forward).
     */
    static Batch load(TokenStore store, WindowSampler sampler, long drawn, int n, int T, Selection sel, Reference ref, int chunk)
            throws IOException {
        Batch b = new Batch(n, T);
        int[] buf = new int[T + 1];
        boolean needRef = sel.selective() && !(ref instanceof Reference.None);
        if (needRef) b.refLoss = new float[n * T];
        if (needRef && sel.score().needsEntropy()) b.refEntropy = new float[n * T];
        for (int s0 = 0; s0 < n; s0++) {
            long start = sampler.windowStart(sampler.window(drawn + s0));
            b.starts[s0] = start;
            store.read(start, buf, 0, T + 1);
            System.arraycopy(buf, 0, b.inputs, s0 * T, T);
            System.arraycopy(buf, 1, b.targets, s0 * T, T);
            int d = store.docOf(start + 1);
            long nextStart = d + 1 < store.numDocs() ? store.docStart(d + 1) : Long.MAX_VALUE;
            for (int t = 0; t < T; t++) {
                long pos = start + 1 + t;
                while (pos >= nextStart) { d++; nextStart = d + 1 < store.numDocs() ? store.docStart(d + 1) : Long.MAX_VALUE; }
                b.docIds[s0 * T + t] = d;
            }
            if (needRef && ref instanceof Reference.Stored st) {
                st.scores().readLoss(start + 1, b.refLoss, s0 * T, T);
                if (b.refEntropy != null) st.scores().readEntropy(start + 1, b.refEntropy, s0 * T, T);
            }
        }
        if (needRef && ref instanceof Reference.Online on) {
            try (Engine.Scope ng = Engine.noGrad()) {
                for (int s0 = 0; s0 < n; s0 += chunk) {
                    int c = Math.min(chunk, n - s0);
                    float[][] le = on.model().scoreTokens(b.slice(b.inputs, s0, c), b.slice(b.targets, s0, c), c, T, b.refEntropy != null);
                    System.arraycopy(le[0], 0, b.refLoss, s0 * T, c * T);
                    if (b.refEntropy != null) System.arraycopy(le[1], 0, b.refEntropy, s0 * T, c * T);
                }
            }
        }
        return b;
    }
}
