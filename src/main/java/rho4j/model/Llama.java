package rho4j.model;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.cross_entropy_loss;
import static org.bytedeco.pytorch.global.torch.embedding;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.rms_norm;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;
import static org.bytedeco.pytorch.global.torch.silu;
import static rho4j.engine.Tensors.s;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Engine;
import rho4j.engine.Precision;
import rho4j.engine.Tensors;

/**
 * A Llama-style decoder: token embedding, pre-norm blocks of RMSNorm -> grouped-query causal attention with rotary
 * embeddings -> residual, RMSNorm -> SwiGLU MLP -> residual, a final RMSNorm and an output head (optionally tied).
 * Weights are typed ({@link Weights}, {@link Block}); Hugging Face's LlamaForCausalLM names appear only where
 * weights are read or written ({@link #parameters}), with the rotate-half rotary convention HF uses, so
 * model.safetensors + config.json load in transformers unchanged.
 *
 * Shapes: B batch, T time, D model dim, H heads, K kv heads, E head dim, V vocabulary, F MLP hidden.
 * Create a model outside any per-step memory scope: its parameters must outlive the steps.
 */
public final class Llama {
    /** One decoder block's weights. */
    public record Block(Tensor attnNorm, // (D)
                        Tensor wq,       // (H*E, D)
                        Tensor wk,       // (K*E, D)
                        Tensor wv,       // (K*E, D)
                        Tensor wo,       // (D, H*E)
                        Tensor mlpNorm,  // (D)
                        Tensor wGate,    // (F, D)
                        Tensor wUp,      // (F, D)
                        Tensor wDown) {} // (D, F)

    /** Every weight of the model; {@code head} is {@code embed} itself when the embeddings are tied. */
    public record Weights(Tensor embed,      // (V, D)
                          List<Block> blocks, // L of them
                          Tensor norm,       // (D)
                          Tensor head) {}    // (V, D)

    public final LlamaConfig cfg;
    public final Device device;
    public final DType dtype;
    // How the model computes (the weights stay in dtype): fp32, or bf16 mixed precision (Engine.compute).
    private volatile Precision precision = Precision.FP32;
    private final Weights w;
    private final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>(); // Hugging Face name -> weight, in file order
    // RoPE tables (Tmax, E), built in float64 then cast so positions far out stay accurate. sinSigned carries the sign
    // of rotate_half (-sin on the first half, +sin on the second), so rope is x*cos + swap_halves(x)*sinSigned.
    private final Tensor cos, sinSigned;

    /** Random initialisation (normal, std 0.02; residual output projections scaled by 1/sqrt(2 L), as GPT-2). */
    public Llama(LlamaConfig cfg, Device device, DType dtype, long seed) {
        this(cfg, device, dtype, (WeightSource) null, seed);
    }

    /** Wraps given weights (Hugging Face names); they are copied to the device and dtype. */
    public Llama(LlamaConfig cfg, Device device, DType dtype, Map<String, Tensor> weights) {
        this(cfg, device, dtype, fromMap(weights), 0);
    }

    /** Weights read tensor by tensor from a safetensors file, each straight into the model's own tensor (no second copy). */
    public Llama(LlamaConfig cfg, Device device, DType dtype, Safetensors.Reader file) {
        this(cfg, device, dtype, (name, dst) -> {
            try {
                file.readInto(name, dst);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }, 0);
    }

    /** Weights read tensor by tensor from a Hugging Face folder (one file or shards), each straight into the model's own tensor. */
    public Llama(LlamaConfig cfg, Device device, DType dtype, HfWeights files, java.nio.file.Path dir) {
        this(cfg, device, dtype, (name, dst) -> {
            try {
                files.readInto(name, dst, dir);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }, 0);
    }

    /** Fills a new parameter with the initial weight of that name (already of the config's shape), or throws. */
    @FunctionalInterface
    private interface WeightSource {
        void copyInto(String name, Tensor dst);
    }

    private static WeightSource fromMap(Map<String, Tensor> weights) {
        return (name, dst) -> {
            Tensor w = weights.get(name);
            if (w == null) throw new IllegalArgumentException("weights lack '" + name + "' (a checkpoint of another architecture or size?)");
            if (!java.util.Arrays.equals(Tensors.shape(w), Tensors.shape(dst)))
                throw new IllegalArgumentException("weight '" + name + "' has shape " + java.util.Arrays.toString(Tensors.shape(w))
                        + " but the config needs " + java.util.Arrays.toString(Tensors.shape(dst)));
            dst.copy_(w.detach().to(dst.scalar_type().intern())); // detached: another model's live weights would make dst a non-leaf
        };
    }

    private Llama(LlamaConfig cfg, Device device, DType dtype, WeightSource weights, long seed) {
        Engine.requireDevice(device);
        this.cfg = cfg;
        this.device = device;
        this.dtype = dtype;
        if (weights == null) torch.manual_seed(seed);
        long d = cfg.dim(), q = (long) cfg.nHeads() * cfg.headDim(), kv = (long) cfg.nKvHeads() * cfg.headDim(), f = cfg.ffnDim(), v = cfg.vocabSize();
        double resid = 0.02 / Math.sqrt(2.0 * cfg.nLayers()); // residual output projections, as GPT-2
        // Made in file order: the random draws follow it, so a seed gives the same model as it always did.
        Tensor embed = weight("model.embed_tokens.weight", weights, 0.02, v, d);
        List<Block> blocks = new ArrayList<>();
        for (int l = 0; l < cfg.nLayers(); l++) {
            String n = "model.layers." + l + ".";
            blocks.add(new Block(weight(n + "input_layernorm.weight", weights, 0, d),
                    weight(n + "self_attn.q_proj.weight", weights, 0.02, q, d),
                    weight(n + "self_attn.k_proj.weight", weights, 0.02, kv, d),
                    weight(n + "self_attn.v_proj.weight", weights, 0.02, kv, d),
                    weight(n + "self_attn.o_proj.weight", weights, resid, d, q),
                    weight(n + "post_attention_layernorm.weight", weights, 0, d),
                    weight(n + "mlp.gate_proj.weight", weights, 0.02, f, d),
                    weight(n + "mlp.up_proj.weight", weights, 0.02, f, d),
                    weight(n + "mlp.down_proj.weight", weights, resid, d, f)));
        }
        Tensor norm = weight("model.norm.weight", weights, 0, d);
        Tensor head = cfg.tieEmbeddings() ? embed : weight("lm_head.weight", weights, 0.02, v, d);
        this.w = new Weights(embed, List.copyOf(blocks), norm, head);
        // RoPE tables, rotate-half layout: emb = cat(freqs, freqs), freqs[t, i] = t * invFreq[i] (theta^(-2i/E), rope-scaled
        // when the config says so). Filled in blocks of rows: a Llama-3.1 config (131072 positions) would otherwise hold
        // 0.5 GB of float64 staging for two tables of 64 MB.
        int e = cfg.headDim(), tmax = cfg.contextLength(), block = Math.min(tmax, 4096);
        double[] invFreq = cfg.invFreq(), table = new double[block * e], tableSin = new double[block * e];
        cos = torch.empty(new long[] {tmax, e}, device.options(dtype), new org.bytedeco.pytorch.MemoryFormatOptional());
        sinSigned = torch.empty(new long[] {tmax, e}, device.options(dtype), new org.bytedeco.pytorch.MemoryFormatOptional());
        for (int t0 = 0; t0 < tmax; t0 += block) {
            int n = Math.min(block, tmax - t0);
            for (int r = 0; r < n; r++)
                for (int i = 0; i < e / 2; i++) {
                    double fr = (t0 + r) * invFreq[i];
                    table[r * e + i] = table[r * e + i + e / 2] = Math.cos(fr);
                    tableSin[r * e + i] = -Math.sin(fr);
                    tableSin[r * e + i + e / 2] = Math.sin(fr);
                }
            try (org.bytedeco.javacpp.PointerScope tmp = new org.bytedeco.javacpp.PointerScope()) { // the staging tensors die here
                cos.narrow(0, t0, n).copy_(Tensors.doubles(device, java.util.Arrays.copyOf(table, n * e), n, e)); // copy_ casts as .to did
                sinSigned.narrow(0, t0, n).copy_(Tensors.doubles(device, java.util.Arrays.copyOf(tableSin, n * e), n, e));
            }
        }
        // A model is built once, after start-up: what start-up and the construction freed goes back to the system
        // instead of staying resident in malloc's arenas.
        Engine.returnFreeMemory();
    }

    /**
     * A new parameter of this shape, registered under its Hugging Face name: copied from {@code weights}, or drawn
     * from N(0, std) (std 0: a norm weight, ones).
     */
    private Tensor weight(String name, WeightSource weights, double std, long... shape) {
        Tensor t = torch.empty(shape, device.options(dtype), new org.bytedeco.pytorch.MemoryFormatOptional());
        // Conversions and random draws in a scope of their own: freed now, not when the garbage collector gets to them.
        try (org.bytedeco.javacpp.PointerScope tmp = new org.bytedeco.javacpp.PointerScope()) {
            if (weights != null) weights.copyInto(name, t);
            else if (std == 0) t.fill_(s(1.0));
            // fp32: drawn in place (the same numbers as randn * std); other dtypes draw in fp32 and cast
            else if (dtype == DType.FP32) t.normal_(0.0, std, new org.bytedeco.pytorch.GeneratorOptional());
            else t.copy_(torch.randn(shape, device.options(DType.FP32)).mul_(s(std)).to(dtype.scalarType()));
        }
        params.put(name, t.set_requires_grad(true));
        return t;
    }

    /** Parameter names in file order (Hugging Face's), for a config. */
    public static List<String> parameterNames(LlamaConfig c) {
        List<String> n = new ArrayList<>();
        n.add("model.embed_tokens.weight");
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "model.layers." + l + ".";
            for (String s : new String[] {"input_layernorm", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                    "self_attn.o_proj", "post_attention_layernorm", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"})
                n.add(p + s + ".weight");
        }
        n.add("model.norm.weight");
        if (!c.tieEmbeddings()) n.add("lm_head.weight");
        return n;
    }

    /**
     * Sets how every forward and backward of this model computes from now on: training, scoring, evaluation and
     * generation alike (the weights are unchanged: fp32 masters stay fp32). Returns this model.
     */
    public Llama setPrecision(Precision p) {
        this.precision = p;
        return this;
    }

    public Precision precision() { return precision; }

    /** The typed weights. */
    public Weights weights() { return w; }

    /** Every weight under its Hugging Face name, in file order: for files and optimizer state, never for compute. */
    public Map<String, Tensor> parameters() { return Collections.unmodifiableMap(params); }

    public long numParams() {
        long n = 0;
        for (Tensor t : params.values()) n += t.numel();
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Forward

    /** Final hidden states (B, T, D) after the last norm, before the output head (see {@link FusedHeadLoss}). */
    public Tensor hidden(Tensor idx) { return trunk(idx, null, 0, null, null); }

    /** The output head's weight (V, D): lm_head, or the token embedding when tied. */
    public Tensor headWeight() { return w.head(); }

    /** Logits for every position: idx (B, T) int64 -> (B, T, V). */
    public Tensor logits(Tensor idx) {
        Tensor h = trunk(idx, null, 0, null, null);
        try (Engine.Scope mixed = Engine.compute(precision, device)) {
            return widened(linear(h, w.head())); // a bf16 product, fp32 logits for the log-softmax
        }
    }

    /**
     * Per-token next-token losses, -log P(targets | prefix): idx, targets (B, T) -> (B, T). Fused: logits are made once
     * and cross_entropy_loss (log-softmax + gather) runs on them without a second copy.
     */
    public Tensor tokenLosses(Tensor idx, Tensor targets) {
        Tensor logits = logits(idx); // (B, T, V)
        long b = idx.size(0), t = idx.size(1);
        return cross_entropy_loss(logits.view(-1, cfg.vocabSize()), targets.view(-1), new TensorOptional(), 0 /* none */, -100, 0.0)
                .view(b, t);
    }

    /**
     * No-grad per-token losses, and entropies if asked, as Java arrays (B*T): the head and the loss fused in chunks, so
     * scoring and evaluation never hold the full logits ({@link FusedHeadLoss#score}). Rows go through the network in
     * groups of whole sequences of at most {@link #SCORE_GROUP_BYTES} per (rows, F) activation: the allocator's peak
     * grows with the size of each temporary (bench/README.md); results agree with one group to the last bit or two.
     */
    public float[][] scoreTokens(Tensor idx, Tensor targets, boolean entropy) {
        return scoreTokens(idx, targets, entropy, scoreGroup(idx.size(0), idx.size(1)));
    }

    /** {@link #scoreTokens(Tensor, Tensor, boolean)} of b sequences of t token ids, made on the model's device. */
    public float[][] scoreTokens(int[] inputs, int[] targets, int b, int t, boolean entropy) {
        return scoreTokens(Tensors.longs(device, inputs, b, t), Tensors.longs(device, targets, b, t), entropy);
    }

    /** The training forward of b sequences of t token ids: per-token losses now, the backward pass on demand. */
    public FusedHeadLoss trainForward(int[] inputs, int[] targets, int b, int t) {
        return FusedHeadLoss.forward(hidden(Tensors.longs(device, inputs, b, t)), w.head(), Tensors.longs(device, targets, b, t), precision);
    }

    /** A fresh AdamW over every parameter (decoupled weight decay on matrices only). */
    public AdamW optimizer(AdamW.Hyper h) { return new AdamW(parameters(), h); }

    /** As {@link #scoreTokens(Tensor, Tensor, boolean)}, {@code group} sequences per forward. */
    float[][] scoreTokens(Tensor idx, Tensor targets, boolean entropy, int group) {
        long b = idx.size(0), t = idx.size(1);
        if (group >= b) return FusedHeadLoss.score(hidden(idx), headWeight(), targets, entropy, precision);
        float[] loss = new float[(int) (b * t)], ent = entropy ? new float[(int) (b * t)] : null;
        for (long r0 = 0; r0 < b; r0 += group) {
            long c = Math.min(group, b - r0);
            float[][] le;
            try (org.bytedeco.javacpp.PointerScope sub = new org.bytedeco.javacpp.PointerScope()) { // this group's tensors die here
                le = FusedHeadLoss.score(hidden(idx.narrow(0, r0, c)), headWeight(), targets.narrow(0, r0, c), entropy, precision);
            }
            System.arraycopy(le[0], 0, loss, (int) (r0 * t), (int) (c * t));
            if (entropy) System.arraycopy(le[1], 0, ent, (int) (r0 * t), (int) (c * t));
        }
        return new float[][] {loss, ent};
    }

    /** Largest (rows, F) activation of one scoring forward. */
    static final long SCORE_GROUP_BYTES = 4L << 20;

    /** Sequences per scoring forward for a batch of b sequences of length t: at least one. */
    int scoreGroup(long b, long t) {
        long rowBytes = (long) Math.max(cfg.dim(), cfg.ffnDim()) * dtype.bytes;
        return (int) Math.max(1, Math.min(b, SCORE_GROUP_BYTES / (t * rowBytes)));
    }

    /**
     * The decoder stack up to the final norm: (B, T) -> (B, T, D).
     * Training passes no cache (causal attention over the window). Generation passes a cache, the first position
     * {@code pos} and, for left-padded batches, {@code positions} (B, T) and a boolean {@code mask} (B, 1, T, S).
     */
    Tensor trunk(Tensor idx, KvCache cache, int pos, Tensor positions, Tensor mask) {
        try (Engine.Scope mixed = Engine.compute(precision, device)) {
            return trunkIn(idx, cache, pos, positions, mask);
        }
    }

    private Tensor trunkIn(Tensor idx, KvCache cache, int pos, Tensor positions, Tensor mask) {
        long b = idx.size(0), t = idx.size(1);
        int e = cfg.headDim();
        Tensor c, sn;
        // RoPE runs on (B, T, H, E), the layout the projections produce, before the transpose for attention.
        if (positions != null) { // (B, T, 1, E): each row has its own positions
            Tensor flat = positions.reshape(-1);
            c = cos.index_select(0, flat).view(b, t, 1, e);
            sn = sinSigned.index_select(0, flat).view(b, t, 1, e);
        } else { // (T, 1, E), broadcast over B and H
            c = cos.narrow(0, pos, t).view(t, 1, e);
            sn = sinSigned.narrow(0, pos, t).view(t, 1, e);
        }
        if (Engine.lowPrecision(device) && dtype == DType.FP32) { // RoPE in the activations' dtype (bf16), as Hugging Face's
            c = c.to(torch.ScalarType.BFloat16);
            sn = sn.to(torch.ScalarType.BFloat16);
        }
        if (cache != null && mask == null && t > 1 && pos > 0) {
            // A chunk fed after earlier cache entries: SDPA's is_causal aligns the triangle top-left (query i sees keys
            // 0..i), which is wrong when S > T, so spell out "key j <= pos + i" as a mask. (T, S) broadcasts over B, H.
            int tt = (int) t, s = pos + tt;
            boolean[] m = new boolean[tt * s];
            for (int i = 0; i < tt; i++)
                for (int j = 0; j <= pos + i; j++) m[i * s + j] = true;
            mask = Tensors.bools(device, m, tt, s);
        }
        Tensor x = embedding(w.embed(), idx); // (B, T, D)
        for (int l = 0; l < cfg.nLayers(); l++) {
            final int layer = l;
            final Block blk = w.blocks().get(l);
            final Tensor in = x, attnMask = mask, cs = c, sns = sn;
            // Each half-block in its own memory scope: its temporaries are freed when it ends, not at the end of the
            // step; autograd keeps what backward needs.
            Tensor mid = Engine.scoped(() -> attention(blk, layer, in, cache, pos, cs, sns, attnMask));
            x = Engine.scoped(() -> mlp(blk, mid));
        }
        return rmsNorm(x, w.norm());
    }

    /** The attention half of a pre-norm block: x + attention(norm(x)), (B, T, D) -> (B, T, D). */
    private Tensor attention(Block blk, int l, Tensor x, KvCache cache, int pos, Tensor c, Tensor sn, Tensor mask) {
        long b = x.size(0), t = x.size(1);
        int h = cfg.nHeads(), k = cfg.nKvHeads(), e = cfg.headDim(), d = cfg.dim();
        Tensor hn = rmsNorm(x, blk.attnNorm());
        boolean noGrad = !org.bytedeco.pytorch.GradMode.is_enabled(); // no graph: rope and the residual add work in place
        Tensor q = rope(linear(hn, blk.wq()).view(b, t, h, e), c, sn, noGrad).transpose(1, 2); // (B, H, T, E)
        Tensor kk = rope(linear(hn, blk.wk()).view(b, t, k, e), c, sn, noGrad).transpose(1, 2); // (B, K, T, E)
        Tensor v = linear(hn, blk.wv()).view(b, t, k, e).transpose(1, 2); // (B, K, T, E)
        boolean causal = mask == null;
        if (cache != null) { // write this step's keys/values, attend over everything so far
            cache.k[l].narrow(2, pos, t).copy_(kk);
            cache.v[l].narrow(2, pos, t).copy_(v);
            kk = cache.k[l].narrow(2, 0, pos + t);
            v = cache.v[l].narrow(2, 0, pos + t);
            causal = mask == null && t > 1 && pos == 0;
        }
        kk = repeatKv(kk, h / k); // (B, H, S, E)
        v = repeatKv(v, h / k);
        // Fused attention: no T x T matrix kept. In the precision the policy gives attention on this device.
        Tensor y;
        if (precision == Precision.BF16 && precision.attention(device) == Precision.FP32 && dtype == DType.FP32) {
            try (Engine.Scope fp32 = Engine.compute(Precision.FP32, device)) {
                y = scaled_dot_product_attention(widened(q), widened(kk), widened(v), mask == null ? new TensorOptional() : new TensorOptional(mask),
                        0.0, causal, new DoubleOptional(), false);
            }
        } else {
            y = scaled_dot_product_attention(q, kk, v, mask == null ? new TensorOptional() : new TensorOptional(mask), 0.0,
                    causal, new DoubleOptional(), false); // (B, H, T, E)
        }
        y = y.transpose(1, 2).reshape(b, t, d); // (B, T, D)
        Tensor o = linear(y, blk.wo());
        return residual(x, o, noGrad);
    }

    /** The MLP half: x + down(silu(gate(norm(x))) * up(norm(x))), (B, T, D) -> (B, T, D) through (B, T, F). */
    private Tensor mlp(Block blk, Tensor x) {
        Tensor hn = rmsNorm(x, blk.mlpNorm());
        Tensor gate = linear(hn, blk.wGate()); // (B, T, F)
        if (org.bytedeco.pytorch.GradMode.is_enabled()) return x.add(linear(silu(gate).mul(linear(hn, blk.wUp())), blk.wDown()));
        torch.silu_(gate).mul_(linear(hn, blk.wUp())); // scoring, evaluation: no graph, so in place
        return residual(x, linear(gate, blk.wDown()), true);
    }

    /** bf16 (a product under the bf16 policy) -> fp32; any other dtype as it is. */
    static Tensor widened(Tensor t) {
        return t.scalar_type().intern() == torch.ScalarType.BFloat16 ? t.to(torch.ScalarType.Float) : t;
    }

    /**
     * x + f(x) in x's dtype (the fp32 residual stream stays fp32 when f computes in bf16). Without a graph, in place
     * into whichever of the two has that dtype: the same sum, float addition commutes.
     */
    private static Tensor residual(Tensor x, Tensor fx, boolean inPlace) {
        if (!inPlace) return x.add(fx);
        return fx.scalar_type().intern() == x.scalar_type().intern() ? fx.add_(x) : x.add_(fx);
    }

    private Tensor rmsNorm(Tensor x, Tensor w) {
        return rms_norm(x, new long[] {cfg.dim()}, new TensorOptional(w), new DoubleOptional(cfg.normEps()));
    }

    /**
     * x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1) over the last dim, written as
     * addcmul(x * cos, cat(x2, x1), sinSigned): three passes over x instead of five (no negation, no separate add).
     * In place (no autograd graph): x is overwritten, one temporary instead of three, the same numbers.
     */
    static Tensor rope(Tensor x, Tensor cos, Tensor sinSigned, boolean inPlace) {
        long half = x.size(-1) / 2;
        Tensor swapped = cat(new TensorVector(x.narrow(-1, half, half), x.narrow(-1, 0, half)), -1);
        return inPlace ? x.mul_(cos).addcmul_(swapped, sinSigned) : torch.addcmul(x.mul(cos), swapped, sinSigned);
    }

    /** (B, K, S, E) -> (B, K*rep, S, E), each kv head shared by rep query heads (grouped-query attention). */
    static Tensor repeatKv(Tensor x, int rep) {
        if (rep == 1) return x;
        long b = x.size(0), k = x.size(1), s = x.size(2), e = x.size(3);
        return x.unsqueeze(2).expand(b, k, rep, s, e).reshape(b, k * rep, s, e);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generation with a KV cache

    /**
     * Per-layer key and value buffers (B, K, Tmax, E), left uninitialised: a slot is always written before attention
     * reads it (it reads slots [0, pos + T) only), and untouched pages cost no memory until generation reaches them.
     */
    public static final class KvCache {
        final Tensor[] k, v;

        KvCache(Llama m, long batch, int maxLen) {
            k = new Tensor[m.cfg.nLayers()];
            v = new Tensor[m.cfg.nLayers()];
            long[] shape = {batch, m.cfg.nKvHeads(), maxLen, m.cfg.headDim()};
            // bf16 keys and values under the bf16 policy: half the memory, and attention reads them without a cast
            DType dt = m.precision == Precision.BF16 && m.dtype == DType.FP32 ? DType.BF16 : m.dtype;
            for (int l = 0; l < k.length; l++) {
                k[l] = torch.empty(shape, m.device.options(dt), new org.bytedeco.pytorch.MemoryFormatOptional());
                v[l] = torch.empty(shape, m.device.options(dt), new org.bytedeco.pytorch.MemoryFormatOptional());
            }
        }
    }

    public KvCache newCache(long batch, int maxLen) { return new KvCache(this, batch, maxLen); }

    /** Logits of the last position after feeding idx (B, T) at positions [pos, pos+T) of the cache: (B, V). */
    public Tensor stepLogits(Tensor idx, KvCache cache, int pos, Tensor positions, Tensor mask) {
        Tensor hidden = trunk(idx, cache, pos, positions, mask); // (B, T, D)
        Tensor last = hidden.narrow(1, hidden.size(1) - 1, 1).squeeze(1); // (B, D)
        try (Engine.Scope mixed = Engine.compute(precision, device)) {
            return widened(linear(last, w.head())); // (B, V)
        }
    }
}
