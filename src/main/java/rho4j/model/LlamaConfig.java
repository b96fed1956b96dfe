package rho4j.model;

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
                          double ropeTheta, double normEps, boolean tieEmbeddings) {

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
        PRESETS.put("demo", new LlamaConfig(2048, 128, 4, 4, 4, 352, 128, 10000, 1e-5, false));
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

    public LlamaConfig withVocab(int v) { return new LlamaConfig(v, dim, nLayers, nHeads, nKvHeads, ffnDim, contextLength, ropeTheta, normEps, tieEmbeddings); }
    public LlamaConfig withContext(int t) { return new LlamaConfig(vocabSize, dim, nLayers, nHeads, nKvHeads, ffnDim, t, ropeTheta, normEps, tieEmbeddings); }
    public LlamaConfig withTied(boolean tied) { return new LlamaConfig(vocabSize, dim, nLayers, nHeads, nKvHeads, ffnDim, contextLength, ropeTheta, normEps, tied); }

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

    public static LlamaConfig fromHfJson(JsonNode n, Path file) {
        try {
            int heads = req(n, "num_attention_heads", file).asInt();
            return new LlamaConfig(req(n, "vocab_size", file).asInt(), req(n, "hidden_size", file).asInt(),
                    req(n, "num_hidden_layers", file).asInt(), heads,
                    n.has("num_key_value_heads") ? n.get("num_key_value_heads").asInt() : heads,
                    req(n, "intermediate_size", file).asInt(), req(n, "max_position_embeddings", file).asInt(),
                    n.path("rope_theta").asDouble(10000), n.path("rms_norm_eps").asDouble(1e-5),
                    n.path("tie_word_embeddings").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
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
