package rho4j.train;

import rho4j.engine.Engine;
import rho4j.model.ModelFiles;
import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.engine.Tensors;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.score.ReferenceScores;
import rho4j.score.Scorer;

/** SLM end to end on a tiny model: stored scores, ratio 1 = CLM, batch scope independent of the micro-batch split. */
class SelectiveTrainingTest {
    static final LlamaConfig TINY = TrainerTest.TINY;
    @TempDir static Path tmp;
    static TokenStore store, other;
    static Path refDir, scoresDir;
    static Llama ref;

    @BeforeAll
    static void scoreOnce() throws Exception {
        store = Fixtures.countingStore(tmp.resolve("store"), 64, 120, 1);
        other = Fixtures.countingStore(tmp.resolve("other"), 64, 120, 2);
        ref = new Llama(TINY, Device.CPU, DType.FP32, 11);
        refDir = tmp.resolve("ref/model");
        ModelFiles.write(refDir, ref, null);
        scoresDir = tmp.resolve("scores");
        Scorer.run(ref, refDir, store, scoresDir, 5, true, TrainerTest.QUIET);
    }

    @Test
    void storedReferenceLossesEqualAnIndependentForwardPass() throws Exception {
        int T = TINY.contextLength();
        try (ReferenceScores rs = ReferenceScores.open(scoresDir)) {
            float[] stored = new float[(int) store.size()], ent = new float[(int) store.size()];
            rs.readLoss(0, stored, 0, stored.length);
            rs.readEntropy(0, ent, 0, ent.length);
            assertTrue(Float.isNaN(stored[0]), "token 0 has no context");
            int[] buf = new int[T + 1];
            for (long w : new long[] {0, 3, WindowSampler.numWindows(store.size(), T) - 1}) {
                store.read(w * T, buf, 0, T + 1);
                Tensor x = Tensors.longs(Device.CPU, java.util.Arrays.copyOfRange(buf, 0, T), 1, T), y = Tensors.longs(Device.CPU, java.util.Arrays.copyOfRange(buf, 1, T + 1), 1, T);
                float[] expect, expectEnt;
                try (Engine.Scope ng = Engine.noGrad()) {
                    Tensor logp = ref.logits(x).log_softmax(-1); // (1, T, V), computed here without the model's loss helpers
                    expect = Tensors.toFloats(logp.gather(-1, y.unsqueeze(-1)).neg());
                    expectEnt = Tensors.toFloats(logp.exp().mul(logp).sum(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).neg());
                }
                for (int t = 0; t < T; t++) {
                    assertEquals(expect[t], stored[(int) (w * T + 1 + t)], 1e-5, "window " + w + " position " + t);
                    assertEquals(expectEnt[t], ent[(int) (w * T + 1 + t)], 1e-5, "entropy, window " + w + " position " + t);
                }
            }
            for (int i = 1; i < stored.length; i++) assertTrue(Float.isFinite(stored[i]), "token " + i + " has a score (tail window included)");
        }
    }

    @Test
    void scoresOfAnotherStoreAreRefused() throws Exception {
        try (ReferenceScores rs = ReferenceScores.open(scoresDir)) {
            var e = assertThrows(IllegalArgumentException.class, () -> TrainerTest.trainer(TrainerTest.config(2, "objective", "slm", "ratio", 0.6, "score", ScoreFunction.EXCESS.id, "scope", SelectionScope.MICRO_BATCH.id(), "unit", SelectionUnit.TOKEN.id()), other, null,
                    new Reference.Stored(rs), tmp.resolve("refused"), false));
            assertTrue(e.getMessage().contains("do not belong to token store") && e.getMessage().contains("rho score"), e.getMessage());
            var ctx = assertThrows(IllegalArgumentException.class, () -> rs.verifyFor(store, TINY.contextLength() * 2));
            assertTrue(ctx.getMessage().contains("windows of " + TINY.contextLength()), ctx.getMessage());
        }
    }

    @Test
    void incompleteScoresAreRefusedWithAHint() throws Exception {
        Path partial = tmp.resolve("partial");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve(ReferenceScores.PROGRESS_FILE), "{}");
        var e = assertThrows(java.io.IOException.class, () -> ReferenceScores.open(partial));
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
    }

    @Test
    void ratioOneGivesExactlyTheClmRun() throws Exception {
        Map<String, Tensor> clm = train(TrainerTest.config(3), "clm");
        for (ScoreFunction f : ScoreFunction.values()) {
            Map<String, Tensor> slm = train(TrainerTest.config(3, "objective", "slm", "ratio", 1.0, "score", f.id, "scope", "batch"), "slm1-" + f);
            for (String k : clm.keySet()) assertArrayEquals(Tensors.toFloats(clm.get(k)), Tensors.toFloats(slm.get(k)), 0f, f + " " + k);
        }
    }

    @Test
    void selectiveTrainingTrainsOnTheRatioAndLogsSelectionMetrics() throws Exception {
        TrainSpec c = TrainerTest.config(4, "objective", "slm", "ratio", 0.6, "score", ScoreFunction.EXCESS.id, "scope", SelectionScope.SEQUENCE.id(), "unit", SelectionUnit.TOKEN.id(),
                "dump-steps", List.of(2));
        Path run = tmp.resolve("slm-metrics");
        try (ReferenceScores rs = ReferenceScores.open(scoresDir)) {
            Trainer t = new Trainer(c, c.initialModel(), store, store, new Reference.Stored(rs), run, null, false, TrainerTest.QUIET);
            Trainer.Summary s = t.train(Integer.MAX_VALUE);
            long perStep = c.batch().tokens(), perSeq = TokenSelector.target(0.6, TINY.contextLength());
            assertEquals(4 * perStep, s.tokensSeen());
            assertEquals(4L * c.sequencesPerStep() * perSeq, s.tokensTrained()); // exactly round(k T) per sequence
        }
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"sel_loss\"") && l.contains("\"unsel_loss\"") && l.contains("\"mean_excess\"")));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"type\":\"hist\"")));
        assertTrue(Files.exists(run.resolve("selection/step-000002.json")));
    }

    @Test
    void batchScopeSelectsTheSameTokensForAnyMicroBatchSplit() throws Exception {
        int T = TINY.contextLength();
        boolean[] first = null;
        for (int micro : new int[] {8, 4, 2}) {
            TrainSpec c = TrainerTest.config(2, "micro-batch", micro, "batch-tokens", 8L * T, "objective", "slm", "ratio", 0.5, "scope", "batch");
            try (ReferenceScores rs = ReferenceScores.open(scoresDir)) {
                Trainer t = new Trainer(c, c.initialModel(), store, null, new Reference.Stored(rs), tmp.resolve("split-" + micro), null, false, TrainerTest.QUIET);
                boolean[] mask = t.peekBatchMask();
                int n = 0;
                for (boolean b : mask) if (b) n++;
                assertEquals(4 * T, n);
                if (first == null) first = mask;
                else assertArrayEquals(first, mask, "micro-batch " + micro);
            }
        }
    }

    @Test
    void onlineReferenceEqualsStoredScores() throws Exception {
        TrainSpec c = TrainerTest.config(2, "objective", "slm", "ratio", 0.6, "score", ScoreFunction.EXCESS.id, "scope", SelectionScope.MICRO_BATCH.id(), "unit", SelectionUnit.TOKEN.id());
        Map<String, Tensor> stored;
        try (ReferenceScores rs = ReferenceScores.open(scoresDir)) {
            Trainer t = new Trainer(c, c.initialModel(), store, null, new Reference.Stored(rs), tmp.resolve("stored"), null, false, TrainerTest.QUIET);
            t.train(Integer.MAX_VALUE);
            stored = t.model().parameters();
        }
        Trainer online = new Trainer(c, c.initialModel(), store, null, new Reference.Online(ref), tmp.resolve("online"), null, false, TrainerTest.QUIET);
        online.train(Integer.MAX_VALUE);
        for (String k : stored.keySet())
            assertArrayEquals(Tensors.toFloats(stored.get(k)), Tensors.toFloats(online.model().parameters().get(k)), 1e-6f, k);
    }

    private static Map<String, Tensor> train(TrainSpec c, String name) throws Exception {
        try (ReferenceScores rs = ReferenceScores.open(scoresDir)) {
            Trainer t = new Trainer(c, c.initialModel(), store, null, new Reference.Stored(rs), tmp.resolve(name), null, false, TrainerTest.QUIET);
            t.train(Integer.MAX_VALUE);
            return t.model().parameters();
        }
    }
}
