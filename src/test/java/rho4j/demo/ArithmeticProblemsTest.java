package rho4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import rho4j.demo.ArithmeticProblems.Split;

class ArithmeticProblemsTest {
    private static final Pattern EQUATION = Pattern.compile("(\\d+) ([-+*/]) (\\d+) = (\\d+)");
    private static final Pattern FINAL = Pattern.compile("The answer is (\\d+)\\.");

    /** Checks every step's arithmetic and that the last step's result is the final, recorded answer. */
    static void assertSolutionCorrect(Problem p) {
        String[] lines = p.solution().split("\n");
        assertTrue(lines.length >= 2 && lines.length <= 4, () -> "1-3 steps expected: " + p);
        long last = -1;
        for (int i = 0; i < lines.length - 1; i++) {
            Matcher m = EQUATION.matcher(lines[i]);
            assertTrue(m.find(), () -> "no equation in step line: " + p);
            long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3)), c = Long.parseLong(m.group(4));
            long expected = switch (m.group(2)) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                default -> {
                    assertEquals(0, a % b, () -> "inexact division in " + p);
                    yield a / b;
                }
            };
            assertEquals(expected, c, () -> "wrong step in " + p);
            assertTrue(c >= 0, () -> "negative result in " + p);
            last = c;
            assertTrue(!m.find(), () -> "more than one equation on a line: " + p);
        }
        Matcher f = FINAL.matcher(lines[lines.length - 1]);
        assertTrue(f.matches(), () -> "bad final line: " + p);
        assertEquals(p.answer(), Long.parseLong(f.group(1)));
        assertEquals(p.answer(), last, () -> "answer is not the last step's result: " + p);
        assertTrue(p.text().chars().allMatch(ch -> ch < 128), () -> "non-ASCII: " + p);
    }

    @Test
    void arithmeticIsCorrectIn2000Problems() {
        List<Problem> all = ArithmeticProblems.generate(7, Split.TRAIN, 2000);
        assertEquals(2000, all.size());
        all.forEach(ArithmeticProblemsTest::assertSolutionCorrect);
    }

    @Test
    void everyTemplateIsUsedAndCorrect() {
        List<String> names = ArithmeticProblems.templateNames();
        assertTrue(names.size() >= 15, "at least 15 templates");
        assertEquals(names.size(), new HashSet<>(names).size());
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < names.size(); t++) {
            for (int i = 0; i < 100; i++) {
                Problem p = ArithmeticProblems.fromTemplate(t, r);
                assertSolutionCorrect(p);
            }
        }
        // Steps use all four operations somewhere.
        String solutions = String.join("\n", ArithmeticProblems.generate(1, Split.TRAIN, 500).stream()
            .map(Problem::solution).toList());
        for (String op : List.of(" + ", " - ", " * ", " / ")) {
            assertTrue(solutions.contains(op), "operation " + op + " never used");
        }
    }

    @Test
    void oneStepProblemsAreOneCorrectOperationOnTheQuestionsNumbers() {
        List<Problem> all = ArithmeticProblems.generate(5, Split.TEST, ArithmeticProblems.Level.ONE_STEP, 1000);
        Set<String> ops = new HashSet<>();
        for (Problem p : all) {
            assertSolutionCorrect(p);
            assertEquals(2, p.solution().split("\n").length, () -> "one step and the answer: " + p);
            assertTrue(p.solution().matches("(Each friend gets )?\\d+ [-+*/] \\d+ = \\d+ [a-z ]+\\.\nThe answer is \\d+\\."),
                    () -> "the answer starts at the equation, with no name to copy: " + p);
            Matcher m = EQUATION.matcher(p.solution());
            assertTrue(m.find());
            ops.add(m.group(2));
            // both operands are read off the question (the skill the demo's accuracy measures), one-digit ones bar the minuend
            List<String> numbers = new ArrayList<>();
            Matcher n = Pattern.compile("\\d+").matcher(p.question());
            while (n.find()) numbers.add(n.group());
            assertTrue(numbers.contains(m.group(1)) && numbers.contains(m.group(3)), () -> "operands not in the question: " + p);
            assertTrue(Long.parseLong(m.group(3)) >= 2 && Long.parseLong(m.group(3)) <= 9, () -> "second operand one digit: " + p);
            assertEquals(Split.TEST, ArithmeticProblems.splitOf(p.question()));
        }
        assertEquals(Set.of("+", "-", "*", "/"), ops, "all four operations");
        assertEquals(1000, new HashSet<>(all.stream().map(Problem::question).toList()).size(), "no question repeats");
    }

    @Test
    void sameSeedSameProblemsDifferentSeedDifferent() {
        assertEquals(ArithmeticProblems.generate(42, Split.TRAIN, 300), ArithmeticProblems.generate(42, Split.TRAIN, 300));
        assertNotEquals(ArithmeticProblems.generate(42, Split.TRAIN, 300), ArithmeticProblems.generate(43, Split.TRAIN, 300));
    }

    @Test
    void splitsAreDisjointAndWithoutDuplicates() {
        List<Problem> train = ArithmeticProblems.generate(11, Split.TRAIN, 3000);
        List<Problem> holdout = ArithmeticProblems.generate(11, Split.HOLDOUT, 500);
        List<Problem> test = ArithmeticProblems.generate(11, Split.TEST, 500);
        Set<String> seen = new HashSet<>();
        List<List<Problem>> sets = List.of(train, holdout, test);
        List<Split> splits = List.of(Split.TRAIN, Split.HOLDOUT, Split.TEST);
        for (int s = 0; s < 3; s++) {
            for (Problem p : sets.get(s)) {
                assertEquals(splits.get(s), ArithmeticProblems.splitOf(p.question()));
                assertTrue(seen.add(p.question()), () -> "question repeated across or within sets: " + p.question());
            }
        }
        // Different seeds for the same split may overlap; the split itself keeps test apart from any training seed.
        List<String> otherTrain = new ArrayList<>();
        ArithmeticProblems.generate(999, Split.TRAIN, 3000).forEach(p -> otherTrain.add(p.question()));
        test.forEach(p -> assertTrue(!otherTrain.contains(p.question())));
    }
}
