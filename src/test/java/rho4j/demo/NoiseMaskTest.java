package rho4j.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static rho4j.demo.NoiseKind.FILLER;
import static rho4j.demo.NoiseKind.MARKUP;
import static rho4j.demo.NoiseKind.NONE;
import static rho4j.demo.NoiseKind.RANDOM_CHARS;
import static rho4j.demo.NoiseKind.RANDOM_DIGITS;

import java.util.List;
import org.junit.jupiter.api.Test;

class NoiseMaskTest {
    // chars:  a b c | d e f g | h i j
    // index:  0 1 2 | 3 4 5 6 | 7 8 9
    // kind:   NONE  | MARKUP  | RANDOM_DIGITS
    private static final String TEXT = "abcdefghij";
    private static final List<Span> SPANS =
        List.of(new Span(0, 3, NONE), new Span(3, 7, MARKUP), new Span(7, 10, RANDOM_DIGITS));

    @Test
    void handComputedKinds() {
        int[] ends = {2, 4, 6, 6, 9, 10};
        NoiseKind[] expected = {
            NONE,          // [0,2) "ab": no noise
            NONE,          // [2,4) "cd": 1 of 2 noise, a tie is not a majority
            MARKUP,        // [4,6) "ef": all markup
            MARKUP,        // [6,6) zero width: takes the previous token's kind
            RANDOM_DIGITS, // [6,9) "ghi": 3 of 3 noise, digits (2) beat markup (1)
            RANDOM_DIGITS  // [9,10) "j"
        };
        assertArrayEquals(expected, NoiseMask.tokenKinds(TEXT, SPANS, ends));
        assertArrayEquals(new boolean[] {false, false, true, true, true, true},
            NoiseMask.isNoise(NoiseMask.tokenKinds(TEXT, SPANS, ends)));
    }

    @Test
    void majorityAndTies() {
        // [1,4) "bcd": 1 of 3 noise -> NONE; [4,8) "efgh": 3 markup + 1 digits -> MARKUP; [8,10) -> digits.
        assertArrayEquals(new NoiseKind[] {NONE, NONE, MARKUP, RANDOM_DIGITS},
            NoiseMask.tokenKinds(TEXT, SPANS, new int[] {1, 4, 8, 10}));
        // [0,5) "abcde": 2 of 5 noise -> NONE; [5,9) "fghi": 2 markup + 2 digits: kinds tie -> earlier enum (MARKUP).
        assertArrayEquals(new NoiseKind[] {NONE, MARKUP},
            NoiseMask.tokenKinds(TEXT, SPANS, new int[] {5, 9}));
        // One token over everything: 7 of 10 noise -> noise; markup 4 > digits 3.
        assertArrayEquals(new NoiseKind[] {MARKUP}, NoiseMask.tokenKinds(TEXT, SPANS, new int[] {10}));
    }

    @Test
    void zeroWidthFirstTokenTruncationAndOnlyNoiseSpans() {
        // Only noise spans given (NONE spans are optional); tokens stop early (truncated doc).
        List<Span> noiseOnly = List.of(new Span(0, 2, RANDOM_CHARS), new Span(5, 8, FILLER));
        assertArrayEquals(new NoiseKind[] {NONE, RANDOM_CHARS, NONE, FILLER, FILLER},
            NoiseMask.tokenKinds(10, noiseOnly, new int[] {0, 2, 5, 7, 7}));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> NoiseMask.tokenKinds(TEXT, SPANS, new int[] {4, 3}));
        assertThrows(IllegalArgumentException.class, () -> NoiseMask.tokenKinds(TEXT, SPANS, new int[] {11}));
        assertThrows(IllegalArgumentException.class,
            () -> NoiseMask.tokenKinds(5, List.of(new Span(0, 3, MARKUP), new Span(2, 4, FILLER)), new int[] {5}));
        assertThrows(IllegalArgumentException.class,
            () -> NoiseMask.tokenKinds(5, List.of(new Span(0, 6, MARKUP)), new int[] {5}));
    }
}
