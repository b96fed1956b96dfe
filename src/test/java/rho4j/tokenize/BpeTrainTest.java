package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTrainTest {
    /*
     * Words: "low" x2, " lower", " lowest", " low" (Ġ is the space). Pair counts: l-o 5, o-w 5,
     * Ġ-l 3, w-e 2, others 1. l-o and o-w tie; l-o wins (byte ids 75 < 78). Then lo-w 5, Ġ-low 3,
     * Ġlow-e 2; everything left occurs once, below the default minPairCount of 2.
     */
    static final List<String> CORPUS = List.of("low lower lowest", "low low");

    @Test
    void firstMergesAreTheHandComputedOnes() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS.iterator(), 300, TrainOptions.defaults());
        assertEquals(List.of("l o", "lo w", "Ġ low", "Ġlow e"), bpe.merges(100));
        // Stops early when no pair is frequent enough: 256 bytes + 4 merges + 2 specials.
        assertEquals(262, bpe.vocabSize());
        assertEquals(260, bpe.eotId());
        assertEquals(261, bpe.padId());
        assertEquals("<|endoftext|>", bpe.token(260));
        assertEquals("<|pad|>", bpe.token(261));
        assertArrayEquals(new int[] {257, 258, 259, 'r' - 33}, bpe.encode("low low lower"));
    }

    /** UTF-8 widths change at U+0080, U+0800 and U+10000; a lone surrogate has no UTF-8 form and becomes U+FFFD. */
    @Test
    void encodesEveryUtf8WidthAtItsBoundaries() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS.iterator(), 300, TrainOptions.defaults());
        for (String s : List.of("\u007F", "\u0080", "\u07FF", "\u0800", "\uFFFF", "\uD800\uDC00", "\uDBFF\uDFFF")) {
            int[] ids = bpe.encode(s);
            assertEquals(s, bpe.decode(ids), () -> "U+" + Integer.toHexString(s.codePointAt(0)));
            assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ids.length, "one byte token per UTF-8 byte");
        }
        assertEquals("\uFFFD", bpe.decode(bpe.encode("\uD800")));
        assertEquals("a\uFFFDb", bpe.decode(bpe.encode("a\uDC00b")));
    }

    @Test
    void documentsEndWithTheEndOfTextId() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS.iterator(), 300, TrainOptions.defaults());
        int[] low = bpe.encode("low");
        assertArrayEquals(new int[] {low[0], 260, low[0], low[0], 260}, bpe.encodeDocuments(List.of("low", "lowlow")));
        assertArrayEquals(new int[] {260}, bpe.encodeDocuments(List.of("")));
        assertEquals(4, bpe.mergeCount());
        assertEquals(List.of("<|endoftext|>", "<|pad|>"), bpe.addedTokens().stream().map(AddedToken::content).toList());
        assertEquals("low", bpe.token(low[0]));
        assertEquals("!", bpe.token(0)); // id 0 is the byte '!', first in GPT-2's order
        assertThrows(IllegalArgumentException.class, () -> bpe.token(-1));
        assertThrows(IllegalArgumentException.class, () -> bpe.token(262));
        assertThrows(IllegalArgumentException.class, () -> bpe.bytesOf(262));
    }

    @Test
    void tiesGoToSmallerIdsWithMinCountOne() {
        // After the four merges above: " lower" = [Ġlowe, r], " lowest" = [Ġlowe, s, t]; all pairs
        // count 1, so the smallest (left, right) ids go first: s-t (82, 84), then Ġlowe-r, then Ġlowe-st.
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS.iterator(), 300, TrainOptions.defaults().withMinPairCount(1));
        assertEquals(List.of("l o", "lo w", "Ġ low", "Ġlow e", "s t", "Ġlowe r", "Ġlowe st"), bpe.merges(100));
    }

    @Test
    void exactVocabSizeWhenDataSuffices() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS.iterator(), 256 + 2 + 2, TrainOptions.defaults());
        assertEquals(260, bpe.vocabSize());
        assertEquals(List.of("l o", "lo w"), bpe.merges(100));
        assertEquals(258, bpe.eotId());
    }

    @Test
    void deterministic() {
        List<String> texts = new java.util.ArrayList<>();
        RandomText gen = new RandomText(7);
        for (int i = 0; i < 2000; i++) texts.add(gen.next(80));
        String h1 = ByteLevelBpe.train(texts.iterator(), 1000, TrainOptions.defaults()).hash();
        String h2 = ByteLevelBpe.train(texts.iterator(), 1000, TrainOptions.defaults()).hash();
        assertEquals(h1, h2);
    }

    @Test
    void rejectsTooSmallVocab() {
        var e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.train(CORPUS.iterator(), 257, TrainOptions.defaults()));
        assertEquals(true, e.getMessage().contains("257"));
    }
}
