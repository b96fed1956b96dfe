package rho4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import rho4j.engine.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.model.ModelFiles;
import rho4j.model.LlamaConfig;
import rho4j.score.ReferenceScores;
import rho4j.train.Checkpoint;

/** `rho score` on 2 ranks (Gloo, 127.0.0.1) writes the same files as one process, byte for byte. */
class ShardedScoringTest {
    static final String[] FILES = {ReferenceScores.LOSS_FILE, ReferenceScores.ENTROPY_FILE, ReferenceScores.META_FILE};

    @Test
    void twoRanksWriteTheBytesOfOneProcess(@TempDir Path tmp) throws Exception {
        // 211 documents of 10-59 tokens at T 16: 400-odd windows, batch 8 -> an uneven last round and a tail window
        try (TokenStore store = Fixtures.randomStore(tmp.resolve("store"), 64, 211, 3)) {
            Llama ref = new Llama(new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false), Device.CPU, DType.FP32, 5);
            ModelFiles.write(tmp.resolve("ref"), ref, null);
        }
        String[] args = {"score", "--run", tmp.resolve("ref").toString(), "--data", tmp.resolve("store").toString(), "--batch", "8", "--entropy", "--out"};
        int[] one = Ranks.rho(1, tmp.resolve("log1"), 120, Map.of(), with(args, tmp.resolve("one")));
        assertEquals(0, one[0], Ranks.logs(tmp.resolve("log1"), 1));
        int[] two = Ranks.rho(2, tmp.resolve("log2"), 120, Map.of(), with(args, tmp.resolve("two")));
        assertArrayEquals(new int[] {0, 0}, two, Ranks.logs(tmp.resolve("log2"), 2));
        assertTrue(Ranks.log(tmp.resolve("log2"), 0).contains("scored"), "rank 0 reports");
        assertFalse(Ranks.log(tmp.resolve("log2"), 1).contains("scored"), "rank 1 stays quiet");
        for (String f : FILES)
            assertArrayEquals(Files.readAllBytes(tmp.resolve("one").resolve(f)), Files.readAllBytes(tmp.resolve("two").resolve(f)), f);
        // negative control: the losses are not all NaN (a rank's share missing would leave NaN in the file)
        float[] l = new float[400 * 16];
        try (ReferenceScores rs = ReferenceScores.open(tmp.resolve("two"))) {
            rs.readLoss(1, l, 0, l.length);
        }
        for (int i = 0; i < l.length; i++) assertTrue(Float.isFinite(l[i]), "token " + (i + 1) + " has a score");
    }

    /**
     * What a kill of any rank leaves (rank 0 writes the progress marker only after the data it vouches for: here 24
     * windows scored, garbage after them, no scores.json) resumes on 2 ranks to the bytes of an uninterrupted run.
     */
    @Test
    void aCutRunResumesOnTwoRanksToTheSameBytes(@TempDir Path tmp) throws Exception {
        try (TokenStore store = Fixtures.randomStore(tmp.resolve("store"), 64, 150, 8)) {
            Llama ref = new Llama(new LlamaConfig(64, 32, 2, 4, 2, 64, 16, 10000, 1e-5, false), Device.CPU, DType.FP32, 6);
            ModelFiles.write(tmp.resolve("ref"), ref, null);
        }
        String[] args = {"score", "--run", tmp.resolve("ref").toString(), "--data", tmp.resolve("store").toString(), "--batch", "8", "--entropy", "--out"};
        assertEquals(0, Ranks.rho(1, tmp.resolve("log1"), 120, Map.of(), with(args, tmp.resolve("one")))[0], Ranks.logs(tmp.resolve("log1"), 1));
        Path cut = tmp.resolve("cut");
        Files.createDirectories(cut);
        long keepBytes = (24L * 16 + 1) * 4;
        for (String f : new String[] {ReferenceScores.LOSS_FILE, ReferenceScores.ENTROPY_FILE}) {
            byte[] b = Files.readAllBytes(tmp.resolve("one").resolve(f));
            for (long i = keepBytes; i < b.length; i++) b[(int) i] = (byte) 0x7f; // not the scores: must be overwritten
            Files.write(cut.resolve(f), b);
        }
        ReferenceScores.Meta m = rho4j.util.Json.MAPPER.readValue(tmp.resolve("one").resolve(ReferenceScores.META_FILE).toFile(), ReferenceScores.Meta.class);
        var id = new rho4j.score.Scorer.Identity(m.tokens(), m.contextLength(), m.storeTokensSha256(), m.tokenizerHash(), m.referenceModel(),
                m.referenceModelSha256(), true, m.precision());
        rho4j.util.Json.write(cut.resolve(rho4j.score.ReferenceScores.PROGRESS_FILE), new rho4j.score.Scorer.Progress(id, 24));
        int[] two = Ranks.rho(2, tmp.resolve("log2"), 120, Map.of(), with(args, cut));
        assertArrayEquals(new int[] {0, 0}, two, Ranks.logs(tmp.resolve("log2"), 2));
        assertTrue(Ranks.log(tmp.resolve("log2"), 0).contains("resuming scoring at window 24"), Ranks.log(tmp.resolve("log2"), 0));
        for (String f : FILES) assertArrayEquals(Files.readAllBytes(tmp.resolve("one").resolve(f)), Files.readAllBytes(cut.resolve(f)), f);
        assertFalse(Files.exists(cut.resolve(rho4j.score.ReferenceScores.PROGRESS_FILE)), "the marker goes when the scores are complete");
    }

    private static String[] with(String[] a, Path out) {
        String[] o = java.util.Arrays.copyOf(a, a.length + 1);
        o[a.length] = out.toString();
        return o;
    }
}
