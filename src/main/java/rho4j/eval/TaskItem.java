package rho4j.eval;

import java.util.List;

/**
 * One evaluation item, independent of the file layout it came from.
 *
 * @param index     0-based position in the file (non-blank lines)
 * @param id        the layout's id field, else the index as text
 * @param solution  worked solution without the gold marker, or null when the task has none
 * @param gold      gold answer text (for choice tasks the gold option's text)
 * @param choices   option texts for choice tasks, empty otherwise
 * @param goldIndex index of the gold option, -1 for generate tasks
 */
public record TaskItem(int index, String id, String question, String solution, String gold, List<String> choices,
                       int goldIndex) {
    public TaskItem {
        choices = List.copyOf(choices);
    }

    public boolean hasSolution() {
        return solution != null && !solution.isBlank();
    }
}
