package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u{%x}", c)));
        return sb.toString();
    }
}
