package rho4j.analysis;

import java.util.List;
import java.util.Map;

/**
 * What {@link TokenDynamics} found. Arrays indexed by category are indexed by {@link TokenCategory#ordinal()}.
 *
 * @param x               the checkpoint x-values as given (steps or tokens trained)
 * @param xNormalized     x mapped linearly onto [0, 1] (first checkpoint 0, last 1); the fits use these
 * @param categories      one {@link TokenCategory#code()} per token, in the token order given
 * @param counts          tokens per category
 * @param percentages     100 * counts / tokens; sums to 100
 * @param meanTrajectory  per category, the mean loss at each checkpoint over its tokens (empty if it has none)
 * @param meanFinalLoss   mean loss at the last checkpoint over all tokens: the L->L / H->H boundary
 * @param threshold       the |fitted change| beyond which a token counts as H->L or L->H
 * @param examples        a few tokens per category, spread evenly over the token order
 */
public record DynamicsResult(
        double[] x,
        double[] xNormalized,
        byte[] categories,
        long[] counts,
        double[] percentages,
        double[][] meanTrajectory,
        double meanFinalLoss,
        double threshold,
        Map<TokenCategory, List<Example>> examples) {

    /** One example token: its index in the token order, its fitted first-to-last change and its loss trajectory. */
    public record Example(long token, double change, float[] trajectory) {}

    public int tokens() {
        return categories.length;
    }

    public TokenCategory category(int token) {
        return TokenCategory.ofCode(categories[token]);
    }

    public long count(TokenCategory c) {
        return counts[c.ordinal()];
    }

    public double percentage(TokenCategory c) {
        return percentages[c.ordinal()];
    }
}
