package rho4j.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FILES =
        List.of(DemoData.REFERENCE, DemoData.TEST, DemoData.TARGET_HOLDOUT, DemoData.NOISY, DemoData.GENERAL);

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes(@TempDir Path tmp) throws IOException {
        DemoData.write(tmp.resolve("a"), DemoSize.TINY, 1);
        DemoData.write(tmp.resolve("b"), DemoSize.TINY, 1);
        DemoData.write(tmp.resolve("c"), DemoSize.TINY, 2);
        for (String f : FILES) {
            byte[] a = Files.readAllBytes(tmp.resolve("a").resolve(f));
            assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
            assertFalse(Arrays.equals(a, Files.readAllBytes(tmp.resolve("c").resolve(f))), f);
        }
        try (Stream<Path> s = Files.list(tmp.resolve("a"))) {
            assertEquals(Set.copyOf(FILES), Set.copyOf(s.map(p -> p.getFileName().toString()).toList()),
                "exactly the four files, no temp leftovers");
        }
    }

    @Test
    void tinyFilesHaveTheDocumentedShapeAndDisjointProblems(@TempDir Path dir) throws IOException {
        DemoData.Summary sum = DemoData.write(dir, DemoSize.TINY, 123);
        assertEquals(DemoSize.TINY.testProblems, sum.test().records());
        assertTrue(sum.noisy().textChars() >= 75_000 && sum.noisy().textChars() < 80_000);
        assertEquals(0.5, sum.noisyNoiseFraction(), 0.03);

        Set<String> refQ = new HashSet<>();
        for (JsonNode o : lines(dir.resolve(DemoData.REFERENCE))) {
            assertEquals(List.of("question", "answer", "text"), fieldNames(o));
            Problem p = problem(o.get("question").asText(), o.get("answer").asText());
            ArithmeticProblemsTest.assertSolutionCorrect(p);
            assertEquals(p.text(), o.get("text").asText());
            refQ.add(p.question());
        }
        Set<String> testQ = new HashSet<>();
        for (JsonNode o : lines(dir.resolve(DemoData.TEST))) {
            assertEquals(List.of("question", "answer", "gold"), fieldNames(o));
            Problem p = problem(o.get("question").asText(), o.get("answer").asText());
            ArithmeticProblemsTest.assertSolutionCorrect(p);
            assertEquals(p.answer(), o.get("gold").asLong());
            testQ.add(p.question());
        }
        Set<String> holdoutQ = new HashSet<>();
        for (JsonNode o : lines(dir.resolve(DemoData.TARGET_HOLDOUT))) {
            assertEquals(List.of("text"), fieldNames(o));
            for (String line : o.get("text").asText().split("\n")) {
                if (line.startsWith(Problem.QUESTION_PREFIX)) {
                    holdoutQ.add(line.substring(Problem.QUESTION_PREFIX.length()));
                }
            }
        }
        Set<String> noisyQ = new HashSet<>();
        List<DemoData.NoisyDoc> docs = DemoData.readNoisy(dir.resolve(DemoData.NOISY));
        for (DemoData.NoisyDoc d : docs) {
            for (String line : d.text().split("\n")) {
                if (line.startsWith(Problem.QUESTION_PREFIX)) {
                    noisyQ.add(line.substring(Problem.QUESTION_PREFIX.length()));
                }
            }
        }
        assertTrue(testQ.size() == DemoSize.TINY.testProblems && !holdoutQ.isEmpty() && !noisyQ.isEmpty());
        for (String q : testQ) {
            assertFalse(refQ.contains(q) || holdoutQ.contains(q) || noisyQ.contains(q), "test question leaked: " + q);
        }
        for (String q : holdoutQ) {
            assertFalse(refQ.contains(q) || noisyQ.contains(q), "held-out question leaked: " + q);
        }
    }

    @Test
    void noisyOffsetsMatchRegeneratedSegments(@TempDir Path dir) throws IOException {
        DemoData.write(dir, DemoSize.TINY, 5);
        List<JsonNode> raw = lines(dir.resolve(DemoData.NOISY));
        List<DemoData.NoisyDoc> docs = DemoData.readNoisy(dir.resolve(DemoData.NOISY));
        assertEquals(raw.size(), docs.size());
        long noise = 0, total = 0;
        for (DemoData.NoisyDoc d : docs) {
            for (int i = 0; i < d.spans().size(); i++) {
                Span s = d.spans().get(i);
                String piece = d.text().substring(s.start(), s.end());
                boolean headOfWrong = i + 1 < d.spans().size() && d.spans().get(i + 1).kind() == NoiseKind.WRONG_ARITHMETIC;
                assertTrue(headOfWrong ? piece.endsWith(" =") : piece.endsWith("\n"),
                        "segments end at a line break, a wrong worked answer's useful head at its last '='");
                total += s.length();
                noise += s.kind().isNoise() ? s.length() : 0;
            }
            // A whitespace "tokenizer" built only from offsets still aligns: the pipeline's path.
            List<Integer> ends = new ArrayList<>();
            for (int i = 1; i <= d.text().length(); i++) {
                if (i == d.text().length() || d.text().charAt(i) == ' ' || d.text().charAt(i) == '\n') {
                    ends.add(i);
                }
            }
            NoiseKind[] kinds = NoiseMask.tokenKinds(d.text(), d.spans(),
                ends.stream().mapToInt(Integer::intValue).toArray());
            assertEquals(ends.size(), kinds.length);
        }
        assertEquals(0.5, (double) noise / total, 0.03);
    }

    @Test
    void defaultSizes(@TempDir Path dir) throws IOException {
        DemoData.Summary sum = DemoData.write(dir, DemoSize.DEFAULT, 0);
        System.out.println("DEFAULT: " + sum);
        DemoSize d = DemoSize.DEFAULT;
        assertTrue(sum.noisy().textChars() >= d.noisyChars && sum.noisy().textChars() < d.noisyChars + 10_000);
        assertTrue(sum.reference().textChars() >= d.referenceChars && sum.reference().textChars() < d.referenceChars + 1_000);
        // the base's general text: its own documents, none of them a noisy-corpus document
        Set<String> noisy = new HashSet<>();
        for (JsonNode o : lines(dir.resolve(DemoData.NOISY))) noisy.add(o.get("text").asText());
        long chars = 0;
        for (JsonNode o : lines(dir.resolve(DemoData.GENERAL))) {
            assertFalse(noisy.contains(o.get("text").asText()));
            chars += o.get("text").asText().length();
        }
        assertTrue(chars >= d.generalChars && chars < d.generalChars + 10_000, "general chars " + chars);
        assertEquals(DemoSize.DEFAULT.testProblems, sum.test().records());
        assertEquals(d.noiseFraction, sum.noisyNoiseFraction(), 0.02);
        System.out.println("TINY: " + DemoData.write(dir.resolve("tiny"), DemoSize.TINY, 0));
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Problem problem(String question, String solution) {
        return new Problem(question, solution,
            Long.parseLong(solution.replaceAll("(?s).*The answer is (\\d+)\\.$", "$1")));
    }
}
