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
