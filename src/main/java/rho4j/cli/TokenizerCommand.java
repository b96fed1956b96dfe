package rho4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.data.CorpusOptions;
import rho4j.data.CorpusReader;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.tokenize.TrainOptions;

@Command(name = "tokenizer", description = "Tokenizer tools.", subcommands = TokenizerCommand.Train.class, mixinStandardHelpOptions = true)
final class TokenizerCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a byte-level BPE and save it as a Hugging Face tokenizer.json.")
    static final class Train implements Callable<Integer> {
        /** 4 M ids: well above any real byte-level BPE (the largest common ones have 256 K) and still a uint32 store. */
        static final int MAX_VOCAB = 1 << 22;

        @Option(names = "--vocab-size", required = true, description = "vocabulary size including the special tokens") int vocab;
        @Option(names = "--input", required = true, arity = "1..*", description = "JSONL, text, folders, .gz") List<Path> inputs;
        @Option(names = "--out", required = true) Path out;
        @Option(names = "--field", description = "JSONL field (default text)") String field;
        @Option(names = "--template", description = "JSONL template such as '{question}\\n{answer}'") String template;
        @Option(names = "--skip-bad", description = "skip malformed lines instead of failing") boolean skipBad;
        @Option(names = "--min-pair-count", defaultValue = "2") int minPair;
        @Option(names = "--max-train-mb", defaultValue = "256", description = "count words over at most this many MB (characters) of text (default 256)")
        long maxTrainMb;

        /** Ends the corpus read once the sample is full. */
        private static final class SampleFull extends RuntimeException {
            SampleFull() { super(null, null, false, false); }
        }

        @Override
        public Integer call() throws Exception {
            Commands.between("--vocab-size", vocab, 260, MAX_VOCAB);
            Commands.atLeast("--min-pair-count", minPair, 1);
            CorpusOptions co = Commands.corpus(field, template, skipBad);
            Commands.atLeast("--max-train-mb", maxTrainMb, 1);
            // The texts are held while words are counted: memory grows with the input, so the count runs over the
            // first --max-train-mb of text (in input order, so the same inputs always give the same tokenizer).
            List<String> texts = new ArrayList<>();
            long budget = maxTrainMb << 20;
            long[] used = {0};
            try {
                new CorpusReader(inputs, co).forEach(d -> {
                    if (used[0] >= budget) throw new SampleFull();
                    texts.add(d.text());
                    used[0] += d.text().length();
                });
            } catch (SampleFull full) {
                System.err.printf("rho tokenizer train: counting over the first %d MB of text (%d documents); raise --max-train-mb to use more%n",
                        maxTrainMb, texts.size());
            }
            long t0 = System.nanoTime();
            ByteLevelBpe bpe = ByteLevelBpe.train(texts.iterator(), vocab, TrainOptions.defaults().withMinPairCount(minPair).withProgress(System.err::println));
            bpe.save(out);
            System.out.printf("tokenizer: %d ids (eot %d, pad %d) from %d documents in %.1fs -> %s (sha256 %s)%n", bpe.vocabSize(), bpe.eotId(), bpe.padId(),
                    texts.size(), (System.nanoTime() - t0) / 1e9, out, bpe.hash().substring(0, 12));
            return 0;
        }
    }
}
