package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `rho tokenizer train` counts over a bounded sample: what lies past --max-train-mb is never read into memory. */
class TokenizerSampleTest {
    @TempDir Path tmp;

    /** About {@code mb} MB of JSONL documents of random words over {@code letters}. */
    private Path corpus(String name, double mb, String letters, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < mb * (1 << 20)) {
            StringBuilder doc = new StringBuilder();
            for (int w = 0; w < 60; w++) {
                int len = 2 + r.nextInt(6);
                for (int i = 0; i < len; i++) doc.append(letters.charAt(r.nextInt(letters.length())));
                doc.append(' ');
            }
            sb.append("{\"text\": \"").append(doc.toString().trim()).append("\"}\n");
        }
        Path f = tmp.resolve(name);
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void textBeyondTheSampleDoesNotChangeTheTokenizer() throws Exception {
        Path head = corpus("a.jsonl", 1.2, "abcdefgh", 1);
        Path tailX = corpus("x.jsonl", 0.3, "tuvwxyz", 2), tailY = corpus("y.jsonl", 0.3, "mnopq", 3);
        String[] hashes = new String[3];
        int k = 0;
        for (Path tail : new Path[] {tailX, tailY, null}) {
            Path out = tmp.resolve("tok-" + k + ".json");
            var run = tail == null
                    ? CliTest.rho("tokenizer", "train", "--vocab-size", "400", "--input", head.toString(), tailX.toString(), "--out", out.toString())
                    : CliTest.rho("tokenizer", "train", "--vocab-size", "400", "--max-train-mb", "1", "--input", head.toString(), tail.toString(), "--out", out.toString());
            assertEquals(0, run.code(), run.err());
            if (tail != null) assertTrue(run.err().contains("counting over the first 1 MB of text"), run.err());
            hashes[k++] = rho4j.tokenize.ByteLevelBpe.load(out).hash();
        }
        assertEquals(hashes[0], hashes[1], "the tails after the first MB were not counted");
        assertNotEquals(hashes[0], hashes[2], "without the bound the tail is counted (the test can fail)");
    }
}
