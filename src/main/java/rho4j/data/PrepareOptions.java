package rho4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Options of {@code rho prepare}.
 *
 * @param inputs          files and folders to read (see {@link CorpusReader})
 * @param out             store directory; with holdout &gt; 0 the holdout store goes to {@code out/holdout}
 * @param corpus          how files become documents (field/template, paragraphs, skip-bad)
 * @param holdoutFraction fraction of documents held out, in [0, 1)
 * @param seed            seed of the holdout choice
 * @param threads         tokenizer threads (1 = tokenize on the reading thread); output order never depends on it
 */
public record PrepareOptions(List<Path> inputs, Path out, CorpusOptions corpus, double holdoutFraction,
                             long seed, int threads) {
    public static final double DEFAULT_HOLDOUT = 0.0;
    public static final long DEFAULT_SEED = 1;

    public PrepareOptions {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) throw new IllegalArgumentException("give at least one --input");
        if (out == null) throw new IllegalArgumentException("give --out");
        if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("--holdout must be in [0, 1), got " + holdoutFraction);
        }
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }

    /** Defaults: field "text", no holdout, seed 1, one tokenizer thread per core. */
    public static PrepareOptions of(List<Path> inputs, Path out) {
        return new PrepareOptions(inputs, out, CorpusOptions.defaults(), DEFAULT_HOLDOUT, DEFAULT_SEED,
                Runtime.getRuntime().availableProcessors());
    }

    public PrepareOptions withCorpus(CorpusOptions c) {
        return new PrepareOptions(inputs, out, c, holdoutFraction, seed, threads);
    }

    public PrepareOptions withHoldout(double fraction, long s) {
        return new PrepareOptions(inputs, out, corpus, fraction, s, threads);
    }

    public PrepareOptions withThreads(int t) {
        return new PrepareOptions(inputs, out, corpus, holdoutFraction, seed, t);
    }

    /** Where the holdout store goes. */
    public Path holdoutDir() {
        return out.resolve("holdout");
    }
}
