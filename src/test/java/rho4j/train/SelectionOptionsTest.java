package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The --score, --scope, --unit and --ratio options: every spelling, what each score needs, and the refusals. */
class SelectionOptionsTest {
    @Test
    void scoresParseByIdOrNameAndSayWhatTheyNeed() {
        for (ScoreFunction f : ScoreFunction.values()) {
            assertEquals(f, ScoreFunction.parse(f.id));
            assertEquals(f, ScoreFunction.parse(f.name().toLowerCase()));
            assertEquals(f, ScoreFunction.parse(f.id.toUpperCase()));
        }
        assertEquals(ScoreFunction.EXCESS_AND_ENTROPY, ScoreFunction.parse("excess+entropy"));
        var e = assertThrows(IllegalArgumentException.class, () -> ScoreFunction.parse("loss"));
        assertTrue(e.getMessage().contains("'loss'") && e.getMessage().contains("excess+entropy"), e.getMessage());
        // {needs model loss, needs entropy, needs reference}
        boolean[][] table = {{true, false, true}, {false, false, true}, {false, true, true}, {true, true, true}, {false, false, false}};
        ScoreFunction[] order = {ScoreFunction.EXCESS, ScoreFunction.REFERENCE, ScoreFunction.ENTROPY, ScoreFunction.EXCESS_AND_ENTROPY, ScoreFunction.RANDOM};
        for (int i = 0; i < order.length; i++) {
            assertEquals(table[i][0], order[i].needsModelLoss(), order[i] + " model loss");
            assertEquals(table[i][1], order[i].needsEntropy(), order[i] + " entropy");
            assertEquals(table[i][2], order[i].needsReference(), order[i] + " reference");
        }
    }

    @Test
    void scopesAndUnitsParseTheirSpellingsAndPrintTheirIds() {
        assertEquals(SelectionScope.SEQUENCE, SelectionScope.parse("seq"));
        assertEquals(SelectionScope.SEQUENCE, SelectionScope.parse("Sequence"));
        assertEquals(SelectionScope.MICRO_BATCH, SelectionScope.parse("micro_batch"));
        assertEquals(SelectionScope.MICRO_BATCH, SelectionScope.parse("microbatch"));
        assertEquals(SelectionScope.BATCH, SelectionScope.parse("BATCH"));
        for (SelectionScope s : SelectionScope.values()) assertEquals(s, SelectionScope.parse(s.id()));
        assertEquals("micro-batch", SelectionScope.MICRO_BATCH.id());
        var e = assertThrows(IllegalArgumentException.class, () -> SelectionScope.parse("window"));
        assertTrue(e.getMessage().contains("'window'") && e.getMessage().contains("micro-batch"), e.getMessage());
        assertEquals(SelectionUnit.DOCUMENT, SelectionUnit.parse("doc"));
        assertEquals(SelectionUnit.DOCUMENT, SelectionUnit.parse("Document"));
        for (SelectionUnit u : SelectionUnit.values()) assertEquals(u, SelectionUnit.parse(u.id()));
        assertEquals("token", SelectionUnit.TOKEN.id());
        var u = assertThrows(IllegalArgumentException.class, () -> SelectionUnit.parse("sentence"));
        assertTrue(u.getMessage().contains("'sentence'") && u.getMessage().contains("document"), u.getMessage());
    }

    @Test
    void ratioMustBeInZeroOne() {
        for (double bad : new double[] {0.0, -0.1, 1.0001, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Selection.slm(bad, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN));
            assertTrue(e.getMessage().contains("--ratio must be in (0, 1]"), e.getMessage());
        }
        assertTrue(Selection.slm(1.0, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN).keepsAll());
        assertFalse(Selection.slm(Math.nextDown(1.0), ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN).keepsAll());
        assertEquals(Double.MIN_VALUE, Selection.slm(Double.MIN_VALUE, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN).ratio());
    }

    @Test
    void clmKeepsEveryTokenAndNamesItsObjective() {
        Selection clm = Selection.clm();
        assertFalse(clm.selective());
        assertTrue(clm.keepsAll());
        assertEquals("clm", clm.objective());
        assertEquals("slm", Selection.slm(0.6, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN).objective());
        boolean[] all = TokenSelector.select(clm, new TokenSelector.Inputs(new float[4], null, null, null, null, 1, 4), 0);
        assertTrue(all[0] && all[1] && all[2] && all[3]);
    }
}
