package rho4j.score;

import rho4j.model.ModelFiles;
import rho4j.engine.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.train.Checkpoint;

/** Scoring interrupted midway resumes from its progress marker and ends byte-identical to an uninterrupted run. */
class ScorerResumeTest {
    @Test
    void interruptedScoringResumesToTheSameBytes(@TempDir Path tmp) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        TokenStore store = Fixtures.randomStore(tmp.resolve("store"), 64, 150, 3);
        Llama ref = new Llama(new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false), Device.CPU, DType.FP32, 5);
        Path model = tmp.resolve("ref");
        ModelFiles.write(model, ref, null);

        Scorer.run(ref, model, store, tmp.resolve("full"), 4, true, quiet);
        assertNull(Scorer.run(ref, model, store, tmp.resolve("cut"), 4, true, quiet, 12)); // "killed" after 12 windows
        assertFalse(Files.exists(tmp.resolve("cut/" + ReferenceScores.META_FILE)), "no completion marker after a kill");
        assertTrue(Files.exists(tmp.resolve("cut/" + ReferenceScores.PROGRESS_FILE)));
        Scorer.Result r = Scorer.run(ref, model, store, tmp.resolve("cut"), 4, true, quiet);
        assertTrue(r.resumed());
        assertTrue(r.scored() < store.size() - 1, "only the rest was scored: " + r.scored());
        for (String f : new String[] {ReferenceScores.LOSS_FILE, ReferenceScores.ENTROPY_FILE})
            assertArrayEquals(Files.readAllBytes(tmp.resolve("full/" + f)), Files.readAllBytes(tmp.resolve("cut/" + f)), f);
        assertFalse(Files.exists(tmp.resolve("cut/" + ReferenceScores.PROGRESS_FILE)));
    }
}
