package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.api.Encoding;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rho4j.TestData;

/** Our BPE loading GPT-2 (r50k_base, as tokenizer.json) must give tiktoken's GPT-2 ids (via jtokkit). */
class BpeGpt2CompatTest {
    static ByteLevelBpe gpt2;
    static Encoding ref;

    @BeforeAll
    static void load() throws Exception {
        gpt2 = R50kTokenizer.load();
        ref = R50kTokenizer.jtokkit();
    }

    @Test
    void knownIds() {
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(R50kTokenizer.EOT, gpt2.eotId());
        assertEquals(R50kTokenizer.EOT, gpt2.padId(), "GPT-2 has no pad token: pad falls back to <|endoftext|>");
        for (String s : List.of("Hello world", " 1,234.5", "don't", "I'm here, they're there; we've, you'll, he'd",
                "  two  spaces\n\n\nnewlines\t\ttabs   ", "naïve café – “quotes” 😀 日本語 🇺🇸", "<|endoftext|> is text here",
                "x = 3.14159 * r^2; // comment", "''s 's 'S", "\u00a0nbsp\u3000ideographic\u2028ls", "12345678901234567890")) {
            assertArrayEquals(R50kTokenizer.jtokkitIds(ref, s), gpt2.encode(s), () -> "GPT-2 ids differ for " + s);
            assertEquals(s, gpt2.decode(gpt2.encode(s)));
        }
    }

    @Test
    void matchesTiktokenOnRandomUnicode() {
        RandomText gen = new RandomText(31337);
        for (int i = 0; i < 3000; i++) {
            String s = gen.next(80);
            assertArrayEquals(R50kTokenizer.jtokkitIds(ref, s), gpt2.encode(s), () -> "GPT-2 ids differ for " + BpePreTokenizerTest.escape(s));
        }
    }

    /** The Rust library reading the same GPT-2 file gives tiktoken's ids too, and frames store documents with <|endoftext|> after each. */
    @Test
    void rustLibraryMatchesTiktoken() throws Exception {
        try (HfTokenizer lib = HfTokenizer.fromJson(R50kTokenizer.buildJson(), "r50k_base (from jtokkit)", null)) {
            assertEquals(50257, lib.vocabSize());
            assertArrayEquals(new int[] {R50kTokenizer.EOT}, lib.documentSuffix());
            assertArrayEquals(new int[0], lib.documentPrefix());
            RandomText gen = new RandomText(31338);
            for (int i = 0; i < 3000; i++) {
                String s = gen.next(80);
                assertArrayEquals(R50kTokenizer.jtokkitIds(ref, s), lib.encode(s), () -> "GPT-2 ids differ for " + BpePreTokenizerTest.escape(s));
                assertEquals(s, lib.decode(lib.encode(s)));
            }
            // On purpose unlike tiktoken's ordinary encoding: the special token written in text is its one id.
            assertArrayEquals(new int[] {R50kTokenizer.EOT}, lib.encode("<|endoftext|>"));
        }
    }

    @Test
    void matchesTiktokenOnSharedData() throws Exception {
        List<String> docs = new ArrayList<>();
        docs.addAll(TokenizerBench.readDocuments(TestData.require("gsm8k/test.jsonl")).subList(0, 200));
        docs.addAll(TokenizerBench.readDocuments(TestData.require("math/test.jsonl")).subList(0, 200));
        docs.addAll(TokenizerBench.readDocuments(TestData.require("stackmathqa")).subList(0, 50));
        int tokens = 0;
        for (String d : docs) {
            int[] want = R50kTokenizer.jtokkitIds(ref, d);
            assertArrayEquals(want, gpt2.encode(d), () -> "GPT-2 ids differ for document: " + d);
            tokens += want.length;
        }
        assertTrue(tokens > 10_000, "compared only " + tokens + " tokens");
    }
}
