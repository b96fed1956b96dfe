package rho4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoisyCorpusTest {

    private static double noiseFraction(List<Doc> docs) {
        long total = 0, noise = 0;
        for (Doc d : docs) {
            for (Segment s : d.segments()) {
                total += s.text().length();
                noise += s.noise() ? s.text().length() : 0;
            }
        }
        return (double) noise / total;
    }

    @Test
    void segmentOffsetsAreExact() {
        List<Doc> docs = NoisyCorpus.generate(new NoisyCorpus.Config(75_000, 0.5, 5));
        for (Doc d : docs) {
            String text = d.text();
            List<Span> spans = d.spans();
            assertEquals(d.segments().size(), spans.size());
            int pos = 0;
            for (int i = 0; i < spans.size(); i++) {
                Span s = spans.get(i);
                assertEquals(pos, s.start(), "spans tile the text");
                assertEquals(d.segments().get(i).text(), text.substring(s.start(), s.end()));
                assertEquals(d.segments().get(i).kind(), s.kind());
                pos = s.end();
            }
            assertEquals(text.length(), pos);
            assertTrue(text.chars().allMatch(c -> c < 128), "ASCII only, so char offsets are byte offsets");
        }
    }

    @Test
    void noiseFractionIsNearTargetAndAllKindsAppear() {
        for (double f : new double[] {0.2, 0.5, 0.8}) {
            List<Doc> docs = NoisyCorpus.generate(new NoisyCorpus.Config(75_000, f, 9));
            assertEquals(f, noiseFraction(docs), 0.03, "noise fraction for target " + f);
            int total = docs.stream().mapToInt(Doc::length).sum();
            assertTrue(total >= 75_000 && total < 75_000 + 4_000, "size near target: " + total);
        }
        Map<NoiseKind, Integer> chars = new EnumMap<>(NoiseKind.class);
        for (Doc d : NoisyCorpus.generate(new NoisyCorpus.Config(75_000, 0.5, 9))) {
            d.segments().forEach(s -> chars.merge(s.kind(), s.text().length(), Integer::sum));
        }
        assertEquals(EnumSet.allOf(NoiseKind.class), chars.keySet());
        // Uniform kind draw: no noise kind is starved.
        for (NoiseKind k : NoiseKind.values()) {
            if (k.isNoise()) {
                // a wrong result is a few characters of a problem, every other kind whole segments
                int least = k == NoiseKind.WRONG_ARITHMETIC ? 500 : 1_500;
                assertTrue(chars.get(k) > least, k + " has only " + chars.get(k) + " chars");
            }
        }
    }

    @Test
    void zeroNoiseAndRestrictedKinds() {
        List<Doc> clean = NoisyCorpus.generate(new NoisyCorpus.Config(20_000, 0.0, 1));
        assertEquals(0.0, noiseFraction(clean));
        List<Doc> some = NoisyCorpus.generate(
            new NoisyCorpus.Config(20_000, 0.5, 1, EnumSet.of(NoiseKind.MARKUP, NoiseKind.FILLER)));
        for (Doc d : some) {
            for (Segment s : d.segments()) {
                assertTrue(EnumSet.of(NoiseKind.NONE, NoiseKind.MARKUP, NoiseKind.FILLER).contains(s.kind()));
            }
        }
    }

    @Test
    void usefulSegmentsAreCorrectProblemsAndShuffledAreReordered() {
        List<Doc> docs = NoisyCorpus.generate(new NoisyCorpus.Config(40_000, 0.5, 2));
        int problems = 0, shuffled = 0, wrong = 0;
        for (Doc d : docs) {
            List<Segment> segs = d.segments();
            for (int i = 0; i < segs.size(); i++) {
                Segment s = segs.get(i);
                if (s.kind() == NoiseKind.WRONG_ARITHMETIC) {
                    // the useful part before it ends at the last "= "; the result after it is wrong, the answer repeats it
                    String head = segs.get(i - 1).text();
                    assertEquals(NoiseKind.NONE, segs.get(i - 1).kind());
                    assertTrue(head.startsWith(Problem.QUESTION_PREFIX) && head.endsWith(" ="), head);
                    Matcher m = Pattern.compile("(\\d+) ([-+*/]) (\\d+) =$").matcher(head);
                    assertTrue(m.find(), head);
                    long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3));
                    long right = switch (m.group(2)) { case "+" -> a + b; case "-" -> a - b; case "*" -> a * b; default -> a / b; };
                    long given = Long.parseLong(s.text().replaceAll("(?s)^ (\\d+).*", "$1"));
                    assertTrue(given != right && Math.abs(given - right) <= 2, head + s.text());
                    assertTrue(s.text().contains("The answer is " + given + "."), s.text());
                    wrong++;
                    continue;
                }
                boolean headOfWrong = i + 1 < segs.size() && segs.get(i + 1).kind() == NoiseKind.WRONG_ARITHMETIC;
                if (s.kind() == NoiseKind.NONE && s.text().startsWith(Problem.QUESTION_PREFIX) && !headOfWrong) {
                    String[] parts = s.text().split("\n" + Problem.ANSWER_PREFIX, 2);
                    String solution = parts[1].strip();
                    long answer = Long.parseLong(solution.replaceAll("(?s).*The answer is (\\d+)\\.$", "$1"));
                    ArithmeticProblemsTest.assertSolutionCorrect(new Problem(
                        parts[0].substring(Problem.QUESTION_PREFIX.length()), solution, answer));
                    problems++;
                }
                if (s.kind() == NoiseKind.SHUFFLED) {
                    assertTrue(s.text().strip().split("\n").length >= 3, "shuffled problems have several lines");
                    shuffled++;
                }
            }
        }
        assertTrue(problems > 20 && shuffled > 3 && wrong > 3, problems + " problems, " + shuffled + " shuffled, " + wrong + " wrong");
    }

    @Test
    void deterministic() {
        NoisyCorpus.Config c = new NoisyCorpus.Config(30_000, 0.4, 77);
        assertEquals(NoisyCorpus.generate(c), NoisyCorpus.generate(c));
        assertNotEquals(NoisyCorpus.generate(c), NoisyCorpus.generate(new NoisyCorpus.Config(30_000, 0.4, 78)));
    }
}
