package rho4j.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import rho4j.engine.Device;
import rho4j.engine.Engine;
import rho4j.engine.Tensors;
import rho4j.eval.LanguageModel;
import rho4j.tokenize.HfTokenizer;
import rho4j.tokenize.TextEncoder;
import rho4j.engine.DType;

/**
 * A {@link Llama} plus its tokenizer as the {@link LanguageModel} evaluation asks for: batched continuation
 * log-likelihoods and batched greedy generation with a KV cache over left-padded prompts.
 * Not thread-safe: one caller at a time (libtorch already uses every core for one batch).
 */
public final class TorchLanguageModel implements LanguageModel {
    public static final int DEFAULT_BATCH_SIZE = 8;

    private final Llama model;
    private final TextEncoder tokenizer;
    private final int batchSize;

    public TorchLanguageModel(Llama model, TextEncoder tokenizer) { this(model, tokenizer, DEFAULT_BATCH_SIZE); }

    public TorchLanguageModel(Llama model, TextEncoder tokenizer, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (tokenizer.vocabSize() > model.cfg.vocabSize())
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " ids but the model only "
                    + model.cfg.vocabSize() + " (a tokenizer from another run?)");
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    /**
     * Loads weights (a run folder, a checkpoint or a model/ folder, as {@link ModelFiles#modelDir}) and the
     * tokenizer.json beside them, in the device's default float type.
     */
    public static TorchLanguageModel load(Path runOrModelDir, Device device) throws IOException {
        return load(runOrModelDir, device, DEFAULT_BATCH_SIZE);
    }

    public static TorchLanguageModel load(Path runOrModelDir, Device device, int batchSize) throws IOException {
        Path dir = ModelFiles.modelDir(runOrModelDir);
        Path tok = dir.resolve("tokenizer.json");
        // Check before loading weights: a missing tokenizer is the common mistake and weights take a while.
        if (!Files.exists(tok))
            throw new IOException(dir + " has model weights but no tokenizer.json; copy the tokenizer the model was trained"
                    + " with into that folder (runs written by `rho train` include it)");
        HfTokenizer t = HfTokenizer.load(tok);
        Llama m = ModelFiles.load(dir, device, DType.FP32);
        return new TorchLanguageModel(m, t, batchSize);
    }

    public Llama model() { return model; }

    public int batchSize() { return batchSize; }

    @Override public TextEncoder tokenizer() { return tokenizer; }

    @Override public int contextLength() { return model.cfg.contextLength(); }

    // ---------------------------------------------------------------------------------------------------------
    // Log-likelihood

    /** One forward row: {@code seq} (inputs = all but its last token) whose last {@code scored} targets belong to pair {@code pair}. */
    private record Piece(int pair, int[] seq, int scored) {}

    @Override
    public double[] continuationLogProbs(List<int[]> contexts, List<int[]> continuations) {
        if (contexts.size() != continuations.size())
            throw new IllegalArgumentException(contexts.size() + " contexts but " + continuations.size() + " continuations");
        int n = contexts.size(), ctx = contextLength();
        double[] out = new double[n];
        // seq = context + continuation; targets are seq shifted by one. A continuation longer than the context length
        // is scored in rolling pieces of at most ctx targets, each seeing the ctx tokens before it (as
        // lm-evaluation-harness's rolling log-likelihood does); shorter ones are one left-truncated piece.
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] c = contexts.get(i), k = continuations.get(i);
            if (k.length == 0) continue; // log P(empty) = 0
            // An empty context still needs a position predicting the first continuation token: end-of-text stands for
            // "start of a document", as lm-evaluation-harness does.
            if (c.length == 0) c = new int[] {tokenizer.eotId()};
            int[] seq = new int[c.length + k.length];
            System.arraycopy(c, 0, seq, 0, c.length);
            System.arraycopy(k, 0, seq, c.length, k.length);
            for (int end = seq.length; end > c.length; end -= ctx) { // targets [max(c.len, end - ctx), end)
                int first = Math.max(c.length, end - ctx), start = Math.max(0, end - ctx - 1);
                pieces.add(new Piece(i, Arrays.copyOfRange(seq, start, end), end - first));
            }
        }
        // Longest first: rows of similar length share a batch, so little compute goes to padding.
        pieces.sort(Comparator.comparingInt((Piece p) -> p.seq().length).reversed());
        for (int from = 0; from < pieces.size(); from += batchSize)
            scoreBatch(pieces.subList(from, Math.min(pieces.size(), from + batchSize)), out);
        return out;
    }

    /** One forward over right-padded rows; padding sits after each sequence, so causal attention never sees it. */
    private void scoreBatch(List<Piece> rows, double[] out) {
        int b = rows.size(), t = 0;
        for (Piece p : rows) t = Math.max(t, p.seq().length - 1);
        long[] x = new long[b * t], y = new long[b * t]; // padding id 0: any valid id will do
        for (int r = 0; r < b; r++) {
            int[] s = rows.get(r).seq();
            for (int j = 0; j < s.length - 1; j++) {
                x[r * t + j] = s[j];
                y[r * t + j] = s[j + 1];
            }
        }
        double[] lp;
        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope scope = Engine.stepScope()) {
            Tensor logits = model.logits(Tensors.longs(model.device, x, b, t)); // (B, T, V)
            // (B, T, V); at least fp32 (a bf16 model's log-probs would be too coarse to rank options), float64 kept.
            Tensor logp = (model.dtype == DType.FP64 ? logits : logits.to(ScalarType.Float)).log_softmax(-1);
            Tensor target = Tensors.longs(model.device, y, b, t, 1); // (B, T, 1)
            lp = Tensors.toDoubles(logp.gather(-1, target).squeeze(-1)); // (B, T): only the chosen ids go to Java
        }
        for (int r = 0; r < b; r++) {
            Piece p = rows.get(r);
            int len = p.seq().length - 1;
            double sum = 0;
            for (int j = len - p.scored(); j < len; j++) sum += lp[r * t + j]; // the last `scored` targets
            out[p.pair()] += sum;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generation

    @Override
    public List<String> generateGreedy(List<String> prompts, int maxNewTokens, List<String> stops) {
        List<String> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<int[]> ids = new ArrayList<>();
            for (String p : prompts.subList(from, Math.min(prompts.size(), from + batchSize))) ids.add(tokenizer.encode(p, true));
            for (Generation g : generate(ids, maxNewTokens, stops, TokenPicker.GREEDY, null)) out.add(g.text());
        }
        return out;
    }

    /**
     * Greedy decoding of token-id prompts (one batch). With {@code neverEot} the end-of-text id is never chosen, so
     * every row yields exactly maxNewTokens (benchmarks compare fixed amounts of work).
     */
    public List<Generation> generateIds(List<int[]> prompts, int maxNewTokens, boolean neverEot) {
        int eot = tokenizer.eotId();
        TokenPicker picker = !neverEot ? TokenPicker.GREEDY : logits -> {
            logits.narrow(1, eot, 1).fill_(Tensors.s(Double.NEGATIVE_INFINITY)); // (B, V) scratch logits of this step
            return TokenPicker.GREEDY.pick(logits);
        };
        return generate(prompts, maxNewTokens, List.of(), picker, null);
    }

    /** Why a row stopped. */
    public enum StopReason { EOT, STOP_STRING, MAX_TOKENS, CONTEXT_FULL }

    /** One row's result: its continuation text (cut before a stop string), the generated ids (eot excluded). */
    public record Generation(String text, int[] ids, int promptTokens, StopReason reason) {}

    /** Chooses the next id of every row from the last-position logits (B, V). */
    @FunctionalInterface
    interface TokenPicker {
        long[] pick(Tensor logits);

        TokenPicker GREEDY = logits -> Tensors.toLongs(logits.argmax(new LongOptional(-1), false)); // (B,)
    }

    /** Called after each accepted token of a row with the row's continuation text so far (not yet stop-cut). */
    @FunctionalInterface
    interface TokenListener {
        void onToken(int row, int id, String textSoFar);
    }

    /**
     * Decodes one batch of token-id prompts with the KV cache. Prompts are left-padded to the longest, so every row's
     * last prompt token sits in the same (final) column and one decode step serves all rows; per-row RoPE positions
     * start at 0 on each row's first real token and a boolean mask hides padding keys.
     */
    List<Generation> generate(List<int[]> prompts, int maxNewTokens, List<String> stops, TokenPicker picker, TokenListener listener) {
        int blas = Engine.blasThreads(1); // decoding is many small GEMMs: one BLAS thread (see Engine.blasThreads)
        try {
            return decode(prompts, maxNewTokens, stops, picker, listener);
        } finally {
            Engine.blasThreads(blas);
            // The batch's KV cache and step tensors are freed now; hand glibc's freed pages back once per batch, or the
            // arenas keep them and the next batch's blocks land beside them (generation memory: bench/README.md).
            Engine.returnFreeMemory();
        }
    }

    private List<Generation> decode(List<int[]> prompts, int maxNewTokens, List<String> stops, TokenPicker picker, TokenListener listener) {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        int b = prompts.size(), ctx = contextLength(), eot = tokenizer.eotId();
        List<String> stopList = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
        // Left-truncate so the continuation fits; an empty prompt starts from end-of-text ("a new document").
        int keep = Math.max(1, ctx - maxNewTokens);
        int[][] p = new int[b][];
        int len = 0;
        for (int r = 0; r < b; r++) {
            int[] ids = prompts.get(r).length == 0 ? new int[] {eot} : prompts.get(r);
            p[r] = ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
            len = Math.max(len, p[r].length);
        }
        int[] pad = new int[b];
        for (int r = 0; r < b; r++) pad[r] = len - p[r].length;

        List<List<Integer>> gen = new ArrayList<>();
        String[] text = new String[b];
        StopReason[] reason = new StopReason[b];
        for (int r = 0; r < b; r++) { gen.add(new ArrayList<>()); text[r] = ""; }
        if (b == 0) return List.of();
        if (maxNewTokens == 0) Arrays.fill(reason, StopReason.MAX_TOKENS);
        // Only real padding needs positions and a mask; without it the model's own causal path is used (faster).
        boolean padded = Arrays.stream(pad).anyMatch(x -> x > 0);

        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope batchScope = Engine.stepScope()) {
            // Lives in the batch scope, outside the per-step ones; sized for this batch (the prompt and every token fed
            // back), not the whole context: half the memory for 64 + 64 tokens at context 256.
            Llama.KvCache cache = model.newCache(b, Math.min(ctx, len + maxNewTokens));
            int pos = 0; // cache slots filled so far
            long[] next = null;
            for (int step = 0; step < maxNewTokens; step++) {
                int t = step == 0 ? len : 1;
                if (pos + t > ctx) { // no slot left for the token we would feed
                    for (int r = 0; r < b; r++) if (reason[r] == null) reason[r] = StopReason.CONTEXT_FULL;
                    break;
                }
                try (Engine.Scope stepScope = Engine.stepScope()) { // frees this step's activations and logits
                    long[] x = new long[b * t];
                    Tensor positions = null, mask = null;
                    if (step == 0) {
                        for (int r = 0; r < b; r++) for (int j = 0; j < p[r].length; j++) x[r * t + pad[r] + j] = p[r][j];
                    } else {
                        for (int r = 0; r < b; r++) x[r] = next[r]; // finished rows keep feeding their last id: harmless
                    }
                    if (padded) {
                        int s = pos + t;
                        long[] posIds = new long[b * t];
                        boolean[] m = new boolean[b * t * s];
                        for (int r = 0; r < b; r++)
                            for (int i = 0; i < t; i++) {
                                int q = pos + i; // this query's cache slot
                                posIds[r * t + i] = Math.max(0, q - pad[r]);
                                // Real keys up to the query itself. A padding query also sees itself: a row with
                                // every key masked is NaN on some SDPA backends (2.10's CPU one returns zeros), and
                                // NaN would leak into later layers through the padding keys' values.
                                for (int j = 0; j < s; j++) m[(r * t + i) * s + j] = (j >= pad[r] && j <= q) || j == q;
                            }
                        positions = Tensors.longs(model.device, posIds, b, t); // (B, T)
                        mask = Tensors.bools(model.device, m, b, 1, t, s); // (B, 1, T, S)
                    }
                    Tensor logits = model.stepLogits(Tensors.longs(model.device, x, b, t), cache, pos, positions, mask); // (B, V)
                    next = picker.pick(logits);
                }
                pos += t;
                boolean allDone = true;
                for (int r = 0; r < b; r++) {
                    if (reason[r] != null) continue;
                    int id = (int) next[r];
                    if (id == eot) {
                        reason[r] = StopReason.EOT;
                        continue;
                    }
                    gen.get(r).add(id);
                    text[r] = tokenizer.decode(gen.get(r).stream().mapToInt(Integer::intValue).toArray());
                    int cut = firstStop(text[r], stopList);
                    if (cut >= 0) {
                        text[r] = text[r].substring(0, cut);
                        reason[r] = StopReason.STOP_STRING;
                    }
                    if (listener != null) listener.onToken(r, id, text[r]);
                    if (reason[r] == null) allDone = false;
                }
                if (allDone) break;
            }
        }
        List<Generation> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++)
            out.add(new Generation(text[r], gen.get(r).stream().mapToInt(Integer::intValue).toArray(), p[r].length,
                    reason[r] == null ? StopReason.MAX_TOKENS : reason[r]));
        return out;
    }

    /** Start of the earliest stop string in text, or -1. */
    static int firstStop(String text, List<String> stops) {
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        return cut;
    }
}
