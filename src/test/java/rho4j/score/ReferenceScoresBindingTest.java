package rho4j.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.data.TokenStore;
import rho4j.data.TokenStoreWriter;
import rho4j.util.Json;

/** Stored scores are read back aligned with their tokens and refused for another store, tokenizer or window length. */
class ReferenceScoresBindingTest {
    @TempDir static Path tmp;
    static TokenStore store, other, otherTokenizer;

    static TokenStore store(String name, int shift, String tokenizer) throws IOException {
        try (TokenStoreWriter w = new TokenStoreWriter(tmp.resolve(name), 50, 49, tokenizer)) {
            int[] ids = new int[19];
            for (int i = 0; i < ids.length; i++) ids[i] = (i + shift) % 49;
            w.addDocument(ids); // 20 tokens with the eot
            w.finish();
        }
        return TokenStore.open(tmp.resolve(name));
    }

    @BeforeAll
    static void stores() throws IOException {
        store = store("store", 0, "tok-a");
        other = store("other", 1, "tok-a");
        otherTokenizer = store("other-tok", 0, "tok-b");
    }

    /** Scores for `s` with loss i/10 at token i (NaN at token 0), optionally entropy 2 - i/10. */
    static Path write(String name, TokenStore s, int ctx, boolean entropy, long tokens) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        ByteBuffer l = ByteBuffer.allocate((int) tokens * 4).order(ByteOrder.LITTLE_ENDIAN), e = ByteBuffer.allocate((int) tokens * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < tokens; i++) {
            l.putFloat(i == 0 ? Float.NaN : i / 10f);
            e.putFloat(2 - i / 10f);
        }
        Files.write(dir.resolve(ReferenceScores.LOSS_FILE), l.array());
        if (entropy) Files.write(dir.resolve(ReferenceScores.ENTROPY_FILE), e.array());
        var meta = new ReferenceScores.Meta(1, s.size(), ctx, s.tokensSha256(), s.meta().tokenizerHash(), "ref", "abc", entropy, "def", 1.0, "fp32");
        Json.MAPPER.writeValue(dir.resolve(ReferenceScores.META_FILE).toFile(), meta);
        return dir;
    }

    @Test
    void theScoringPrecisionIsReadBackAndOlderFilesAreFp32() {
        var bf16 = new ReferenceScores.Meta(1, 10, 8, "t", "k", "ref", "abc", false, "def", 1.0, "bf16");
        var old = new ReferenceScores.Meta(1, 10, 8, "t", "k", "ref", "abc", false, "def", 1.0, null);
        assertEquals("bf16", bf16.precision());
        assertEquals("fp32", old.precision(), "scores.json from before the precision was recorded");
    }

    @Test
    void lossesAndEntropiesReadBackAtTheirTokens() throws IOException {
        Path dir = write("ok", store, 8, true, store.size());
        ReferenceScores closed = ReferenceScores.open(dir);
        closed.close(); // both files are closed with it
        assertThrows(IOException.class, () -> closed.readLoss(1, new float[1], 0, 1));
        assertThrows(IOException.class, () -> closed.readEntropy(1, new float[1], 0, 1));
        try (ReferenceScores rs = ReferenceScores.open(dir)) {
            assertEquals(dir, rs.dir());
            rs.verifyFor(store, 8);
            assertTrue(rs.hasEntropy());
            assertEquals(store.size(), rs.meta().tokens());
            float[] l = new float[5], e = new float[5];
            rs.readLoss(3, l, 1, 4);
            rs.readEntropy(16, e, 0, 4);
            assertArrayEquals(new float[] {0, 0.3f, 0.4f, 0.5f, 0.6f}, l);
            assertArrayEquals(new float[] {2 - 1.6f, 2 - 1.7f, 2 - 1.8f, 2 - 1.9f, 0}, e, 1e-6f);
            float[] first = new float[1];
            rs.readLoss(0, first, 0, 1);
            assertTrue(Float.isNaN(first[0]));
            var end = assertThrows(IOException.class, () -> rs.readLoss(18, new float[4], 0, 4));
            assertTrue(end.getMessage().contains("end before token 22"), end.getMessage());
        }
    }

    @Test
    void scoresOfAnotherStoreTokenizerOrWindowAreRefused() throws IOException {
        try (ReferenceScores rs = ReferenceScores.open(write("bound", store, 8, false, store.size()))) {
            assertFalse(rs.hasEntropy());
            var tokens = assertThrows(IllegalArgumentException.class, () -> rs.verifyFor(other, 8));
            assertTrue(tokens.getMessage().contains("do not belong to token store") && tokens.getMessage().contains("checksum")
                    && tokens.getMessage().contains("rho score --data " + other.dir()), tokens.getMessage());
            var tok = assertThrows(IllegalArgumentException.class, () -> rs.verifyFor(otherTokenizer, 8));
            assertTrue(tok.getMessage().contains("tokenizer tok-a") && tok.getMessage().contains("tokenized with tok-b"), tok.getMessage());
            var ctx = assertThrows(IllegalArgumentException.class, () -> rs.verifyFor(store, 16));
            assertTrue(ctx.getMessage().contains("windows of 8 tokens but training uses 16") && ctx.getMessage().contains("--context 16"), ctx.getMessage());
            var noEnt = assertThrows(IOException.class, () -> rs.readEntropy(0, new float[1], 0, 1));
            assertTrue(noEnt.getMessage().contains("--entropy"), noEnt.getMessage());
        }
    }

    @Test
    void aStoreOfTheSameLengthButOtherTokensIsRefused() throws IOException {
        // same token count as `store`, other contents: the checksum, not the count, catches it
        assertEquals(store.size(), other.size());
        try (ReferenceScores rs = ReferenceScores.open(write("same-length", store, 8, false, store.size()))) {
            assertThrows(IllegalArgumentException.class, () -> rs.verifyFor(other, 8));
        }
    }

    @Test
    void truncatedOrMissingFilesAreRefusedWithTheFix() throws IOException {
        Path shortDir = write("short", store, 8, false, store.size() - 1);
        var e = assertThrows(IOException.class, () -> ReferenceScores.open(shortDir));
        assertTrue(e.getMessage().contains(ReferenceScores.LOSS_FILE) && e.getMessage().contains(store.size() + " tokens"), e.getMessage());
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        var none = assertThrows(IOException.class, () -> ReferenceScores.open(empty));
        assertTrue(none.getMessage().contains("scores.json is missing") && none.getMessage().contains("rho score --run"), none.getMessage());
        Files.writeString(empty.resolve(ReferenceScores.PROGRESS_FILE), "{}");
        var partial = assertThrows(IOException.class, () -> ReferenceScores.open(empty));
        assertTrue(partial.getMessage().contains("interrupted"), partial.getMessage());
    }
}
