package rho4j.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads a JSONL task file into {@link TaskItem}s under a {@link TaskLayout}, and detects the layout from its fields. */
public final class TaskLoader {
    private TaskLoader() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CALCULATOR = Pattern.compile("<<[^<>]*>>");
    private static final int DETECT_LINES = 5;

    /** All items of {@code file}; {@code limit <= 0} reads every line. */
    public static List<TaskItem> load(Path file, TaskLayout layout, int limit) {
        List<TaskItem> items = new ArrayList<>();
        try (Lines in = new Lines(file)) {
            for (String line; (line = in.next()) != null; ) {
                if (line.isBlank()) continue;
                if (limit > 0 && items.size() >= limit) break;
                items.add(item(parse(file, in.lineNo, line), layout, items.size(), file, in.lineNo));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return items;
    }

    public static List<TaskItem> load(Path file, TaskLayout layout) {
        return load(file, layout, 0);
    }

    /**
     * The layout of {@code file}: the first built-in one that reads its first record, which every later record of
     * the head must then fit too (a bad record is an error at its own line, never a silent switch to another layout).
     */
    public static TaskLayout detect(Path file) {
        List<Record> head = head(file);
        if (head.isEmpty()) throw new IllegalArgumentException(file + ": empty task file; nothing to evaluate");
        Record first = head.get(0);
        TaskLayout chosen = null;
        for (TaskLayout layout : TaskLayout.BUILT_IN) {
            if (!fits(first.node(), layout)) continue;
            if (chosen == null) chosen = layout;
            if (head.stream().allMatch(r -> fits(r.node(), layout))) return layout;
        }
        if (chosen == null) {
            List<String> fields = new ArrayList<>();
            first.node().fieldNames().forEachRemaining(fields::add);
            throw new IllegalArgumentException(file + ":" + first.line() + ": no built-in layout fits fields " + fields
                    + "; write a layout file (name, kind, question, solution, gold, choices, continuation, id)");
        }
        for (Record r : head) {
            for (String f : chosen.requiredFields())
                if (!r.node().hasNonNull(f)) throw new IllegalArgumentException(file + ":" + r.line() + ": missing field '" + f + "' of layout "
                        + chosen.name() + " (which line " + first.line() + " has); fix the line");
            item(r.node(), chosen, 0, file, r.line()); // throws the reason, with this record's line
            if (!fits(r.node(), chosen))
                throw new IllegalArgumentException(file + ":" + r.line() + ": does not fit layout " + chosen.name() + " of line " + first.line() + "; fix the line");
        }
        return chosen;
    }

    private record Record(JsonNode node, int line) {}

    private static List<Record> head(Path file) {
        List<Record> head = new ArrayList<>();
        try (Lines in = new Lines(file)) {
            for (String line; head.size() < DETECT_LINES && (line = in.next()) != null; ) {
                if (!line.isBlank()) head.add(new Record(parse(file, in.lineNo, line), in.lineNo));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return head;
    }

    /** Strict UTF-8 lines with their numbers: a bad byte is an error at its own line, not "Input length = 1". */
    private static final class Lines implements AutoCloseable {
        private final Path file;
        private final rho4j.data.Utf8Lines in;
        int lineNo;

        Lines(Path file) throws IOException {
            this.file = file;
            this.in = new rho4j.data.Utf8Lines(reader(file), 256L << 20);
        }

        String next() throws IOException {
            lineNo++;
            try {
                String l = in.readLine();
                if (l != null && lineNo == 1 && l.startsWith("\uFEFF")) l = l.substring(1);
                return l;
            } catch (rho4j.data.Utf8Lines.BadLine bad) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": " + bad.getMessage() + "; convert the task file to UTF-8");
            }
        }

        @Override
        public void close() throws IOException { in.close(); }
    }

    /** Whether {@code layout} reads the first records of {@code file}. */
    public static boolean fitsFile(Path file, TaskLayout layout) {
        List<Record> head = head(file);
        return !head.isEmpty() && head.stream().allMatch(r -> fits(r.node(), layout));
    }

    /** Whether {@code layout} can read {@code record}. */
    static boolean fits(JsonNode record, TaskLayout layout) {
        for (String f : layout.requiredFields()) {
            if (!record.hasNonNull(f)) return false;
        }
        try {
            TaskItem item = item(record, layout, 0, null, 0);
            return layout.kind() == TaskLayout.Kind.GENERATE || item.choices().size() >= 2;
        } catch (IllegalArgumentException doesNotFit) {
            return false;
        }
    }

    private static TaskItem item(JsonNode r, TaskLayout layout, int index, Path file, int lineNo) {
        String where = (file == null ? "record" : file.toString()) + ":" + lineNo + ": ";
        String question = text(r, layout.questionField(), where);
        String id = layout.idField() != null && r.hasNonNull(layout.idField()) ? r.get(layout.idField()).asText()
                : Integer.toString(index);
        String solution = layout.solutionField() == null ? null : text(r, layout.solutionField(), where);
        GoldRule rule = layout.gold();
        String gold;
        List<String> choices = List.of();
        int goldIndex = -1;
        switch (rule.type()) {
            case AFTER -> {
                int at = solution.lastIndexOf(rule.argument());
                if (at < 0) throw new IllegalArgumentException(where + "solution field '" + layout.solutionField()
                        + "' has no '" + rule.argument() + "' marker; fix the line or use another gold rule");
                gold = solution.substring(at + rule.argument().length()).strip();
                // GSM8K's <<48/2=24>> calculator calls are tool traces, not text a model should imitate
                solution = CALCULATOR.matcher(solution.substring(0, at)).replaceAll("").strip();
            }
            case FIELD -> gold = text(r, rule.argument(), where);
            case BOXED -> {
                gold = AnswerExtractor.lastBoxed(text(r, rule.argument(), where));
                if (gold == null) throw new IllegalArgumentException(where + "field '" + rule.argument()
                        + "' has no \\boxed{...} answer; fix the line or use gold field:NAME");
            }
            case INDEX, LETTER -> {
                Options opts = options(r, layout, question, where);
                question = opts.question();
                choices = opts.choices();
                goldIndex = optionIndex(r.get(rule.argument()), rule, where);
                if (goldIndex < 0 || goldIndex >= choices.size()) throw new IllegalArgumentException(where + "gold "
                        + rule + " = " + r.get(rule.argument()) + " is outside the " + choices.size() + " options");
                gold = choices.get(goldIndex);
            }
            default -> throw new IllegalStateException("unhandled gold rule " + rule);
        }
        return new TaskItem(index, id, question, solution, gold, choices, goldIndex);
    }

    private record Options(String question, List<String> choices) {}

    private static Options options(JsonNode r, TaskLayout layout, String question, String where) {
        if (layout.choicesField() == null) {
            Optional<InlineOptions.Split> split = InlineOptions.parse(question);
            if (split.isEmpty()) throw new IllegalArgumentException(where + "no options \"A) ... B) ...\" in field '"
                    + layout.questionField() + "'; set choices: FIELD in the layout");
            return new Options(split.get().prefix(), split.get().options());
        }
        JsonNode c = r.get(layout.choicesField());
        if (c == null) throw new IllegalArgumentException(where + "missing options field '" + layout.choicesField() + "'");
        if (c.isArray()) {
            List<String> list = new ArrayList<>();
            c.forEach(n -> list.add(n.asText()));
            return new Options(question, List.copyOf(list));
        }
        Optional<InlineOptions.Split> split = InlineOptions.parse(c.asText());
        if (split.isEmpty()) throw new IllegalArgumentException(where + "options field '" + layout.choicesField()
                + "' is neither a list nor \"A) .. B) ..\" text");
        return new Options(question, split.get().options());
    }

    private static int optionIndex(JsonNode v, GoldRule rule, String where) {
        if (rule.type() == GoldRule.Type.INDEX) {
            if (v.isInt()) return v.asInt();
            if (v.isTextual() && v.asText().strip().matches("\\d+")) return Integer.parseInt(v.asText().strip());
            throw new IllegalArgumentException(where + "gold " + rule + " should be an option index, got " + v);
        }
        String s = v.asText().strip();
        if (s.length() == 1 && Character.isLetter(s.charAt(0))) return Character.toUpperCase(s.charAt(0)) - 'A';
        throw new IllegalArgumentException(where + "gold " + rule + " should be an option letter, got " + v);
    }

    private static String text(JsonNode r, String field, String where) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException(where + "missing field '" + field
                + "'; fix the line or the layout");
        if (v.isContainerNode()) throw new IllegalArgumentException(where + "field '" + field + "' is not text");
        return v.asText();
    }

    private static JsonNode parse(Path file, int lineNo, String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject()) throw new IllegalArgumentException(file + ":" + lineNo
                    + ": not a JSON object; each line must be one {...} record");
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": invalid JSON (" + e.getOriginalMessage()
                    + "); each line must be one {...} record", e);
        }
    }

    private static java.io.InputStream reader(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + " (task file missing; check the path or RHO_DATA)");
        }
    }
}
