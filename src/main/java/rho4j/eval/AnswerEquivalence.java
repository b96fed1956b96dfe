package rho4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Whether a predicted answer equals the gold one, after ZubinGou/math-evaluation-harness {@code math_equal}:
 * numerically (percentages tried as x, x/100 and x*100, relative tolerance 1e-4), else as normalised strings
 * (brackets and braces ignored, case-insensitive), else element-wise for tuples and intervals. The harness's sympy
 * step is replaced by {@link LatexNumber}, which evaluates constant expressions ({@code \frac{\sqrt{3}}{2}}).
 */
public final class AnswerEquivalence {
    private AnswerEquivalence() {}

    static final double REL_TOL = 1e-4;

    /** True when {@code pred} and {@code gold} (raw or already normalised) denote the same answer. */
    public static boolean equal(String pred, String gold) {
        if (pred == null || gold == null) return false;
        return equalNormalized(AnswerNormalizer.normalize(pred), AnswerNormalizer.normalize(gold));
    }

    private static boolean equalNormalized(String pred, String gold) {
        OptionalDouble p = number(pred), g = number(gold);
        if (p.isPresent() && g.isPresent()) {
            double ref = g.getAsDouble();
            // as the harness: a "50%" answer may be written 50, 0.5 or 5000 depending on how the question is read
            for (double candidate : new double[] {ref / 100, ref, ref * 100}) {
                if (close(p.getAsDouble(), candidate)) return true;
            }
            return false;
        }
        if (pred.isEmpty()) return false;
        if (stripBrackets(pred, gold).equals(stripBrackets(gold, pred))) return true;
        if (isTuple(pred) && isTuple(gold) && pred.charAt(0) == gold.charAt(0)
                && pred.charAt(pred.length() - 1) == gold.charAt(gold.length() - 1)) {
            List<String> ps = splitTopLevel(pred.substring(1, pred.length() - 1));
            List<String> gs = splitTopLevel(gold.substring(1, gold.length() - 1));
            if (ps.size() == gs.size()) {
                for (int i = 0; i < ps.size(); i++) {
                    if (!equalElement(ps.get(i), gs.get(i))) return false;
                }
                return true;
            }
        }
        return false;
    }

    /** Tuple elements: numbers compare without the percentage leniency (a point (50, 1) is not (0.5, 1)). */
    private static boolean equalElement(String a, String b) {
        OptionalDouble x = number(a), y = number(b);
        if (x.isPresent() && y.isPresent()) return close(x.getAsDouble(), y.getAsDouble());
        return equalNormalized(a, b);
    }

    /** Numeric value of a normalised answer, allowing thousands separators, fractions and radicals. */
    static OptionalDouble number(String s) {
        if (s.isEmpty()) return OptionalDouble.empty();
        String t = s.matches("-?\\d{1,3}(,\\d{3})+(\\.\\d+)?") ? s.replace(",", "") : s;
        if (t.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) return OptionalDouble.of(Double.parseDouble(t));
        return LatexNumber.evaluate(t);
    }

    static boolean close(double a, double b) {
        if (a == b) return true;
        return Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
    }

    /**
     * As the harness, braces and parentheses do not count; square brackets only count when both sides have some
     * ({@code other} is the answer {@code s} is compared with).
     */
    private static String stripBrackets(String s, String other) {
        String r = s.replace("{", "").replace("}", "").replace("(", "").replace(")", "");
        if (!(other.startsWith("[") || other.startsWith("(")) || !(s.startsWith("[") || s.startsWith("("))) {
            // keep interval brackets meaningful only when both sides are intervals
            r = r.replace("[", "").replace("]", "");
        }
        return r.toLowerCase(Locale.ROOT);
    }

    private static boolean isTuple(String s) {
        return s.startsWith("(") && s.endsWith(")") || s.startsWith("[") && s.endsWith("]");
    }

    /** Splits on commas outside any bracket, so (\frac{1}{2}, f(1,2)) has two elements. */
    static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
