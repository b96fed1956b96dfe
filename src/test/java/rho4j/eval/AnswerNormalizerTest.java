package rho4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The canonical form of an answer, as MATH's and the harness's {@code strip_string} define it: no spaces, no
 * markup that does not change the answer (dollars, units, degrees, percent signs, {@code \left}, {@code \!}),
 * fractions in one spelling, a variable name in front ("x = 7") dropped. The expected strings are the forms a
 * grader writes by hand.
 */
class AnswerNormalizerTest {
    static Stream<Arguments> forms() {
        return Stream.of(
                // answer, canonical form
                row("42", "42"),
                row("  42 \n", "42"),
                row("42.", "42"),
                row("1,000.", "1,000"),
                row("3,000", "3,000"), // separators stay; the numeric check reads them
                // fractions: one spelling
                row("\\dfrac{1}{2}", "\\frac{1}{2}"),
                row("\\tfrac{1}{2}", "\\frac{1}{2}"),
                row("\\frac12", "\\frac{1}{2}"),
                row("\\frac1{72}", "\\frac{1}{72}"),
                row("\\frac{1}2", "\\frac{1}2"),
                row("\\frac\\pi4", "\\frac{\\pi}{4}"),
                row("\\frac1\\pi", "\\frac{1}{\\pi}"),
                row("\\frac\\#3", "\\frac{\\#}{3}"), // an unbraced argument is one token: a control symbol too
                row("\\frac3\\#", "\\frac{3}{\\#}"),
                row("\\frac1", "\\frac1"), // too few arguments: left as written
                row("\\frac\\pi", "\\frac\\pi"),
                row("2\\frac", "2\\frac"),
                row("\\frac 3 4", "\\frac{3}{4}"),
                row("2\\frac12+\\frac34", "2\\frac{1}{2}+\\frac{3}{4}"),
                row("3/4", "\\frac{3}{4}"),
                row("-3/4", "\\frac{-3}{4}"),
                row("\\sqrt{2}/2", "\\frac{\\sqrt{2}}{2}"),
                row("3/-4", "3/-4"),
                row("a/b", "a/b"),
                row("1/2/3", "1/2/3"),
                row("/4", "/4"),
                row("\\sqrt3", "\\sqrt{3}"),
                row("2\\sqrt2", "2\\sqrt{2}"),
                row("\\sqrt{3}", "\\sqrt{3}"),
                row("\\sqrt 5", "\\sqrt{5}"),
                row("10\\sqrt 2", "10\\sqrt{2}"),
                row("\\sqrt 2+\\sqrt 5", "\\sqrt{2}+\\sqrt{5}"),
                // decimals: leading zero added, zero decimals dropped, others kept
                row(".5", "0.5"),
                row("x = .5", "0.5"),
                row("\\{.5\\}", "{0.5}"), // braces stay around anything but letters and digits
                row("2.50", "2.50"),
                row("2.00", "2"),
                row("2.", "2"),
                row("(2.0, 3.50)", "(2,3.50)"),
                row("1.05", "1.05"),
                // currency, percent, degrees, units
                row("\\$18.90", "18.90"),
                row("$5", "5"),
                row("10\\%", "10"),
                row("10%", "10"),
                row("30^\\circ", "30"),
                row("30^{\\circ}", "30"),
                row("12 miles", "12"),
                row("12 Miles", "12"),
                row("7 inches", "7"),
                row("3 dollars.", "3"),
                row("$ 5 dollars", "5"),
                row("5 sq cm", "5"),
                row("4 m^2", "4"),
                row("4 cm^{3}", "4"),
                row("5 \\text{ cm}", "5"),
                row("5\\text{ cm}^2", "5"),
                row("\\frac{1}{2} hours", "\\frac{1}{2}"),
                row("\\frac{a}{m}", "\\frac{a}{m}"), // a and m are variables here, not units
                row("m + 5", "m+5"),
                row("12 apples and 3 pears", "12apples,3pears"),
                // text and word numbers
                row("\\text{Saturday}", "Saturday"),
                row("\\mbox{Saturday}", "Saturday"),
                row("\\mbox{four}", "4"),
                row("\\text{4:30 p.m.}", "4:30p.m"),
                row("\\textbf{(C)}", "C"),
                row("\\text{(B)}", "B"),
                row("\\mathrm{cm}", "cm"),
                row("five", "5"),
                row("Twenty", "20"),
                row(" nine ", "9"),
                row("twenty-one", "twenty-one"),
                row("five apples", "fiveapples"),
                // a variable name in front
                row("x = 7", "7"),
                row("k = 3", "3"),
                row("y = 2x + 1", "2x+1"),
                row("ab = 3", "3"), // the left side is measured without spaces, so "ab=3" gives the same
                row("abc = 3", "abc=3"),
                row("a = b = c", "a=b=c"),
                row("x \\in [-2,7]", "[-2,7]"),
                row("x\\to 0", "0"),
                // sets, intervals, infinity, matrices
                row("\\{1, 2\\}", "{1,2}"),
                row("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"),
                row("\\emptyset", "{}"),
                row("(-\\infty,\\infty)", "\\mathbb{R}"),
                row("(-\\infty, \\infty)", "\\mathbb{R}"),
                row("infinity", "\\infty"),
                row("inf", "\\infty"),
                row("-\\infty", "-\\infty"),
                row("\\begin{array}{cc} 1 & 2 \\end{array}", "\\begin{pmatrix}1&2\\end{pmatrix}"),
                row("\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
                row("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
                row("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
                row("\\mathbf{v}", "v"),
                // "and" joins as a comma only as a word
                row("2 and 3", "2,3"),
                row("p \\land q", "p\\landq"),
                row("band", "band"),
                // single letters and numbers in grouping brackets
                row("{5}", "5"),
                row("(B)", "B"),
                row("[7]", "7"),
                row("{ab}", "ab"),
                row("{a+b}", "{a+b}"),
                row("(1,2)", "(1,2)"),
                row("[2,5)", "[2,5)"),
                row("()", "()"),
                // spacing commands and engineers' imaginary unit
                row("1\\!000", "1000"),
                row("1\\,000", "1000"),
                row("a\\;b", "ab"),
                row("a\\ b", "ab"),
                row("3 + 4j", "3+4i"),
                row("\\sqrt{-1} + j", "\\sqrt{-1}+i"),
                row("i + j", "i+j"),
                row("", ""),
                row(".", ""),
                row("$", ""));
    }

    private static Arguments row(String answer, String canonical) {
        return Arguments.of(answer, canonical);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("forms")
    void normalizes(String answer, String canonical) {
        assertEquals(canonical, AnswerNormalizer.normalize(answer), answer);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("forms")
    void normalizingTwiceChangesNothing(String answer, String canonical) {
        assertEquals(canonical, AnswerNormalizer.normalize(canonical), "normal form of " + answer);
    }

    static Stream<Arguments> trailing() {
        return Stream.of(row("5...", "5"), row("...", ""), row("a.b", "a.b"), row("", ""));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("trailing")
    void stripsOnlyTrailingCharacters(String s, String stripped) {
        assertEquals(stripped, AnswerNormalizer.stripTrailing(s, '.'));
    }
}
