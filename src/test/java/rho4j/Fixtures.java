package rho4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import rho4j.data.TokenStore;
import rho4j.data.TokenStoreWriter;

/** Small synthetic inputs shared by the torch-backed tests. */
public final class Fixtures {
    private Fixtures() {}

    /**
     * A store of {@code docs} documents over a vocabulary of {@code vocab} ids (eot = vocab - 1) with a learnable
     * pattern: each document counts upwards modulo (vocab - 1) from a random start, with random lengths.
     */
    public static TokenStore countingStore(Path dir, int vocab, int docs, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        try (TokenStoreWriter w = new TokenStoreWriter(dir, vocab, vocab - 1, "test-tokenizer")) {
            for (int d = 0; d < docs; d++) {
                int len = 20 + r.nextInt(60), start = r.nextInt(vocab - 1);
                int[] ids = new int[len];
                for (int i = 0; i < len; i++) ids[i] = (start + i) % (vocab - 1);
                w.addDocument(ids);
            }
            w.finish();
        }
        return TokenStore.open(dir);
    }

    /** Random ids (no pattern). */
    public static TokenStore randomStore(Path dir, int vocab, int docs, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        try (TokenStoreWriter w = new TokenStoreWriter(dir, vocab, vocab - 1, "test-tokenizer")) {
            for (int d = 0; d < docs; d++) {
                int[] ids = new int[10 + r.nextInt(50)];
                for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(vocab - 1);
                w.addDocument(ids);
            }
            w.finish();
        }
        return TokenStore.open(dir);
    }
}
