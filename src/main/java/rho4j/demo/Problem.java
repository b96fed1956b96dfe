package rho4j.demo;

import java.util.Objects;

/**
 * An arithmetic word problem. {@code solution} is the worked solution: one line per step, each holding exactly one
 * equation like {@code 3 * 4 = 12}, then a final line {@code The answer is 12.}
 */
public record Problem(String question, String solution, long answer) {
    /** Prefixes of the canonical document rendering; eval prompts should end with {@link #ANSWER_PREFIX} trimmed. */
    public static final String QUESTION_PREFIX = "Question: ";
    public static final String ANSWER_PREFIX = "Answer: ";

    public Problem {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(solution, "solution");
    }

    /**
     * The rendering used wherever a problem appears as training text (reference.jsonl "text", useful noisy segments,
     * held-out target docs), so the reference model and the noisy corpus share one target format:
     * {@code "Question: <q>\nAnswer: <solution>\n"}.
     */
    public String text() {
        return QUESTION_PREFIX + question + "\n" + ANSWER_PREFIX + solution + "\n";
    }
}
