package rho4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Options written in one string, "A) 50 B) 42 C) 39 D) 35" or "A. x B. y": the harness's sat_math keeps them so,
 * and some tasks put them at the end of the question.
 */
public final class InlineOptions {
    private InlineOptions() {}

    /** The text before the "A)" marker and the option texts, or empty when there are fewer than two options. */
    public record Split(String prefix, List<String> options) {}

    public static Optional<Split> parse(String text) {
        for (char style : new char[] {')', '.'}) {
            int a = marker(text, 'A', style, 0);
            if (a < 0) continue;
            List<Integer> starts = new ArrayList<>(List.of(a));
            // each next letter is searched after the previous one, so "set $B$ B) ..." finds the real marker
            for (char letter = 'B'; letter <= 'Z'; letter++) {
                int next = marker(text, letter, style, starts.get(starts.size() - 1) + 2);
                if (next < 0) break;
                starts.add(next);
            }
            if (starts.size() < 2) continue;
            List<String> options = new ArrayList<>();
            for (int i = 0; i < starts.size(); i++) {
                int from = starts.get(i) + 2;
                int to = i + 1 < starts.size() ? starts.get(i + 1) : text.length();
                options.add(text.substring(from, to).strip());
            }
            return Optional.of(new Split(text.substring(0, a).strip(), List.copyOf(options)));
        }
        return Optional.empty();
    }

    /** Index of "L)" at the start or after whitespace and followed by whitespace, searching from {@code from}. */
    private static int marker(String text, char letter, char style, int from) {
        String m = "" + letter + style;
        for (int i = text.indexOf(m, from); i >= 0; i = text.indexOf(m, i + 1)) {
            boolean before = i == 0 || Character.isWhitespace(text.charAt(i - 1));
            boolean after = i + 2 >= text.length() || Character.isWhitespace(text.charAt(i + 2));
            if (before && after) return i;
        }
        return -1;
    }

    public static char letter(int index) {
        return (char) ('A' + index);
    }
}
