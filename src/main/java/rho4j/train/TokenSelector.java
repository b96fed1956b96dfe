package rho4j.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the tokens that receive gradient. Pure Java on small arrays (a micro-batch is a few thousand floats), so
 * every rule is exact and testable by hand:
 * <ul>
 *   <li>the selected count in a scope is exactly round_half_up(ratio * valid tokens in the scope);</li>
 *   <li>ties are broken by position (earlier token first), so the same scores always give the same mask;</li>
 *   <li>invalid positions (padding, tokens without a reference score) are never selected and never counted;</li>
 *   <li>document unit: documents (per-token unit ids) are ranked by their mean score and taken whole, best first,
 *       until the count reaches the target (the last one may overshoot it).</li>
 * </ul>
 */
public final class TokenSelector {
    private TokenSelector() {}

    /** Per-token inputs of one selection scope laid out as rows x cols (sequences x positions). */
    public record Inputs(float[] modelLoss, float[] refLoss, float[] refEntropy, boolean[] valid, int[] unitId, int rows, int cols) {
        public int size() { return rows * cols; }
    }

    public static long target(double ratio, int valid) { return (long) Math.floor(ratio * valid + 0.5); }

    /** The mask for a whole scope region (a micro-batch, or the optimizer batch); SEQUENCE scope selects per row. */
    public static boolean[] select(Selection sel, Inputs in, long randomSeed) {
        int n = in.size();
        boolean[] valid = new boolean[n];
        for (int i = 0; i < n; i++) {
            valid[i] = (in.valid() == null || in.valid()[i]) && (!sel.score().needsReference() || sel.keepsAll()
                    || (!Float.isNaN(in.refLoss()[i]) && (!sel.score().needsEntropy() || !Float.isNaN(in.refEntropy()[i]))));
        }
        if (sel.keepsAll()) return valid;
        boolean[] out = new boolean[n];
        if (sel.scope() == SelectionScope.SEQUENCE) {
            for (int r = 0; r < in.rows(); r++) selectRange(sel, in, valid, r * in.cols(), (r + 1) * in.cols(), randomSeed + r, out);
        } else {
            selectRange(sel, in, valid, 0, n, randomSeed, out);
        }
        return out;
    }

    private static void selectRange(Selection sel, Inputs in, boolean[] valid, int from, int to, long seed, boolean[] out) {
        int unitIds[] = sel.unit() == SelectionUnit.DOCUMENT ? in.unitId() : null;
        if (sel.score() == ScoreFunction.EXCESS_AND_ENTROPY) {
            boolean[] a = new boolean[out.length], b = new boolean[out.length];
            topK(scores(ScoreFunction.EXCESS, in, from, to, seed), valid, unitIds, from, to, sel.ratio(), a);
            topK(scores(ScoreFunction.ENTROPY, in, from, to, seed), valid, unitIds, from, to, sel.ratio(), b);
            for (int i = from; i < to; i++) out[i] = a[i] && b[i];
        } else {
            topK(scores(sel.score(), in, from, to, seed), valid, unitIds, from, to, sel.ratio(), out);
        }
    }

    /** Score per position of [from, to) (index i - from), higher = keep. */
    static float[] scores(ScoreFunction f, Inputs in, int from, int to, long seed) {
        float[] s = new float[to - from];
        SplittableRandom rnd = f == ScoreFunction.RANDOM ? new SplittableRandom(seed) : null;
        for (int i = from; i < to; i++) {
            s[i - from] = switch (f) {
                case EXCESS, EXCESS_AND_ENTROPY -> in.modelLoss()[i] - in.refLoss()[i];
                case REFERENCE -> -in.refLoss()[i];
                case ENTROPY -> -in.refEntropy()[i];
                case RANDOM -> (float) rnd.nextDouble();
            };
        }
        return s;
    }

    /** Top round(ratio * valid) positions (or units) of [from, to) by score; writes true into out for them. */
    static void topK(float[] score, boolean[] valid, int[] unitId, int from, int to, double ratio, boolean[] out) {
        int nValid = 0;
        for (int i = from; i < to; i++) if (valid[i]) nValid++;
        long k = target(ratio, nValid);
        if (k == 0) return;
        if (unitId == null) {
            long[] keys = new long[nValid];
            int j = 0;
            for (int i = from; i < to; i++) if (valid[i]) keys[j++] = key(score[i - from], i);
            Arrays.sort(keys);
            for (int r = 0; r < k; r++) out[(int) keys[r]] = true;
            return;
        }
        // Document unit: mean score per unit over its valid tokens, units ranked like tokens (ties: first position).
        java.util.LinkedHashMap<Integer, double[]> units = new java.util.LinkedHashMap<>(); // id -> {sum, count, firstPos}
        for (int i = from; i < to; i++) {
            if (!valid[i]) continue;
            double[] u = units.computeIfAbsent(unitId[i], x -> new double[] {0, 0, Double.NaN});
            u[0] += score[i - from];
            u[1]++;
            if (Double.isNaN(u[2])) u[2] = i;
        }
        long[] keys = new long[units.size()];
        int j = 0;
        for (double[] u : units.values()) keys[j++] = key((float) (u[0] / u[1]), (int) u[2]);
        Arrays.sort(keys);
        long taken = 0;
        for (long key : keys) {
            if (taken >= k) break;
            int first = (int) key, id = unitId[first];
            for (int i = first; i < to; i++)
                if (valid[i] && unitId[i] == id) {
                    out[i] = true;
                    taken++;
                }
        }
    }

    /** Sort key: ascending order = descending score, then ascending position. -0.0 and 0.0 tie. */
    static long key(float score, int pos) {
        int bits = Float.floatToIntBits(-(score + 0.0f));
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) sortable << 32) | (pos & 0xffffffffL);
    }
}
