package rho4j.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.util.Hashing;
import rho4j.util.Json;

/** Stored scores are checked against their recorded SHA-256 and against what a loss can be. */
class ScoresCheckTest {
    @TempDir Path dir;

    /** A scores folder of {@code losses} (token 0 NaN as the scorer writes it), recording the loss file's true hash. */
    Path scores(float... losses) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(losses.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : losses) b.putFloat(f);
        Files.write(dir.resolve(ReferenceScores.LOSS_FILE), b.array());
        Json.write(dir.resolve(ReferenceScores.META_FILE), new ReferenceScores.Meta(1, losses.length, 4, "s", "t", "m", "h", false,
                Hashing.sha256(dir.resolve(ReferenceScores.LOSS_FILE)), 1.0, "fp32"));
        return dir;
    }

    @Test
    void intactScoresPassAndReportTheirSize() throws IOException {
        try (ReferenceScores s = ReferenceScores.open(scores(Float.NaN, 1.5f, 0f, 7.25f, -1e-6f))) {
            assertEquals(20, ScoresCheck.verify(s));
        }
    }

    @Test
    void nonFiniteOrNegativeScoresAreRefusedAtTheirToken() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1e30f, -0.5f}) {
            try (ReferenceScores s = ReferenceScores.open(scores(Float.NaN, 1f, 2f, bad, 3f))) {
                IOException e = assertThrows(IOException.class, () -> ScoresCheck.verify(s));
                assertTrue(e.getMessage().contains(ReferenceScores.LOSS_FILE + ": token 3 has reference loss " + bad) && e.getMessage().contains("rho score"),
                        e.getMessage());
            }
        }
    }

    @Test
    void editedScoresFailTheirChecksum() throws IOException {
        scores(Float.NaN, 1f, 2f, 3f);
        Path f = dir.resolve(ReferenceScores.LOSS_FILE);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(8, 2.5f); // still a plausible loss
        Files.write(f, b);
        try (ReferenceScores s = ReferenceScores.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> ScoresCheck.verify(s));
            assertTrue(e.getMessage().contains("differs from the lossSha256 recorded in scores.json"), e.getMessage());
        }
    }
}
