package rho4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import rho4j.tokenize.TextEncoder;

/**
 * {@code rho prepare}: reads a corpus, tokenizes it and writes a token store (plus a holdout store).
 *
 * <p>The reading thread cuts documents into batches; batches are tokenized on a small pool and written
 * strictly in submission order, so the output is byte-identical for any thread count. At most
 * {@code 2 * threads} batches are in flight, so memory stays bounded whatever the corpus size.
 * With threads &gt; 1 the encoder's {@code encode} is called concurrently and must be thread-safe.
 */
public final class Prepare {
    static final int BATCH_DOCS = 256;
    static final int BATCH_CHARS = 1 << 20;
    static final long PROGRESS_NANOS = 3_000_000_000L;

    private Prepare() {}

    private record Batch(List<Document> docs, long firstOrdinal) {}

    private record Encoded(List<Document> docs, long firstOrdinal, int[][] ids) {}

    public static PrepareResult run(PrepareOptions opts, TextEncoder tok, Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        refuseOutputInsideInputs(opts);
        CorpusOptions c = opts.corpus();
        CorpusReader reader = new CorpusReader(opts.inputs(), c);
        boolean split = opts.holdoutFraction() > 0;
        ExecutorService pool = opts.threads() > 1 ? Executors.newFixedThreadPool(opts.threads(), r -> {
            Thread t = new Thread(r, "rho-prepare-tokenize");
            t.setDaemon(true); // never keeps the JVM alive after a failure
            return t;
        }) : null;
        // Documents framed as the tokenizer's model was trained: Llama's BOS before each, GPT-2's <|endoftext|> after.
        int[] prefix = tok.documentPrefix(), suffix = tok.documentSuffix();
        int eot = suffix.length > 0 ? suffix[suffix.length - 1] : tok.eosId() >= 0 ? tok.eosId() : prefix[0];
        try (TokenStoreWriter train = new TokenStoreWriter(opts.out(), tok.vocabSize(), eot, tok.hash(), prefix, suffix);
             // Nested in train's temp dir: it is published together with train by one rename.
             TokenStoreWriter holdout = split ? new TokenStoreWriter(train.tempDir().resolve("holdout"),
                     tok.vocabSize(), eot, tok.hash(), prefix, suffix) : null;
             CorpusReader.DocumentStream docs = reader.open()) {
            Progress prog = new Progress(progress, reader, train, holdout, t0);
            ArrayDeque<Future<Encoded>> pending = new ArrayDeque<>();
            List<Document> batch = new ArrayList<>();
            long batchChars = 0;
            long ordinal = 0;
            while (docs.hasNext()) {
                Document d = docs.next();
                batch.add(d);
                batchChars += d.text().length();
                if (batch.size() >= BATCH_DOCS || batchChars >= BATCH_CHARS) {
                    Batch b = new Batch(batch, ordinal);
                    ordinal += batch.size();
                    batch = new ArrayList<>();
                    batchChars = 0;
                    if (pool == null) {
                        write(encode(b, tok), opts, train, holdout);
                    } else {
                        pending.add(pool.submit(() -> encode(b, tok)));
                        while (pending.size() >= 2 * opts.threads()) write(await(pending.poll()), opts, train, holdout);
                    }
                    prog.maybeReport();
                }
            }
            if (!batch.isEmpty()) {
                Batch b = new Batch(batch, ordinal);
                if (pool == null) write(encode(b, tok), opts, train, holdout);
                else pending.add(pool.submit(() -> encode(b, tok)));
            }
            while (!pending.isEmpty()) write(await(pending.poll()), opts, train, holdout);

            List<StoreMeta.Source> sources = reader.sources().stream().map(SourceStats::toMeta).toList();
            StoreMeta holdoutMeta = holdout == null ? null : holdout.finish(provenance(opts, sources, "holdout"));
            StoreMeta trainMeta = train.finish(provenance(opts, sources, split ? "train" : "all"));
            double seconds = (System.nanoTime() - t0) / 1e9;
            PrepareResult result = new PrepareResult(opts.out(), trainMeta, holdoutMeta, sources, reader.bytesRead(), seconds);
            progress.accept(prog.line("done") + String.format(Locale.ROOT, " in %.1f s -> %s", seconds, opts.out())
                    + (split ? String.format(Locale.ROOT, " (train %,d docs, holdout %,d docs)",
                            trainMeta.documents(), holdoutMeta.documents()) : ""));
            return result;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (pool != null) pool.shutdownNow();
        }
    }

    /** A store inside an input folder would be read back as corpus text (its temp dir, or on the next run). */
    private static void refuseOutputInsideInputs(PrepareOptions opts) throws IOException {
        Path out = opts.out().toAbsolutePath().normalize();
        for (Path in : opts.inputs()) {
            Path abs = in.toAbsolutePath().normalize();
            if (Files.isDirectory(abs) && (out.startsWith(abs) || abs.startsWith(out))) {
                throw new IOException("--out " + opts.out() + " overlaps --input folder " + in
                        + "; write the store outside the input folders");
            }
        }
    }

    private static StoreMeta.Provenance provenance(PrepareOptions o, List<StoreMeta.Source> sources, String split) {
        CorpusOptions c = o.corpus();
        String field = c.template() == null ? c.effectiveField() : null;
        return new StoreMeta.Provenance(sources, c.template(), field, split, o.holdoutFraction(), o.seed());
    }

    private static Encoded encode(Batch b, TextEncoder tok) {
        int[][] ids = new int[b.docs().size()][];
        for (int k = 0; k < ids.length; k++) {
            Document d = b.docs().get(k);
            try {
                ids[k] = tok.encode(d.text());
            } catch (RuntimeException e) {
                throw new CorpusException(d.where() + ": the tokenizer failed on this document: " + e, e);
            }
        }
        return new Encoded(b.docs(), b.firstOrdinal(), ids);
    }

    private static Encoded await(Future<Encoded> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IOException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while tokenizing", e);
        }
    }

    private static void write(Encoded e, PrepareOptions o, TokenStoreWriter train, TokenStoreWriter holdout)
            throws IOException {
        for (int k = 0; k < e.ids().length; k++) {
            boolean held = holdout != null && HoldoutSplit.isHoldout(o.seed(), e.firstOrdinal() + k, o.holdoutFraction());
            (held ? holdout : train).addDocument(e.ids()[k]);
            e.ids()[k] = null; // let big documents go as soon as they are written
        }
    }

    /** Throttled progress lines: MB read, documents, tokens, MB/s. */
    private static final class Progress {
        private final Consumer<String> sink;
        private final CorpusReader reader;
        private final TokenStoreWriter train;
        private final TokenStoreWriter holdout;
        private final long t0;
        private long last;

        Progress(Consumer<String> sink, CorpusReader reader, TokenStoreWriter train, TokenStoreWriter holdout, long t0) {
            this.sink = sink;
            this.reader = reader;
            this.train = train;
            this.holdout = holdout;
            this.t0 = t0;
            this.last = t0;
        }

        void maybeReport() {
            long now = System.nanoTime();
            if (now - last >= PROGRESS_NANOS) {
                last = now;
                sink.accept(line("prepare"));
            }
        }

        String line(String label) {
            double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            double mb = reader.bytesRead() / 1e6;
            long docs = train.documents() + (holdout == null ? 0 : holdout.documents());
            long tokens = train.tokens() + (holdout == null ? 0 : holdout.tokens());
            return String.format(Locale.ROOT, "%s: %.1f MB read, %,d docs, %,d tokens, %.1f MB/s",
                    label, mb, docs, tokens, mb / secs);
        }
    }
}
