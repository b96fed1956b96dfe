package rho4j.demo;

/**
 * How much demo data to write. Sizes are in chars of document text (all ASCII, so also bytes before JSON escaping).
 * DEFAULT is sized so the whole recipe (tokenizer, reference model, scoring, two trainings, eval) fits in about ten
 * minutes on 2 CPU cores; TINY is for an end-to-end test under two minutes.
 */
public enum DemoSize {
    TINY(75_000, 30_000, 15_000, 50, 0.5),
    DEFAULT(1_000_000, 300_000, 60_000, 300, 0.5);

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

    DemoSize(int noisyChars, int referenceChars, int holdoutChars, int testProblems, double noiseFraction) {
        this.noisyChars = noisyChars;
        this.referenceChars = referenceChars;
        this.holdoutChars = holdoutChars;
        this.testProblems = testProblems;
        this.noiseFraction = noiseFraction;
    }
}
