package rho4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which constant LaTeX answers have a value, and which are refused. Every expected value is worked out by hand with
 * ordinary precedence (powers before products before sums, left to right), as a grader reading the answer would.
 */
class LatexNumberTest {
    static Stream<Arguments> values() {
        return Stream.of(
                // plain numbers, with thousands separators only in groups of three
                row("42", 42),
                row("3.5", 3.5),
                row("1.", 1),
                row(".25", 0.25),
                row("1,000", 1000),
                row("1,234,567", 1234567),
                row("12,345.5", 12345.5),
                // fractions: braced, single-digit arguments, the display and text variants
                row("\\frac{1}{2}", 0.5),
                row("\\frac12", 0.5),
                row("\\frac{3}4", 0.75),
                row("\\dfrac{3}{4}", 0.75),
                row("\\tfrac{3}{4}", 0.75),
                row("\\frac{10}{4}", 2.5),
                row("-\\frac{7}{2}", -3.5),
                row("\\frac{-7}{2}", -3.5),
                row("\\frac{1}{\\frac{1}{4}}", 4),
                // radicals: square by default, an index in square brackets
                row("\\sqrt{16}", 4),
                row("\\sqrt{2}", Math.sqrt(2)),
                row("\\sqrt2", Math.sqrt(2)),
                row("\\sqrt[3]{27}", 3),
                row("\\sqrt[4]{16}", 2),
                row("\\frac{\\sqrt{3}}{2}", Math.sqrt(3) / 2),
                row("2\\sqrt{3}", 2 * Math.sqrt(3)),
                row("\\sqrt{2}\\sqrt{8}", 4),
                // pi and implicit products
                row("\\pi", Math.PI),
                row("2\\pi", 2 * Math.PI),
                row("\\frac{\\pi}{4}", Math.PI / 4),
                row("\\frac{1}{2}\\pi", Math.PI / 2),
                row("3(4)", 12),
                row("2(3+4)", 14),
                row("2{5}", 10),
                // operators and precedence
                row("1+2", 3),
                row("1+2*3", 7),
                row("(1+2)*3", 9),
                row("2-3-4", -5),
                row("8/4/2", 1),
                row("8-2+1", 7),
                row("3\\cdot4", 12),
                row("3\\times4", 12),
                row("6\\div4", 1.5),
                row("6/4", 1.5),
                row("2^{10}", 1024),
                row("2^3", 8),
                row("2^{-1}", 0.5),
                row("2^\\pi", Math.pow(2, Math.PI)),
                row("3^2\\cdot2", 18),
                row("-2^2", -4),
                row("+5", 5),
                row("--3", 3),
                row("4-\\frac{1}{2}", 3.5),
                row("\\frac{1}{2}+\\frac{1}{3}", 5.0 / 6),
                // markup that does not change the value
                row("{5}", 5),
                row("\\left(\\frac{1}{2}\\right)", 0.5),
                row(" 1 + 1 ", 2),
                // a whole number directly before a fraction of whole numbers is a mixed number (MATH asks for
                // "a mixed number" and its answers are written like this): 1 4/5 is 9/5, 137 1/2 is 275/2
                row("1\\frac{4}{5}", 1.8),
                row("137 \\frac{1}{2}", 137.5),
                row("2\\frac12", 2.5),
                row("-2\\frac{1}{2}", -2.5),
                // ... but a product when either part is not a whole number
                row("2\\frac{\\pi}{3}", 2 * Math.PI / 3),
                row("2\\frac{\\sqrt{3}}{2}", Math.sqrt(3)),
                row("1.5\\frac{1}{2}", 0.75),
                row("\\pi\\frac{1}{2}", Math.PI / 2));
    }

    private static Arguments row(String expr, double value) {
        return Arguments.of(expr, value);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("values")
    void evaluates(String expr, double value) {
        OptionalDouble v = LatexNumber.evaluate(expr);
        assertTrue(v.isPresent(), expr + " should have a value");
        assertEquals(value, v.getAsDouble(), 1e-12 * Math.max(1, Math.abs(value)), expr);
    }

    /** Not constants, not well formed, or not finite: the grader must fall back to comparing strings. */
    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "", " ", "x", "2x", "\\frac{a}{b}", "\\frac ab", "\\frac{1}", "\\frac{1}{", "\\sqrt", "\\sqrt[3]{8",
            "(1", "(1,2)", "1,2", "1,00", "1,0000", "3,5", "1.2.3", ".", "+", "1+", "\\infty", "-\\infty",
            "\\{1,2\\}", "[1,2]", "\\pi r^2", "2^", "2^x", "2^-1", "2^10", "1/0", "\\frac{1}{0}", "\\frac{0}{0}",
            "\\sqrt{-1}", "10^{400}", "\\text{5}", "5!", "\\log 2", "e"})
    void refuses(String expr) {
        assertEquals(OptionalDouble.empty(), LatexNumber.evaluate(expr), expr);
    }
}
