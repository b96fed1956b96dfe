package rho4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import rho4j.data.CorpusOptions;
import rho4j.tokenize.HfTokenizer;

/** Small helpers shared by the subcommands. */
final class Commands {
    private Commands() {}

    /** Option range checks, where the options are parsed: {@code --name must be at least MIN, got V}. */
    /**
     * True in a single process and on rank 0 of a launched job: the one process that writes (and locks) an output
     * folder. Read from the torchrun variable, before any process group exists.
     */
    static boolean writer() {
        String r = System.getenv("RANK");
        return r == null || r.isBlank() || r.trim().equals("0");
    }

    static long atLeast(String option, long value, long min) {
        if (value < min) throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        return value;
    }

    static long between(String option, long value, long min, long max) {
        if (value < min || value > max) throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", got " + value);
        return value;
    }

    static double fraction(String option, double value, boolean zeroOk) {
        if (!(value <= 1 && (zeroOk ? value >= 0 : value > 0)))
            throw new IllegalArgumentException(option + " must be in " + (zeroOk ? "[0, 1]" : "(0, 1]") + ", got " + value);
        return value;
    }

    static double positive(String option, double value) {
        if (!(value > 0) || !Double.isFinite(value)) throw new IllegalArgumentException(option + " must be a positive number, got " + value);
        return value;
    }

    static CorpusOptions corpus(String field, String template, boolean skipBad) {
        if (field != null && template != null) throw new IllegalArgumentException("give --field or --template, not both");
        CorpusOptions c = CorpusOptions.defaults().withSkipBad(skipBad);
        if (template != null) c = c.withTemplate(template);
        if (field != null) c = c.withField(field);
        return c;
    }

    /** The tokenizer.json that travels with a store, a run or a model folder. */
    static Path tokenizerOf(Path dir) throws IOException {
        for (Path p : new Path[] {dir.resolve("tokenizer.json"), dir.resolve("model/tokenizer.json")})
            if (Files.exists(p)) return p;
        try {
            Path m = rho4j.model.ModelFiles.modelDir(dir).resolve("tokenizer.json");
            if (Files.exists(m)) return m;
        } catch (IOException ignored) {
        }
        return null;
    }

    /** Resolves --precision for a command's model and says on stderr which was chosen and why. */
    static rho4j.engine.Precision precision(String command, String option, rho4j.engine.Device device) {
        rho4j.engine.Precision.Choice c = rho4j.engine.Precision.choose(option, device);
        System.err.println("rho " + command + ": precision " + c);
        return c.precision();
    }

    /** A tokenizer.json named on the command line: "not found" rather than a bare path when it is missing. */
    static HfTokenizer tokenizerFile(String option, Path file) throws IOException {
        if (!Files.isRegularFile(file))
            throw new java.nio.file.NoSuchFileException(file.toString(), null, option + " file not found (make one with `rho tokenizer train`)");
        return HfTokenizer.load(file);
    }

    static HfTokenizer loadTokenizer(Path dir) throws IOException {
        Path p = tokenizerOf(dir);
        if (p == null) throw new IOException(dir + " has no tokenizer.json (prepare the store with `rho prepare --tokenizer T`, which copies it)");
        return HfTokenizer.load(p);
    }
}
