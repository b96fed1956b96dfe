package rho4j.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded strings of the kinds a pretraining corpus holds, cut and mixed at random: prose, LaTeX, code, digit runs,
 * CJK, emoji with ZWJ sequences and skin-tone modifiers, whitespace runs, CRLF, control characters, literal special
 * tokens of the common tokenizers, and {@link RandomText}'s arbitrary Unicode.
 */
final class VariedText {
    static final String[] SPECIALS = {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>",
            "<|endoftext|>", "<s>", "</s>", "<unk>", "[INST]", "<|reserved_special_token_5|>"};
    private static final String[] PROSE = {
            "The quick brown fox jumps over the lazy dog.", "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
            "It's what they'd've wanted, isn't it?", "Don't  stop\u2014keep going\u2026", "Ünïcödé façade, naïve café, smörgåsbord; Straße.",
            "«Bonjour», dit-il. „Guten Tag“, sagte sie.", "Привет, как дела? Всё хорошо.", "مرحبا بالعالم ١٢٣", "שלום עולם",
            "नमस्ते दुनिया", "Γειά σου Κόσμε", "Tiếng Việt có dấu", "ສະບາຍດີ ไทย ภาษา"};
    private static final String[] LATEX = {"$\\frac{a+b}{c^2} = \\sqrt[3]{x_{i,j}}$", "\\begin{align} E &= mc^2 \\\\ \\nabla \\cdot \\mathbf{E} &= \\rho/\\varepsilon_0 \\end{align}",
            "\\[ \\sum_{n=1}^{\\infty} \\frac{1}{n^2} = \\frac{\\pi^2}{6} \\]", "\\left( \\int_0^1 f(x)\\,dx \\right)", "$\\alpha\\beta\\gamma$ and $$x^{2^{n}}$$"};
    private static final String[] CODE = {"def f(x):\n    return x ** 2  # square\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
            "if __name__ == \"__main__\":\n    main()", "const re = /^\\s*(\\d+)\\s*$/g; let s = `${a}-${b}`;", "<div class=\"x\">&amp;&lt;</div>",
            "SELECT * FROM t WHERE id IN (1,2,3);", "    \n        x = {'a': [1, 2.5e-3, None]}\n"};
    private static final String[] EMOJI = {"\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66", "\uD83D\uDC4D\uD83C\uDFFD",
            "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08", "\u2764\uFE0F", "\uD83E\uDDD1\u200D\uD83D\uDCBB", "\uD83C\uDDEF\uD83C\uDDF5", "\uD83D\uDE00\uD83D\uDE03"};
    private static final String[] SPACE = {" ", "  ", "   ", "        ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n", "\r", " \n ", "\u00A0", "\u3000", "\u2028"};

    private final Random rnd;
    private final RandomText any;

    VariedText(long seed) {
        rnd = new Random(seed);
        any = new RandomText(seed ^ 0x5DEECE66DL);
    }

    /** {@code n} strings; {@code specials} allows literal special tokens among them. */
    List<String> strings(int n, boolean specials) {
        List<String> out = new ArrayList<>(n);
        out.add("");
        out.add(" ");
        out.add("a");
        while (out.size() < n) out.add(next(specials));
        return out;
    }

    String next(boolean specials) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + rnd.nextInt(5);
        for (int p = 0; p < parts; p++) {
            switch (rnd.nextInt(specials ? 11 : 10)) {
                case 0, 1 -> sb.append(pick(PROSE));
                case 2 -> sb.append(pick(LATEX));
                case 3 -> sb.append(pick(CODE));
                case 4 -> digits(sb);
                case 5 -> { for (int k = 1 + rnd.nextInt(12); k > 0; k--) sb.appendCodePoint(0x4E00 + rnd.nextInt(0x5200)); }
                case 6 -> { for (int k = 1 + rnd.nextInt(4); k > 0; k--) sb.append(pick(EMOJI)); }
                case 7 -> sb.append(pick(SPACE));
                case 8 -> { for (int k = 1 + rnd.nextInt(3); k > 0; k--) sb.append((char) (rnd.nextBoolean() ? rnd.nextInt(0x20) : 0x7F + rnd.nextInt(0x21))); }
                case 9 -> sb.append(any.next(24));
                default -> sb.append(pick(SPECIALS));
            }
            if (rnd.nextInt(3) == 0) sb.append(pick(SPACE));
        }
        String s = sb.toString();
        // A random cut, but never inside a surrogate pair: every string is valid UTF-16.
        if (rnd.nextInt(4) == 0 && s.length() > 2) {
            int a = rnd.nextInt(s.length()), b = a + rnd.nextInt(s.length() - a + 1);
            if (a > 0 && Character.isLowSurrogate(s.charAt(a))) a--;
            if (b < s.length() && Character.isLowSurrogate(s.charAt(b))) b++;
            s = s.substring(a, b);
        }
        return s;
    }

    private void digits(StringBuilder sb) {
        switch (rnd.nextInt(4)) {
            case 0 -> sb.append(rnd.nextInt(1_000_000));
            case 1 -> sb.append(rnd.nextLong());
            case 2 -> sb.append(String.format(java.util.Locale.ROOT, "%.6f", rnd.nextDouble() * 1e4));
            default -> sb.append(rnd.nextInt(100)).append(',').append(rnd.nextInt(1000)).append(".5%");
        }
    }

    private String pick(String[] a) {
        return a[rnd.nextInt(a.length)];
    }
}
