package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Selection masks against cases worked out by hand. */
class TokenSelectorTest {
    static final float N = Float.NaN;

    static boolean[] m(String s) {
        boolean[] b = new boolean[s.length()];
        for (int i = 0; i < b.length; i++) b[i] = s.charAt(i) == '1';
        return b;
    }

    static TokenSelector.Inputs in(float[] model, float[] ref, float[] ent, boolean[] valid, int[] units, int rows, int cols) {
        return new TokenSelector.Inputs(model, ref, ent, valid, units, rows, cols);
    }

    static Selection slm(double ratio, ScoreFunction f, SelectionScope s, SelectionUnit u) { return Selection.slm(ratio, f, s, u); }

    // model losses and reference losses of 2 sequences x 5 tokens; excess = model - ref:
    //   row 0: [1.0, 0.5, 2.0, 0.0, 1.5] - [0.5, 0.5, 0.5, 0.5, 0.5] = [0.5, 0.0, 1.5, -0.5, 1.0]
    //   row 1: [3.0, 1.0, 1.0, 2.0, 0.2] - [1.0, 1.0, 0.0, 1.0, 0.2] = [2.0, 0.0, 1.0, 1.0, 0.0]
    static final float[] MODEL = {1.0f, 0.5f, 2.0f, 0.0f, 1.5f, 3.0f, 1.0f, 1.0f, 2.0f, 0.2f};
    static final float[] REF = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 1.0f, 1.0f, 0.0f, 1.0f, 0.2f};
    static final float[] ENT = {0.1f, 2.0f, 0.3f, 0.2f, 3.0f, 0.5f, 0.4f, 0.1f, 2.5f, 0.2f};

    @Test
    void excessMicroBatchTakesTheGlobalTop() {
        // 60% of 10 = 6: excess sorted 2.0(5) 1.5(2) 1.0(4) 1.0(7) 1.0(8) 0.5(0) | 0.0 ... ; ties 1.0 by position
        boolean[] got = TokenSelector.select(slm(0.6, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(MODEL, REF, null, null, null, 2, 5), 0);
        assertArrayEquals(m("1010110110"), got);
    }

    @Test
    void excessSequenceScopeTakesTheTopOfEachRow() {
        // 60% of 5 = 3 per row: row 0 -> 1.5(2) 1.0(4) 0.5(0); row 1 -> 2.0(5) 1.0(7) 1.0(8)
        boolean[] got = TokenSelector.select(slm(0.6, ScoreFunction.EXCESS, SelectionScope.SEQUENCE, SelectionUnit.TOKEN),
                in(MODEL, REF, null, null, null, 2, 5), 0);
        assertArrayEquals(m("1010110110"), got);
    }

    @Test
    void tiesAreBrokenByPosition() {
        float[] zero = new float[6];
        boolean[] got = TokenSelector.select(slm(0.5, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(zero, zero, null, null, null, 1, 6), 0);
        assertArrayEquals(m("111000"), got);
    }

    @Test
    void roundingIsHalfUpOfValidTokens() {
        assertEquals(3, TokenSelector.target(0.5, 5)); // 2.5 -> 3
        assertEquals(2, TokenSelector.target(0.6, 4)); // 2.4 -> 2
        assertEquals(6, TokenSelector.target(0.6, 10));
        assertEquals(0, TokenSelector.target(0.01, 10));
    }

    @Test
    void paddingAndUnscoredTokensAreNeverSelectedNorCounted() {
        // valid: positions 3, 4 are padding; position 0 has no reference score (NaN) -> 7 valid, 70% -> round(4.9) = 5
        float[] ref = REF.clone();
        ref[0] = N;
        boolean[] got = TokenSelector.select(slm(0.7, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(MODEL, ref, null, m("1110011111"), null, 2, 5), 0);
        // valid excess: 1:0.0 2:1.5 5:2.0 6:0.0 7:1.0 8:1.0 9:0.0 -> top 5: 5, 2, 7, 8, then 0.0 tie -> position 1
        assertArrayEquals(m("0110010110"), got);
    }

    @Test
    void referenceScorePrefersLowReferenceLoss() {
        // 40% of 10 = 4 lowest ref losses: 0.0(7) 0.2(9) 0.5(0) 0.5(1)
        boolean[] got = TokenSelector.select(slm(0.4, ScoreFunction.REFERENCE, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(MODEL, REF, null, null, null, 2, 5), 0);
        assertArrayEquals(m("1100000101"), got);
    }

    @Test
    void entropyScorePrefersConfidentPositions() {
        // 30% of 10 = 3 lowest entropies: 0.1(0) 0.1(7) 0.2(3)  (0.2 at 9 loses the tie to 3)
        boolean[] got = TokenSelector.select(slm(0.3, ScoreFunction.ENTROPY, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(MODEL, REF, ENT, null, null, 2, 5), 0);
        assertArrayEquals(m("1001000100"), got);
    }

    @Test
    void excessAndEntropyIntersectsTheTwoTopSets() {
        // excess top 6 = {0,2,4,5,7,8}; entropy top 6 = {0(0.1),7(0.1),3(0.2),9(0.2),2(0.3),6(0.4)} -> intersection {0,2,7}
        boolean[] got = TokenSelector.select(slm(0.6, ScoreFunction.EXCESS_AND_ENTROPY, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(MODEL, REF, ENT, null, null, 2, 5), 0);
        assertArrayEquals(m("1010000100"), got);
    }

    @Test
    void randomKeepsExactlyKAndDependsOnlyOnTheSeed() {
        Selection s = slm(0.3, ScoreFunction.RANDOM, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN);
        float[] z = new float[100];
        boolean[] a = TokenSelector.select(s, in(z, z, null, null, null, 4, 25), 42), b = TokenSelector.select(s, in(z, z, null, null, null, 4, 25), 42);
        boolean[] c = TokenSelector.select(s, in(z, z, null, null, null, 4, 25), 43);
        int n = 0;
        for (boolean x : a) if (x) n++;
        assertEquals(30, n);
        assertArrayEquals(a, b);
        assertEquals(false, java.util.Arrays.equals(a, c));
    }

    @Test
    void documentUnitRanksWholeDocumentsByMeanScore() {
        // units: row 0 = doc 7 (positions 0-2), doc 8 (3-4); row 1 = doc 8 (5-6), doc 9 (7-9)
        // excess means: doc 7 = (0.5+0+1.5)/3 = 0.667, doc 8 = (-0.5+1.0+2.0+0.0)/4 = 0.625, doc 9 = (1+1+0)/3 = 0.667
        // 50% of 10 = 5: doc 7 (3 tokens, ties doc 9 and comes first), then doc 9 (3 more: 6 >= 5, stop)
        int[] units = {7, 7, 7, 8, 8, 8, 8, 9, 9, 9};
        boolean[] got = TokenSelector.select(slm(0.5, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.DOCUMENT),
                in(MODEL, REF, null, null, units, 2, 5), 0);
        assertArrayEquals(m("1110000111"), got);
    }

    @Test
    void ratioOneKeepsEveryValidToken() {
        boolean[] got = TokenSelector.select(slm(1.0, ScoreFunction.EXCESS_AND_ENTROPY, SelectionScope.SEQUENCE, SelectionUnit.TOKEN),
                in(MODEL, REF, ENT, m("1111111100"), null, 2, 5), 0);
        assertArrayEquals(m("1111111100"), got);
    }

    @Test
    void sequenceScopeTakesEachRowsOwnTopEvenWhenAnotherRowScoresHigher() {
        // row 0 scores far above row 1: the batch-wide top 4 would all be in row 0, each row keeps its own top 2
        float[] model = {9, 8, 7, 6, 1, 4, 3, 2}, zero = new float[8];
        Selection seq = slm(0.5, ScoreFunction.EXCESS, SelectionScope.SEQUENCE, SelectionUnit.TOKEN);
        assertArrayEquals(m("11000110"), TokenSelector.select(seq, in(model, zero, null, null, null, 2, 4), 0));
        assertArrayEquals(m("11110000"), TokenSelector.select(slm(0.5, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN),
                in(model, zero, null, null, null, 2, 4), 0));
        // documents per row: row 1's documents are ranked by row 1's scores only
        int[] units = {1, 1, 2, 2, 3, 3, 4, 4};
        Selection seqDoc = slm(0.5, ScoreFunction.EXCESS, SelectionScope.SEQUENCE, SelectionUnit.DOCUMENT);
        float[] model2 = {9, 8, 7, 6, 1, 2, 3, 4};
        assertArrayEquals(m("11000011"), TokenSelector.select(seqDoc, in(model2, zero, null, null, units, 2, 4), 0));
    }

    @Test
    void documentUnitStopsOnceTheTargetIsReachedExactly() {
        // k = round(0.5 * 6) = 3: doc 1 (mean 5, 1 token), doc 2 (mean 4, 2 tokens) make exactly 3: doc 3 stays out
        int[] units = {2, 2, 1, 3, 3, 3};
        float[] model = {4, 4, 5, 3, 3, 3}, zero = new float[6];
        boolean[] got = TokenSelector.select(slm(0.5, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.DOCUMENT),
                in(model, zero, null, null, units, 1, 6), 0);
        assertArrayEquals(m("111000"), got);
    }

    @Test
    void negativeAndPositiveZeroScoresTie() {
        // -0.0 and 0.0 are the same score: the earlier position wins either way round
        org.junit.jupiter.api.Assertions.assertTrue(TokenSelector.key(-0.0f, 0) < TokenSelector.key(0.0f, 1));
        org.junit.jupiter.api.Assertions.assertTrue(TokenSelector.key(0.0f, 0) < TokenSelector.key(-0.0f, 1));
        org.junit.jupiter.api.Assertions.assertTrue(TokenSelector.key(1.0f, 5) < TokenSelector.key(-0.0f, 0));
        org.junit.jupiter.api.Assertions.assertTrue(TokenSelector.key(-0.0f, 5) < TokenSelector.key(-1.0f, 0));
    }
}
