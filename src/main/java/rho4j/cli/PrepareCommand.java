package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.data.Prepare;
import rho4j.data.PrepareOptions;
import rho4j.data.PrepareResult;
import rho4j.tokenize.HfTokenizer;

@Command(name = "prepare", mixinStandardHelpOptions = true, description = "Tokenize a corpus into a memory-mapped token store.")
final class PrepareCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "tokenizer.json") Path tokenizer;
    @Option(names = "--input", required = true, arity = "1..*", description = "JSONL, text, folders, .gz") List<Path> inputs;
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--field") String field;
    @Option(names = "--template", description = "e.g. '{question}\\n{answer}'") String template;
    @Option(names = "--paragraphs", description = "plain text: one document per blank-line paragraph") boolean paragraphs;
    @Option(names = "--holdout", defaultValue = "0", description = "fraction of documents for OUT/holdout") double holdout;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--skip-bad", description = "count and skip malformed lines") boolean skipBad;
    @Option(names = "--threads", defaultValue = "0", description = "tokenizing threads (0 = cores)") int threads;

    @Override
    public Integer call() throws Exception {
        Commands.fraction("--holdout", holdout, true);
        if (holdout >= 1) throw new IllegalArgumentException("--holdout must be below 1 (a fraction of the documents), got " + holdout);
        Commands.atLeast("--threads", threads, 0);
        HfTokenizer tok = Commands.tokenizerFile("--tokenizer", tokenizer);
        try (var lock = rho4j.util.FolderLock.acquire(out, "token store")) {
            StaleTemp.clean(out, System.err); // we hold the lock: any STORE.tmp-* is left over from a killed run
            return prepare(tok);
        }
    }

    private int prepare(HfTokenizer tok) throws Exception {
        PrepareOptions o = PrepareOptions.of(inputs, out).withCorpus(Commands.corpus(field, template, skipBad).withParagraphs(paragraphs))
                .withHoldout(holdout, seed);
        if (threads > 0) o = o.withThreads(threads);
        PrepareResult r = Prepare.run(o, tok, System.err::println);
        // The tokenizer travels with the store so training, scoring and generation find it.
        Files.copy(tokenizer, out.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        if (r.holdout() != null) Files.copy(tokenizer, o.holdoutDir().resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        // Its bos/eos/pad names travel too, so the store's copy loads with the same special ids.
        Path config = tokenizer.toAbsolutePath().resolveSibling("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            Files.copy(config, out.resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
            if (r.holdout() != null) Files.copy(config, o.holdoutDir().resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf("store %s: %d documents, %d tokens (%.1f MB/s)%s%n", out, r.train().documents(), r.train().tokens(), r.megabytesPerSecond(),
                r.holdout() == null ? "" : String.format("; holdout %s: %d documents, %d tokens", o.holdoutDir(), r.holdout().documents(), r.holdout().tokens()));
        return 0;
    }
}
