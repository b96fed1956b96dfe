package rho4j.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import rho4j.engine.Engine;
import rho4j.engine.Tensors;
import rho4j.eval.LanguageModel;
import rho4j.model.Llama;
import rho4j.tokenize.TextEncoder;

/**
 * Minimal stand-in for rho4j.model.TorchLanguageModel (being written on another branch, not on main yet): log-probs
 * by one full forward per pair, and greedy generation without a KV cache (one forward over the last T tokens per new
 * token). Slow but simple and obviously correct; replace with TorchLanguageModel.load once it lands.
 */
final class TorchLm implements LanguageModel {
    private final Llama model;
    private final TextEncoder tok;
    private final int T;

    TorchLm(Llama model, TextEncoder tok) {
        this.model = model;
        this.tok = tok;
        this.T = model.cfg.contextLength();
    }

    @Override public TextEncoder tokenizer() { return tok; }

    @Override public int contextLength() { return T; }

    @Override
    public double[] continuationLogProbs(List<int[]> contexts, List<int[]> continuations) {
        double[] out = new double[contexts.size()];
        for (int i = 0; i < out.length; i++) {
            int[] ctx = contexts.get(i), cont = continuations.get(i);
            int[] all = new int[ctx.length + cont.length];
            System.arraycopy(ctx, 0, all, 0, ctx.length);
            System.arraycopy(cont, 0, all, ctx.length, cont.length);
            // Keep the last T+1 tokens: inputs are all but the last, targets all but the first.
            int from = Math.max(0, all.length - (T + 1));
            int[] w = Arrays.copyOfRange(all, from, all.length);
            int n = w.length - 1, scored = Math.min(cont.length, n);
            if (n < 1) continue;
            try (PointerScope s = Engine.stepScope(); NoGradGuard g = new NoGradGuard()) {
                float[] loss = Tensors.toFloats(model.tokenLosses(Tensors.longs(Arrays.copyOf(w, n), 1, n),
                        Tensors.longs(Arrays.copyOfRange(w, 1, n + 1), 1, n)));
                double sum = 0;
                for (int t = n - scored; t < n; t++) sum -= loss[t];
                out[i] = sum;
            }
        }
        return out;
    }

    @Override
    public List<String> generateGreedy(List<String> prompts, int maxNewTokens, List<String> stops) {
        List<String> out = new ArrayList<>(prompts.size());
        for (String p : prompts) out.add(generate(p, maxNewTokens, stops));
        return out;
    }

    private String generate(String prompt, int maxNewTokens, List<String> stops) {
        int[] ids = tok.encode(prompt);
        int[] gen = new int[maxNewTokens];
        int n = 0;
        String text = "";
        while (n < maxNewTokens) {
            int[] all = new int[ids.length + n];
            System.arraycopy(ids, 0, all, 0, ids.length);
            System.arraycopy(gen, 0, all, ids.length, n);
            int[] w = Arrays.copyOfRange(all, Math.max(0, all.length - T), all.length);
            int next;
            try (PointerScope s = Engine.stepScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor logits = model.logits(Tensors.longs(w, 1, w.length));
                next = (int) logits.select(1, w.length - 1).argmax().item_long();
            }
            if (next == tok.eotId()) break;
            gen[n++] = next;
            text = tok.decode(Arrays.copyOf(gen, n));
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (at >= 0) return text.substring(0, at);
            }
        }
        return text;
    }
}
