package rho4j.train;

import rho4j.model.Llama;
import rho4j.score.ReferenceScores;

/** Where the reference losses L_ref of SLM come from. */
public sealed interface Reference {
    /** CLM, or SLM scores that need no reference (random). */
    record None() implements Reference {}

    /** Scores computed once by `rho score` and stored beside the token store. */
    record Stored(ReferenceScores scores) implements Reference {}

    /** A reference model run on the same windows during training (one extra forward per step). */
    record Online(Llama model) implements Reference {}

    static Reference none() { return new None(); }
}
