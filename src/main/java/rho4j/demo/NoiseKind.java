package rho4j.demo;

/**
 * Ground-truth label of a stretch of demo text. {@link #NONE} is useful target-domain text; every other kind is a
 * distinct sort of noise, kept separate so selection can be judged per kind (Rho-1 should skip unpredictable noise
 * but may also skip easy boilerplate, and the two say different things about the method).
 */
public enum NoiseKind {
    /** Useful text: arithmetic problems with worked solutions, or short arithmetic explanations. */
    NONE,
    /** Random printable ASCII characters. */
    RANDOM_CHARS,
    /** HTML / navigation / cookie-banner / footer boilerplate. */
    MARKUP,
    /** Lines of a useful problem in a random order. */
    SHUFFLED,
    /** Labelled random digit strings ("ID: 8302917465"). */
    RANDOM_DIGITS,
    /** Off-domain generic prose from a small word list. */
    FILLER,
    /**
     * The results of worked solutions with an arithmetic error ("7 + 5 = 13 ... The answer is 13."), as pages of
     * wrong homework answers are on the web: only the wrong result and what follows it; the question and the
     * equation up to "=" are useful text. Last in the enum, so the stored ordinals of the other kinds are unchanged.
     */
    WRONG_ARITHMETIC;

    public boolean isNoise() {
        return this != NONE;
    }
}
