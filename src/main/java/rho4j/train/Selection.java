package rho4j.train;

/**
 * The selective-training settings: objective CLM is selection with ratio 1 (every token), SLM keeps the top
 * {@code ratio} of tokens by {@code score} within each {@code scope}.
 */
public record Selection(boolean selective, double ratio, ScoreFunction score, SelectionScope scope, SelectionUnit unit) {
    public Selection {
        if (!(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("--ratio must be in (0, 1], got " + ratio);
    }

    public static Selection clm() { return new Selection(false, 1.0, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN); }

    public static Selection slm(double ratio, ScoreFunction score, SelectionScope scope, SelectionUnit unit) {
        return new Selection(true, ratio, score, scope, unit);
    }

    /** True when every valid token is kept, whatever the score: the CLM path. */
    public boolean keepsAll() { return !selective || ratio == 1.0; }

    public String objective() { return selective ? "slm" : "clm"; }
}
