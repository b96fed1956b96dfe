package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rho4j.TestData;

/** decode(encode(s)) == s for any valid Unicode string, with small and GPT-2-sized vocabularies. */
class BpeRoundTripTest {
    static ByteLevelBpe small;

    @BeforeAll
    static void train() {
        List<String> texts = new ArrayList<>();
        RandomText gen = new RandomText(1);
        for (int i = 0; i < 3000; i++) texts.add(gen.next(100));
        for (int i = 0; i < 200; i++) texts.add("The quick brown fox doesn't jump over 12,345 lazy dogs. 日本語のテキスト 😀😀 ");
        small = ByteLevelBpe.train(texts.iterator(), 2000, TrainOptions.defaults());
    }

    static void assertRoundTrips(ByteLevelBpe bpe, String s) {
        assertEquals(s, bpe.decode(bpe.encode(s)), () -> "round trip failed for " + BpePreTokenizerTest.escape(s));
    }

    @Test
    void randomUnicodeSmallVocab() {
        RandomText gen = new RandomText(2024);
        for (int i = 0; i < 5000; i++) assertRoundTrips(small, gen.next(60));
        for (int i = 0; i < 100; i++) assertRoundTrips(small, gen.next(3000));
    }

    @Test
    void randomUnicodeGpt2() throws Exception {
        ByteLevelBpe gpt2 = R50kTokenizer.load();
        RandomText gen = new RandomText(99);
        for (int i = 0; i < 3000; i++) assertRoundTrips(gpt2, gen.next(60));
    }

    @Test
    void edgeCases() {
        for (String s : List.of("", " ", "   ", "\n", "\t \n \r\n", " ".repeat(5000), "a".repeat(4000), "1".repeat(999),
                "e\u0301\u0302\u0303", "\u0000\u0001\u007f\u0085\u009f", "👨‍👩‍👧‍👦", "🇯🇵", "\uFFFD\uFEFF\uFFFF", "\uDBFF\uDFFF",
                "<|endoftext|>", "'s's'S''", "x\u00a0\u3000y"))
            assertRoundTrips(small, s);
    }

    @Test
    void specialTokenTextIsOrdinaryText() {
        int[] ids = small.encode("<|endoftext|>");
        assertEquals(false, Arrays.stream(ids).anyMatch(id -> id == small.eotId()));
        assertEquals("a<|endoftext|>", small.decode(new int[] {small.encode("a")[0], small.eotId()}));
    }

    @Test
    void splitMultiByteCharDecodesToReplacement() {
        int[] perByte = new int[256];
        for (int id = 0; id < 256; id++) perByte[small.bytesOf(id)[0] & 0xFF] = id;
        // 😀 is F0 9F 98 80; its first two bytes alone are an incomplete sequence.
        assertEquals("a\uFFFDb", small.decode(new int[] {perByte['a'], perByte[0xF0], perByte[0x9F], perByte['b']}));
        assertEquals("\uFFFD", small.decode(new int[] {perByte[0xC3]}));
        assertEquals("\uFFFD\uFFFD", small.decode(new int[] {perByte[0x80], perByte[0x80]}), "each stray continuation byte is replaced");
        assertEquals("a\uFFFDb", small.decode(small.encode("a\uD800b")), "a lone surrogate is encoded as U+FFFD");
        assertThrows(IllegalArgumentException.class, () -> small.decode(new int[] {small.vocabSize()}));
    }

    @Test
    void heapAndScanMergeLoopsAgree() throws Exception {
        ByteLevelBpe gpt2 = R50kTokenizer.load();
        RandomText gen = new RandomText(5);
        BpeMerges merges = gpt2.mergeTable();
        int[] byteIds = new int[256];
        for (int v = 0; v < 256; v++) byteIds[v] = byteId(gpt2, (byte) v);
        for (int i = 0; i < 500; i++) {
            String s = gen.next(200);
            byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] a = new int[bytes.length], b;
            for (int j = 0; j < bytes.length; j++) a[j] = byteIds[bytes[j] & 0xFF];
            b = a.clone();
            int na = merges.applyScan(a, a.length), nb = merges.applyHeap(b, b.length);
            assertArrayEquals(Arrays.copyOf(a, na), Arrays.copyOf(b, nb), () -> "merge loops differ on " + BpePreTokenizerTest.escape(s));
        }
    }

    private static int byteId(ByteLevelBpe bpe, byte b) {
        for (int id = 0; id < 256; id++) if (bpe.bytesOf(id)[0] == b && bpe.bytesOf(id).length == 1) return id;
        throw new AssertionError("no byte token for " + b);
    }

    @Test
    void concurrentEncodeGivesSameIds() throws Exception {
        RandomText gen = new RandomText(77);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) texts.add(gen.next(80));
        ByteLevelBpe fresh = ByteLevelBpe.fromJson(small.toJson(), "copy of small");
        List<int[]> expected = texts.stream().map(fresh::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < texts.size(); i++) if (!Arrays.equals(expected.get(i), small.encode(texts.get(i)))) return false;
                    return true;
                }));
            }
            for (Future<Boolean> r : results) assertEquals(true, r.get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void sharedDataRoundTrips() throws Exception {
        ByteLevelBpe gpt2 = R50kTokenizer.load();
        for (String rel : List.of("gsm8k/test.jsonl", "math/test.jsonl", "stackmathqa")) {
            for (String doc : TokenizerBench.readDocuments(TestData.require(rel))) {
                assertRoundTrips(small, doc);
                assertRoundTrips(gpt2, doc);
            }
        }
    }
}
