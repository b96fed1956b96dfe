package rho4j.eval;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Value of a constant LaTeX expression: numbers ("1,000" too), + - * / ^, parentheses and braces,
 * {@code \frac}, {@code \sqrt}, {@code \sqrt[n]}, {@code \pi}, {@code \cdot}, {@code \times}, implicit products
 * ({@code 2\sqrt{3}}). Anything else (a variable, a set) is "not a number". It stands in for the harness's sympy
 * check on the answers that matter most: numbers written as fractions and radicals.
 *
 * <p>A whole number written directly before a fraction of whole numbers is a mixed number, as in MATH's answers to
 * "express your answer as a mixed number": {@code 1\frac{4}{5}} is 9/5, not 4/5. Any other juxtaposition is a product.
 */
final class LatexNumber {
    /** {@code \frac} with two whole-number arguments, braced or single digits. */
    private static final Pattern THOUSANDS = Pattern.compile(",\\d{3}(?!\\d)");
    private static final Pattern SIMPLE_FRAC = Pattern.compile("\\\\frac(\\{\\d+\\}|\\d)(\\{\\d+\\}|\\d)");

    private final String s;
    private int pos;

    private LatexNumber(String s) {
        this.s = s;
    }

    static OptionalDouble evaluate(String expr) {
        String e = expr.replace(" ", "").replace("\\left", "").replace("\\right", "")
                .replace("dfrac", "frac").replace("tfrac", "frac");
        if (e.isEmpty()) return OptionalDouble.empty();
        try {
            LatexNumber p = new LatexNumber(e);
            double v = p.sum();
            if (p.pos != e.length() || Double.isNaN(v) || Double.isInfinite(v)) return OptionalDouble.empty();
            return OptionalDouble.of(v);
        } catch (IllegalArgumentException | IndexOutOfBoundsException notNumeric) {
            return OptionalDouble.empty();
        }
    }

    private double sum() {
        double v = product();
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '+') { pos++; v += product(); }
            else if (c == '-') { pos++; v -= product(); }
            else break;
        }
        return v;
    }

    private double product() {
        int start = pos;
        double v = unary();
        if (s.substring(start, pos).matches("-?\\d+")) {
            Matcher m = SIMPLE_FRAC.matcher(s).region(pos, s.length());
            if (m.lookingAt()) { // mixed number: -2\frac12 is -(2 + 1/2)
                double frac = wholeArgument(m.group(1)) / wholeArgument(m.group(2));
                v = s.charAt(start) == '-' ? v - frac : v + frac;
                pos = m.end();
            }
        }
        while (pos < s.length()) {
            if (eat("*") || eat("\\cdot") || eat("\\times")) v *= unary();
            else if (eat("/") || eat("\\div")) v /= unary();
            else if (startsFactor()) v *= power(); // implicit product: 2\pi, 3(4)
            else break;
        }
        return v;
    }

    private static double wholeArgument(String arg) {
        return Double.parseDouble(arg.replace("{", "").replace("}", ""));
    }

    private double unary() {
        if (eat("-")) return -unary();
        if (eat("+")) return unary();
        return power();
    }

    private double power() {
        double base = atom();
        if (eat("^")) return Math.pow(base, s.charAt(pos) == '{' ? group() : singleDigitOrAtom());
        return base;
    }

    private double singleDigitOrAtom() {
        char c = s.charAt(pos);
        if (Character.isDigit(c)) { pos++; return c - '0'; } // x^23 in LaTeX means x^2 * 3
        return atom();
    }

    private boolean startsFactor() {
        char c = s.charAt(pos);
        return c == '(' || c == '{' || c == '\\' && (s.startsWith("\\frac", pos) || s.startsWith("\\sqrt", pos)
                || s.startsWith("\\pi", pos));
    }

    private double atom() {
        char c = s.charAt(pos);
        if (c == '(') { pos++; double v = sum(); expect(")"); return v; }
        if (c == '{') return group();
        if (eat("\\frac")) { double a = argument(); return a / argument(); }
        if (eat("\\sqrt")) {
            double n = 2;
            if (eat("[")) { n = sum(); expect("]"); }
            return Math.pow(argument(), 1 / n);
        }
        if (eat("\\pi")) return Math.PI;
        return number();
    }

    /** A braced group, or a single digit as in {@code \frac12}. */
    private double argument() {
        if (s.charAt(pos) == '{') return group();
        char c = s.charAt(pos);
        if (!Character.isDigit(c)) throw new IllegalArgumentException("argument");
        pos++;
        return c - '0';
    }

    private double group() {
        expect("{");
        double v = sum();
        expect("}");
        return v;
    }

    private double number() {
        int start = pos;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.'
                || s.charAt(pos) == ',' && isThousands(pos))) pos++;
        if (start == pos) throw new IllegalArgumentException("number");
        return Double.parseDouble(s.substring(start, pos).replace(",", ""));
    }

    /** A comma followed by exactly three digits is a thousands separator, otherwise it separates tuple items. */
    private boolean isThousands(int comma) {
        return THOUSANDS.matcher(s).region(comma, s.length()).lookingAt();
    }

    private boolean eat(String token) {
        if (s.startsWith(token, pos)) { pos += token.length(); return true; }
        return false;
    }

    private void expect(String token) {
        if (!eat(token)) throw new IllegalArgumentException("expected " + token);
    }
}
