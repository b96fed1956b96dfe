package rho4j.eval;

import java.util.List;
import rho4j.tokenize.TextEncoder;

/**
 * The two things evaluation asks of a trained model. The torch-backed implementation lives in the
 * model package; tests may supply a hand-built one whose answers are known.
 */
public interface LanguageModel {
    TextEncoder tokenizer();

    /** Longest context the model accepts, in tokens (inputs are left-truncated to fit). */
    int contextLength();

    /**
     * For each pair i: sum over the tokens of {@code continuations.get(i)} of log P(token | context, earlier
     * continuation tokens), natural log. Implementations batch internally.
     */
    double[] continuationLogProbs(List<int[]> contexts, List<int[]> continuations);

    /**
     * Greedy decoding (with a KV cache) of each prompt for at most {@code maxNewTokens}; stops at end of text or as
     * soon as the decoded continuation contains one of {@code stops}. Returns the continuation text, cut before the
     * stop string.
     */
    List<String> generateGreedy(List<String> prompts, int maxNewTokens, List<String> stops);
}
