package rho4j.model;

import rho4j.engine.Engine;
import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.engine.Device;
import rho4j.engine.Tensors;
import rho4j.model.TorchLanguageModel.Generation;
import rho4j.model.TorchLanguageModel.StopReason;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.tokenize.TextEncoder;
import rho4j.tokenize.TrainOptions;
import rho4j.train.Checkpoint;

/** Batched generation and scoring against the plain full-recompute forward of the same model. */
class TorchLanguageModelTest {
    static final LlamaConfig CFG = new LlamaConfig(61, 32, 2, 4, 2, 64, 48, 10000, 1e-5, false);
    static final List<String> PROMPTS = List.of("a", "Hello world", "The quick brown fox jumps", "xyz abc. Q:", "",
            "Once upon a time, in a land far away, lived a cat"); // the last one is longer than 48 - maxNew: truncated

    /** One id per character of a 60-character alphabet; eot (and pad) is id 60, the model's last id. */
    static final class CharEncoder implements TextEncoder {
        static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?:;\n";

        @Override public int[] encode(String text) {
            int[] ids = new int[text.length()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = ALPHABET.indexOf(text.charAt(i));
                if (ids[i] < 0) throw new IllegalArgumentException("no id for '" + text.charAt(i) + "'");
            }
            return ids;
        }

        @Override public String decode(int[] ids) {
            StringBuilder b = new StringBuilder();
            for (int id : ids) b.append(id == eotId() ? "<|endoftext|>" : String.valueOf(ALPHABET.charAt(id)));
            return b.toString();
        }

        @Override public int vocabSize() { return ALPHABET.length() + 1; }
        @Override public int eotId() { return ALPHABET.length(); }
        @Override public int padId() { return ALPHABET.length(); }
        @Override public String hash() { return "chars"; }
    }

    /**
     * A random model made opinionated: init weights (std 0.02) give near-uniform logits, so greedy text would be one
     * repeated id and would not notice wrong positions or masks. Scaling the matrices spreads the logits.
     */
    static Llama sharpModel(LlamaConfig cfg, DType dtype, long seed) {
        Llama m = new Llama(cfg, Device.CPU, dtype, seed);
        try (Engine.Scope ng = Engine.noGrad()) {
            for (var e : m.parameters().entrySet()) if (!e.getKey().endsWith("norm.weight")) e.getValue().mul_(Tensors.s(8));
        }
        return m;
    }

    /** Greedy decoding the slow way: the whole sequence through model.logits for every new token, one prompt at a time. */
    static int[] referenceGreedy(Llama m, int[] prompt, int maxNew, int eot) {
        int ctx = m.cfg.contextLength(), keep = Math.max(1, ctx - maxNew);
        int[] p = prompt.length == 0 ? new int[] {eot} : prompt;
        if (p.length > keep) p = Arrays.copyOfRange(p, p.length - keep, p.length);
        List<Integer> seq = new ArrayList<>();
        for (int id : p) seq.add(id);
        List<Integer> out = new ArrayList<>();
        try (Engine.Scope ng = Engine.noGrad()) {
            while (out.size() < maxNew && seq.size() <= ctx) {
                long[] x = seq.stream().mapToLong(Integer::longValue).toArray();
                Tensor logits = m.logits(Tensors.longs(Device.CPU, x, 1, x.length)); // (1, L, V)
                int next = (int) logits.select(1, x.length - 1).argmax().item_long();
                if (next == eot) break;
                out.add(next);
                seq.add(next);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<int[]> encodeAll(TextEncoder tok, List<String> texts) {
        return texts.stream().map(tok::encode).toList();
    }

    // ---- (a) KV-cache generation = full recompute ----

    @Test
    void batchedCachedGreedyEqualsFullRecompute() {
        Llama m = sharpModel(CFG, DType.FP64, 11); // float64: no near-tie can flip an argmax between the two paths
        CharEncoder tok = new CharEncoder();
        TorchLanguageModel lm = new TorchLanguageModel(m, tok, 8);
        int maxNew = 16;
        List<Generation> batch = lm.generate(encodeAll(tok, PROMPTS), maxNew, List.of(), TorchLanguageModel.TokenPicker.GREEDY, null);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            int[] ref = referenceGreedy(m, tok.encode(PROMPTS.get(i)), maxNew, tok.eotId());
            assertArrayEquals(ref, batch.get(i).ids(), "prompt " + i + " '" + PROMPTS.get(i) + "'");
            assertEquals(tok.decode(ref), batch.get(i).text());
            for (int id : ref) seen.add(id);
        }
        assertTrue(seen.size() > 5, "the test model should produce varied text, saw ids " + seen);
        assertEquals(48 - maxNew, batch.get(5).promptTokens(), "long prompt left-truncated to contextLength - maxNewTokens");
        // The public entry point, batch of 8, and one prompt per batch give the same strings.
        List<String> greedy = lm.generateGreedy(PROMPTS, maxNew, List.of());
        TorchLanguageModel single = new TorchLanguageModel(m, tok, 1);
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertEquals(batch.get(i).text(), greedy.get(i));
            assertEquals(greedy.get(i), single.generateGreedy(List.of(PROMPTS.get(i)), maxNew, List.of()).get(0));
        }
    }

    @Test
    void batchSmallerThanPromptListKeepsInputOrder() {
        Llama m = sharpModel(CFG, DType.FP64, 5);
        CharEncoder tok = new CharEncoder();
        List<String> three = new TorchLanguageModel(m, tok, 3).generateGreedy(PROMPTS, 6, List.of());
        List<String> eight = new TorchLanguageModel(m, tok, 8).generateGreedy(PROMPTS, 6, List.of());
        assertEquals(eight, three);
    }

    @Test
    void stopsWhenTheCacheIsFull() {
        Llama m = sharpModel(CFG, DType.FP64, 11);
        CharEncoder tok = new CharEncoder();
        TorchLanguageModel lm = new TorchLanguageModel(m, tok);
        // maxNew beyond the context: the prompt keeps 1 token and decoding ends when all 48 slots are used.
        List<int[]> prompts = encodeAll(tok, List.of("ab", "Hello"));
        List<Generation> g = lm.generate(prompts, 100, List.of(), TorchLanguageModel.TokenPicker.GREEDY, null);
        for (int i = 0; i < 2; i++) {
            int[] ref = referenceGreedy(m, prompts.get(i), 100, tok.eotId());
            assertArrayEquals(ref, g.get(i).ids());
            if (g.get(i).reason() != StopReason.EOT) {
                assertEquals(StopReason.CONTEXT_FULL, g.get(i).reason());
                assertEquals(48, g.get(i).ids().length, "1 prompt token + 47 fed tokens, and the last prediction");
            }
        }
    }

    @Test
    void chunkAfterCacheEntriesIsCausal() {
        // Llama.trunk with a cache, no mask, pos > 0 and T > 1: the second chunk must see itself causally.
        Llama m = sharpModel(CFG, DType.FP64, 3);
        long[] ids = {1, 7, 9, 30, 2, 44, 12, 8};
        try (Engine.Scope ng = Engine.noGrad()) {
            double[] full = Tensors.toDoubles(m.logits(Tensors.longs(Device.CPU, ids, 1, 8)).select(1, 7)); // (V)
            Llama.KvCache cache = m.newCache(1, 48);
            m.stepLogits(Tensors.longs(Device.CPU, Arrays.copyOfRange(ids, 0, 3), 1, 3), cache, 0, null, null);
            double[] chunked = Tensors.toDoubles(m.stepLogits(Tensors.longs(Device.CPU, Arrays.copyOfRange(ids, 3, 8), 1, 5), cache, 3, null, null));
            assertArrayEquals(full, chunked, 1e-9);
        }
    }

    @Test
    void uninitialisedCacheSlotsAreWrittenBeforeTheyAreRead() {
        // The cache is allocated with torch.empty: poison every slot with NaN, then prefill and decode token by token;
        // a read of any slot not yet written would turn the logits into NaN.
        Llama m = sharpModel(CFG, DType.FP64, 3);
        long[] ids = {1, 7, 9, 30, 2, 44, 12, 8, 5, 19, 3, 27, 6, 40, 11, 22}; // two rows of 8
        try (Engine.Scope ng = Engine.noGrad()) {
            Tensor full = m.logits(Tensors.longs(Device.CPU, ids, 2, 8)); // (2, 8, V)
            Llama.KvCache cache = m.newCache(2, 48);
            for (int l = 0; l < CFG.nLayers(); l++) {
                cache.k[l].fill_(Tensors.s(Double.NaN));
                cache.v[l].fill_(Tensors.s(Double.NaN));
            }
            long[] prompt = {1, 7, 9, 5, 19, 3};
            double[] got = Tensors.toDoubles(m.stepLogits(Tensors.longs(Device.CPU, prompt, 2, 3), cache, 0, null, null)); // (2, V)
            for (int pos = 3; ; pos++) {
                double[] want = Tensors.toDoubles(full.select(1, pos - 1)); // (2, V)
                assertArrayEquals(want, got, 1e-9, "after " + pos + " tokens");
                if (pos == 8) break;
                got = Tensors.toDoubles(m.stepLogits(Tensors.longs(Device.CPU, new long[] {ids[pos], ids[8 + pos]}, 2, 1), cache, pos, null, null));
            }
        }
    }

    // ---- (b) continuation log-probs ----

    /** Hand computation: log_softmax of model.logits over context + continuation, the continuation's targets summed. */
    static double handLogProb(Llama m, int[] ctx, int[] cont) {
        int[] seq = new int[ctx.length + cont.length];
        System.arraycopy(ctx, 0, seq, 0, ctx.length);
        System.arraycopy(cont, 0, seq, ctx.length, cont.length);
        int n = seq.length - 1, v = m.cfg.vocabSize();
        try (Engine.Scope ng = Engine.noGrad()) {
            double[] logp = Tensors.toDoubles(m.logits(Tensors.longs(Device.CPU, Arrays.copyOf(seq, n), 1, n)).log_softmax(-1)); // (1, n, V)
            double sum = 0;
            for (int j = n - cont.length; j < n; j++) sum += logp[j * v + seq[j + 1]];
            return sum;
        }
    }

    @Test
    void continuationLogProbsMatchHandComputation() {
        Llama m = sharpModel(CFG, DType.FP64, 2);
        CharEncoder tok = new CharEncoder();
        TorchLanguageModel lm = new TorchLanguageModel(m, tok);
        List<int[]> ctx = encodeAll(tok, List.of("Question: two plus two?", "The cat", ""));
        List<int[]> cont = encodeAll(tok, List.of(" four", " sat on the mat.", "Hi"));
        double[] got = lm.continuationLogProbs(ctx, cont);
        assertEquals(handLogProb(m, ctx.get(0), cont.get(0)), got[0], 1e-9);
        assertEquals(handLogProb(m, ctx.get(1), cont.get(1)), got[1], 1e-9);
        assertEquals(handLogProb(m, new int[] {tok.eotId()}, cont.get(2)), got[2], 1e-9, "empty context starts at eot");
        assertTrue(got[0] < 0 && got[1] < got[0], "more tokens, lower log-prob");
        // Longer than the context: only the last 48 inputs count.
        int[] longCtx = tok.encode("abcdefghij".repeat(6)), c = tok.encode("xyz");
        double lp = lm.continuationLogProbs(List.of(longCtx), List.of(c))[0];
        int[] kept = Arrays.copyOfRange(longCtx, longCtx.length - 46, longCtx.length); // 46 + 3 = 49 = T + 1
        assertEquals(handLogProb(m, kept, c), lp, 1e-9);
        assertEquals(0.0, lm.continuationLogProbs(List.of(ctx.get(0)), List.of(new int[0]))[0]);
    }

    @Test
    void continuationsLongerThanTheContextAreScoredInRollingPieces() {
        // 48 + 5 tokens: the last 48 targets form one piece seeing the 48 tokens before each, the first 5 another:
        // log P(k | c) = log P(k[:5] | c) + log P(k[5:] | c + k[:5]) exactly.
        Llama m = sharpModel(CFG, DType.FP64, 3);
        CharEncoder tok = new CharEncoder();
        TorchLanguageModel lm = new TorchLanguageModel(m, tok);
        int[] c = tok.encode("Question: spell the alphabet"), k = tok.encode(" abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxy");
        assertEquals(53, k.length);
        int[] head = Arrays.copyOf(k, 5), tail = Arrays.copyOfRange(k, 5, k.length), cHead = Arrays.copyOf(c, c.length + 5);
        System.arraycopy(head, 0, cHead, c.length, 5);
        double whole = lm.continuationLogProbs(List.of(c), List.of(k))[0];
        double[] parts = lm.continuationLogProbs(List.of(c, cHead), List.of(head, tail));
        assertEquals(parts[0] + parts[1], whole, 1e-9);
        assertEquals(handLogProb(m, c, head), parts[0], 1e-9);
    }

    @Test
    void continuationLogProbsDoNotDependOnBatching() {
        Llama m = sharpModel(CFG, DType.FP32, 9); // the production dtype: padding must not change fp32 results either
        CharEncoder tok = new CharEncoder();
        SplittableRandom r = new SplittableRandom(4);
        List<int[]> ctx = new ArrayList<>(), cont = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            int[] a = new int[r.nextInt(0, 30)], b = new int[r.nextInt(1, 8)];
            for (int j = 0; j < a.length; j++) a[j] = r.nextInt(60);
            for (int j = 0; j < b.length; j++) b[j] = r.nextInt(60);
            ctx.add(a);
            cont.add(b);
        }
        double[] one = new TorchLanguageModel(m, tok, 1).continuationLogProbs(ctx, cont);
        double[] eight = new TorchLanguageModel(m, tok, 8).continuationLogProbs(ctx, cont);
        assertArrayEquals(one, eight, 1e-5);
        for (double v : one) assertTrue(v < 0 && Double.isFinite(v));
    }

    // ---- (c) sampling ----

    @Test
    void topPSamplingIsDeterministicPerSeedAndGreedyAtZero() {
        Llama m = sharpModel(CFG, DType.FP32, 11);
        CharEncoder tok = new CharEncoder();
        TorchLanguageModel lm = new TorchLanguageModel(m, tok);
        Generator gen = new Generator(lm);
        String a = gen.generate("Hello", 20, 1.0, 0.9, 42, List.of()).text();
        assertEquals(a, gen.generate("Hello", 20, 1.0, 0.9, 42, List.of()).text());
        Set<String> texts = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) texts.add(gen.generate("Hello", 20, 1.5, 1.0, seed, List.of()).text());
        assertTrue(texts.size() > 1, "different seeds should give different samples: " + texts);
        String greedy = lm.generateGreedy(List.of("Hello"), 20, List.of()).get(0);
        assertEquals(greedy, gen.generate("Hello", 20, 0.0, 0.9, 1, List.of()).text());
        assertEquals(greedy, gen.generate("Hello", 20, 0.8, 0.0, 1, List.of()).text(), "top-p 0 keeps only the top id");
        assertEquals(greedy, gen.generate("Hello", 20, 0.8, 1e-9, 7, List.of()).text());
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        Generator.TopP s = new Generator.TopP(1.0, 0.6, new SplittableRandom(1));
        double[] p = {0.2, 0.5, 0.3, 0.0};
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) counts[s.sample(p)]++;
        assertEquals(0, counts[0] + counts[3], "0.5 + 0.3 reaches 0.6: ids 0 and 3 are outside the nucleus");
        assertEquals(0.625, counts[1] / 4000.0, 0.03); // renormalised 0.5 / 0.8
    }

    // ---- (d) stop strings and streaming ----

    @Test
    void stopStringsCutTheOutputAndStreamingAgrees() {
        Llama m = sharpModel(CFG, DType.FP64, 11);
        CharEncoder tok = new CharEncoder();
        TorchLanguageModel lm = new TorchLanguageModel(m, tok);
        List<String> prompts = List.of("Hello world", "a");
        List<String> free = lm.generateGreedy(prompts, 20, List.of());
        String t = free.get(0);
        assertTrue(t.length() >= 8, "need some text to cut: '" + t + "'");
        String stop = t.substring(4, 7);
        int at = t.indexOf(stop);
        List<String> cut = lm.generateGreedy(prompts, 20, List.of("NEVER", stop));
        assertEquals(t.substring(0, at), cut.get(0));
        String other = free.get(1);
        int at1 = other.indexOf(stop);
        assertEquals(at1 < 0 ? other : other.substring(0, at1), cut.get(1), "each row stops on its own");

        StringBuilder streamed = new StringBuilder();
        Generator.Result r = new Generator(lm).generate("Hello world", 20, 0, 1, 0, List.of(stop), streamed::append);
        assertEquals(t.substring(0, at), r.text());
        assertEquals(r.text(), streamed.toString(), "streamed pieces never include the stop string");
        assertEquals(StopReason.STOP_STRING, r.reason());
        assertTrue(r.tokensPerSecond() > 0);
    }

    @Test
    void streamerHoldsBackPossibleStopPrefixes() {
        List<String> out = new ArrayList<>();
        Generator.Streamer s = new Generator.Streamer(List.of("STOP"), out::add);
        s.update("ab");
        s.update("abS");
        s.update("abST");
        s.update("abSTx");
        s.update("abSTx\uFFFD"); // half a character: wait for the rest
        s.update("abSTxé");
        s.finish("abSTxé");
        assertEquals(List.of("ab", "STx", "é"), out);
    }

    // ---- the real tokenizer and loading from disk ----

    @Test
    void byteLevelBpeRoundTripThroughASavedModel(@TempDir Path dir) throws IOException {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            texts.add("The cat sat on the mat number " + i + ". Question: what is " + i + " plus " + i + "?");
            texts.add("Answer: the answer is " + (2 * i) + ". Café, naïve, 東京.");
        }
        ByteLevelBpe bpe = ByteLevelBpe.train(texts.iterator(), 300, TrainOptions.defaults());
        LlamaConfig cfg = new LlamaConfig(bpe.vocabSize(), 32, 2, 4, 2, 64, 48, 10000, 1e-5, false);
        Llama m = sharpModel(cfg, DType.FP32, 21);
        Path tokFile = dir.resolve("src-tokenizer.json");
        bpe.save(tokFile);
        Path modelDir = dir.resolve("model");
        ModelFiles.write(modelDir, m, tokFile); // copies it in as tokenizer.json

        TorchLanguageModel lm = TorchLanguageModel.load(dir, Device.CPU); // the run folder: model/ is found
        List<String> prompts = List.of("The cat", "Question: what is 3 plus 3? Answer:", "Café");
        List<String> got = lm.generateGreedy(prompts, 10, List.of());
        for (int i = 0; i < prompts.size(); i++) {
            int[] ref = referenceGreedy(lm.model(), bpe.encode(prompts.get(i)), 10, bpe.eotId());
            assertEquals(bpe.decode(ref), got.get(i), prompts.get(i));
        }
        double[] lp = lm.continuationLogProbs(encodeAll(bpe, List.of("The cat", "Question:")), encodeAll(bpe, List.of(" sat", " what is")));
        assertEquals(handLogProb(lm.model(), bpe.encode("The cat"), bpe.encode(" sat")), lp[0], 1e-4);
        assertTrue(lp[1] < 0);

        Files.delete(modelDir.resolve("tokenizer.json"));
        IOException e = assertThrows(IOException.class, () -> TorchLanguageModel.load(modelDir, Device.CPU));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertNotEquals(0, got.stream().mapToInt(String::length).sum(), "the model should say something");
    }
}
