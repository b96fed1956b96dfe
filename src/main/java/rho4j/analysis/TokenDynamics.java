package rho4j.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Sorts tokens into the Rho-1 paper's loss categories from their loss trajectories over training checkpoints.
 *
 * <p>For each token we fit a least-squares line through (u_k, loss_k), where u is the checkpoint x-value (step or
 * tokens trained) normalised linearly to [0, 1] across the checkpoints. Because u runs from 0 to 1, the slope of that
 * line <em>is</em> the fitted change in loss from the first to the last checkpoint, in nats, whatever unit x had, so
 * one threshold works for any run length. Then:
 * <ul>
 *   <li>H->L if change &lt; -{@value #CHANGE_THRESHOLD},</li>
 *   <li>L->H if change &gt; +{@value #CHANGE_THRESHOLD},</li>
 *   <li>otherwise L->L if the token's observed loss at the last checkpoint is &lt;= the mean last-checkpoint loss
 *       over all tokens, else H->H.</li>
 * </ul>
 *
 * <p>The streaming form ({@link LossSource}) never holds more than one checkpoint's losses: it reads every
 * checkpoint twice, once to fit the lines and once (when the categories are known) for the mean trajectories and the
 * examples. Memory is about 17 bytes per token.
 */
public final class TokenDynamics {
    public static final double CHANGE_THRESHOLD = 0.2;
    public static final int DEFAULT_EXAMPLES = 5;

    private TokenDynamics() {}

    /** Per-checkpoint losses, read on demand; {@link #checkpoint(int)} is called twice for each checkpoint. */
    public interface LossSource {
        int tokens();

        /**
         * Loss of every token at checkpoint k (length {@link #tokens()}), in a fixed token order. The array is only
         * read before the next call, so a source may reuse one buffer.
         */
        float[] checkpoint(int k) throws IOException;
    }

    /** {@code losses[checkpoint][token]}. */
    public static DynamicsResult analyze(double[] x, float[][] losses) {
        return analyze(x, losses, DEFAULT_EXAMPLES);
    }

    public static DynamicsResult analyze(double[] x, float[][] losses, int examplesPerCategory) {
        if (losses.length != x.length) {
            throw new IllegalArgumentException(
                    "losses has " + losses.length + " checkpoints but x has " + x.length + " values");
        }
        int tokens = losses.length == 0 ? 0 : losses[0].length;
        LossSource source = new LossSource() {
            @Override
            public int tokens() {
                return tokens;
            }

            @Override
            public float[] checkpoint(int k) {
                return losses[k];
            }
        };
        try {
            return analyze(x, source, examplesPerCategory);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory source never throws
        }
    }

    public static DynamicsResult analyze(double[] x, LossSource source, int examplesPerCategory) throws IOException {
        double[] u = normalize(x);
        int n = source.tokens();
        int m = u.length;
        if (examplesPerCategory < 0) {
            throw new IllegalArgumentException("examplesPerCategory must be >= 0, got " + examplesPerCategory);
        }
        double uMean = mean(u);
        double suu = 0;
        for (double v : u) {
            suu += (v - uMean) * (v - uMean);
        }

        // Pass 1: sum(y) and sum(u*y) per token are enough for the slope; keep the last loss for the L/H split.
        double[] sy = new double[n];
        double[] suy = new double[n];
        float[] last = null;
        for (int k = 0; k < m; k++) {
            float[] y = checkpoint(source, k, n);
            double uk = u[k];
            for (int t = 0; t < n; t++) {
                sy[t] += y[t];
                suy[t] += uk * y[t];
            }
            if (k == m - 1) {
                last = y.clone(); // a streaming source may reuse its buffer for the next read
            }
        }
        double meanFinal = 0;
        for (int t = 0; t < n; t++) {
            meanFinal += last[t];
        }
        meanFinal = n == 0 ? Double.NaN : meanFinal / n;

        byte[] categories = new byte[n];
        long[] counts = new long[TokenCategory.values().length];
        double[] change = new double[n];
        for (int t = 0; t < n; t++) {
            // slope = sum((u - uMean) * y) / suu = (sum(u*y) - uMean * sum(y)) / suu
            change[t] = (suy[t] - uMean * sy[t]) / suu;
            TokenCategory c = classify(change[t], last[t], meanFinal);
            categories[t] = c.code();
            counts[c.ordinal()]++;
        }
        sy = null;
        suy = null;

        // Pick examples spread evenly over each category's members, so they are not all from the first document.
        Map<TokenCategory, int[]> exampleTokens = pickExamples(categories, counts, examplesPerCategory);
        Map<Integer, float[]> exampleTraj = new java.util.HashMap<>();
        for (int[] ids : exampleTokens.values()) {
            for (int id : ids) {
                exampleTraj.put(id, new float[m]);
            }
        }

        // Pass 2: mean trajectory per category, and the example trajectories.
        int cats = counts.length;
        double[][] meanTraj = new double[cats][];
        for (int c = 0; c < cats; c++) {
            meanTraj[c] = counts[c] == 0 ? new double[0] : new double[m];
        }
        for (int k = 0; k < m; k++) {
            float[] y = k < m - 1 ? checkpoint(source, k, n) : last;
            double[] sums = new double[cats];
            for (int t = 0; t < n; t++) {
                sums[categories[t]] += y[t];
            }
            for (int c = 0; c < cats; c++) {
                if (counts[c] > 0) {
                    meanTraj[c][k] = sums[c] / counts[c];
                }
            }
            for (Map.Entry<Integer, float[]> e : exampleTraj.entrySet()) {
                e.getValue()[k] = y[e.getKey()];
            }
        }

        Map<TokenCategory, List<DynamicsResult.Example>> examples = new EnumMap<>(TokenCategory.class);
        for (TokenCategory c : TokenCategory.values()) {
            List<DynamicsResult.Example> list = new ArrayList<>();
            for (int id : exampleTokens.get(c)) {
                list.add(new DynamicsResult.Example(id, change[id], exampleTraj.get(id)));
            }
            examples.put(c, List.copyOf(list));
        }

        double[] pct = new double[cats];
        for (int c = 0; c < cats; c++) {
            pct[c] = n == 0 ? 0 : 100.0 * counts[c] / n;
        }
        return new DynamicsResult(x.clone(), u, categories, counts, pct, meanTraj, meanFinal, CHANGE_THRESHOLD,
                examples);
    }

    /** The category rule, given a token's fitted change, its last-checkpoint loss and the mean of those. */
    public static TokenCategory classify(double change, double finalLoss, double meanFinalLoss) {
        if (change < -CHANGE_THRESHOLD) {
            return TokenCategory.H_TO_L;
        }
        if (change > CHANGE_THRESHOLD) {
            return TokenCategory.L_TO_H;
        }
        return finalLoss <= meanFinalLoss ? TokenCategory.L_TO_L : TokenCategory.H_TO_H;
    }

    /**
     * Maps x linearly onto [0, 1]: first checkpoint 0, last 1. Requires at least two checkpoints with strictly
     * increasing, finite x, since "first to last" only means something in training order.
     */
    public static double[] normalize(double[] x) {
        if (x.length < 2) {
            throw new IllegalArgumentException("need at least 2 checkpoints to fit a trend, got " + x.length);
        }
        for (int k = 0; k < x.length; k++) {
            if (!Double.isFinite(x[k])) {
                throw new IllegalArgumentException("checkpoint x[" + k + "] is not finite: " + x[k]);
            }
            if (k > 0 && !(x[k] > x[k - 1])) {
                throw new IllegalArgumentException(
                        "checkpoint x must increase strictly: x[" + (k - 1) + "]=" + x[k - 1] + ", x[" + k + "]=" + x[k]);
            }
        }
        double lo = x[0];
        double span = x[x.length - 1] - lo;
        double[] u = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            u[k] = (x[k] - lo) / span;
        }
        u[x.length - 1] = 1.0; // exact, whatever the rounding
        return u;
    }

    /** Least-squares slope of y against u; with u from {@link #normalize} this is the fitted first-to-last change. */
    public static double fittedChange(double[] u, float[] y) {
        if (u.length != y.length) {
            throw new IllegalArgumentException("u has " + u.length + " values but y has " + y.length);
        }
        double um = mean(u);
        double ym = 0;
        for (float v : y) {
            ym += v;
        }
        ym /= y.length;
        double num = 0;
        double den = 0;
        for (int k = 0; k < u.length; k++) {
            num += (u[k] - um) * (y[k] - ym);
            den += (u[k] - um) * (u[k] - um);
        }
        return num / den;
    }

    private static float[] checkpoint(LossSource source, int k, int n) throws IOException {
        float[] y = source.checkpoint(k);
        if (y.length != n) {
            throw new IllegalArgumentException("checkpoint " + k + " has " + y.length + " losses, expected " + n);
        }
        for (int t = 0; t < n; t++) {
            if (!Float.isFinite(y[t])) {
                throw new IllegalArgumentException("checkpoint " + k + ", token " + t + ": loss is " + y[t]);
            }
        }
        return y;
    }

    private static Map<TokenCategory, int[]> pickExamples(byte[] categories, long[] counts, int perCategory) {
        Map<TokenCategory, int[]> picked = new EnumMap<>(TokenCategory.class);
        long[] seen = new long[counts.length];
        int[] filled = new int[counts.length];
        for (TokenCategory c : TokenCategory.values()) {
            picked.put(c, new int[(int) Math.min(perCategory, counts[c.ordinal()])]);
        }
        for (int t = 0; t < categories.length; t++) {
            int c = categories[t];
            int[] ids = picked.get(TokenCategory.ofCode(c));
            // Member number seen[c] is taken when it is the next of the evenly spaced ranks i * count / k.
            if (filled[c] < ids.length && seen[c] == filled[c] * counts[c] / ids.length) {
                ids[filled[c]++] = t;
            }
            seen[c]++;
        }
        return picked;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }
}
