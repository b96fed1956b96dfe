package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusPrepareTest {
    @TempDir
    Path tmp;

    private final FakeEncoder tok = new FakeEncoder();

    /** Texts of all documents of a store, eot stripped. */
    private List<String> texts(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStore s = TokenStore.open(dir)) {
            for (int d = 0; d < s.numDocs(); d++) {
                int len = (int) s.docLength(d);
                int[] ids = new int[len];
                s.read(s.docStart(d), ids, 0, len);
                assertEquals(tok.eotId(), ids[len - 1], "document " + d + " ends with eot");
                out.add(tok.decode(java.util.Arrays.copyOf(ids, len - 1)));
            }
        }
        return out;
    }

    @Test
    void mixedInputCountsMatchHandComputedValues() throws IOException {
        List<Path> inputs = CorpusFixture.create(tmp);
        Path out = tmp.resolve("out");
        List<String> progress = new ArrayList<>();
        PrepareResult r = Prepare.run(PrepareOptions.of(inputs, out), tok, progress::add);
        assertEquals(8, r.documents());
        assertEquals(CorpusFixture.TOKENS, r.tokens());
        assertNull(r.holdout());
        assertEquals(CorpusFixture.DOCS.stream().map(CorpusFixture.Expected::text).toList(), texts(out));
        StoreMeta m = r.train();
        assertEquals("all", m.split());
        assertEquals("text", m.field());
        assertNull(m.template());
        assertEquals(258, m.vocabSize());
        assertEquals(256, m.eotId());
        assertEquals("fake-byte-encoder-0", m.tokenizerHash());
        assertEquals(6, m.sources().size());
        assertEquals(new StoreMeta.Source(tmp.resolve("a.jsonl").toString(), Files.size(tmp.resolve("a.jsonl")), 3, 2, 0),
                m.sources().get(0));
        assertEquals(m, TokenStore.open(out).meta(), "meta.json round-trips");
        assertTrue(progress.get(progress.size() - 1).startsWith("done: "), progress.toString());
        assertTrue(progress.get(progress.size() - 1).contains("8 docs, 55 tokens"), progress.toString());
        assertFalse(Files.exists(out.resolve("holdout")));

        String info = StoreInfo.describe(out);
        assertTrue(info.contains("55 (uint16") && info.contains("documents:     8") && info.contains("a.jsonl"), info);
    }

    @Test
    void outputInsideAnInputFolderIsRefused() throws IOException {
        List<Path> inputs = CorpusFixture.create(tmp);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Prepare.run(PrepareOptions.of(inputs, tmp.resolve("dir/store")), tok, s -> {}));
        assertTrue(e.getMessage().contains("overlaps --input folder"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("dir/store")));
    }

    private Path manyDocs(int n) throws IOException {
        Path f = tmp.resolve("many.jsonl");
        try (Writer w = Files.newBufferedWriter(f)) {
            for (int i = 0; i < n; i++) w.write("{\"text\":\"document number " + i + "\"}\n");
        }
        return f;
    }

    @Test
    void holdoutIsDeterministicDisjointAndCoversAllDocuments() throws IOException {
        int n = 2000;
        Path in = manyDocs(n);
        PrepareOptions opts = PrepareOptions.of(List.of(in), tmp.resolve("a")).withHoldout(0.1, 7).withThreads(2);
        PrepareResult a = Prepare.run(opts, tok, s -> {});
        PrepareResult b = Prepare.run(new PrepareOptions(opts.inputs(), tmp.resolve("b"), opts.corpus(), 0.1, 7, 1), tok, s -> {});
        // same seed, any thread count: byte-identical stores
        assertEquals(a.train().tokensSha256(), b.train().tokensSha256());
        assertEquals(a.holdout().tokensSha256(), b.holdout().tokensSha256());
        assertEquals("train", a.train().split());
        assertEquals("holdout", a.holdout().split());

        List<String> train = texts(tmp.resolve("a"));
        List<String> held = texts(tmp.resolve("a/holdout"));
        Set<String> all = new HashSet<>(train);
        all.addAll(held);
        assertEquals(n, train.size() + held.size());
        assertEquals(n, all.size(), "disjoint and complete");
        for (int i = 0; i < n; i++) {
            String t = "document number " + i;
            assertEquals(HoldoutSplit.isHoldout(7, i, 0.1), held.contains(t), t);
        }
        // 2000 * 0.1 = 200 expected, standard deviation ~13
        assertTrue(held.size() > 150 && held.size() < 250, "holdout size " + held.size());

        PrepareResult other = Prepare.run(opts.withHoldout(0.1, 8).withThreads(1)
                .withCorpus(CorpusOptions.defaults()), tok, s -> {});
        assertNotEquals(a.holdout().tokensSha256(), other.holdout().tokensSha256(), "the seed changes the split");
        assertTrue(StoreInfo.describe(tmp.resolve("a")).contains("split:         holdout"));
    }

    @Test
    void uint32StoreFromALargeVocabulary() throws IOException {
        Path in = manyDocs(10);
        FakeEncoder wide = new FakeEncoder(70_000, 70_258);
        PrepareResult r = Prepare.run(PrepareOptions.of(List.of(in), tmp.resolve("w")), wide, s -> {});
        assertEquals("uint32", r.train().dtype());
        try (TokenStore s = TokenStore.open(tmp.resolve("w"))) {
            assertEquals(70_000 + 'd', s.get(0));
            assertEquals(70_256, s.get(s.docStart(1) - 1));
            assertEquals(4 * s.size(), Files.size(tmp.resolve("w/tokens.bin")));
        }
    }
}
