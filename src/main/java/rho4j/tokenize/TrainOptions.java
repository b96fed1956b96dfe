package rho4j.tokenize;

import java.util.List;
import java.util.function.Consumer;

/**
 * Settings for {@link ByteLevelBpe#train}.
 *
 * @param specialTokens added after all learned tokens, in this order (so they take the last ids)
 * @param minPairCount  stop merging when the most frequent pair is rarer than this
 * @param progress      receives a line now and then (counting, merging); use {@code s -> {}} for silence
 */
public record TrainOptions(List<String> specialTokens, int minPairCount, Consumer<String> progress) {
    public static final String EOT = "<|endoftext|>";
    public static final String PAD = "<|pad|>";

    public TrainOptions {
        specialTokens = List.copyOf(specialTokens);
        if (minPairCount < 1) throw new IllegalArgumentException("minPairCount must be >= 1, got " + minPairCount);
    }

    /** {@code <|endoftext|>} then {@code <|pad|>}, pairs seen at least twice, silent. */
    public static TrainOptions defaults() {
        return new TrainOptions(List.of(EOT, PAD), 2, s -> {});
    }

    public TrainOptions withProgress(Consumer<String> sink) {
        return new TrainOptions(specialTokens, minPairCount, sink);
    }

    public TrainOptions withMinPairCount(int n) {
        return new TrainOptions(specialTokens, n, progress);
    }
}
