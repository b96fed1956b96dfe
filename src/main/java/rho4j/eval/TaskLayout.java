package rho4j.eval;

import java.util.List;
import java.util.Locale;

/**
 * How to read a JSONL task file, so a new task needs a mapping rather than code. Built-ins cover the files under
 * shared/data; {@link LayoutFiles} reads one from YAML/JSON and {@link TaskLoader#detect} picks one from a file's fields.
 *
 * @param name          label used in results
 * @param kind          {@code generate} (chain-of-thought, compared by answer) or {@code choice} (log-likelihood)
 * @param questionField field holding the question (for inline options: the question followed by "A) ...")
 * @param solutionField field with the worked solution, or null
 * @param gold          where the gold answer is
 * @param choicesField  field with the options (a JSON list, or one string "A) .. B) .."), or null: options inline
 *                      in the question (choice tasks only)
 * @param continuation  what a choice task scores after "Answer:": the option text or its letter
 * @param idField       field used as item id, or null for the line index
 */
public record TaskLayout(String name, Kind kind, String questionField, String solutionField, GoldRule gold,
                         String choicesField, Continuation continuation, String idField) {

    public enum Kind {
        GENERATE, CHOICE;

        public static Kind parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not a kind; use generate or choice", e);
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Continuation {
        TEXT, LETTER;

        public static Continuation parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not a continuation; use text or letter", e);
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TaskLayout {
        if (name == null || kind == null || questionField == null || gold == null) {
            throw new IllegalArgumentException("layout needs name, kind, question and gold");
        }
        if (kind == Kind.CHOICE && !gold.picksOption()) {
            throw new IllegalArgumentException("layout '" + name + "': a choice task needs gold index:FIELD or letter:FIELD, not " + gold);
        }
        if (kind == Kind.GENERATE && gold.picksOption()) {
            throw new IllegalArgumentException("layout '" + name + "': gold " + gold + " picks an option; set kind: choice");
        }
        if (gold.type() == GoldRule.Type.AFTER && solutionField == null) {
            throw new IllegalArgumentException("layout '" + name + "': gold " + gold + " reads the solution field; set solution");
        }
        if (continuation == null) continuation = Continuation.TEXT;
    }

    /** GSM8K as released (train/test) and in the harness layout: the answer field is the solution, "#### N" ends it. */
    public static final TaskLayout GSM8K = new TaskLayout("gsm8k", Kind.GENERATE, "question", "answer",
            GoldRule.parse("after:####"), null, Continuation.TEXT, "idx");
    /** Question and a bare final answer (no worked solution). */
    public static final TaskLayout QA_NUMBER = new TaskLayout("qa", Kind.GENERATE, "question", null,
            GoldRule.parse("field:answer"), null, Continuation.TEXT, "idx");
    /** Hendrycks MATH: the answer is the last \boxed{} of the solution. */
    public static final TaskLayout MATH = new TaskLayout("math", Kind.GENERATE, "problem", "solution",
            GoldRule.parse("boxed:solution"), null, Continuation.TEXT, "id");
    /** MATH-500 (harness math_oai): like MATH plus an explicit answer field, which is the gold. */
    public static final TaskLayout MATH_ANSWER = new TaskLayout("math_oai", Kind.GENERATE, "problem", "solution",
            GoldRule.parse("field:answer"), null, Continuation.TEXT, "unique_id");
    /** MMLU (harness mmlu_stem): options list in choices, gold index in answer; scores the option text. */
    public static final TaskLayout MMLU = new TaskLayout("mmlu", Kind.CHOICE, "question", null,
            GoldRule.parse("index:answer"), "choices", Continuation.TEXT, "id");
    /** Harness sat_math: one "A) .. B) .." string in options, gold letter in Answer (capital A). */
    public static final TaskLayout SAT_MATH = new TaskLayout("sat_math", Kind.CHOICE, "question", null,
            GoldRule.parse("letter:Answer"), "options", Continuation.TEXT, "id");
    /** Option letters in answer, options in an options field (a list or one string). */
    public static final TaskLayout LETTER_OPTIONS = new TaskLayout("letter_options", Kind.CHOICE, "question", null,
            GoldRule.parse("letter:answer"), "options", Continuation.TEXT, "id");
    /** Option letters in answer, options as a list in choices (MMLU-style files that store letters). */
    public static final TaskLayout LETTER_CHOICES = new TaskLayout("letter_choices", Kind.CHOICE, "question", null,
            GoldRule.parse("letter:answer"), "choices", Continuation.TEXT, "id");
    /** Option letters in answer, options written inside the question ("... A) 3 B) 4"). */
    public static final TaskLayout LETTER_INLINE = new TaskLayout("letter_inline", Kind.CHOICE, "question", null,
            GoldRule.parse("letter:answer"), null, Continuation.TEXT, "id");

    /** Built-ins in detection order: the most specific field sets first. */
    public static final List<TaskLayout> BUILT_IN = List.of(MMLU, SAT_MATH, LETTER_OPTIONS, LETTER_CHOICES, MATH_ANSWER, MATH, GSM8K,
            LETTER_INLINE, QA_NUMBER);

    public static TaskLayout builtIn(String name) {
        for (TaskLayout l : BUILT_IN) {
            if (l.name.equals(name)) return l;
        }
        throw new IllegalArgumentException("no built-in layout '" + name + "'; known: "
                + BUILT_IN.stream().map(TaskLayout::name).toList() + ", or give a layout file");
    }

    /** Same layout under another result name (e.g. "gsm8k_train"). */
    public TaskLayout named(String newName) {
        return new TaskLayout(newName, kind, questionField, solutionField, gold, choicesField, continuation, idField);
    }

    /** The same layout with another gold rule. */
    public TaskLayout withGold(GoldRule g) {
        return new TaskLayout(name, kind, questionField, solutionField, g, choicesField, continuation, idField);
    }

    /** The same layout scoring option letters instead of option texts. */
    public TaskLayout withContinuation(Continuation c) {
        return new TaskLayout(name, kind, questionField, solutionField, gold, choicesField, c, idField);
    }

    /** Fields a record must have for this layout to apply (the id field is optional). */
    public List<String> requiredFields() {
        java.util.ArrayList<String> f = new java.util.ArrayList<>();
        f.add(questionField);
        if (solutionField != null) f.add(solutionField);
        if (gold.type() != GoldRule.Type.AFTER && !f.contains(gold.argument())) f.add(gold.argument()); // AFTER's is a marker
        if (choicesField != null) f.add(choicesField);
        return List.copyOf(f);
    }
}
