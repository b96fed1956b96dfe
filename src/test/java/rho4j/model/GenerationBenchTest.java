package rho4j.model;

import rho4j.engine.DType;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import rho4j.engine.Device;
import rho4j.tokenize.TextEncoder;

/**
 * Generation speed of the "ref" preset (random weights): single-prompt decoding through {@link Generator} and batched
 * greedy decoding. Slow; run with {@code -Dtest.excludedGroups= -Dtest=GenerationBenchTest}.
 */
@Tag("slow")
class GenerationBenchTest {
    /** Ids are the characters' code points; no end-of-text, so every run decodes the full budget. */
    static final class CodePoints implements TextEncoder {
        @Override public int[] encode(String text) { return text.chars().toArray(); }
        @Override public String decode(int[] ids) {
            StringBuilder b = new StringBuilder();
            for (int id : ids) b.append((char) ('a' + id % 26));
            return b.toString();
        }
        @Override public int vocabSize() { return 128; }
        @Override public int eotId() { return -1; }
        @Override public int padId() { return 0; }
        @Override public String hash() { return "codepoints"; }
    }

    @Test
    void refPresetTokensPerSecond() {
        Llama m = new Llama(LlamaConfig.preset("ref"), Device.CPU, DType.FP32, 1);
        TorchLanguageModel lm = new TorchLanguageModel(m, new CodePoints(), 8);
        Generator gen = new Generator(lm);
        String prompt = "the quick brown fox jumps over the lazy dog. ".repeat(2).substring(0, 64);
        gen.generate(prompt, 16, 0, 1, 0, List.of()); // warm-up
        for (int rep = 0; rep < 2; rep++) {
            Generator.Result g = gen.generate(prompt, 128, 0, 1, 0, List.of());
            Generator.Result s = gen.generate(prompt, 128, 0.8, 0.95, 1, List.of());
            System.out.printf("ref B=1 prompt=%d: greedy %d tokens %.2f s %.1f tok/s; top-p %d tokens %.2f s %.1f tok/s%n",
                    g.promptTokens(), g.newTokens(), g.seconds(), g.tokensPerSecond(), s.newTokens(), s.seconds(), s.tokensPerSecond());
        }
        for (int b : new int[] {2, 8}) {
            List<String> same = new ArrayList<>();
            for (int i = 0; i < b; i++) same.add(prompt);
            long t1 = System.nanoTime();
            List<String> o = lm.generateGreedy(same, 64, List.of());
            double sc = (System.nanoTime() - t1) / 1e9;
            System.out.printf("ref B=%d unpadded greedy: %.2f s %.1f tok/s%n", b, sc, b * 64 / sc);
        }
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) prompts.add(prompt.substring(0, 16 + 6 * i)); // different lengths: left padding
        long t0 = System.nanoTime();
        List<String> out = lm.generateGreedy(prompts, 128, List.of());
        double sec = (System.nanoTime() - t0) / 1e9;
        int n = out.stream().mapToInt(String::length).sum();
        System.out.printf("ref B=8 greedy: %d tokens %.2f s %.1f tok/s%n", n, sec, n / sec);
    }
}
