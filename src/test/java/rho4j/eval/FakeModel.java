package rho4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;
import rho4j.tokenize.TextEncoder;

/** A hand-built model whose answers are known: one token per char, log-probs and generations from lambdas. */
final class FakeModel implements LanguageModel {
    /** One token per UTF-16 char: token counts equal string lengths, which makes expected values easy to write. */
    static final TextEncoder CHARS = new TextEncoder() {
        @Override public int[] encode(String text) { return text.chars().toArray(); }
        @Override public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append((char) id);
            return sb.toString();
        }
        @Override public int vocabSize() { return 65536; }
        @Override public int eotId() { return 0; }
        @Override public int padId() { return 0; }
        @Override public String hash() { return "chars"; }
    };

    private final ToDoubleBiFunction<String, String> logProb;
    private final Function<String, String> generator;
    final List<Integer> batchSizes = new ArrayList<>();

    /**
     * @param logProb   summed log-prob of a continuation text given the prompt text
     * @param generator greedy continuation of a prompt
     */
    FakeModel(ToDoubleBiFunction<String, String> logProb, Function<String, String> generator) {
        this.logProb = logProb;
        this.generator = generator;
    }

    @Override public TextEncoder tokenizer() { return CHARS; }

    @Override public int contextLength() { return 1 << 20; }

    @Override
    public double[] continuationLogProbs(List<int[]> contexts, List<int[]> continuations) {
        batchSizes.add(contexts.size());
        double[] out = new double[contexts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = logProb.applyAsDouble(CHARS.decode(contexts.get(i)), CHARS.decode(continuations.get(i)));
        }
        return out;
    }

    @Override
    public List<String> generateGreedy(List<String> prompts, int maxNewTokens, List<String> stops) {
        batchSizes.add(prompts.size());
        List<String> out = new ArrayList<>();
        for (String p : prompts) {
            String g = generator.apply(p);
            out.add(g.length() > maxNewTokens ? g.substring(0, maxNewTokens) : g);
        }
        return out;
    }
}
