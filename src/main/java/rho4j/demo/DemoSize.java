package rho4j.demo;

/**
 * How much demo data to write. Sizes are in chars of document text (all ASCII, so also bytes before JSON escaping).
 * DEFAULT feeds the built-in demo (a base, the reference, scoring, 3 seeds of CLM and SLM, eval: within 5 minutes on
 * 2 CPU cores); TINY is for an end-to-end test.
 */
public enum DemoSize {
    TINY(75_000, 30_000, 15_000, 50, 0.5, ArithmeticProblems.Level.WORD, 40_000, 0.8),
    DEFAULT(1_200_000, 1_000_000, 60_000, 300, 0.3, ArithmeticProblems.Level.ONE_STEP, 3_000_000, 0.5);

    /** Text chars of noisy.jsonl documents. */
    public final int noisyChars;
    /** Text chars (rendered problems) of reference.jsonl. */
    public final int referenceChars;
    /** Text chars of target_holdout.jsonl documents. */
    public final int holdoutChars;
    /** Problems in test.jsonl. */
    public final int testProblems;
    /** Fraction of noisy-corpus chars that are noise. */
    public final double noiseFraction;
    /** How hard the problems are. */
    public final ArithmeticProblems.Level level;
    /** Text chars of general.jsonl, the base model's pretraining text, and the fraction of it that is noise kinds. */
    public final int generalChars;
    public final double generalNoiseFraction;

    DemoSize(int noisyChars, int referenceChars, int holdoutChars, int testProblems, double noiseFraction,
             ArithmeticProblems.Level level, int generalChars, double generalNoiseFraction) {
        this.level = level;
        this.generalChars = generalChars;
        this.generalNoiseFraction = generalNoiseFraction;
        this.noisyChars = noisyChars;
        this.referenceChars = referenceChars;
        this.holdoutChars = holdoutChars;
        this.testProblems = testProblems;
        this.noiseFraction = noiseFraction;
    }

    /** Every number that shapes the generated files, for the data stage's cache key (the name alone would survive a change). */
    public String spec() {
        return name() + ":v" + ArithmeticProblems.FORMAT + ":" + noisyChars + "," + referenceChars + "," + holdoutChars + "," + testProblems + "," + noiseFraction + ","
                + level + "," + generalChars + "," + generalNoiseFraction;
    }
}
