package rho4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Tensors;
import rho4j.util.Json;

/** Hugging Face folders in and out without Python: what is refused (file and field named), sharding, special ids. */
class HfFolderTest {
    static final LlamaConfig CFG = new LlamaConfig(41, 16, 2, 4, 2, 24, 32, 10000, 1e-5, false);

    static Path folder(Path dir, LlamaConfig cfg) throws Exception {
        ModelFiles.write(dir, new Llama(cfg, Device.CPU, DType.FP32, 3), null);
        return dir;
    }

    static void editConfig(Path dir, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        edit.accept(n);
        Json.write(dir.resolve("config.json"), n);
    }

    /** The config edit is refused by config.json reading and by loading, with the file and the field in the message. */
    static void refused(Path tmp, String name, String field, Consumer<ObjectNode> edit) throws Exception {
        Path dir = folder(tmp.resolve(name), CFG);
        editConfig(dir, edit);
        Exception e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.readHf(dir.resolve("config.json")), name);
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + field + "\""), name + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        Exception l = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(dir, Device.CPU, DType.FP32), name);
        assertEquals(e.getMessage(), l.getMessage());
    }

    @Test
    void everyUnimplementedFeatureIsRefusedNamingFileAndField(@TempDir Path tmp) throws Exception {
        refused(tmp, "attn-bias", "attention_bias", n -> n.put("attention_bias", true));
        refused(tmp, "mlp-bias", "mlp_bias", n -> n.put("mlp_bias", true));
        refused(tmp, "gelu", "hidden_act", n -> n.put("hidden_act", "gelu"));
        refused(tmp, "window", "sliding_window", n -> n.put("sliding_window", 16));
        refused(tmp, "linear-rope", "rope_scaling.rope_type", n -> n.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0));
        refused(tmp, "legacy-dynamic", "rope_scaling.type", n -> n.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0));
        refused(tmp, "yarn-v5", "rope_parameters.rope_type", n -> n.putObject("rope_parameters").put("rope_type", "yarn").put("rope_theta", 1e4));
        refused(tmp, "llama3-incomplete", "rope_scaling.original_max_position_embeddings", n -> n.putObject("rope_scaling")
                .put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0));
        refused(tmp, "head-dim", "head_dim", n -> n.put("head_dim", 8));
        refused(tmp, "gemma", "model_type", n -> n.put("model_type", "gemma"));
        refused(tmp, "arch", "architectures", n -> n.putArray("architectures").add("Qwen2ForCausalLM"));
        refused(tmp, "quantized", "quantization_config", n -> n.putObject("quantization_config").put("quant_method", "gptq"));
        refused(tmp, "partial-rope", "partial_rotary_factor", n -> n.put("partial_rotary_factor", 0.5));
        refused(tmp, "no-vocab", "vocab_size", n -> n.remove("vocab_size"));
    }

    @Test
    void whatTransformersAcceptsAsPlainLlamaLoads(@TempDir Path tmp) throws Exception {
        Path dir = folder(tmp.resolve("m"), CFG);
        // Mistral: null window, or one as long as the context; Qwen-style switch off; head_dim spelled out; v5 rope_parameters
        editConfig(dir, n -> n.put("model_type", "mistral").put("sliding_window", 32).put("head_dim", 4).put("use_sliding_window", true)
                .putArray("architectures").add("MistralForCausalLM"));
        assertEquals(CFG, LlamaConfig.readHf(dir.resolve("config.json")));
        editConfig(dir, n -> n.put("sliding_window", 4).put("use_sliding_window", false));
        assertEquals(CFG, LlamaConfig.readHf(dir.resolve("config.json")));
        editConfig(dir, n -> {
            n.putNull("sliding_window");
            n.remove("rope_theta");
            n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 10000.0);
        });
        assertEquals(CFG, LlamaConfig.readHf(dir.resolve("config.json")));
        ModelFiles.load(dir, Device.CPU, DType.FP32);
    }

    @Test
    void tensorsTheModelHasNoPlaceForAreRefusedNamingTheTensorAndFile(@TempDir Path tmp) throws Exception {
        Path dir = folder(tmp.resolve("m"), CFG);
        Map<String, Tensor> w = new LinkedHashMap<>(Safetensors.read(dir.resolve("model.safetensors")));
        w.put("model.layers.0.self_attn.q_proj.bias", Tensors.floats(Device.CPU, new float[16], 16));
        w.put("model.layers.0.self_attn.rotary_emb.inv_freq", Tensors.floats(Device.CPU, new float[2], 2)); // a buffer: skipped
        Safetensors.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
        Exception e = assertThrows(java.io.IOException.class, () -> ModelFiles.load(dir, Device.CPU, DType.FP32));
        assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()) && e.getMessage().contains("self_attn.q_proj.bias")
                && e.getMessage().contains("biases"), e.getMessage());
    }

    @Test
    void shardedFoldersWriteAndReadBackTheSameTensors(@TempDir Path tmp) throws Exception {
        Llama m = new Llama(CFG, Device.CPU, DType.FP32, 11);
        Path dir = tmp.resolve("m");
        ModelFiles.write(dir, m, null, new ModelFiles.Export(4000, null)); // embedding 41x16 fp32 = 2624 bytes
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        var index = Json.MAPPER.readTree(dir.resolve(HfWeights.INDEX).toFile());
        java.util.Set<String> shards = new java.util.TreeSet<>();
        index.path("weight_map").forEach(f -> shards.add(f.asText()));
        assertTrue(shards.size() > 2, shards.toString());
        long total = 0;
        for (String s : shards) {
            assertTrue(s.matches("model-\\d{5}-of-0000" + shards.size() + "\\.safetensors"), s);
            long bytes = 0;
            try (Safetensors.Reader r = Safetensors.open(dir.resolve(s))) {
                for (String n : r.names()) {
                    long[] shape = r.shape(n);
                    long numel = 1;
                    for (long x : shape) numel *= x;
                    bytes += numel * 4;
                }
            }
            assertTrue(bytes <= 4000 || bytes == 41 * 16 * 4, s + " holds " + bytes);
            total += bytes;
        }
        assertEquals(total, index.path("metadata").path("total_size").asLong());
        assertEquals(Llama.parameterNames(CFG).size(), index.path("weight_map").size());
        Llama back = ModelFiles.load(dir, Device.CPU, DType.FP32);
        for (var e : m.parameters().entrySet()) assertTrue(e.getValue().equal(back.parameters().get(e.getKey())), e.getKey());
        // written again below the limit: one file, the shards and the index gone
        ModelFiles.write(dir, back, null);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("config.json", "generation_config.json", "model.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Llama again = ModelFiles.load(dir, Device.CPU, DType.FP32);
        for (var e : m.parameters().entrySet()) assertTrue(e.getValue().equal(again.parameters().get(e.getKey())), e.getKey());
    }

    @Test
    void brokenIndexesAreRefusedNamingTheIndex(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        ModelFiles.write(dir, new Llama(CFG, Device.CPU, DType.FP32, 1), null, new ModelFiles.Export(4000, null));
        Path index = dir.resolve(HfWeights.INDEX);
        String text = Files.readString(index);
        Files.delete(dir.resolve("model-00002-of-0000" + text.split("-of-0000")[1].charAt(0) + ".safetensors"));
        Exception e = assertThrows(java.io.IOException.class, () -> ModelFiles.load(dir, Device.CPU, DType.FP32));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("model-00002-of"), e.getMessage());
        Files.writeString(index, "{\"metadata\": {}}");
        e = assertThrows(java.io.IOException.class, () -> ModelFiles.load(dir, Device.CPU, DType.FP32));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("weight_map"), e.getMessage());
        Files.writeString(index, "{\"weight_map\": {\"model.norm.weight\": \"../elsewhere.safetensors\"}}");
        e = assertThrows(java.io.IOException.class, () -> ModelFiles.load(dir, Device.CPU, DType.FP32));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("model.norm.weight"), e.getMessage());
    }

    @Test
    void llama3ScalingKeepsHighFrequenciesSlowsLowOnesAndBlendsBetween() {
        LlamaConfig.RopeScaling s = new LlamaConfig.RopeScaling(8, 1, 4, 8192);
        LlamaConfig c = new LlamaConfig(10, 128, 1, 1, 1, 8, 16, 500000, 1e-5, false, s);
        double[] plain = new LlamaConfig(10, 128, 1, 1, 1, 8, 16, 500000, 1e-5, false).invFreq(), scaled = c.invFreq();
        int kept = 0, slowed = 0, blended = 0;
        for (int i = 0; i < plain.length; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            if (wavelen < 8192 / 4.0) {
                assertEquals(plain[i], scaled[i], 0.0);
                kept++;
            } else if (wavelen > 8192) {
                assertEquals(plain[i] / 8, scaled[i], 0.0);
                slowed++;
            } else { // smooth = 8192 / wavelen - 1 over 3: the blend's weights sum to one
                double smooth = (8192 / wavelen - 1) / 3;
                assertEquals((1 - smooth) * plain[i] / 8 + smooth * plain[i], scaled[i], 1e-18);
                assertTrue(scaled[i] < plain[i] && scaled[i] > plain[i] / 8);
                blended++;
            }
        }
        assertTrue(kept > 0 && slowed > 0 && blended > 0, kept + " " + slowed + " " + blended);
    }

    @Test
    void ropeScalingTravelsThroughConfigJson(@TempDir Path tmp) throws Exception {
        LlamaConfig c = new LlamaConfig(41, 16, 2, 4, 2, 24, 32, 500000, 1e-5, true, new LlamaConfig.RopeScaling(32, 1, 4, 8));
        Path dir = folder(tmp.resolve("m"), c);
        assertEquals(c, LlamaConfig.readHf(dir.resolve("config.json")));
        assertEquals("llama3", Json.MAPPER.readTree(dir.resolve("config.json").toFile()).path("rope_scaling").path("rope_type").asText());
    }

    @Test
    void specialIdsComeFromTheTokenizerFiles(@TempDir Path tmp) throws Exception {
        // SentencePiece style (Llama-2, TinyLlama, Mistral): the template puts <s> first; </s> is the end of text
        Path l2 = tmp.resolve("l2/tokenizer.json");
        Files.createDirectories(l2.getParent());
        Files.writeString(l2, """
                {"added_tokens": [{"id": 0, "content": "<unk>"}, {"id": 1, "content": "<s>"}, {"id": 2, "content": "</s>"}],
                 "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                   {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
                 "model": {"type": "BPE", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "a": 3}}}""");
        assertEquals(new TokenizerSpecials(1, 2), TokenizerSpecials.of(l2));
        // Llama-3.1: a Sequence of ByteLevel and the template; the instruct model's eos from tokenizer_config.json
        Path l3 = tmp.resolve("l3/tokenizer.json");
        Files.createDirectories(l3.getParent());
        Files.writeString(l3, """
                {"added_tokens": [{"id": 7, "content": "<|begin_of_text|>"}, {"id": 8, "content": "<|end_of_text|>"}, {"id": 9, "content": "<|eot_id|>"}],
                 "post_processor": {"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [7], "tokens": ["<|begin_of_text|>"]}}}]},
                 "model": {"type": "BPE", "vocab": {"a": 0}}}""");
        assertEquals(new TokenizerSpecials(7, 8), TokenizerSpecials.of(l3));
        Files.writeString(l3.resolveSibling("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"<|eot_id|>\"}}");
        assertEquals(new TokenizerSpecials(7, 9), TokenizerSpecials.of(l3));
        // GPT-2 style, as `rho tokenizer train` writes: no BOS of its own, <|endoftext|> for both
        Path own = tmp.resolve("own.json");
        rho4j.tokenize.ByteLevelBpe bpe = rho4j.tokenize.ByteLevelBpe.train(List.of("ab ab abc abd").iterator(), 262,
                rho4j.tokenize.TrainOptions.defaults());
        bpe.save(own);
        assertEquals(new TokenizerSpecials(bpe.eotId(), bpe.eotId()), TokenizerSpecials.of(own));
        // and a model folder written with it says so in config.json and generation_config.json
        Path dir = tmp.resolve("m");
        ModelFiles.write(dir, new Llama(CFG.withVocab(bpe.vocabSize()), Device.CPU, DType.FP32, 1), own);
        var cfg = Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        var gen = Json.MAPPER.readTree(dir.resolve("generation_config.json").toFile());
        assertEquals(bpe.eotId(), cfg.path("bos_token_id").asInt());
        assertEquals(bpe.eotId(), cfg.path("eos_token_id").asInt());
        assertEquals("float32", cfg.path("torch_dtype").asText());
        assertEquals(bpe.eotId(), gen.path("eos_token_id").asInt());
        assertTrue(Files.exists(dir.resolve("tokenizer.json")));
        assertNull(TokenizerSpecials.of(writeJson(tmp.resolve("none.json"), "{\"model\": {\"vocab\": {\"a\": 0}}}")));
    }

    static Path writeJson(Path f, String s) throws Exception {
        Files.writeString(f, s);
        return f;
    }
}
