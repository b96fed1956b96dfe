package rho4j.tokenize;

/**
 * GPT-2's reversible byte-to-unicode alphabet: printable Latin-1 bytes map to themselves, the other
 * 68 bytes to U+0100.. in byte order, so every token is a printable string without spaces.
 * Base token order (ids 0..255 in GPT-2 and in our trainer) is the order of these chars.
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Inverse of {@link #BYTE_TO_CHAR}; -1 where a char is not in the alphabet. */
    private static final int[] CHAR_TO_BYTE = new int[512];
    /** Bytes in GPT-2 base-token order (by their mapped char). */
    private static final int[] BASE_ORDER = new int[256];

    static {
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + extra++);
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        int n = 0;
        for (int c = 0; c < 512; c++) if (CHAR_TO_BYTE[c] >= 0) BASE_ORDER[n++] = CHAR_TO_BYTE[c];
    }

    private ByteLevelAlphabet() {}

    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** Byte for an alphabet char, or -1 if {@code c} is outside the alphabet. */
    static int byteOf(char c) {
        return c < 512 ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte whose base token has id {@code i} in GPT-2 order. */
    static int byteAtBaseId(int i) {
        return BASE_ORDER[i];
    }

    static String toTokenString(byte[] bytes) {
        char[] cs = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) cs[i] = charOf(bytes[i]);
        return new String(cs);
    }

    /** Bytes of a token string, or null if it has a char outside the alphabet. */
    static byte[] fromTokenString(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }
}
