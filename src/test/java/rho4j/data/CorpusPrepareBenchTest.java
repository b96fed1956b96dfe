package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of Prepare with the byte-level fake encoder on ~200 MB of synthetic JSONL:
 * {@code mvn -o test -Dtest.excludedGroups= -Dtest=CorpusPrepareBenchTest}. Measures reading, JSON parsing
 * and writing; a real BPE encoder will be the bottleneck instead.
 */
@Tag("slow")
class CorpusPrepareBenchTest {
    @TempDir
    Path tmp;

    @Test
    void throughput() throws IOException {
        int mb = Integer.getInteger("rho.bench.mb", 200);
        Path in = tmp.resolve("bench.jsonl");
        Random r = new Random(1);
        String words = "the of and to in is that for it as with was on be by at this from proof theorem let";
        String[] w = words.split(" ");
        long docs = 0;
        try (Writer out = Files.newBufferedWriter(in)) {
            StringBuilder sb = new StringBuilder();
            while (Files.size(in) < (long) mb << 20 || docs == 0) {
                for (int k = 0; k < 1000; k++) {
                    sb.setLength(0);
                    int n = 50 + r.nextInt(400);
                    for (int j = 0; j < n; j++) sb.append(w[r.nextInt(w.length)]).append(' ');
                    out.write("{\"text\":\"" + sb + "\",\"id\":" + docs + "}\n");
                    docs++;
                }
                out.flush();
            }
        }
        for (int threads : new int[] {1, 2}) {
            PrepareOptions opts = PrepareOptions.of(List.of(in), tmp.resolve("out" + threads))
                    .withHoldout(0.01, 1).withThreads(threads);
            PrepareResult res = Prepare.run(opts, new FakeEncoder(), System.out::println);
            assertEquals(docs, res.documents());
            System.out.printf("BENCH threads=%d: %.1f MB in %.2f s = %.1f MB/s, %,d tokens/s%n", threads,
                    res.bytesRead() / 1e6, res.seconds(), res.megabytesPerSecond(), (long) (res.tokens() / res.seconds()));
        }
    }
}
