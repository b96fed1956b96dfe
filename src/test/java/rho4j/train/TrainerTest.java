package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    static final LlamaConfig TINY = new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false); // what config() resolves to

    /** TINY through the one way a run is specified: options over preset "tiny" (dim 32, ffn 64, context 16). */
    static TrainSpec config(int steps, Object... more) {
        Map<String, Object> o = new LinkedHashMap<>(Map.of("preset", "tiny", "dim", 32, "ffn", 64, "context", 16, "micro-batch", 4,
                "batch-tokens", 8L * 16, "steps", steps, "warmup", 2, "lr", 3e-3, "min-lr", 3e-4));
        o.putAll(Map.of("eval-every", 5, "ckpt-every", 5, "log-every", 5, "eval-windows", 32, "keep-checkpoints", 2));
        for (int i = 0; i < more.length; i += 2) o.put((String) more[i], more[i + 1]);
        return TrainSpec.of(o, 64);
    }

    /** A trainer of a fresh model drawn from the spec's seed. */
    static Trainer trainer(TrainSpec spec, TokenStore train, TokenStore val, Reference ref, Path run, boolean resume) throws java.io.IOException {
        return new Trainer(spec, spec.initialModel(), train, val, ref, run, null, resume, QUIET);
    }

    @Test
    void theTestSpecIsTiny() { assertEquals(TINY, config(1).model()); }

    @Test
    void overfitsOneBatch(@TempDir Path tmp) throws Exception {
        // One window of 17 tokens repeated: every step sees the same batch; loss must fall below 0.05.
        TokenStore store = Fixtures.countingStore(tmp.resolve("s"), 64, 1, 5);
        int ctx = (int) Math.min(16, store.size() - 1);
        Map<String, Object> o = new LinkedHashMap<>(Map.of("preset", "tiny", "dim", 64, "heads", 4, "kv-heads", 4, "ffn", 128, "context", ctx,
                "micro-batch", 1, "steps", 150, "warmup", 5, "lr", 1e-2));
        o.putAll(Map.of("min-lr", 1e-3, "weight-decay", 0.0, "eval-every", 0, "ckpt-every", 0, "log-every", 50));
        TrainSpec tc = TrainSpec.of(o, 64);
        Trainer t = new Trainer(tc, tc.initialModel(), store, null, null, tmp.resolve("run"), null, false, QUIET);
        Trainer.Summary s = t.train(Integer.MAX_VALUE);
        assertTrue(s.lastLoss() < 0.05, "loss after 150 steps on one batch: " + s.lastLoss());
    }

    @Test
    void killAndResumeReproducesTheUninterruptedRunBitForBit(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 200, 9);
        TrainSpec tc = config(20);
        Trainer straight = trainer(tc, store, store, null, tmp.resolve("a"), false);
        straight.train(Integer.MAX_VALUE);

        Trainer first = trainer(tc, store, store, null, tmp.resolve("b"), false);
        first.train(10); // checkpoint at step 10 (ckptEvery 5), then the process "dies"
        first.train(12); // two more steps whose checkpoint is never written: resume must discard them
        Files.writeString(tmp.resolve("b/latest"), "checkpoints/step-000010\n");
        Trainer resumed = trainer(tc, store, store, null, tmp.resolve("b"), true);
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
    void checkpointsOlderThanTheNewestTwoKeepTheWeightsWithoutTheOptimizer(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 200, 9);
        trainer(config(20, "keep-checkpoints", 0), store, store, null, tmp.resolve("all"), false).train(Integer.MAX_VALUE);
        for (int step : new int[] {5, 10, 15, 20}) // keep 0: every checkpoint stays, the moments in the newest two only
            assertEquals(step >= 15, Files.isRegularFile(tmp.resolve(String.format("all/checkpoints/step-%06d/optimizer.safetensors", step))), "keep 0, step " + step);
        TrainSpec tc = config(20, "keep-checkpoints", 10);
        Trainer straight = trainer(tc, store, store, null, tmp.resolve("a"), false);
        straight.train(Integer.MAX_VALUE);
        for (int step : new int[] {5, 10, 15, 20}) {
            Path c = tmp.resolve(String.format("a/checkpoints/step-%06d", step));
            assertTrue(Files.isRegularFile(c.resolve("model.safetensors")), c + ": weights kept");
            assertEquals(step >= 15, Files.isRegularFile(c.resolve("optimizer.safetensors")), c + ": optimizer only in the newest two");
        }
        // the one before the newest still resumes exactly; an older one says why it cannot
        Files.writeString(tmp.resolve("a/latest"), "checkpoints/step-000015\n");
        Trainer resumed = trainer(tc, store, store, null, tmp.resolve("a"), true);
        resumed.train(Integer.MAX_VALUE);
        Map<String, Tensor> a = straight.model().parameters(), b = resumed.model().parameters();
        for (String k : a.keySet()) assertArrayEquals(Tensors.toFloats(a.get(k)), Tensors.toFloats(b.get(k)), 0f, k);
        Files.writeString(tmp.resolve("a/latest"), "checkpoints/step-000010\n");
        var e = assertThrows(IllegalArgumentException.class, () -> trainer(tc, store, store, null, tmp.resolve("a"), true));
        assertTrue(e.getMessage().contains("step-000010 holds the weights only") && e.getMessage().contains("resume from one of the newest 2"), e.getMessage());
    }

    @Test
    void resumeRefusesOtherSettings(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        trainer(config(5), store, null, null, tmp.resolve("r"), false).train(5);
        var e = assertThrows(IllegalArgumentException.class,
                () -> trainer(config(5, "seed", 99L), store, null, null, tmp.resolve("r"), true));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void aNaNLossStopsWithTheStepAndKeepsTheCheckpoint(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        Path run = tmp.resolve("r");
        trainer(config(10), store, null, null, run, false).train(5);
        // Weights that overflow in the forward pass, as a diverging step leaves them (NaN in a file is refused on load).
        Path ckpt = Checkpoint.latest(run);
        Map<String, Tensor> w = rho4j.model.Safetensors.read(ckpt.resolve("model.safetensors"));
        w.get("model.norm.weight").fill_(Tensors.s(3e38));
        rho4j.model.Safetensors.write(ckpt.resolve("model.safetensors"), w, null);
        byte[] before = Files.readAllBytes(ckpt.resolve("optimizer.safetensors"));
        Trainer t = trainer(config(10), store, null, null, run, true);
        var e = assertThrows(IllegalStateException.class, () -> t.train(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("step 6") && e.getMessage().contains("NaN") && e.getMessage().contains("--resume"), e.getMessage());
        assertEquals(ckpt, Checkpoint.latest(run), "no checkpoint written after the failure");
        assertArrayEquals(before, Files.readAllBytes(ckpt.resolve("optimizer.safetensors")));
    }

    @Test
    void trainsTheModelItIsHanded(@TempDir Path tmp) throws Exception {
        // A model made outside the trainer (here: written to a Hugging Face folder and read back, as a pretrained
        // checkpoint would be) trains exactly like the same weights built in memory, and unlike the seed's own init.
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        TrainSpec spec = config(4);
        rho4j.model.Llama built = new rho4j.model.Llama(TINY, rho4j.engine.Device.CPU, rho4j.engine.DType.FP32, 42);
        rho4j.model.ModelFiles.write(tmp.resolve("base"), built, null);
        rho4j.model.Llama loaded = rho4j.model.ModelFiles.load(tmp.resolve("base"), rho4j.engine.Device.CPU, rho4j.engine.DType.FP32);
        Trainer a = new Trainer(spec, built, store, null, null, tmp.resolve("a"), null, false, QUIET);
        Trainer b = new Trainer(spec, loaded, store, null, null, tmp.resolve("b"), null, false, QUIET);
        Trainer own = trainer(spec, store, null, null, tmp.resolve("c"), false);
        double la = a.train(4).lastLoss(), lb = b.train(4).lastLoss(), lc = own.train(4).lastLoss();
        assertEquals(la, lb, 0.0);
        assertTrue(la != lc, "the handed model, not a fresh one, was trained");
        for (String k : built.parameters().keySet())
            assertArrayEquals(Tensors.toFloats(built.parameters().get(k)), Tensors.toFloats(loaded.parameters().get(k)), 0f, k);
        var shape = assertThrows(IllegalArgumentException.class, () -> new Trainer(config(4, "dim", 64), built, store, null, null,
                tmp.resolve("d"), null, false, QUIET));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
    }

    @Test
    void seedFixesTheRun(@TempDir Path tmp) throws Exception {
        TokenStore store = Fixtures.randomStore(tmp.resolve("s"), 64, 100, 9);
        Trainer a = trainer(config(3), store, null, null, tmp.resolve("a"), false);
        Trainer b = trainer(config(3), store, null, null, tmp.resolve("b"), false);
        Trainer c = trainer(config(3, "seed", 2L), store, null, null, tmp.resolve("c"), false);
        double la = a.train(3).lastLoss(), lb = b.train(3).lastLoss(), lc = c.train(3).lastLoss();
        assertEquals(la, lb, 0.0);
        assertTrue(la != lc);
    }
}
