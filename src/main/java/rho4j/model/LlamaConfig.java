package rho4j.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One record sizes every model (litgpt style). Field meanings follow Hugging Face's LlamaConfig so config.json
 * interoperates: dim = hidden_size, ffnDim = intermediate_size, contextLength = max_position_embeddings.
 */
public record LlamaConfig(int vocabSize, int dim, int nLayers, int nHeads, int nKvHeads, int ffnDim, int contextLength,
                          double ropeTheta, double normEps, boolean tieEmbeddings,
                          @JsonInclude(JsonInclude.Include.NON_NULL) RopeScaling ropeScaling) {

    /** Without rope scaling (every preset, every model Rho4j trains from scratch). */
    public LlamaConfig(int vocabSize, int dim, int nLayers, int nHeads, int nKvHeads, int ffnDim, int contextLength,
                       double ropeTheta, double normEps, boolean tieEmbeddings) {
        this(vocabSize, dim, nLayers, nHeads, nKvHeads, ffnDim, contextLength, ropeTheta, normEps, tieEmbeddings, null);
    }

    /**
     * Llama-3.1/3.2's rope_scaling (rope_type "llama3"): wavelengths above original/lowFreqFactor are divided by
     * factor, those below original/highFreqFactor kept, and the band between interpolated smoothly, as transformers'
     * {@code _compute_llama3_parameters} does.
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
        public RopeScaling {
            if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalMaxPositions <= 0)
                throw new IllegalArgumentException("rope_scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and "
                        + "original_max_position_embeddings > 0, got " + this);
        }

        /** The scaled inverse frequency of one rotary pair. */
        public double scale(double invFreq) {
            double wavelen = 2 * Math.PI / invFreq;
            double lowWavelen = originalMaxPositions / lowFreqFactor, highWavelen = originalMaxPositions / highFreqFactor;
            if (wavelen < highWavelen) return invFreq;
            if (wavelen > lowWavelen) return invFreq / factor;
            double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return (1 - smooth) * invFreq / factor + smooth * invFreq;
        }
    }

    /** Rotary inverse frequencies theta^(-2i/E), i < E/2, rope-scaled when the config says so. */
    public double[] invFreq() {
        int e = headDim();
        double[] f = new double[e / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.pow(ropeTheta, -2.0 * i / e);
            if (ropeScaling != null) f[i] = ropeScaling.scale(f[i]);
        }
        return f;
    }

    public LlamaConfig {
        if (dim % nHeads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + nHeads);
        if (nHeads % nKvHeads != 0) throw new IllegalArgumentException("heads " + nHeads + " is not a multiple of kv heads " + nKvHeads);
        if ((dim / nHeads) % 2 != 0) throw new IllegalArgumentException("head size " + dim / nHeads + " must be even for rotary embeddings");
        if (vocabSize <= 0 || nLayers <= 0 || ffnDim <= 0 || contextLength <= 0) throw new IllegalArgumentException("sizes must be positive: " + this);
    }

    public int headDim() { return dim / nHeads; }

    /** Named sizes, smallest first. Vocabulary is usually replaced by the tokenizer's. */
    public static final Map<String, LlamaConfig> PRESETS = new LinkedHashMap<>();
    static {
        PRESETS.put("tiny", new LlamaConfig(512, 64, 2, 4, 2, 176, 64, 10000, 1e-5, false));
        // 2 layers, not 4: half the cost per token, and the demo's headline holds with them (README "Results": the trials)
        PRESETS.put("demo", new LlamaConfig(2048, 128, 2, 4, 4, 352, 128, 10000, 1e-5, false));
        PRESETS.put("small", new LlamaConfig(8192, 256, 4, 4, 4, 688, 256, 10000, 1e-5, false));
        // The benchmark config of issue #2 and the engine notes: 16.9M parameters.
        PRESETS.put("ref", new LlamaConfig(8192, 384, 6, 6, 6, 1024, 256, 10000, 1e-5, false));
        PRESETS.put("x4", new LlamaConfig(8192, 768, 8, 12, 12, 2048, 256, 10000, 1e-5, false));
        PRESETS.put("125m", new LlamaConfig(32000, 768, 12, 12, 12, 2048, 1024, 10000, 1e-5, false));
        PRESETS.put("350m", new LlamaConfig(32000, 1024, 24, 16, 8, 2816, 2048, 10000, 1e-5, false));
        // TinyLlama-1.1B, the paper's 1B base model.
        PRESETS.put("1b", new LlamaConfig(32000, 2048, 22, 32, 4, 5632, 2048, 10000, 1e-5, false));
    }

    public static LlamaConfig preset(String name) {
        LlamaConfig c = PRESETS.get(name);
        if (c == null) throw new IllegalArgumentException("unknown model preset '" + name + "'; choose one of " + PRESETS.keySet());
        return c;
    }

    public LlamaConfig withVocab(int v) { return new LlamaConfig(v, dim, nLayers, nHeads, nKvHeads, ffnDim, contextLength, ropeTheta, normEps, tieEmbeddings, ropeScaling); }
    public LlamaConfig withContext(int t) { return new LlamaConfig(vocabSize, dim, nLayers, nHeads, nKvHeads, ffnDim, t, ropeTheta, normEps, tieEmbeddings, ropeScaling); }
    public LlamaConfig withTied(boolean tied) { return new LlamaConfig(vocabSize, dim, nLayers, nHeads, nKvHeads, ffnDim, contextLength, ropeTheta, normEps, tied, ropeScaling); }

    public long numParams() {
        long attn = (long) dim * dim * 2 + 2L * dim * nKvHeads * headDim();
        long mlp = 3L * dim * ffnDim;
        long perLayer = attn + mlp + 2L * dim;
        return (long) vocabSize * dim * (tieEmbeddings ? 1 : 2) + nLayers * perLayer + dim;
    }

    /** Matmul FLOPs of forward+backward per token (6N plus attention), for model FLOPs utilisation. */
    public double trainFlopsPerToken() {
        long nonEmbed = numParams() - (long) vocabSize * dim * (tieEmbeddings ? 0 : 1) - (long) vocabSize * dim;
        double matmul = 6.0 * (nonEmbed + (long) vocabSize * dim);
        double attention = 6.0 * nLayers * dim * contextLength; // QK^T and AV, causal half counted in full as PaLM does
        return matmul + attention;
    }

    // ---- Hugging Face config.json ----

    public ObjectNode toHfJson(ObjectMapper om, int bosId, int eosId) {
        ObjectNode n = om.createObjectNode();
        n.putArray("architectures").add("LlamaForCausalLM");
        n.put("model_type", "llama");
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", dim);
        n.put("intermediate_size", ffnDim);
        n.put("num_hidden_layers", nLayers);
        n.put("num_attention_heads", nHeads);
        n.put("num_key_value_heads", nKvHeads);
        n.put("max_position_embeddings", contextLength);
        n.put("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            ObjectNode r = n.putObject("rope_scaling");
            r.put("rope_type", "llama3");
            r.put("factor", ropeScaling.factor());
            r.put("low_freq_factor", ropeScaling.lowFreqFactor());
            r.put("high_freq_factor", ropeScaling.highFreqFactor());
            r.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
        } else {
            n.putNull("rope_scaling");
        }
        n.put("rms_norm_eps", normEps);
        n.put("tie_word_embeddings", tieEmbeddings);
        n.put("hidden_act", "silu");
        n.put("attention_bias", false);
        n.put("mlp_bias", false);
        n.put("torch_dtype", "float32");
        n.put("bos_token_id", bosId);
        n.put("eos_token_id", eosId);
        return n;
    }

    /**
     * The shape of a Hugging Face config.json (Llama 1/2/3/3.1/3.2, TinyLlama, SmolLM, Mistral without a sliding
     * window). Anything Rho4j does not compute (biases, other activations, other rope types, a sliding window shorter
     * than the context, a head size other than hidden_size / heads, quantized weights) is refused with the field
     * named, never ignored. Defaults are transformers' LlamaConfig defaults.
     */
    public static LlamaConfig fromHfJson(JsonNode n, Path file) {
        try {
            String type = n.path("model_type").asText("llama");
            if (!type.equals("llama") && !type.equals("mistral"))
                throw refuse(file, "model_type", n.get("model_type"), "Rho4j loads Llama-family models (model_type llama or mistral)");
            for (JsonNode a : n.path("architectures"))
                if (!a.asText().equals("LlamaForCausalLM") && !a.asText().equals("MistralForCausalLM"))
                    throw refuse(file, "architectures", n.get("architectures"), "Rho4j loads LlamaForCausalLM and MistralForCausalLM");
            String act = n.path("hidden_act").asText("silu");
            if (!act.equals("silu")) throw refuse(file, "hidden_act", n.get("hidden_act"), "Rho4j's MLP is SwiGLU (hidden_act silu)");
            for (String bias : new String[] {"attention_bias", "mlp_bias"})
                if (n.path(bias).asBoolean(false)) throw refuse(file, bias, n.get(bias), "Rho4j's Llama has no bias terms");
            if (n.hasNonNull("quantization_config")) throw refuse(file, "quantization_config", null, "Rho4j loads F32, BF16 or F16 weights, not quantized ones");
            if (n.path("partial_rotary_factor").asDouble(1.0) != 1.0)
                throw refuse(file, "partial_rotary_factor", n.get("partial_rotary_factor"), "Rho4j rotates the whole head");
            int heads = req(n, "num_attention_heads", file).asInt(), hidden = req(n, "hidden_size", file).asInt();
            if (n.hasNonNull("head_dim") && heads > 0 && n.get("head_dim").asInt() * heads != hidden)
                throw refuse(file, "head_dim", n.get("head_dim"), "Rho4j's head size is hidden_size / num_attention_heads = " + hidden / heads);
            int maxPos = req(n, "max_position_embeddings", file).asInt();
            JsonNode sw = n.get("sliding_window");
            boolean swOn = n.path("use_sliding_window").asBoolean(true);
            if (sw != null && !sw.isNull() && swOn && sw.asLong() < maxPos)
                throw refuse(file, "sliding_window", sw, "Rho4j attends over the whole context (max_position_embeddings " + maxPos
                        + "); a sliding window shorter than it is not implemented");
            // transformers 5 writes rope_parameters (rope_theta inside it); earlier versions rope_theta + rope_scaling
            JsonNode params = n.get("rope_parameters");
            double theta = params != null && params.hasNonNull("rope_theta") ? params.get("rope_theta").asDouble() : n.path("rope_theta").asDouble(10000);
            String scalingKey = params != null && !params.isNull() ? "rope_parameters" : "rope_scaling";
            RopeScaling scaling = ropeScaling(n.get(scalingKey), scalingKey, file);
            return new LlamaConfig(req(n, "vocab_size", file).asInt(), hidden, req(n, "num_hidden_layers", file).asInt(), heads,
                    n.hasNonNull("num_key_value_heads") ? n.get("num_key_value_heads").asInt() : heads,
                    req(n, "intermediate_size", file).asInt(), maxPos, theta, n.path("rms_norm_eps").asDouble(1e-6),
                    n.path("tie_word_embeddings").asBoolean(false), scaling);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m != null && m.startsWith(file.toString()) ? m : file + ": " + m, e);
        }
    }

    private static RopeScaling ropeScaling(JsonNode r, String key, Path file) {
        if (r == null || r.isNull()) return null;
        JsonNode typeNode = r.hasNonNull("rope_type") ? r.get("rope_type") : r.get("type"); // "type" in configs before transformers 4.43
        String type = typeNode == null ? "default" : typeNode.asText();
        String typeField = key + "." + (r.hasNonNull("rope_type") ? "rope_type" : "type");
        if (type.equals("default")) return null;
        if (!type.equals("llama3"))
            throw refuse(file, typeField, typeNode, "Rho4j implements rope_type llama3 (Llama-3.1/3.2) and the default rope only");
        String[] fields = {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"};
        for (String f : fields)
            if (!r.hasNonNull(f) || !r.get(f).isNumber())
                throw new IllegalArgumentException(file + ": \"" + key + "." + f + "\" is missing or not a number; rope_type llama3 needs "
                        + String.join(", ", fields));
        try {
            return new RopeScaling(r.get("factor").asDouble(), r.get("low_freq_factor").asDouble(), r.get("high_freq_factor").asDouble(),
                    r.get("original_max_position_embeddings").asInt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": \"" + key + "\": " + e.getMessage());
        }
    }

    private static IllegalArgumentException refuse(Path file, String field, JsonNode value, String why) {
        return new IllegalArgumentException(file + ": \"" + field + "\"" + (value == null ? "" : " = " + value) + " is not supported: " + why);
    }

    private static JsonNode req(JsonNode n, String key, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException(file + ": missing \"" + key + "\" (expected a Hugging Face Llama config.json)");
        return v;
    }

    public static LlamaConfig readHf(Path file) throws IOException {
        return fromHfJson(rho4j.util.Json.tree(file, "restore the model folder's config.json"), file);
    }
}
