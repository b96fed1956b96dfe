package rho4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Grading a predicted answer against the gold one as MATH and GSM8K are graded: the same number however it is
 * written (fraction, decimal, thousands separators, currency, units), percentages read three ways, a relative
 * tolerance of 1e-4, strings compared without case and grouping braces, tuples and intervals element by element.
 */
class AnswerEquivalenceTest {
    static Stream<Arguments> pairs() {
        return Stream.of(
                // prediction, gold, equal
                row("\\frac{1}{2}", "0.5", true),
                row("0.5", "\\frac{1}{2}", true),
                row("\\frac12", "1/2", true),
                row("3,000", "3000", true),
                row("3000", "3,000", true),
                row("-1,500", "-1500", true),
                row("1,234.5", "1234.5", true),
                row("3,00", "300", false), // not a thousands group
                row("$5", "5", true),
                row("\\$5.00", "5", true),
                row("x = 7", "7", true),
                row("k=3", "3", true),
                row("7", "x=7", true),
                row("five", "5", true),
                row("12 cm", "12", true),
                row("12\\text{ cm}", "12", true),
                row("30^\\circ", "30", true),
                row("1e3", "1000", true),
                row("2.5E-1", "\\frac14", true),
                row("-3.5", "-\\frac{7}{2}", true),
                row("3.5", "-3.5", false),
                row("-3.5", "3.5", false),
                row("\\frac{\\sqrt{3}}{2}", "0.8660254", true),
                row("2\\sqrt{2}", "\\sqrt{8}", true),
                row("\\frac{\\pi}{2}", "1.5707963", true),
                row("4", "5", false),
                row("0", "0", true),
                row("0", "-0", true),
                // a mixed number, as MATH writes answers it asks for "as a mixed number"
                row("1.8", "1\\frac{4}{5}", true),
                row("\\frac{9}{5}", "1\\frac{4}{5}", true),
                row("0.8", "1\\frac{4}{5}", false),
                row("137.5", "137 \\frac{1}{2}", true),
                // relative tolerance 1e-4, as the harness's isclose(rel_tol=1e-4)
                row("0.33333", "\\frac{1}{3}", true),
                row("0.333", "\\frac{1}{3}", false),
                row("100.009", "100", true),
                row("100.02", "100", false),
                row("-100.009", "-100", true),
                row("-100.02", "-100", false),
                row("1234570", "1234567", true),
                row("1234700", "1234567", false),
                row("0.00001", "0.00002", false), // tiny numbers are not all "close": the tolerance is relative
                row("0.000000001", "0", false),
                // percentages: the gold 50 (%) may be answered 50, 0.5 or 5000, and the gold 0.5 as 50
                row("50\\%", "50", true),
                row("50", "0.5", true),
                row("0.5", "50", true),
                row("5000", "50", true),
                row("0.005", "0.5", true),
                row("500", "50", false),
                row("5", "50", false),
                // strings: case, grouping braces and parentheses do not count
                row("B", "b", true),
                row("(B)", "B", true),
                row("\\text{(C)}", "C", true),
                row("Saturday", "\\text{Saturday}", true),
                row("x^{2}+{y}", "x^2+y", true),
                row("X^2+Y", "x^2+y", true),
                row("x^2+y", "x^2-y", false),
                row("\\{1,2\\}", "{1,2}", true),
                row("", "", false),
                row("", "5", false),
                row("5", "", false),
                row("\\infty", "infinity", true),
                // intervals: brackets count only when both sides are bracketed
                row("[2,5)", "[2,5)", true),
                row("[2,5]", "[2,5)", false),
                row("(2,5)", "[2,5]", false),
                row("[2,5]", "(2,5)", false),
                row("(1,2)", "1,2", true),
                row("1,2", "(1,2)", true),
                row("[1,2]", "1,2", true),
                row("1,2", "[1,2]", true),
                row("x \\in [-2,7]", "[-2,7]", true),
                // tuples compare element by element, numerically, but without the percentage leniency
                row("(\\frac{1}{2}, 1)", "(0.5, 1)", true),
                row("(0.5,1)", "(\\frac12,1)", true),
                row("[\\frac{1}{2},1]", "[0.5,1]", true),
                row("(50, 1)", "(0.5, 1)", false),
                row("(1,2)", "(1,2,3)", false),
                row("(1,2,3)", "(1,2)", false),
                row("(1,2)", "(2,1)", false),
                row("(1.5,a)", "(\\frac32,A)", true),
                row("(1,\\frac{\\pi}{2})", "(1,1.5707963)", true),
                row("(3,\\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)", true),
                row("(1,(2,3))", "(1,(2,\\frac{6}{2}))", true),
                row("(1,(2,3))", "(1,(2,4))", false),
                row("(\\frac{1}{2},f(1,2))", "(0.5,f(1,2))", true),
                row("(1,2)", "[1,2)", false),
                row("[1,2)", "[1,2]", false),
                row("(a,b)", "(b,a)", false),
                row("[\\frac{1}{2}]", "[0.5]", true), // one element compares like many
                row("[\\frac{1}{2}]", "[0.6]", false),
                row("[x]", "[y]", false),
                // half-open intervals
                row("(2,5]", "(2,5]", true),
                row("(2,5]", "(2,5)", false),
                row("(2,5)", "(2,5]", false),
                row("[2,5)", "(2,5)", false),
                row("(2,5]", "[2,5]", false),
                row("[2,5]", "(2,5]", false),
                // matrices however they are spaced
                row("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", true),
                row("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}", false));
    }

    private static Arguments row(String pred, String gold, boolean equal) {
        return Arguments.of(pred, gold, equal);
    }

    @ParameterizedTest(name = "[{index}] {0} vs {1}: {2}")
    @MethodSource("pairs")
    void grades(String pred, String gold, boolean equal) {
        assertEquals(equal, AnswerEquivalence.equal(pred, gold), pred + " vs " + gold);
    }

    @Test
    void missingAnswerIsNeverCorrect() {
        assertFalse(AnswerEquivalence.equal(null, "5"));
        assertFalse(AnswerEquivalence.equal("5", null));
        assertFalse(AnswerEquivalence.equal(null, null));
    }

    /** The numbers a completion states the way GSM8K and MATH solutions do grade equal to the plain gold number. */
    @Test
    void extractedAnswersGradeAgainstPlainGold() {
        assertTrue(AnswerEquivalence.equal(AnswerExtractor.extract("So the total is $\\boxed{3,000}$."), "3000"));
        assertTrue(AnswerEquivalence.equal(AnswerExtractor.extract("The answer is $5."), "5"));
        assertTrue(AnswerEquivalence.equal(AnswerExtractor.extract("Hence $x = 7$. The answer is x = 7."), "7"));
        assertTrue(AnswerEquivalence.equal(AnswerExtractor.extract("$\\boxed{1\\frac{4}{5}}$"), "\\frac{9}{5}"));
        assertFalse(AnswerEquivalence.equal(AnswerExtractor.extract("So the total is $\\boxed{3,001}$."), "3000"));
    }

    /** A prediction is normalised when extracted and again when graded; the second pass must not change it. */
    @Test
    void extractedAnswerEqualsTheSameGold() {
        for (String gold : List.of("\\text{4:30 p.m.}", "\\mbox{four}", "ab = 3", "(-\\infty, \\infty)", "10\\sqrt 2",
                "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\frac{x}{2} cm")) {
            assertTrue(AnswerEquivalence.equal(AnswerExtractor.extract("So $\\boxed{" + gold + "}$."), gold), gold);
        }
    }

    @Test
    void numberReadsPlainDecimalsSeparatorsAndLatex() {
        assertEquals(OptionalDouble.of(3000), AnswerEquivalence.number("3,000"));
        assertEquals(OptionalDouble.of(-1234567.25), AnswerEquivalence.number("-1,234,567.25"));
        assertEquals(OptionalDouble.of(0.5), AnswerEquivalence.number(".5"));
        assertEquals(OptionalDouble.of(5), AnswerEquivalence.number("5."));
        assertEquals(OptionalDouble.of(1500), AnswerEquivalence.number("1.5e3"));
        assertEquals(OptionalDouble.of(0.25), AnswerEquivalence.number("\\frac{1}{4}"));
        assertEquals(OptionalDouble.empty(), AnswerEquivalence.number(""));
        assertEquals(OptionalDouble.empty(), AnswerEquivalence.number("x"));
        assertEquals(OptionalDouble.empty(), AnswerEquivalence.number("3,00"));
        assertEquals(OptionalDouble.empty(), AnswerEquivalence.number("1,2"));
    }

    @Test
    void closeIsRelativeToTheLargerMagnitude() {
        assertTrue(AnswerEquivalence.close(1, 1));
        assertTrue(AnswerEquivalence.close(0, 0));
        assertTrue(AnswerEquivalence.close(1e-300, 1e-300));
        assertTrue(AnswerEquivalence.close(10000, 10001)); // 1 <= 1e-4 * 10001
        assertTrue(AnswerEquivalence.close(10001, 10000));
        assertTrue(AnswerEquivalence.close(10000, 9999)); // exactly 1e-4 of the larger still counts, as math.isclose
        assertTrue(AnswerEquivalence.close(9999, 10000));
        assertFalse(AnswerEquivalence.close(10000, 10002));
        assertFalse(AnswerEquivalence.close(10002, 10000));
        assertTrue(AnswerEquivalence.close(-10000, -10001));
        assertFalse(AnswerEquivalence.close(-10000, -10002));
        assertFalse(AnswerEquivalence.close(1, -1));
        assertFalse(AnswerEquivalence.close(0, 1e-12));
        assertFalse(AnswerEquivalence.close(1e-12, 0));
    }

    @Test
    void splitsOnlyTopLevelCommas() {
        assertEquals(List.of("\\frac{1}{2}", "f(1,2)"), AnswerEquivalence.splitTopLevel("\\frac{1}{2},f(1,2)"));
        assertEquals(List.of("[1,2]", "{3,4}", "5"), AnswerEquivalence.splitTopLevel("[1,2],{3,4},5"));
        assertEquals(List.of("1", "", "2"), AnswerEquivalence.splitTopLevel("1,,2"));
        assertEquals(List.of(""), AnswerEquivalence.splitTopLevel(""));
        assertEquals(List.of("a", ""), AnswerEquivalence.splitTopLevel("a,"));
    }
}
