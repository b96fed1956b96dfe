package rho4j.tokenize;

import java.util.Random;

/** Seeded random strings over the characters that stress byte-level BPE and the GPT-2 splitter. */
final class RandomText {
    private static final int[] WHITESPACE = {' ', ' ', ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x2003, 0x2028, 0x202F, 0x3000};
    private static final String ASCII_WORDS = "the of and don't I'm we're they've 's 't 'll 'd 're 've 'm a b c ";

    private final Random rnd;

    RandomText(long seed) {
        rnd = new Random(seed);
    }

    String next(int maxLen) {
        int len = rnd.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < len) sb.appendCodePoint(codePoint());
        if (rnd.nextInt(20) == 0) sb.append(ASCII_WORDS, rnd.nextInt(20), 20 + rnd.nextInt(ASCII_WORDS.length() - 20));
        return sb.toString();
    }

    private int codePoint() {
        switch (rnd.nextInt(14)) {
            case 0, 1, 2: return 'a' + rnd.nextInt(26);
            case 3: return 'A' + rnd.nextInt(26);
            case 4: return '0' + rnd.nextInt(10);
            case 5: return WHITESPACE[rnd.nextInt(WHITESPACE.length)];
            case 6: return "'.,;!?-()[]{}$\\^_".charAt(rnd.nextInt(17));
            case 7: return rnd.nextInt(0x20) + (rnd.nextBoolean() ? 0 : 0x7F); // C0 controls, DEL and C1 controls
            case 8: return 0x300 + rnd.nextInt(0x70); // combining marks
            case 9: return 0x4E00 + rnd.nextInt(0x5200); // CJK
            case 10: return 0x1F300 + rnd.nextInt(0x300); // emoji: surrogate pairs
            case 11: return 0xA0 + rnd.nextInt(0x700); // Latin-1 .. Arabic, incl. non-ASCII digits
            case 12: return 0x660 + rnd.nextInt(10); // Arabic-Indic digits (\p{N})
            default: { // any valid scalar value, any plane
                int cp;
                do cp = rnd.nextInt(0x110000); while (cp >= 0xD800 && cp <= 0xDFFF);
                return cp;
            }
        }
    }
}
