package rho4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import rho4j.data.CorpusOptions;
import rho4j.tokenize.ByteLevelBpe;

/** Small helpers shared by the subcommands. */
final class Commands {
    private Commands() {}

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

    static ByteLevelBpe loadTokenizer(Path dir) throws IOException {
        Path p = tokenizerOf(dir);
        if (p == null) throw new IOException(dir + " has no tokenizer.json (prepare the store with `rho prepare --tokenizer T`, which copies it)");
        return ByteLevelBpe.load(p);
    }
}
