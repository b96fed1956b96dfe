package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;
import rho4j.data.TokenStore;
import rho4j.engine.Tensors;
import rho4j.model.LlamaConfig;

class TrainerTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    static final LlamaConfig TINY = new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false);

    static TrainConfig config(int steps) {
        return TrainConfig.defaults(TINY).withBatch(4, 8L * 16).withSteps(steps, 2).withLr(3e-3, 3e-4).withEvery(5, 5, 5);
    }

    @Test
    void overfitsOneBatch(@TempDir Path tmp) throws Exception {
        // One window of 17 tokens repeated: every step sees the same batch; loss must fall below 0.05.
        TokenStore store = Fixtures.countingStore(tmp.resolve("s"), 64, 1, 5);
        LlamaConfig cfg = new LlamaConfig(64, 64, 2, 4, 4, 128, (int) Math.min(16, store.size() - 1), 10000, 1e-5, false);
        TrainConfig tc = TrainConfig.defaults(cfg).withBatch(1, cfg.contextLength()).withSteps(150, 5).withLr(1e-2, 1e-3)
                .withEvery(0, 0, 50).withAdam(new AdamW.Hyper(0.9, 0.95, 1e-8, 0.0), 1.0);
        Trainer t = new Trainer(tc, store, null, null, tmp.resolve("run"), null, false, QUIET);
        Trainer.Summary s = t.train(Integer.MAX_VALUE);
        assertTrue(s.lastLoss() < 0.05, "loss after 150 steps on one batch: " + s.lastLoss());
    }

    @Test
    void killAndResumeReproducesTheUninterruptedRunBitForBit(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 200, 9);
        TrainConfig tc = config(20);
        Trainer straight = new Trainer(tc, store, store, null, tmp.resolve("a"), null, false, QUIET);
        straight.train(Integer.MAX_VALUE);

        Trainer first = new Trainer(tc, store, store, null, tmp.resolve("b"), null, false, QUIET);
        first.train(10); // checkpoint at step 10 (ckptEvery 5), then the process "dies"
        first.train(12); // two more steps whose checkpoint is never written: resume must discard them
        Files.writeString(tmp.resolve("b/latest"), "checkpoints/step-000010\n");
        Trainer resumed = new Trainer(tc, store, store, null, tmp.resolve("b"), null, true, QUIET);
        assertEquals(10, resumed.step());
        resumed.train(Integer.MAX_VALUE);

        Map<String, Tensor> a = straight.model().parameters(), b = resumed.model().parameters();
        for (String k : a.keySet()) assertArrayEquals(Tensors.toFloats(a.get(k)), Tensors.toFloats(b.get(k)), 0f, k);
        // metrics.jsonl of the resumed run equals the straight one, except timing fields
        List<String> ma = stripTimes(Files.readAllLines(tmp.resolve("a/metrics.jsonl"))), mb = stripTimes(Files.readAllLines(tmp.resolve("b/metrics.jsonl")));
        assertEquals(ma, mb);
    }

    private static List<String> stripTimes(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("\"tok_per_s\":[-0-9.Ee]+,?", "")).toList();
    }

    @Test
    void resumeRefusesOtherSettings(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        new Trainer(config(5), store, null, null, tmp.resolve("r"), null, false, QUIET).train(5);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(config(5).withSeed(99), store, null, null, tmp.resolve("r"), null, true, QUIET));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void aNaNLossStopsWithTheStepAndKeepsTheCheckpoint(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        Path run = tmp.resolve("r");
        new Trainer(config(10), store, null, null, run, null, false, QUIET).train(5);
        // Weights that overflow in the forward pass, as a diverging step leaves them (NaN in a file is refused on load).
        Path ckpt = Checkpoint.latest(run);
        Map<String, Tensor> w = rho4j.model.Safetensors.read(ckpt.resolve("model.safetensors"));
        w.get("model.norm.weight").fill_(Tensors.s(3e38));
        rho4j.model.Safetensors.write(ckpt.resolve("model.safetensors"), w, null);
        byte[] before = Files.readAllBytes(ckpt.resolve("optimizer.safetensors"));
        Trainer t = new Trainer(config(10), store, null, null, run, null, true, QUIET);
        var e = assertThrows(IllegalStateException.class, () -> t.train(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("step 6") && e.getMessage().contains("NaN") && e.getMessage().contains("--resume"), e.getMessage());
        assertEquals(ckpt, Checkpoint.latest(run), "no checkpoint written after the failure");
        assertArrayEquals(before, Files.readAllBytes(ckpt.resolve("optimizer.safetensors")));
    }

    @Test
    void seedFixesTheRun(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        Trainer a = new Trainer(config(3), store, null, null, tmp.resolve("a"), null, false, QUIET);
        Trainer b = new Trainer(config(3), store, null, null, tmp.resolve("b"), null, false, QUIET);
        Trainer c = new Trainer(config(3).withSeed(2), store, null, null, tmp.resolve("c"), null, false, QUIET);
        double la = a.train(3).lastLoss(), lb = b.train(3).lastLoss(), lc = c.train(3).lastLoss();
        assertEquals(la, lb, 0.0);
        assertTrue(la != lc);
    }
}
