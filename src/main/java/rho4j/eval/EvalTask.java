package rho4j.eval;

import java.nio.file.Path;

/**
 * One task to evaluate.
 *
 * @param name      label in results
 * @param file      JSONL test file
 * @param layout    how to read it
 * @param trainFile where demonstrations come from (seeded draw), or null: the test file's first items
 */
public record EvalTask(String name, Path file, TaskLayout layout, Path trainFile) {
    public EvalTask {
        if (name == null || file == null || layout == null) throw new IllegalArgumentException("task needs name, file and layout");
    }

    /** The file with its detected built-in layout, named after that layout; demonstrations from the file itself. */
    public static EvalTask detect(Path file) {
        TaskLayout layout = TaskLoader.detect(file);
        return new EvalTask(layout.name(), file, layout, null);
    }

    public EvalTask withTrainFile(Path train) {
        return new EvalTask(name, file, layout, train);
    }

    public EvalTask named(String newName) {
        return new EvalTask(newName, file, layout, trainFile);
    }
}
