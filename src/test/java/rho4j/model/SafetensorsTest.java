package rho4j.model;

import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.engine.Device;
import rho4j.engine.Tensors;
import rho4j.train.Checkpoint;

/** Reading safetensors tensor by tensor: into matching memory directly, converted otherwise, with clear errors. */
class SafetensorsTest {
    @TempDir Path dir;

    @Test
    void readIntoFillsMatchingAndConvertingDestinationsAndRefusesOtherShapes() throws IOException {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("a", Tensors.floats(Device.CPU, new float[] {1.5f, -2f, 3.25f, 4f, 5f, 6.5f}, 2, 3));
        w.put("b", Tensors.doubles(Device.CPU, new double[] {0.1, 0.2, 0.3}, 3));
        Path f = dir.resolve("w.safetensors");
        Safetensors.write(f, w, Map.of("format", "pt"));
        try (Safetensors.Reader r = Safetensors.open(f)) {
            assertEquals(java.util.List.of("a", "b"), java.util.List.copyOf(r.names()));
            assertEquals("pt", r.metadata().get("format"));
            assertArrayEquals(new long[] {2, 3}, r.shape("a"));
            Tensor a = org.bytedeco.pytorch.global.torch.zeros(2, 3); // same dtype, contiguous: read in place
            r.readInto("a", a);
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 4f, 5f, 6.5f}, Tensors.toFloats(a), 0f);
            Tensor b = org.bytedeco.pytorch.global.torch.zeros(3); // float64 on file, float32 here: converted
            r.readInto("b", b);
            assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, Tensors.toFloats(b), 0f);
            Tensor wrong = org.bytedeco.pytorch.global.torch.zeros(3, 2);
            IOException e = assertThrows(IOException.class, () -> r.readInto("a", wrong));
            assertTrue(e.getMessage().contains("w.safetensors") && e.getMessage().contains("'a'") && e.getMessage().contains("[2, 3]"), e.getMessage());
            e = assertThrows(IOException.class, () -> r.readInto("c", a));
            assertTrue(e.getMessage().contains("no tensor 'c'"), e.getMessage());
        }
    }

    @Test
    void truncatedFileIsRefusedNamingTheTensor() throws IOException {
        Path f = dir.resolve("t.safetensors");
        Safetensors.write(f, Map.of("x", Tensors.floats(Device.CPU, new float[64], 64)), null);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 8));
        IOException e = assertThrows(IOException.class, () -> Safetensors.open(f));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void loadingAModelStreamsItsWeightsAndRefusesACheckpointOfAnotherSize() throws IOException {
        LlamaConfig cfg = new LlamaConfig(37, 16, 2, 4, 2, 24, 8, 10000, 1e-5, false);
        Llama m = new Llama(cfg, Device.CPU, DType.FP32, 3);
        ModelFiles.write(dir.resolve("m"), m, null);
        Llama back = ModelFiles.load(dir.resolve("m"), Device.CPU, DType.FP32);
        for (String name : Llama.parameterNames(cfg))
            assertArrayEquals(Tensors.toFloats(m.parameters().get(name)), Tensors.toFloats(back.parameters().get(name)), 0f, name);
        Llama wide = ModelFiles.load(dir.resolve("m"), Device.CPU, DType.FP64); // converted on the way in
        assertEquals(DType.FP64, DType.of(wide.parameters().get("model.norm.weight").scalar_type()));
        // The same file under a config.json that claims a wider model: the first mismatching tensor is named.
        Files.writeString(dir.resolve("m/config.json"), Files.readString(dir.resolve("m/config.json")).replaceAll("\"hidden_size\"\\s*:\\s*16", "\"hidden_size\": 32"));
        Exception e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(dir.resolve("m"), Device.CPU, DType.FP32));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("model.embed_tokens.weight"), e.getMessage());
    }
}
