package rho4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static rho4j.demo.NoiseKind.FILLER;
import static rho4j.demo.NoiseKind.MARKUP;
import static rho4j.demo.NoiseKind.NONE;
import static rho4j.demo.NoiseKind.RANDOM_CHARS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectionPrecisionTest {
    private static final double EPS = 1e-12;
    private static final NoiseKind[] KINDS = {NONE, NONE, NONE, NONE, MARKUP, MARKUP, RANDOM_CHARS, FILLER};
    private static final boolean[] SELECTED = {true, true, true, false, true, false, false, false};

    @Test
    void handComputed() {
        SelectionPrecision p = SelectionPrecision.of(SELECTED, KINDS);
        assertEquals(8, p.tokens());
        assertEquals(4, p.selected());
        assertEquals(4, p.useful());
        assertEquals(3, p.usefulSelected());
        assertEquals(4, p.noise());
        assertEquals(1, p.noiseSelected());
        assertEquals(0.75, p.precision(), EPS);            // 3 useful of 4 selected
        assertEquals(0.75, p.recall(), EPS);               // 3 of 4 useful selected
        assertEquals(0.75, p.usefulSelectedFraction(), EPS);
        assertEquals(0.25, p.noiseSelectedFraction(), EPS); // 1 of 4 noise selected
        assertEquals(0.5, p.baseRate(), EPS);
        assertEquals(Map.of(
            NONE, new SelectionPrecision.KindStats(4, 3, 0.75),
            MARKUP, new SelectionPrecision.KindStats(2, 1, 0.5),
            RANDOM_CHARS, new SelectionPrecision.KindStats(1, 0, 0.0),
            FILLER, new SelectionPrecision.KindStats(1, 0, 0.0)), p.byKind());
    }

    @Test
    void validMaskDropsPositions() {
        boolean[] valid = {true, true, true, false, false, true, true, true}; // drop a useful and the selected markup
        SelectionPrecision p = SelectionPrecision.of(SELECTED, KINDS, valid);
        assertEquals(6, p.tokens());
        assertEquals(3, p.useful());
        assertEquals(3, p.noise());
        assertEquals(1.0, p.precision(), EPS);
        assertEquals(1.0, p.recall(), EPS);
        assertEquals(0.0, p.noiseSelectedFraction(), EPS);
        assertEquals(new SelectionPrecision.KindStats(1, 0, 0.0), p.byKind().get(MARKUP));
    }

    @Test
    void nothingSelected() {
        SelectionPrecision p = SelectionPrecision.of(new boolean[KINDS.length], KINDS);
        assertEquals(0, p.selected());
        assertEquals(0.0, p.precision(), EPS); // empty denominator reported as 0, counts tell
        assertEquals(0.0, p.recall(), EPS);
        assertEquals(0.0, p.noiseSelectedFraction(), EPS);
    }

    @Test
    void allSelected() {
        boolean[] all = new boolean[KINDS.length];
        Arrays.fill(all, true);
        SelectionPrecision p = SelectionPrecision.of(all, KINDS);
        assertEquals(1.0, p.recall(), EPS);
        assertEquals(1.0, p.noiseSelectedFraction(), EPS);
        assertEquals(p.baseRate(), p.precision(), EPS); // selecting everything is no better than chance
    }

    @Test
    void noNoise() {
        NoiseKind[] clean = {NONE, NONE, NONE};
        SelectionPrecision p = SelectionPrecision.of(new boolean[] {true, false, true}, clean);
        assertEquals(0, p.noise());
        assertEquals(0.0, p.noiseSelectedFraction(), EPS);
        assertEquals(1.0, p.precision(), EPS);
        assertEquals(2.0 / 3, p.recall(), EPS);
        assertEquals(Map.of(NONE, new SelectionPrecision.KindStats(3, 2, 2.0 / 3)), p.byKind());
    }

    @Test
    void emptyInput() {
        SelectionPrecision p = SelectionPrecision.of(new boolean[0], new NoiseKind[0]);
        assertEquals(0, p.tokens());
        assertEquals(0.0, p.precision(), EPS);
        assertTrue(p.byKind().isEmpty());
    }

    @Test
    void flagsMatchKindsAndTallyAccumulatesBatches() {
        SelectionPrecision byKinds = SelectionPrecision.of(SELECTED, KINDS);
        SelectionPrecision byFlags = SelectionPrecision.ofFlags(SELECTED, NoiseMask.isNoise(KINDS), null);
        assertEquals(byKinds.precision(), byFlags.precision(), EPS);
        assertEquals(byKinds.noiseSelected(), byFlags.noiseSelected());
        assertTrue(byFlags.byKind().isEmpty());

        SelectionPrecision batched = new SelectionPrecision.Tally()
            .add(Arrays.copyOfRange(SELECTED, 0, 3), Arrays.copyOfRange(KINDS, 0, 3), null)
            .add(Arrays.copyOfRange(SELECTED, 3, 8), Arrays.copyOfRange(KINDS, 3, 8), null)
            .result();
        assertEquals(byKinds, batched);
        assertThrows(IllegalArgumentException.class, () -> SelectionPrecision.of(new boolean[2], KINDS));
    }

    @Test
    void toJsonIsValidAndComplete() throws Exception {
        JsonNode j = new ObjectMapper().readTree(SelectionPrecision.of(SELECTED, KINDS).toJson());
        assertEquals(0.75, j.get("precision").asDouble(), EPS);
        assertEquals(0.25, j.get("noiseSelectedFraction").asDouble(), EPS);
        assertEquals(1, j.get("byKind").get("MARKUP").get("selected").asInt());
        assertEquals(0.0, new ObjectMapper().readTree(SelectionPrecision.of(new boolean[0], new NoiseKind[0]).toJson())
            .get("precision").asDouble(), EPS);
    }
}
