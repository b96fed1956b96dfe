package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real GSM8K train file from the shared data (RHO_DATA or ../shared/data). */
class CorpusGsm8kTest {
    @TempDir
    Path tmp;

    static Path dataDir() {
        String env = System.getenv("RHO_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("../shared/data");
    }

    @Test
    void gsm8kTrainWithQuestionAnswerTemplate() throws IOException {
        Path train = dataDir().resolve("gsm8k/train.jsonl");
        Assumptions.assumeTrue(Files.isRegularFile(train),
                "GSM8K not found at " + train.toAbsolutePath() + ": set RHO_DATA to the shared data folder to run this test");
        CorpusOptions opts = CorpusOptions.defaults().withTemplate("{question}\\n{answer}");
        Path out = tmp.resolve("gsm8k");
        PrepareResult r = Prepare.run(PrepareOptions.of(List.of(train), out).withCorpus(opts), new FakeEncoder(), s -> {});
        assertEquals(7473, r.documents());
        assertEquals(0, r.sources().get(0).skipped());
        assertEquals(7473, r.sources().get(0).lines());
        assertEquals(Files.size(train), r.bytesRead());
        try (TokenStore s = TokenStore.open(out)) {
            assertEquals(7473, s.numDocs());
            assertEquals("{question}\\n{answer}", s.meta().template());
            int len = (int) s.docLength(0) - 1;
            int[] ids = new int[len];
            s.read(0, ids, 0, len);
            String first = new FakeEncoder().decode(ids);
            assertTrue(first.startsWith("Natalia sold clips") && first.contains("May?\nNatalia sold 48/2")
                    && first.endsWith("#### 72"), first);
        }
    }
}
