package rho4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * k-shot prompts in the math-evaluation-harness style:
 * <pre>
 * Question: {demo question}
 * Answer: {demo solution} The answer is {gold}.
 *
 * Question: {test question}
 * Answer:
 * </pre>
 * Choice tasks answer with the option text (or, with letter continuation, list "A. .." lines under the question and
 * answer with the letter). Demonstrations are the same for every test item: a seeded permutation of the pool (or its
 * first items), skipping any demonstration whose question is the test item's, so a test item never sees itself.
 */
public final class FewShotPrompt {
    /** Where generation stops: the model starting the next question, or an end-of-text marker. */
    public static final List<String> STOPS = List.of("\n\nQuestion:", "Question:", "</s>", "<|endoftext|>");

    private final TaskLayout layout;
    private final List<TaskItem> pool;
    private final int shots;
    private final int[] order;

    /**
     * @param pool    demonstrations to draw from (a train file, or the test file itself)
     * @param shuffle true: a permutation seeded by {@code seed}; false: the pool's first items in order
     */
    public FewShotPrompt(TaskLayout layout, List<TaskItem> pool, int shots, long seed, boolean shuffle) {
        if (shots < 0) throw new IllegalArgumentException("shots must be >= 0, got " + shots);
        if (shots > 0 && pool.size() < shots) throw new IllegalArgumentException("asked for " + shots
                + " shots but the demonstration pool has only " + pool.size() + " items; lower the shots or give a train file");
        this.layout = layout;
        this.pool = List.copyOf(pool);
        this.shots = shots;
        this.order = new int[pool.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) {
            Random rnd = new Random(seed); // java.util.Random's sequence is specified, so prompts match across JVMs
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
    }

    public int shots() {
        return shots;
    }

    /** The {@code shots} demonstrations for {@code test}, never {@code test} itself. */
    public List<TaskItem> demonstrations(TaskItem test) {
        List<TaskItem> demos = new ArrayList<>(shots);
        for (int i = 0; i < order.length && demos.size() < shots; i++) {
            TaskItem d = pool.get(order[i]);
            if (!d.question().strip().equals(test.question().strip())) demos.add(d);
        }
        if (demos.size() < shots) throw new IllegalArgumentException("only " + demos.size()
                + " demonstrations differ from test item " + test.id() + "; lower the shots");
        return demos;
    }

    /** The full prompt for {@code test}, ending in "Answer:" (no trailing space: the continuation brings it). */
    public String prompt(TaskItem test) {
        StringBuilder sb = new StringBuilder();
        for (TaskItem d : demonstrations(test)) sb.append(question(d, layout)).append(answer(d, layout)).append("\n\n");
        return sb.append(question(test, layout)).toString();
    }

    /** "Question: ...\nAnswer:", with lettered option lines when the layout scores letters. */
    public static String question(TaskItem item, TaskLayout layout) {
        StringBuilder sb = new StringBuilder("Question: ").append(item.question().strip());
        if (layout.kind() == TaskLayout.Kind.CHOICE && layout.continuation() == TaskLayout.Continuation.LETTER) {
            for (int i = 0; i < item.choices().size(); i++) {
                sb.append('\n').append(InlineOptions.letter(i)).append(". ").append(item.choices().get(i).strip());
            }
        }
        return sb.append("\nAnswer:").toString();
    }

    /**
     * The gold continuation after "Answer:", with its leading space: " {solution} The answer is {gold}." for
     * generate tasks (" The answer is {gold}." without a solution), " {option}" or " {letter}" for choice tasks.
     */
    public static String answer(TaskItem item, TaskLayout layout) {
        if (layout.kind() == TaskLayout.Kind.CHOICE) return " " + option(item, item.goldIndex(), layout);
        String sol = item.hasSolution() ? item.solution().strip() + " " : "";
        return " " + sol + "The answer is " + item.gold().strip() + ".";
    }

    /** What a choice task scores for option {@code i}, without the leading space. */
    public static String option(TaskItem item, int i, TaskLayout layout) {
        return layout.continuation() == TaskLayout.Continuation.LETTER ? String.valueOf(InlineOptions.letter(i))
                : item.choices().get(i).strip();
    }
}
