package rho4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * CUDA cannot run on the machines this is built on, so the GPU path is checked by construction: EngineBoundaryTest
 * refuses tensor factories that do not name a device; this test refuses host read-backs (each one a GPU stall) in the
 * model, training, scoring and evaluation code except the two that must be there. libtorch's "meta" device would be a
 * run-time check, but this build has no Meta kernel for index_select (the embedding), so it cannot run a forward pass.
 */
class DevicePlacementTest {
    /** On a machine without the CUDA build (every machine here), a CUDA model stops with one line naming the fix. */
    @Test
    void cudaWithoutTheGpuBuildSaysWhatToInstall() {
        rho4j.engine.Engine.init();
        org.junit.jupiter.api.Assumptions.assumeFalse(rho4j.engine.Engine.cudaAvailable(), "a GPU is visible here");
        LlamaConfig cfg = new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new Llama(cfg, rho4j.engine.Device.parse("cuda"), rho4j.engine.DType.FP32, 1));
        assertTrue(e.getMessage().contains("mvn -Pcuda") || e.getMessage().contains("NVIDIA driver"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void theOptimizerReadsOneNumberBackPerStepAndNothingElseDoes() throws IOException {
        Pattern sync = Pattern.compile("\\.(item_double|item_float|item_long|item|cpu)\\(");
        List<String> found = new ArrayList<>();
        for (String pkg : new String[] {"model", "train", "score", "eval"}) {
            try (var files = Files.walk(Path.of("src/main/java/rho4j", pkg))) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    String[] lines = Files.readString(p).split("\n");
                    for (int i = 0; i < lines.length; i++) if (sync.matcher(lines[i]).find()) found.add(p.getFileName() + ":" + lines[i].trim());
                }
            }
        }
        // AdamW: the global norm, once per step; Safetensors: writing a file needs the bytes on the host.
        assertEquals(2, found.size(), "host read-backs: " + found);
        assertTrue(found.stream().anyMatch(s -> s.startsWith("AdamW.java:") && s.contains("torch.stack(")), found.toString());
        assertTrue(found.stream().anyMatch(s -> s.startsWith("Safetensors.java:")), found.toString());
    }
}
