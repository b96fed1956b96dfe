package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static rho4j.cli.CliTest.rho;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.HfFolders;
import rho4j.data.TokenStore;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.model.HfWeights;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.model.ModelFiles;
import rho4j.model.Safetensors;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.train.Reference;
import rho4j.train.TrainSpec;
import rho4j.train.Trainer;
import rho4j.util.Json;

/**
 * `rho train --init-from`: a Hugging Face folder (made by bench/hf_folders.py) goes out of a 0-step run as it came
 * in, 20 steps from it equal 20 steps from the same weights loaded another way, and every mismatch is refused.
 */
class InitFromTest {
    @TempDir static Path tmp;
    static Path tok, store, otherStore, javaBase;
    static int vocab;

    @BeforeAll
    static void storeAndTokenizer() throws Exception {
        Path data = CliTest.corpus(tmp);
        String tpl = "{question}\\n{answer}";
        tok = tmp.resolve("tok.json");
        store = tmp.resolve("store");
        assertEquals(0, rho("tokenizer", "train", "--vocab-size", "300", "--input", data.toString(), "--template", tpl, "--out", tok.toString()).code());
        CliTest.Run p = rho("prepare", "--tokenizer", tok.toString(), "--input", data.toString(), "--template", tpl, "--out", store.toString());
        assertEquals(0, p.code(), p.err());
        Path otherTok = tmp.resolve("other.json");
        assertEquals(0, rho("tokenizer", "train", "--vocab-size", "280", "--input", data.toString(), "--template", tpl, "--out", otherTok.toString()).code());
        otherStore = tmp.resolve("other-store");
        assertEquals(0, rho("prepare", "--tokenizer", otherTok.toString(), "--input", data.toString(), "--template", tpl, "--out", otherStore.toString()).code());
        vocab = ByteLevelBpe.load(tok).vocabSize();
        // A base written by Rho4j itself (no Python needed): for the refusals
        javaBase = tmp.resolve("java-base");
        ModelFiles.write(javaBase, new Llama(new LlamaConfig(vocab, 32, 2, 4, 2, 64, 64, 10000, 1e-5, false), Device.CPU, DType.FP32, 5), tok);
    }

    static Path pythonFolder(String kind) throws Exception {
        Path dir = tmp.resolve("py-" + kind);
        if (!Files.exists(dir.resolve("config.json"))) HfFolders.make(List.of(kind), List.of(dir), vocab, tok);
        return dir;
    }

    static Map<String, Tensor> weights(Path dir) throws Exception {
        Map<String, Tensor> all = new TreeMap<>();
        try (HfWeights w = HfWeights.open(dir)) {
            for (String n : w.names()) all.put(n, Safetensors.read(w.fileOf(n)).get(n));
        }
        return all;
    }

    static void assertSameValues(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String n : a.keySet()) assertTrue(a.get(n).to(rho4j.engine.DType.FP64.scalarType()).equal(b.get(n).to(DType.FP64.scalarType())), n);
    }

    static JsonNode json(Path f) throws Exception { return Json.MAPPER.readTree(f.toFile()); }

    @Test
    void zeroStepsWriteTheInputFolderBackOut() throws Exception {
        for (String kind : List.of("sharded", "bf16-tied", "llama3")) {
            Path base = pythonFolder(kind), run = tmp.resolve("zero-" + kind);
            CliTest.Run r = rho("train", "--data", store.toString(), "--out", run.toString(), "--init-from", base.toString(), "--steps", "0",
                    "--micro-batch", "2", "--context", "32");
            assertEquals(0, r.code(), r.err());
            Path out = run.resolve("model");
            assertSameValues(weights(base), weights(out)); // bf16 -> fp32 is exact
            ObjectNode want = (ObjectNode) json(base.resolve("config.json"));
            want.put("torch_dtype", "float32"); // what the weights now are (the sharded folder's already was)
            assertEquals(want, json(out.resolve("config.json")), kind);
            for (String f : List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json"))
                assertArrayEquals(Files.readAllBytes(base.resolve(f)), Files.readAllBytes(out.resolve(f)), kind + " " + f);
            // import -> export -> import: the same tensors, to the byte
            Path again = tmp.resolve("again-" + kind);
            assertEquals(0, rho("train", "--data", store.toString(), "--out", again.toString(), "--init-from", out.toString(), "--steps", "0",
                    "--micro-batch", "2", "--context", "32").code());
            assertArrayEquals(Files.readAllBytes(out.resolve("model.safetensors")), Files.readAllBytes(again.resolve("model/model.safetensors")), kind);
            assertEquals(json(out.resolve("config.json")), json(again.resolve("model/config.json")));
        }
        // above --max-shard-size the folder goes out sharded with an index, and reads back the same
        Path base = pythonFolder("sharded"), run = tmp.resolve("zero-shards");
        assertEquals(0, rho("train", "--data", store.toString(), "--out", run.toString(), "--init-from", base.toString(), "--steps", "0",
                "--micro-batch", "2", "--context", "32", "--max-shard-size", "40KB").code());
        assertTrue(Files.exists(run.resolve("model").resolve(HfWeights.INDEX)) && !Files.exists(run.resolve("model/model.safetensors")));
        assertSameValues(weights(base), weights(run.resolve("model")));
    }

    @Test
    void twentyStepsFromAFolderEqualTwentyStepsFromTheSameWeightsLoadedOtherwise() throws Exception {
        Path base = pythonFolder("sharded");
        Map<String, Object> o = new LinkedHashMap<>(Map.of("micro-batch", 2, "context", 32, "steps", 20, "warmup", 3, "lr", 3e-3,
                "eval-every", 0, "ckpt-every", 0, "log-every", 10, "seed", 4L));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Map<String, Object> fromFolder = new LinkedHashMap<>(o);
        fromFolder.put("init-from", base.toString());
        // the same shape by flags, the weights read shard by shard into a map and handed over
        Map<String, Object> byFlags = new LinkedHashMap<>(o);
        byFlags.putAll(Map.of("preset", "tiny", "dim", 32, "layers", 3, "heads", 4, "kv-heads", 2, "ffn", 64));
        try (TokenStore s = TokenStore.open(store)) {
            TrainSpec a = TrainSpec.of(fromFolder, s.meta().vocabSize()), b = TrainSpec.of(byFlags, vocab);
            assertEquals(a.model(), b.model());
            Trainer ta = new Trainer(a, a.initialModel(), s, null, Reference.none(), tmp.resolve("twenty-a"), base.resolve("tokenizer.json"), false, quiet);
            Llama mb = new Llama(b.model(), Device.CPU, DType.FP32, weights(base));
            Trainer tb = new Trainer(b, mb, s, null, Reference.none(), tmp.resolve("twenty-b"), tok, false, quiet);
            Trainer.Summary sa = ta.train(Integer.MAX_VALUE), sb = tb.train(Integer.MAX_VALUE);
            assertEquals(20, sa.steps());
            assertEquals(sa.lastLoss(), sb.lastLoss(), 0.0);
            for (var e : ta.model().parameters().entrySet()) assertTrue(e.getValue().equal(mb.parameters().get(e.getKey())), e.getKey());
            assertTrue(!ta.model().parameters().get("model.norm.weight").equal(weights(base).get("model.norm.weight")), "20 steps changed nothing");
        }
        // the run's model/ keeps the base's config.json, with the context it was trained at not written over
        assertEquals(json(base.resolve("config.json")).path("max_position_embeddings"), json(tmp.resolve("twenty-a/model/config.json")).path("max_position_embeddings"));
        // loaded back as a run's model (scoring, evaluation), it has the context it was trained at
        assertEquals(32, ModelFiles.load(tmp.resolve("twenty-a"), Device.CPU, DType.FP32).cfg.contextLength());
        assertEquals(64, ModelFiles.load(base, Device.CPU, DType.FP32).cfg.contextLength());
    }

    @Test
    void aRunFromABaseResumesToTheBitsOfAnUninterruptedOne() throws Exception {
        Map<String, Object> o = new LinkedHashMap<>(Map.of("init-from", javaBase.toString(), "micro-batch", 2, "context", 16, "steps", 6,
                "warmup", 2, "lr", 3e-3, "eval-every", 0, "ckpt-every", 3, "log-every", 3));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path tokJson = javaBase.resolve("tokenizer.json");
        try (TokenStore s = TokenStore.open(store)) {
            TrainSpec spec = TrainSpec.of(o, vocab);
            Trainer straight = new Trainer(spec, spec.initialModel(), s, null, Reference.none(), tmp.resolve("straight"), tokJson, false, quiet);
            straight.train(Integer.MAX_VALUE);
            new Trainer(spec, spec.initialModel(), s, null, Reference.none(), tmp.resolve("cut"), tokJson, false, quiet).train(3);
            Trainer resumed = new Trainer(TrainSpec.of(o, vocab), TrainSpec.of(o, vocab).initialModel(), s, null, Reference.none(), tmp.resolve("cut"),
                    tokJson, true, quiet);
            assertEquals(3, resumed.step());
            resumed.train(Integer.MAX_VALUE);
            for (var e : straight.model().parameters().entrySet())
                assertTrue(e.getValue().equal(resumed.model().parameters().get(e.getKey())), e.getKey());
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("straight/model/model.safetensors")), Files.readAllBytes(tmp.resolve("cut/model/model.safetensors")));
    }

    @Test
    void aStoreOfAnotherTokenizerIsRefused() {
        CliTest.Run r = rho("train", "--data", otherStore.toString(), "--out", tmp.resolve("x1").toString(), "--init-from", javaBase.toString(), "--steps", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(otherStore.resolve("meta.json").toString()) && r.err().contains(javaBase.resolve("tokenizer.json").toString())
                && r.err().contains("rho prepare --tokenizer"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void shapeFlagsPresetsAndLongContextsAreRefusedWithInitFrom() throws Exception {
        for (String[] flag : new String[][] {{"--preset", "tiny"}, {"--dim", "64"}, {"--layers", "3"}, {"--heads", "2"}, {"--kv-heads", "1"},
                {"--ffn", "32"}, {"--tie"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--data", store.toString(), "--out", tmp.resolve("x2").toString(),
                    "--init-from", javaBase.toString(), "--steps", "1"));
            args.addAll(List.of(flag));
            CliTest.Run r = rho(args.toArray(String[]::new));
            assertEquals(2, r.code(), flag[0]);
            assertTrue(r.err().contains(flag[0] + " cannot be combined with --init-from") && r.err().contains(javaBase.resolve("config.json").toString()), r.err());
        }
        CliTest.Run r = rho("train", "--data", store.toString(), "--out", tmp.resolve("x3").toString(), "--init-from", javaBase.toString(), "--context", "128");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("max_position_embeddings 64") && r.err().contains(javaBase.resolve("config.json").toString()), r.err());
        Path noTok = tmp.resolve("no-tok");
        ModelFiles.write(noTok, ModelFiles.load(javaBase, Device.CPU, DType.FP32), null);
        r = rho("train", "--data", store.toString(), "--out", tmp.resolve("x4").toString(), "--init-from", noTok.toString(), "--steps", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(noTok + " has no tokenizer.json"), r.err());
        r = rho("train", "--data", store.toString(), "--out", tmp.resolve("x7").toString(), "--init-from", javaBase.toString(), "--max-shard-size", "2 parsecs");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--max-shard-size must be a size such as 2GB"), r.err());
        r = rho("train", "--data", store.toString(), "--out", tmp.resolve("x5").toString(), "--init-from", tmp.resolve("nowhere").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--init-from") && r.err().contains("nowhere") && r.err().contains("holds no model"), r.err());
    }

    @Test
    void aShardedBaseScoresTheStoreAndSlmContinuesFromIt() throws Exception {
        Path base = pythonFolder("sharded"), scores = tmp.resolve("base-scores");
        CliTest.Run sc = rho("score", "--run", base.toString(), "--data", store.toString(), "--out", scores.toString());
        assertEquals(0, sc.code(), sc.err());
        assertEquals(ModelFiles.weightsHash(base), json(scores.resolve("scores.json")).path("referenceModelSha256").asText());
        CliTest.Run slm = rho("train", "--data", store.toString(), "--out", tmp.resolve("slm-from-base").toString(), "--init-from", base.toString(),
                "--objective", "slm", "--scores", scores.toString(), "--ratio", "0.5", "--steps", "2", "--micro-batch", "2", "--warmup", "1");
        assertEquals(0, slm.code(), slm.err());
        assertTrue(slm.out().contains("trained 2 steps: 256 tokens seen, 128 trained on"), slm.out());
    }

    @Test
    void initFromComesFromAConfigFileAsFromTheFlag() throws Exception {
        Path cfg = tmp.resolve("init.yaml");
        Files.writeString(cfg, "init_from: " + javaBase + "\nsteps: 0\nmicro_batch: 2\ncontext: 16\n");
        CliTest.Run r = rho("train", "--config", cfg.toString(), "--data", store.toString(), "--out", tmp.resolve("cfg-run").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode spec = json(tmp.resolve("cfg-run/run.json")).path("config");
        assertEquals(javaBase.toAbsolutePath().normalize().toString(), spec.path("initFrom").asText());
        assertEquals(16, spec.path("model").path("contextLength").asInt());
        assertSameValues(weights(javaBase), weights(tmp.resolve("cfg-run/model")));
        Files.writeString(cfg, "init_from: " + javaBase + "\npreset: tiny\nsteps: 1\n");
        r = rho("train", "--config", cfg.toString(), "--data", store.toString(), "--out", tmp.resolve("cfg-run2").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--preset cannot be combined with --init-from"), r.err());
    }

    @Test
    void aRefusedConfigStopsTrainingNamingFileAndField() throws Exception {
        Path bad = tmp.resolve("biased");
        ModelFiles.write(bad, ModelFiles.load(javaBase, Device.CPU, DType.FP32), tok);
        ObjectNode n = (ObjectNode) json(bad.resolve("config.json"));
        n.put("attention_bias", true);
        Json.write(bad.resolve("config.json"), n);
        CliTest.Run r = rho("train", "--data", store.toString(), "--out", tmp.resolve("x6").toString(), "--init-from", bad.toString(), "--steps", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(bad.resolve("config.json").toString()) && r.err().contains("\"attention_bias\""), r.err());
    }
}
