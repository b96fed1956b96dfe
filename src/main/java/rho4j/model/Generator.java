package rho4j.model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import rho4j.engine.Tensors;
import rho4j.model.TorchLanguageModel.Generation;
import rho4j.model.TorchLanguageModel.StopReason;

/**
 * Single-prompt generation for {@code rho generate}: greedy at temperature 0, otherwise nucleus (top-p) sampling from
 * a seeded {@link SplittableRandom}, so a seed always gives the same text. Text streams to a consumer as it comes.
 */
public final class Generator {
    private final TorchLanguageModel lm;

    public Generator(TorchLanguageModel lm) { this.lm = lm; }

    /**
     * @param text           continuation, cut before the first stop string
     * @param promptTokens   prompt length after left-truncation
     * @param newTokens      tokens generated (eot and the tokens past a stop string's start are included if produced)
     * @param seconds        wall time of prefill + decoding
     * @param tokensPerSecond newTokens / seconds
     */
    public record Result(String text, int promptTokens, int newTokens, StopReason reason, double seconds, double tokensPerSecond) {}

    public Result generate(String prompt, int maxNewTokens, double temperature, double topP, long seed, List<String> stops) {
        return generate(prompt, maxNewTokens, temperature, topP, seed, stops, s -> {});
    }

    /** As above, passing each new piece of text to {@code sink} as soon as it is final. */
    public Result generate(String prompt, int maxNewTokens, double temperature, double topP, long seed, List<String> stops,
                           Consumer<String> sink) {
        if (!(temperature >= 0) || Double.isInfinite(temperature))
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        if (!(topP >= 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in [0, 1], got " + topP);
        List<String> stopList = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
        TorchLanguageModel.TokenPicker picker = temperature == 0 ? TorchLanguageModel.TokenPicker.GREEDY
                : new TopP(temperature, topP, new SplittableRandom(seed));
        Streamer streamer = new Streamer(stopList, sink);
        int[] count = {0};
        long t0 = System.nanoTime();
        Generation g = lm.generate(List.of(lm.tokenizer().encode(prompt, true)), maxNewTokens, stopList, picker, (row, id, text) -> {
            count[0]++;
            streamer.update(text);
        }).get(0);
        if (g.reason() == StopReason.EOT) count[0]++; // eot was computed too, it just is not text
        streamer.finish(g.text());
        double sec = (System.nanoTime() - t0) / 1e9;
        return new Result(g.text(), g.promptTokens(), count[0], g.reason(), sec, sec > 0 ? count[0] / sec : 0);
    }

    /**
     * Nucleus sampling: softmax(logits / temperature) copied to Java, the smallest set of most likely ids whose mass
     * reaches topP (at least one), renormalised. topP = 0 keeps only the top id, i.e. greedy.
     */
    static final class TopP implements TorchLanguageModel.TokenPicker {
        private final double temperature, topP;
        private final SplittableRandom rng;

        TopP(double temperature, double topP, SplittableRandom rng) {
            this.temperature = temperature;
            this.topP = topP;
            this.rng = rng;
        }

        @Override
        public long[] pick(Tensor logits) { // (B, V)
            int b = (int) logits.size(0), v = (int) logits.size(1);
            // float64 softmax: tail probabilities and their sum must not depend on fp32 rounding order.
            double[] probs = Tensors.toDoubles(logits.to(ScalarType.Double).div(Tensors.s(temperature)).softmax(-1));
            long[] out = new long[b];
            for (int r = 0; r < b; r++) out[r] = sample(Arrays.copyOfRange(probs, r * v, (r + 1) * v));
            return out;
        }

        int sample(double[] p) {
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < p.length; i++) order[i] = i;
            // Most likely first; equal probabilities by id, so the order (and the sample) is deterministic.
            Arrays.sort(order, (a, c) -> p[a] != p[c] ? Double.compare(p[c], p[a]) : Integer.compare(a, c));
            double mass = 0;
            int n = 0;
            while (n < order.length && (n == 0 || mass < topP)) mass += p[order[n++]];
            double u = rng.nextDouble() * mass, acc = 0;
            for (int i = 0; i < n; i++) {
                acc += p[order[i]];
                if (u < acc) return order[i];
            }
            return order[n - 1]; // u landed on the rounding error at the very top
        }
    }

    /**
     * Emits the stable part of the growing text: a tail that could still become a stop string is held back (it would be
     * cut), and so is a trailing U+FFFD (half of a multi-byte character that the next token completes).
     */
    static final class Streamer {
        private final List<String> stops;
        private final Consumer<String> sink;
        private int emitted;

        Streamer(List<String> stops, Consumer<String> sink) {
            this.stops = stops;
            this.sink = sink;
        }

        void update(String text) {
            int safe = text.length();
            while (safe > emitted && text.charAt(safe - 1) == '\uFFFD') safe--;
            for (String s : stops) // longest tail of text that is a proper prefix of s
                for (int k = Math.min(s.length() - 1, text.length()); k > 0; k--)
                    if (text.regionMatches(text.length() - k, s, 0, k)) {
                        safe = Math.min(safe, text.length() - k);
                        break;
                    }
            emit(text, safe);
        }

        void finish(String text) { emit(text, text.length()); }

        private void emit(String text, int upTo) {
            if (upTo > emitted && text.length() >= upTo) {
                sink.accept(text.substring(emitted, upTo));
                emitted = upTo;
            }
        }
    }
}
