package rho4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import rho4j.util.Json;

/**
 * The config.json files of the families Rho-1 continues from (as published on the Hugging Face hub, fields that do
 * not bear on the shape trimmed) read to their shapes; parameter counts are the published ones.
 */
class HfConfigFamiliesTest {
    static final Path FILE = Path.of("config.json");

    static LlamaConfig read(String json) throws Exception { return LlamaConfig.fromHfJson(Json.MAPPER.readTree(json), FILE); }

    @Test
    void llama1And2TinyLlamaAndSmolLm() throws Exception {
        LlamaConfig llama1 = read("""
                {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096,
                 "intermediate_size": 11008, "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32,
                 "num_hidden_layers": 32, "pad_token_id": 0, "rms_norm_eps": 1e-06, "tie_word_embeddings": false, "torch_dtype": "float16",
                 "vocab_size": 32000}""");
        assertEquals(new LlamaConfig(32000, 4096, 32, 32, 32, 11008, 2048, 10000, 1e-6, false), llama1);
        assertEquals(6_738_415_616L, llama1.numParams());
        LlamaConfig llama2 = read("""
                {"architectures": ["LlamaForCausalLM"], "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 11008,
                 "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32,
                 "num_key_value_heads": 32, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "tie_word_embeddings": false,
                 "vocab_size": 32000}""");
        assertEquals(6_738_415_616L, llama2.numParams());
        assertEquals(4096, llama2.contextLength());
        LlamaConfig tiny = read("""
                {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 2048,
                 "intermediate_size": 5632, "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32,
                 "num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null,
                 "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 32000}""");
        assertEquals(LlamaConfig.preset("1b"), tiny); // the paper's 1B base is the preset
        assertEquals(1_100_048_384L, tiny.numParams());
        LlamaConfig smol = read("""
                {"architectures": ["LlamaForCausalLM"], "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576,
                 "intermediate_size": 1536, "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 9,
                 "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null,
                 "rope_theta": 10000.0, "tie_word_embeddings": true, "vocab_size": 49152}""");
        assertEquals(134_515_008L, smol.numParams());
        assertEquals(64, smol.headDim());
    }

    @Test
    void llama3And31And32() throws Exception {
        LlamaConfig l3 = read("""
                {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000, "eos_token_id": 128001,
                 "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 8192, "model_type": "llama",
                 "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
                 "rope_scaling": null, "rope_theta": 500000.0, "tie_word_embeddings": false, "vocab_size": 128256}""");
        assertEquals(8_030_261_248L, l3.numParams());
        assertNull(l3.ropeScaling());
        LlamaConfig l31 = read("""
                {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
                 "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336,
                 "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32,
                 "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
                 "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
                   "rope_type": "llama3"}, "rope_theta": 500000.0, "tie_word_embeddings": false, "vocab_size": 128256}""");
        assertEquals(new LlamaConfig.RopeScaling(8, 1, 4, 8192), l31.ropeScaling());
        assertEquals(131072, l31.contextLength());
        LlamaConfig l32 = read("""
                {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000, "eos_token_id": 128001,
                 "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 8192, "max_position_embeddings": 131072,
                 "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
                 "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "rope_theta": 500000.0, "tie_word_embeddings": true,
                 "vocab_size": 128256}""");
        assertEquals(1_235_814_400L, l32.numParams());
        assertEquals(32.0, l32.ropeScaling().factor());
    }

    @Test
    void mistralLoadsWithoutASlidingWindowAndIsRefusedWithOne() throws Exception {
        String common = """
                "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096,
                "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32,
                "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "tie_word_embeddings": false, "vocab_size": 32000""";
        LlamaConfig v02 = read("{" + common + ", \"rope_theta\": 1000000.0, \"sliding_window\": null}");
        assertEquals(7_241_732_096L, v02.numParams());
        assertEquals(1e6, v02.ropeTheta());
        Exception e = assertThrows(IllegalArgumentException.class, () -> read("{" + common + ", \"rope_theta\": 10000.0, \"sliding_window\": 4096}"));
        assertTrue(e.getMessage().startsWith(FILE + ": \"sliding_window\" = 4096"), e.getMessage());
    }
}
