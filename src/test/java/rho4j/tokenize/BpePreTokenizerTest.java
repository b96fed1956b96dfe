package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written GPT-2 scanner must split exactly like the GPT-2 regex with Unicode \s. */
class BpePreTokenizerTest {
    static List<String> pieces(PreTokenizer p, String s) {
        List<String> out = new ArrayList<>();
        p.split(s, 0, s.length(), (a, b) -> out.add(s.substring(a, b)));
        return out;
    }

    @Test
    void handCases() {
        PreTokenizer p = Gpt2PreTokenizer.INSTANCE;
        assertEquals(List.of("Hello", " world"), pieces(p, "Hello world"));
        assertEquals(List.of("don", "'t"), pieces(p, "don't"));
        assertEquals(List.of(" 1", ",", "234", ".", "5"), pieces(p, " 1,234.5"));
        assertEquals(List.of("a", " ", " b", "\n", "\n", "c", "  "), pieces(p, "a  b\n\nc  "));
        assertEquals(List.of(" '", "s", " ?!"), pieces(p, " 's ?!"));
    }

    @Test
    void equalsRegexOnRandomText() {
        PreTokenizer regex = new PreTokenizer.RegexPreTokenizer(PreTokenizer.GPT2_PATTERN);
        RandomText gen = new RandomText(42);
        for (int i = 0; i < 5000; i++) {
            String s = gen.next(60);
            assertEquals(pieces(regex, s), pieces(Gpt2PreTokenizer.INSTANCE, s), () -> "split differs for " + escape(s));
        }
    }

    @Test
    void sequenceSplitsEachPiece() {
        PreTokenizer digits = PreTokenizer.forPattern("\\p{N}{1,3}");
        PreTokenizer seq = PreTokenizer.sequence(List.of(Gpt2PreTokenizer.INSTANCE, digits));
        assertEquals(List.of("ab", " ", "123", "45"), pieces(seq, "ab 12345"));
    }

    /** The Unicode White_Space code points, from the standard's PropList.txt; every neighbour outside is not one. */
    @Test
    void whitespaceIsExactlyUnicodeWhiteSpace() {
        int[] white = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2005, 0x2009, 0x200A,
                0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
        int[] notWhite = {0x00, 0x08, 0x0E, 0x1F, 0x21, 0x84, 0x86, 0x9F, 0xA1, 0x167F, 0x1681, 0x1FFF, 0x200B, 0x2027,
                0x202A, 0x202E, 0x2030, 0x205E, 0x2060, 0x2FFF, 0x3001, 0xFEFF};
        for (int c : white) assertTrue(Gpt2PreTokenizer.isUnicodeWhitespace(c), Integer.toHexString(c));
        for (int c : notWhite) assertFalse(Gpt2PreTokenizer.isUnicodeWhitespace(c), Integer.toHexString(c));
    }

    /** GPT-2's byte alphabet uses chars below U+0144 only; anything else is outside it. */
    @Test
    void alphabetCharsOutsideMapToNoByte() {
        assertEquals(-1, ByteLevelAlphabet.byteOf('\u01FF'));
        assertEquals(-1, ByteLevelAlphabet.byteOf('\u0200'));
        assertEquals(-1, ByteLevelAlphabet.byteOf('\u4E00'));
        assertEquals(0x20, ByteLevelAlphabet.byteOf('\u0120')); // the space is U+0120 "Ġ"
        assertEquals('!', ByteLevelAlphabet.byteOf('!'));
        assertEquals(null, ByteLevelAlphabet.fromTokenString("a\u0200"));
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u{%x}", c)));
        return sb.toString();
    }
}
