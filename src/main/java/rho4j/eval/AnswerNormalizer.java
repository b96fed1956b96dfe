package rho4j.eval;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonical string form of a math answer, a port of {@code strip_string} from ZubinGou/math-evaluation-harness
 * (parser.py). Two answers that normalise to the same string are equal; {@link AnswerEquivalence} adds numeric checks.
 *
 * <p>Deliberate departures from the harness, each because the original damages LaTeX answers: unit words are removed
 * only when they follow a number at the end (the harness deletes e.g. every standalone "a" or "m", so
 * {@code \frac{a}{m}} loses its variables), and "and" becomes a comma only as a whole word (the harness turns
 * "2 and 3" into "23" and {@code \land} into {@code \l}), and {@code \mbox{Saturday}} keeps its text like
 * {@code \text{}} (the harness deletes it, leaving MATH test/number_theory answers empty).
 *
 * <p>Normalising a normal form should change nothing, since a prediction is normalised when extracted and again when graded
 * (the harness's order of steps does not guarantee it): a text command is unwrapped before number words are read and
 * trailing full stops removed ({@code \mbox{four}}, {@code \text{4:30 p.m.}}), the variable name in "ab = 3" is measured
 * without spaces, and {@code \sqrt 2} and {@code (-\infty, \infty)} are rewritten after the spaces are gone. The
 * spacing commands {@code \,}, {@code \;} and "{@code \ }" are removed, but not the {@code \\} that ends a matrix row.
 */
public final class AnswerNormalizer {
    private AnswerNormalizer() {}

    // Unit words seen in GSM8K/MATH/MathQA outputs; matched case-insensitively, plural "s" optional.
    private static final String UNITS = String.join("|", List.of(
            "dollar", "cent", "percent", "unit", "inch", "inche", "foot", "feet", "ft", "yard", "mile", "mph", "kmph",
            "kmh", "meter", "metre", "m", "cm", "mm", "km", "kg", "g", "gram", "gm", "lb", "pound", "ounce", "oz",
            "hour", "hr", "minute", "min", "second", "sec", "day", "week", "month", "year", "yr", "degree", "deg",
            "sq", "square", "cubic", "gallon", "gal", "liter", "litre", "ml", "acre", "hectare", "rupee", "rs",
            "people", "person", "student", "apple", "ohm", "point", "page", "item", "ticket", "time"));
    private static final Pattern TRAILING_UNIT = Pattern.compile(
            "^(.*?\\d(?:\\})?)\\s+(?:(?:sq\\.?|square|cubic)\\s+)?(?:" + UNITS + ")(?:e?s)?(?:\\^?\\{?[23]\\}?)?\\.?\\s*$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern TEXT_AT_END = Pattern.compile("\\\\text\\s*\\{[^{}]*\\}$");
    private static final Pattern TEXT_CMD = Pattern.compile("\\\\(?:text|textbf|mathrm|mbox)\\s*\\{(.*?)\\}");
    private static final Pattern ARRAY_BEGIN = Pattern.compile("\\\\begin\\{array\\}\\{.*?\\}");
    private static final Pattern SQRT_BARE = Pattern.compile("\\\\sqrt(\\w+)");
    private static final Pattern ZERO_DECIMALS_INNER = Pattern.compile("(\\d+)\\.0*([^\\d])");
    private static final Pattern ZERO_DECIMALS_END = Pattern.compile("(\\d+)\\.0*$");
    // \, \; and "\ " are spacing, but not the backslash that ends a matrix row: 1 \\ 2
    private static final Pattern THIN_SPACE = Pattern.compile("(?<!\\\\)\\\\[,;]");
    private static final Pattern CONTROL_SPACE = Pattern.compile("(?<!\\\\)\\\\ ");
    private static final Pattern AND_WORD = Pattern.compile("\\s*\\band\\b\\s*");
    private static final Map<String, Integer> WORD_NUMBERS = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3),
            Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6), Map.entry("seven", 7),
            Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10), Map.entry("eleven", 11),
            Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14), Map.entry("fifteen", 15),
            Map.entry("sixteen", 16), Map.entry("seventeen", 17), Map.entry("eighteen", 18),
            Map.entry("nineteen", 19), Map.entry("twenty", 20), Map.entry("thirty", 30), Map.entry("forty", 40),
            Map.entry("fifty", 50), Map.entry("sixty", 60), Map.entry("seventy", 70), Map.entry("eighty", 80),
            Map.entry("ninety", 90), Map.entry("hundred", 100));

    /** The harness's {@code strip_string}: a canonical, whitespace-free form of {@code answer}. */
    public static String normalize(String answer) {
        String s = answer.strip().replace("\n", "");
        s = stripTrailing(s, '.');
        s = s.replace("\\!", "");
        s = ARRAY_BEGIN.matcher(s).replaceAll("\\\\begin{pmatrix}");
        s = s.replace("\\end{array}", "\\end{pmatrix}").replace("bmatrix", "pmatrix");
        s = s.replace("tfrac", "frac").replace("dfrac", "frac");
        s = s.replace("\\left", "").replace("\\right", "").replace("\\{", "{").replace("\\}", "}");
        s = THIN_SPACE.matcher(s).replaceAll("");
        s = CONTROL_SPACE.matcher(s).replaceAll(" ");
        // a trailing \text{...} is a unit ("5 \text{ cm}") unless it is the whole answer
        String noText = TEXT_AT_END.matcher(s).replaceAll("").strip();
        if (!noText.isEmpty()) s = noText;
        s = s.replace("^{\\circ}", "").replace("^\\circ", "");
        s = s.replace("\\$", "").replace("$", "");
        s = stripTrailing(TEXT_CMD.matcher(s).replaceAll("$1"), '.'); // \text{4:30 p.m.}
        s = wordToNumber(s); // after the text commands: \mbox{four}
        s = removeTrailingUnit(s);
        s = dropVariable(s);
        s = s.replace("\\emptyset", "{}");
        s = s.replace("\\%", "").replace("%", "");
        s = s.replace(" .", " 0.").replace("{.", "{0.");
        s = s.replace("infinity", "\\infty");
        if (!s.contains("\\infty")) s = s.replace("inf", "\\infty");
        s = AND_WORD.matcher(s).replaceAll(",");
        s = s.replace("\\mathbf", "");
        if (s.contains("j") && !s.contains("i")) s = s.replace("j", "i"); // engineers' imaginary unit
        s = ZERO_DECIMALS_INNER.matcher(s).replaceAll("$1$2");
        s = ZERO_DECIMALS_END.matcher(s).replaceAll("$1");
        if (s.startsWith(".")) s = "0" + s;
        // "k = 3" -> "3": a short left side is a variable name, not part of the answer
        String[] eq = s.split("=", -1);
        if (eq.length == 2 && eq[0].replace(" ", "").length() <= 2) s = eq[1];
        s = s.replace(" ", "");
        s = dropVariable(s); // again without spaces: "x \\in [-2,7]" (the harness misses this one)
        s = s.replace("(-\\infty,\\infty)", "\\mathbb{R}");
        s = SQRT_BARE.matcher(s).replaceAll("\\\\sqrt{$1}");
        s = fixFracs(s);
        s = fixSlash(s);
        s = unwrapSimpleBraces(s);
        return s;
    }

    private static String dropVariable(String s) {
        for (String key : List.of("x=", "y=", "z=", "x\\in", "y\\in", "z\\in", "x\\to", "y\\to", "z\\to")) {
            s = s.replace(key, "");
        }
        return s;
    }

    static String stripTrailing(String s, char c) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == c) end--;
        return s.substring(0, end);
    }

    private static String wordToNumber(String s) {
        Integer n = WORD_NUMBERS.get(s.strip().toLowerCase(java.util.Locale.ROOT));
        return n == null ? s : n.toString();
    }

    /** "12 miles" -> "12", "5 sq cm" -> "5", "4 m^2" -> "4": one unit after the last number. */
    private static String removeTrailingUnit(String s) {
        Matcher m = TRAILING_UNIT.matcher(s);
        return m.matches() ? m.group(1).strip() : s;
    }

    /**
     * {@code \frac12 -> \frac{1}{2}}, {@code \frac1{72} -> \frac{1}{72}} (harness {@code _fix_fracs}); an unbraced
     * argument may also be a command, {@code \frac\pi4 -> \frac{\pi}{4}}, which the harness splits mid-name.
     */
    static String fixFracs(String s) {
        String[] parts = s.split("\\\\frac", -1);
        if (parts.length == 1) return s;
        StringBuilder out = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            out.append("\\frac");
            if (!p.isEmpty() && p.charAt(0) == '{') {
                out.append(p);
                continue;
            }
            int a = argEnd(p, 0);
            if (a < 0) return s;
            out.append('{').append(p, 0, a).append('}');
            if (a < p.length() && p.charAt(a) == '{') {
                out.append(p.substring(a));
                continue;
            }
            int b = argEnd(p, a);
            if (b < 0) return s;
            out.append('{').append(p, a, b).append('}').append(p.substring(b));
        }
        return out.toString();
    }

    /** End of one unbraced argument at {@code from}: a command name or a single character; -1 when none. */
    private static int argEnd(String p, int from) {
        if (from >= p.length()) return -1;
        if (p.charAt(from) != '\\') return from + 1;
        int end = from + 1;
        while (end < p.length() && Character.isLetter(p.charAt(end))) end++;
        return end == from + 1 ? Math.min(from + 2, p.length()) : end;
    }

    /** "3/4" -> {@code \frac{3}{4}} when both sides are plain integers (harness {@code _fix_a_slash_b}). */
    static String fixSlash(String s) {
        String[] ab = s.split("/", -1);
        if (ab.length != 2) return s;
        boolean aOk = ab[0].matches("-?\\d+") || ab[0].contains("sqrt");
        boolean bOk = ab[1].matches("\\d+") || ab[1].contains("sqrt");
        if (!aOk || !bOk || ab[0].isEmpty() || ab[1].isEmpty()) return s;
        return "\\frac{" + ab[0] + "}{" + ab[1] + "}";
    }

    /** "{5}", "(B)", "[7]" -> "5", "B", "7": the harness means to do this but its isalnum() test never passes. */
    private static String unwrapSimpleBraces(String s) {
        if (s.length() > 2 && "{([".indexOf(s.charAt(0)) >= 0
                && s.charAt(s.length() - 1) == "})]".charAt("{([".indexOf(s.charAt(0)))
                && s.substring(1, s.length() - 1).matches("[A-Za-z0-9]+")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
