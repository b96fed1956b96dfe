package rho4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real-looking model completions: what the extractor pulls out, and whether it matches the gold answer. */
class AnswerExtractorTest {
    static Stream<Arguments> outputs() {
        return Stream.of(
                // completion, expected extracted (normalised), gold, expected correct
                row("She has 16 - 3 - 4 = 9 eggs. 9 * 2 = 18 dollars. The answer is 18.", "18", "18", true),
                row("The answer is 18.", "18", "18", true),
                row("So the total is $1,000. The answer is $1,000.", "1,000", "1000", true),
                row("He pays 1,250 + 750 = 2,000. The answer is 2,000", "2,000", "2000", true),
                row("The answer is 1,000,000.", "1,000,000", "1000000", true),
                row("The percentage is 50%. The answer is 50%.", "50", "50", true),
                row("The answer is 50%.", "50", "0.5", true),
                row("So the answer is 0.5", "0.5", "50", true),
                row("The answer is 25 percent.", "25", "25", true),
                row("Thus the probability is $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}", "\\frac{1}{2}", true),
                row("Thus the probability is $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}", "0.5", true),
                row("so $p = \\boxed{\\dfrac{1}{2}}$", "\\frac{1}{2}", "1/2", true),
                row("Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}", "\\frac{3}{4}", true),
                row("Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}", "0.75", true),
                row("The final answer is $\\tfrac34$.", "\\frac{3}{4}", "\\frac{3}{4}", true),
                row("We get $\\boxed{\\frac{\\sqrt{3}}{2}}$.", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt3}{2}", true),
                row("The area is $\\boxed{\\frac{\\sqrt3}{2}}$.", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{2}", true),
                row("Hence $\\boxed{\\frac{\\sqrt{3}}{2}}$", "\\frac{\\sqrt{3}}{2}", "0.8660254", true),
                row("$\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$", "(3,\\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)", true),
                row("So $\\boxed{\\{1, \\{2,3\\}\\}}$ is the set.", "{1,{2,3}}", "\\{1,\\{2,3\\}\\}", true),
                row("First \\boxed{3}, then corrected: \\boxed{4}.", "4", "4", true),
                row("The sum is $\\boxed{x^{2}+{y}}$", "x^{2}+{y}", "x^2+y", true),
                row("The temperature drops to -7 degrees. The answer is -7.", "-7", "-7", true),
                row("So the result is -3.5", "-3.5", "-\\frac{7}{2}", true),
                row("Solving, x = 5. The answer is x = 5.", "5", "5", true),
                row("We find x=5.", "5", "5", true),
                row("Therefore $\\boxed{x=5}$.", "5", "5", true),
                row("The angle is $\\boxed{30^\\circ}$.", "30", "30", true),
                row("The angle is $\\boxed{30^{\\circ}}$.", "30", "30", true),
                row("It costs $\\boxed{\\$18.90}$.", "18.90", "18.9", true), // harness keeps non-zero decimals
                row("The length is $\\boxed{12\\text{ cm}}$.", "12", "12", true),
                row("He walks 12 miles. The answer is 12 miles.", "12", "12", true),
                row("The answer is $\\text{(B)}$", "B", "B", true),
                row("The answer is .5", "0.5", "0.5", true),
                row("The answer is 0.5.", "0.5", "\\frac12", true),
                row("Using \\fbox{7} as the answer", "7", "7", true),
                row("The answer is 17.", "17", "18", false),
                row("48 + 24 = 72 clips in total", "72", "72", true),
                row("She earns 12/60 = 0.2 per minute, so 0.2 * 50 = 10", "10", "10", true),
                row("Total: 1,234 apples", "1234", "1234", true),
                row("The answer is 3/4.", "\\frac{3}{4}", "0.75", true),
                row("The interval is $\\boxed{[2, 5)}$.", "[2,5)", "[2,5)", true),
                row("The interval is $\\boxed{[2, 5]}$.", "[2,5]", "[2,5)", false),
                row("The point is $\\boxed{(1, -2)}$.", "(1,-2)", "(1,-2.0)", true),
                row("So we have $\\boxed{2\\sqrt{2}}$.", "2\\sqrt{2}", "2.8284271", true),
                row("Hence $\\boxed{\\frac{1}{2}}$", "\\frac{1}{2}", "\\frac{1}{3}", false),
                row("no number here at all", "", "5", false),
                row("The answer is 4.\n\nQuestion: what is 2+2?", "4", "4", true),
                row("The answer is 1.00", "1", "1", true),
                row("The answer is five.", "5", "5", true),
                row("Thus, our final answer is $\\boxed{8000}$.", "8000", "8000", true),
                row("so $x \\in [-2,7]$. The answer is $x \\in [-2,7]$.", "[-2,7]", "x\\in[-2,7]", true),
                row("The sum is $\\boxed{\\frac \\pi4 + 2}$", "\\frac{\\pi}{4}+2", "\\frac{\\pi}{4}+2", true),
                row("he vanished on $\\boxed{\\mbox{Saturday}}$.", "Saturday", "\\text{Saturday}", true),
                row("The answer is $\\boxed{-\\frac{7}{2}}$.", "-\\frac{7}{2}", "-3.5", true),
                row("Final Answer: The final answer is $\\fbox{7}$. I hope it is correct.", "7", "7", true),
                row("Final answer is 5. Checked: 2 + 2 = 4", "5", "5", true),
                row("Thus \\fbox{12} after 3 steps", "12", "12", true),
                row("We get \\boxed{5 and stop", "5", "5", true), // a box never closed is no box
                row("So the area is $\\boxed 12$ square units, not 13.", "12", "12", true),
                row("Hence \\boxed 7", "7", "7", true),
                row("We conclude $\\boxed $ and stop at 5.", "", "5", false), // an empty box, as the harness reads it
                row("So the answer is 42. In a box: \\boxed", "42", "42", true), // cut off after the command
                row("The answer is 12/", "12", "12", true));
    }

    private static Arguments row(String completion, String extracted, String gold, boolean correct) {
        return Arguments.of(completion, extracted, gold, correct);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("outputs")
    void extractsAndGrades(String completion, String extracted, String gold, boolean correct) {
        String pred = AnswerExtractor.extract(completion);
        assertEquals(extracted, pred, "extracted from: " + completion);
        assertEquals(correct, AnswerEquivalence.equal(pred, gold), "pred " + pred + " vs gold " + gold);
    }
}
