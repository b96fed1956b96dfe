package rho4j.eval;

import java.util.List;

/**
 * What happened on one item. Fields that do not apply to the task's kind are null (lists empty).
 *
 * @param promptTokens   tokens of the k-shot prompt (before any left-truncation by the model)
 * @param generated      generate tasks: the model's continuation, cut at the first stop string
 * @param predicted      generate: the extracted, normalised answer; choice: letter of the best raw option
 * @param gold           generate: the normalised gold answer; choice: the gold letter
 * @param correct        generate: answers equivalent; choice: best raw option is gold
 * @param correctNorm    choice: best length-normalised option is gold
 * @param predictedNorm  choice: letter of the best option by log-prob per character
 * @param optionLogProbs choice: sum of log-probs of each option's continuation tokens
 * @param optionChars    choice: characters of each continuation (leading space included), the normaliser
 * @param solutionNll    negative log-likelihood (nats, summed) of the gold solution after the prompt
 * @param solutionTokens tokens of the gold solution continuation
 */
public record ItemResult(int index, String id, int promptTokens, String generated, String predicted, String gold,
                         boolean correct, Boolean correctNorm, String predictedNorm, List<Double> optionLogProbs,
                         List<Integer> optionChars, Double solutionNll, Integer solutionTokens) {
    public ItemResult {
        optionLogProbs = optionLogProbs == null ? List.of() : List.copyOf(optionLogProbs);
        optionChars = optionChars == null ? List.of() : List.copyOf(optionChars);
    }

    ItemResult withSolution(double nll, int tokens) {
        return new ItemResult(index, id, promptTokens, generated, predicted, gold, correct, correctNorm,
                predictedNorm, optionLogProbs, optionChars, nll, tokens);
    }
}
