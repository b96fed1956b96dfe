package rho4j.train;

/** What ranks tokens for selection (higher score = more worth training). The paper's main method is EXCESS. */
public enum ScoreFunction {
    /** L_theta - L_ref: tokens the current model has not yet learned but the reference finds predictable. */
    EXCESS("excess"),
    /** -L_ref: tokens the reference model finds easy (the paper's self-reference study). */
    REFERENCE("reference"),
    /** -H_ref: positions where the reference model is confident. */
    ENTROPY("entropy"),
    /** Intersection of the EXCESS and ENTROPY top sets; the selected fraction is then below the ratio and is reported. */
    EXCESS_AND_ENTROPY("excess+entropy"),
    /** Exactly k% at random: the ablation baseline. */
    RANDOM("random");

    public final String id;

    ScoreFunction(String id) { this.id = id; }

    public static ScoreFunction parse(String s) {
        for (ScoreFunction f : values()) if (f.id.equalsIgnoreCase(s) || f.name().equalsIgnoreCase(s)) return f;
        throw new IllegalArgumentException("unknown score function '" + s + "': use excess, reference, entropy, excess+entropy or random");
    }

    public boolean needsModelLoss() { return this == EXCESS || this == EXCESS_AND_ENTROPY; }

    public boolean needsEntropy() { return this == ENTROPY || this == EXCESS_AND_ENTROPY; }

    public boolean needsReference() { return this != RANDOM; }
}
