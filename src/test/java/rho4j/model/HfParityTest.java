package rho4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.HfFolders;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.util.Json;

/**
 * Random-weight Hugging Face folders (bf16 tied; f16 untied with GQA; sharded f32; bf16 with Llama-3 rope_scaling)
 * score in Rho4j (fp32) as in bench/peer.py's independent model (float64, rope_scaling by its own code).
 */
class HfParityTest {
    static final List<String> KINDS = List.of("bf16-tied", "f16-gqa", "sharded", "llama3");
    static final int VOCAB = 97, ROWS = 3, T = 63;

    @Test
    void perTokenLogProbsEqualTheIndependentImplementation(@TempDir Path tmp) throws Exception {
        List<Path> dirs = new ArrayList<>(), outs = new ArrayList<>();
        for (String k : KINDS) {
            dirs.add(tmp.resolve(k));
            outs.add(tmp.resolve(k + ".json"));
        }
        HfFolders.make(KINDS, dirs, VOCAB, null);
        SplittableRandom r = new SplittableRandom(7);
        int[][] rows = new int[ROWS][T + 1];
        for (int[] row : rows) for (int i = 0; i <= T; i++) row[i] = r.nextInt(VOCAB);
        Path tokens = tmp.resolve("tokens.json");
        Json.write(tokens, rows);
        HfFolders.logprobs(dirs, tokens, outs);
        int[] in = new int[ROWS * T], tg = new int[ROWS * T];
        for (int b = 0; b < ROWS; b++)
            for (int i = 0; i < T; i++) {
                in[b * T + i] = rows[b][i];
                tg[b * T + i] = rows[b][i + 1];
            }
        for (int k = 0; k < KINDS.size(); k++) {
            Llama m = ModelFiles.load(dirs.get(k), Device.CPU, DType.FP32);
            float[] loss = m.scoreTokens(in, tg, ROWS, T, false)[0];
            JsonNode ref = Json.MAPPER.readTree(outs.get(k).toFile());
            double worst = 0, spread = 0;
            for (int b = 0; b < ROWS; b++)
                for (int i = 0; i < T; i++) {
                    double want = ref.get(b).get(i).asDouble();
                    worst = Math.max(worst, Math.abs(-loss[b * T + i] - want));
                    spread = Math.max(spread, Math.abs(want + Math.log(VOCAB)));
                }
            System.out.printf("%s: max |log-prob - peer| = %.2e over %d tokens (max |log-prob + log V| %.2f)%n", KINDS.get(k), worst, ROWS * T, spread);
            assertTrue(worst < 1e-5, KINDS.get(k) + ": max |log-prob difference| " + worst);
            assertTrue(spread > 1.0, KINDS.get(k) + ": predictions too close to uniform to tell models apart: " + spread);
            if (KINDS.get(k).equals("llama3")) { // the same weights with rope_scaling ignored score differently
                LlamaConfig plain = new LlamaConfig(m.cfg.vocabSize(), m.cfg.dim(), m.cfg.nLayers(), m.cfg.nHeads(), m.cfg.nKvHeads(), m.cfg.ffnDim(),
                        m.cfg.contextLength(), m.cfg.ropeTheta(), m.cfg.normEps(), m.cfg.tieEmbeddings());
                float[] unscaled = ModelFiles.load(dirs.get(k), plain, Device.CPU, DType.FP32).scoreTokens(in, tg, ROWS, T, false)[0];
                double drift = 0;
                for (int i = 0; i < loss.length; i++) drift = Math.max(drift, Math.abs(unscaled[i] - loss[i]));
                System.out.printf("llama3: rope_scaling ignored moves log-probs by up to %.3f%n", drift);
                assertTrue(drift > 1e-2, "rope_scaling made no difference: " + drift);
            }
            assertEquals(KINDS.get(k).equals("bf16-tied"), m.cfg.tieEmbeddings());
        }
    }
}
