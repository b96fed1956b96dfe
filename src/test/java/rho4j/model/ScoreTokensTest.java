package rho4j.model;

import rho4j.engine.Engine;
import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import rho4j.engine.Device;
import rho4j.engine.Tensors;

/** Scoring's fused, chunked, grouped no-grad path against the plain autograd forward. */
class ScoreTokensTest {
    static final LlamaConfig CFG = new LlamaConfig(301, 32, 2, 4, 2, 48, 12, 10000, 1e-5, false);

    @Test
    void lossesAndEntropiesEqualFullLogitsAndEveryGroupingGivesTheSameNumbers() {
        Llama m = new Llama(CFG, Device.CPU, DType.FP32, 5);
        int b = 5, t = 12;
        long[] x = new long[b * t], y = new long[b * t];
        for (int i = 0; i < x.length; i++) { x[i] = (i * 37 + 11) % CFG.vocabSize(); y[i] = (i * 53 + 3) % CFG.vocabSize(); }
        Tensor xi = Tensors.longs(Device.CPU, x, b, t), yi = Tensors.longs(Device.CPU, y, b, t);
        float[] wantLoss, wantEnt;
        float[][] one, grouped1, grouped2, grouped3;
        try (Engine.Scope ng = Engine.noGrad()) {
            // Reference: the whole (B, T, V) logits, log-softmax, -log p(target), -sum p log p.
            Tensor lp = m.logits(xi).log_softmax(-1).view(b * t, CFG.vocabSize());
            wantLoss = Tensors.toFloats(lp.gather(1, yi.view(b * t, 1)).neg().view(b * t));
            wantEnt = Tensors.toFloats(lp.exp().mul(lp).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).neg());
            one = m.scoreTokens(xi, yi, true, b);
            grouped1 = m.scoreTokens(xi, yi, true, 1);
            grouped2 = m.scoreTokens(xi, yi, true, 2); // 2 + 2 + 1: a short last group
            grouped3 = m.scoreTokens(xi, yi, true, 3);
        }
        assertArrayEquals(wantLoss, one[0], 1e-5f, "losses");
        assertArrayEquals(wantEnt, one[1], 1e-5f, "entropies");
        // Rows are independent: the grouping changes how many rows share a matrix product (so BLAS may take another
        // kernel path, a last-bit difference), never which numbers are summed.
        for (float[][] g : new float[][][] {grouped1, grouped2, grouped3}) {
            assertArrayEquals(one[0], g[0], 2e-6f, "grouped losses");
            assertArrayEquals(one[1], g[1], 1e-5f, "grouped entropies (a sum over V terms)");
        }
        try (Engine.Scope ng = Engine.noGrad()) {
            assertArrayEquals(one[0], m.scoreTokens(xi, yi, false)[0], 0f, "the default grouping");
        }
    }

    @Test
    void groupsHoldAtMostFourMiBPerActivationAndAtLeastOneSequence() {
        Llama ref = new Llama(LlamaConfig.preset("ref"), Device.CPU, DType.FP32, 1);
        assertEquals(4, ref.scoreGroup(8, 256), "ref: (rows, F = 1024) fp32 of 4 MiB = 1024 rows = 4 windows");
        assertEquals(3, ref.scoreGroup(3, 256), "never more than the batch");
        assertEquals(1, ref.scoreGroup(8, 4096), "a long window goes alone");
        assertEquals(8, ref.scoreGroup(8, 64), "short windows share a forward");
        assertEquals(256, FusedHeadLoss.scoreChunk(8192, 4), "8 MiB of fp32 logits per head chunk at V = 8192");
        assertEquals(128, FusedHeadLoss.scoreChunk(8192, 8), "8 MiB of fp64 logits: half the rows");
        assertEquals(32, FusedHeadLoss.scoreChunk(1 << 20, 4), "at least 32 rows however large the vocabulary");
    }
}
