package rho4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import rho4j.data.TokenStore;
import rho4j.score.ReferenceScores;
import rho4j.score.ScoresCheck;
import rho4j.util.AtomicFiles;

/**
 * What `rho train` checks before it starts, kept out of TrainCommand: option ranges, the inputs' recorded checksums
 * and tokenizers, and an existing run at --out (refused unless --resume or --overwrite; with --overwrite the old run
 * is moved aside and deleted only once the new one has written its first checkpoint).
 */
final class TrainGuard {
    private TrainGuard() {}

    /** What the run specification cannot check alone (its ranges are TrainSpec.of's). */
    static void checkOptions(TrainCommand c) {
        if (c.resume && c.overwrite) throw new IllegalArgumentException("give --resume or --overwrite, not both");
    }

    static void checkDumpSteps(rho4j.train.TrainSpec spec) {
        for (int s : spec.dumpSteps()) Commands.between("--dump-steps", s, 1, spec.steps());
    }

    /**
     * Streams tokens.bin and the scores once to compare them with their recorded SHA-256 (and the scores' values with
     * what a loss can be), and checks that a reference run used the store's tokenizer.
     */
    static void verifyInputs(TokenStore train, ReferenceScores scores, Path referenceRun, Path run, boolean resume, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        long bytes = train.verifyChecksum();
        if (scores != null) bytes += ScoresCheck.verify(scores);
        Path ckpt = resume ? rho4j.train.Checkpoint.latest(run) : null;
        if (ckpt != null && Files.exists(ckpt.resolve("tokenizer.json")) && train.meta().tokenizerHash() != null
                && !rho4j.tokenize.ByteLevelBpe.load(ckpt.resolve("tokenizer.json")).hash().equals(train.meta().tokenizerHash()))
            throw new IllegalArgumentException("--resume: the run " + run + " was trained with another tokenizer (" + ckpt.resolve("tokenizer.json")
                    + ") than store " + train.dir() + " was tokenized with; resume on the run's own store");
        if (referenceRun != null) {
            Path tok = Commands.tokenizerOf(rho4j.model.ModelFiles.modelDir(referenceRun));
            String want = train.meta().tokenizerHash();
            if (tok != null && want != null && !rho4j.tokenize.ByteLevelBpe.load(tok).hash().equals(want))
                throw new IllegalArgumentException("--reference-run " + referenceRun + " was trained with another tokenizer (" + tok + ") than store "
                        + train.dir() + " was tokenized with; use a reference run trained on this tokenizer");
        }
        log.printf(Locale.ROOT, "rho train: checksums verified (%.0f MB in %.1f s)%n", bytes / 1e6, (System.nanoTime() - t0) / 1e9);
    }

    /** An existing run at --out: kept aside while a replacement starts, restored if that fails before its first checkpoint. */
    static final class Replacement implements AutoCloseable {
        private final Path run;
        private Path old;
        private final PrintStream log;

        private Replacement(Path run, Path old, PrintStream log) {
            this.run = run;
            this.old = old;
            this.log = log;
        }

        static Replacement begin(Path run, boolean resume, boolean overwrite, PrintStream log) throws IOException {
            if (resume || !Files.exists(run)) return new Replacement(run, null, log);
            if (!Files.isDirectory(run)) throw new IllegalArgumentException("--out " + run + " is a file, not a run folder");
            boolean empty;
            try (var s = Files.list(run)) {
                empty = s.findAny().isEmpty();
            }
            if (empty) return new Replacement(run, null, log);
            if (!overwrite)
                throw new IllegalArgumentException("--out " + run + " already holds a run; continue it with --resume, replace it with --overwrite,"
                        + " or choose another --out");
            Path aside = run.resolveSibling(run.getFileName() + ".replaced-" + ProcessHandle.current().pid());
            AtomicFiles.deleteTree(aside);
            Files.move(run, aside);
            log.println("rho train: the old run is kept in " + aside + " until the new run has written its first checkpoint");
            return new Replacement(run, aside, log);
        }

        /** The step after which the old run may go: the first checkpoint the trainer writes. */
        static int firstCheckpoint(int ckptEvery, int steps) { return ckptEvery > 0 ? Math.min(ckptEvery, steps) : steps; }

        boolean active() { return old != null; }

        /** The new run has a checkpoint: the old one is no longer needed. */
        void commit() throws IOException {
            if (old == null) return;
            AtomicFiles.deleteTree(old);
            log.println("rho train: deleted the replaced run " + old);
            old = null;
        }

        @Override
        public void close() throws IOException {
            if (old == null) return;
            if (Files.exists(run.resolve("latest"))) { // it got as far as a checkpoint after all
                commit();
                return;
            }
            AtomicFiles.deleteTree(run);
            Files.move(old, run);
            log.println("rho train: the new run stopped before its first checkpoint; restored the old run in " + run);
            old = null;
        }
    }
}
