package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.cli.CliTest.Run;
import rho4j.train.Checkpoint;
import rho4j.util.FolderLock;
import rho4j.util.Interrupt;

/** Run folders are guarded (locks, --overwrite) and a signal stops training and scoring with their work saved. */
class RunGuardTest {
    @TempDir static Path shared;
    static Path store, cfg;

    @BeforeAll
    static void fixture() throws Exception {
        Path data = CliTest.corpus(shared), tok = shared.resolve("tok.json");
        store = shared.resolve("store");
        String tpl = "{question}\\n{answer}";
        assertEquals(0, CliTest.rho("tokenizer", "train", "--vocab-size", "300", "--input", data.toString(), "--template", tpl, "--out", tok.toString()).code());
        assertEquals(0, CliTest.rho("prepare", "--tokenizer", tok.toString(), "--input", data.toString(), "--template", tpl, "--out", store.toString()).code());
        cfg = shared.resolve("train.yaml");
        Files.writeString(cfg, "preset: tiny\ncontext: 32\nsteps: 4\nwarmup: 1\nmicro_batch: 2\neval_every: 0\nckpt_every: 2\n");
    }

    @AfterEach
    void clear() { Interrupt.request(null); }

    static Run train(Path out, String... more) {
        String[] base = {"train", "--config", cfg.toString(), "--data", store.toString(), "--out", out.toString()};
        return CliTest.rho(BadInputTest.concat(base, more));
    }

    @Test
    void anExistingRunIsReplacedOnlyWithOverwriteAndOnlyAfterTheNewFirstCheckpoint(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, train(run, "--seed", "1").code());
        byte[] seed1 = Files.readAllBytes(run.resolve("model/model.safetensors"));
        Run again = train(run, "--seed", "2");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a run") && again.err().contains("--overwrite") && again.err().contains("--resume"), again.err());
        assertEquals(java.util.Arrays.hashCode(seed1), java.util.Arrays.hashCode(Files.readAllBytes(run.resolve("model/model.safetensors"))), "untouched");
        // A replacement that fails before its first checkpoint puts the old run back.
        Interrupt.request(null);
        Run failing = train(run, "--seed", "2", "--overwrite", "--scores", tmp.resolve("no-scores").toString(), "--objective", "slm");
        assertEquals(2, failing.code(), failing.err());
        assertTrue(failing.err().contains("restored the old run"), failing.err());
        assertTrue(java.util.Arrays.equals(seed1, Files.readAllBytes(run.resolve("model/model.safetensors"))));
        Run replaced = train(run, "--seed", "2", "--overwrite");
        assertEquals(0, replaced.code(), replaced.err());
        assertTrue(replaced.err().contains("kept in") && replaced.err().contains("deleted the replaced run"), replaced.err());
        assertFalse(java.util.Arrays.equals(seed1, Files.readAllBytes(run.resolve("model/model.safetensors"))), "seed 2's model");
        assertTrue(Files.readString(run.resolve("run.json")).contains("\"seed\" : 2"));
        try (var s = Files.list(tmp)) {
            assertEquals(java.util.List.of("run"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no lock or old run left");
        }
    }

    @Test
    void aRunInUseIsRefused(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        try (FolderLock held = FolderLock.acquire(run, "run")) {
            Run r = train(run);
            assertEquals(2, r.code());
            assertTrue(r.err().contains("the run " + run.toAbsolutePath() + " is in use by process " + ProcessHandle.current().pid()), r.err());
            Run s = CliTest.rho("prepare", "--tokenizer", store.resolve("tokenizer.json").toString(), "--input", shared.resolve("qa.jsonl").toString(),
                    "--out", run.toString());
            assertTrue(s.code() == 2 && s.err().contains("in use"), s.err());
        }
        assertFalse(Files.exists(run), "nothing written while refused");
    }

    @Test
    void aSignalCheckpointsTheNextStepAndResumeFinishesTheRun(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Interrupt.request("TERM"); // as if SIGTERM arrived during step 1
        Run stopped = train(run);
        assertEquals(143, stopped.code(), stopped.err());
        String last = stopped.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("rho train: SIGTERM: checkpoint of step 1 written") && last.contains("--resume"), stopped.err());
        assertEquals(1, Checkpoint.readState(Checkpoint.latest(run)).step(), "step 1 checkpointed although --ckpt-every is 2");
        Interrupt.request(null);
        Run resumed = train(run, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming") && resumed.out().contains("trained 4 steps"), resumed.err() + resumed.out());
        Interrupt.request("INT");
        Path run2 = tmp.resolve("run2");
        assertEquals(130, train(run2).code(), "SIGINT exits 130");
    }

    @Test
    void scoringSavesItsProgressOnASignal(@TempDir Path tmp) throws Exception {
        Path ref = tmp.resolve("ref");
        assertEquals(0, train(ref).code());
        Path scores = tmp.resolve("scores");
        Interrupt.request("TERM");
        Run stopped = CliTest.rho("score", "--run", ref.toString(), "--data", store.toString(), "--out", scores.toString(), "--batch", "2");
        assertEquals(143, stopped.code(), stopped.err());
        assertTrue(stopped.err().contains("scoring saved at window 2 of"), stopped.err());
        assertTrue(Files.exists(scores.resolve("progress.json")) && !Files.exists(scores.resolve("scores.json")));
        Interrupt.request(null);
        Run resumed = CliTest.rho("score", "--run", ref.toString(), "--data", store.toString(), "--out", scores.toString(), "--batch", "2");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming scoring at window 2"), resumed.err());
    }

    @Test
    void prepareRemovesTemporaryFoldersOfKilledRuns(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("store");
        Files.createDirectories(tmp.resolve("store.tmp-1234abcd/holdout"));
        Files.writeString(tmp.resolve("store.tmp-1234abcd/tokens.bin"), "partial");
        Files.createDirectories(tmp.resolve("store2.tmp-99")); // another store's: not ours to touch
        Run r = CliTest.rho("prepare", "--tokenizer", store.resolve("tokenizer.json").toString(), "--input", shared.resolve("qa.jsonl").toString(),
                "--template", "{question}", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("removed 1 temporary folder"), r.err());
        assertFalse(Files.exists(tmp.resolve("store.tmp-1234abcd")));
        assertTrue(Files.exists(tmp.resolve("store2.tmp-99")));
    }
}
