package rho4j.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Writes the self-contained data set of {@code rho demo}. Files (JSON Lines, UTF-8, one object per line, '\n' line
 * ends, keys in the order shown; all text is ASCII):
 * <ul>
 *   <li>{@code reference.jsonl}: {@code {"question","answer","text"}}: TRAIN-split problems; "answer" is the worked
 *       solution (GSM8K-like), "text" the rendering {@link Problem#text()} used everywhere as training text. For the
 *       reference model and the tokenizer.</li>
 *   <li>{@code test.jsonl}: {@code {"question","answer","gold"}}: TEST-split problems, "gold" the integer answer.</li>
 *   <li>{@code target_holdout.jsonl}: {@code {"text"}}: documents of HOLDOUT-split problems, for held-out target
 *       loss.</li>
 *   <li>{@code noisy.jsonl}: {@code {"text","segments":[{"start","end","kind"}...]}}: the noisy corpus. Segments are
 *       every segment of the doc, useful ones with kind "NONE", in order, contiguous and covering the whole text;
 *       {@code start}/{@code end} are a half-open range of Java char (UTF-16) offsets into "text", equal to byte
 *       offsets since the text is ASCII.</li>
 * </ul>
 * The three problem sets are disjoint by construction ({@link ArithmeticProblems#splitOf}). Each file is written to a
 * temp file in {@code dir} and renamed, so a reader never sees a half-written file.
 */
public final class DemoData {
    public static final String REFERENCE = "reference.jsonl";
    public static final String TEST = "test.jsonl";
    public static final String TARGET_HOLDOUT = "target_holdout.jsonl";
    public static final String NOISY = "noisy.jsonl";
    /** General text for pretraining the demo's base model: the noisy corpus's generator at a different seed and mix. */
    public static final String GENERAL = "general.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();
    // Held-out docs are sized like noisy docs so held-out loss sees similar contexts.
    private static final int MIN_HOLDOUT_DOC = 600;
    private static final int MAX_HOLDOUT_DOC = 2400;

    private DemoData() {}

    /** What one file holds: JSON lines, bytes on disk, and chars of document text (rendered problems for problem files). */
    public record FileStats(Path file, int records, long bytes, long textChars) {}

    public record Summary(FileStats reference, FileStats test, FileStats targetHoldout, FileStats noisy,
                          double noisyNoiseFraction) {}

    /** A document read back from noisy.jsonl. */
    public record NoisyDoc(String text, List<Span> spans) {
        public NoisyDoc {
            spans = List.copyOf(spans);
        }
    }

    public static Summary write(Path dir, DemoSize size, long seed) throws IOException {
        Files.createDirectories(dir);
        // Independent streams per file, so changing one file's size does not change the others.
        SplittableRandom root = new SplittableRandom(seed);
        long refSeed = root.nextLong(), testSeed = root.nextLong(), holdoutSeed = root.nextLong(),
            noisySeed = root.nextLong(), docLenSeed = root.nextLong();

        ArithmeticProblems refGen = new ArithmeticProblems(refSeed, ArithmeticProblems.Split.TRAIN, size.level);
        List<Problem> reference = new ArrayList<>();
        long refChars = 0;
        while (refChars < size.referenceChars) {
            Problem p = refGen.next();
            reference.add(p);
            refChars += p.text().length();
        }
        FileStats refStats = writeLines(dir.resolve(REFERENCE), reference.size(), refChars, out -> {
            for (Problem p : reference) {
                out.accept(obj().put("question", p.question()).put("answer", p.solution()).put("text", p.text()));
            }
        });

        List<Problem> test = ArithmeticProblems.generate(testSeed, ArithmeticProblems.Split.TEST, size.level, size.testProblems);
        FileStats testStats = writeLines(dir.resolve(TEST), test.size(),
            test.stream().mapToLong(p -> p.text().length()).sum(), out -> {
                for (Problem p : test) {
                    out.accept(obj().put("question", p.question()).put("answer", p.solution()).put("gold", p.answer()));
                }
            });

        List<String> holdout = holdoutDocs(holdoutSeed, docLenSeed, size.holdoutChars, size.level);
        FileStats holdoutStats = writeLines(dir.resolve(TARGET_HOLDOUT), holdout.size(),
            holdout.stream().mapToLong(String::length).sum(), out -> {
                for (String text : holdout) {
                    out.accept(obj().put("text", text));
                }
            });

        List<Doc> noisy = NoisyCorpus.generate(new NoisyCorpus.Config(size.noisyChars, size.noiseFraction, noisySeed, size.level));
        long noisyChars = 0, noiseChars = 0;
        for (Doc d : noisy) {
            for (Span s : d.spans()) {
                noisyChars += s.length();
                noiseChars += s.kind().isNoise() ? s.length() : 0;
            }
        }
        FileStats noisyStats = writeLines(dir.resolve(NOISY), noisy.size(), noisyChars, out -> {
            for (Doc d : noisy) {
                ObjectNode o = obj().put("text", d.text());
                ArrayNode segs = o.putArray("segments");
                for (Span s : d.spans()) {
                    segs.addObject().put("start", s.start()).put("end", s.end()).put("kind", s.kind().name());
                }
                out.accept(o);
            }
        });
        // The base's general text: mostly noise kinds (web-like prose, markup, digits) with a little arithmetic, as
        // general web text holds some math; its own seed, so no document repeats the noisy corpus's.
        List<Doc> general = NoisyCorpus.generate(new NoisyCorpus.Config(size.generalChars, size.generalNoiseFraction, root.nextLong(), size.level));
        writeLines(dir.resolve(GENERAL), general.size(), general.stream().mapToLong(d -> d.text().length()).sum(), out -> {
            for (Doc d : general) out.accept(obj().put("text", d.text()));
        });
        return new Summary(refStats, testStats, holdoutStats, noisyStats, (double) noiseChars / noisyChars);
    }

    /** Reads noisy.jsonl back, checking that the segments tile the text. */
    public static List<NoisyDoc> readNoisy(Path file) throws IOException {
        List<NoisyDoc> docs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode o = JSON.readTree(line);
            String text = o.get("text").asText();
            List<Span> spans = new ArrayList<>();
            int pos = 0;
            for (JsonNode s : o.get("segments")) {
                Span span = new Span(s.get("start").asInt(), s.get("end").asInt(), NoiseKind.valueOf(s.get("kind").asText()));
                if (span.start() != pos || span.end() > text.length()) {
                    throw new IOException(file + ": segments do not tile the text at char " + pos);
                }
                spans.add(span);
                pos = span.end();
            }
            if (pos != text.length()) {
                throw new IOException(file + ": segments end at " + pos + ", text has " + text.length() + " chars");
            }
            docs.add(new NoisyDoc(text, spans));
        }
        return docs;
    }

    private static List<String> holdoutDocs(long problemSeed, long lenSeed, int targetChars, ArithmeticProblems.Level level) {
        ArithmeticProblems gen = new ArithmeticProblems(problemSeed, ArithmeticProblems.Split.HOLDOUT, level);
        SplittableRandom len = new SplittableRandom(lenSeed);
        List<String> docs = new ArrayList<>();
        long total = 0;
        while (total < targetChars) {
            int target = len.nextInt(MIN_HOLDOUT_DOC, MAX_HOLDOUT_DOC + 1);
            StringBuilder sb = new StringBuilder();
            while (sb.length() < target) {
                sb.append(gen.next().text()).append('\n'); // same blank-line separation as useful noisy segments
            }
            docs.add(sb.toString());
            total += sb.length();
        }
        return docs;
    }

    private static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    /** Writes JSON lines to a temp file next to {@code file}, then renames it into place. */
    private static FileStats writeLines(Path file, int records, long textChars, Consumer<Consumer<ObjectNode>> body)
        throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                body.accept(o -> {
                    try {
                        w.write(JSON.writeValueAsString(o));
                        w.write('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new FileStats(file, records, Files.size(file), textChars);
    }
}
