package rho4j.score;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import rho4j.data.TokenStore;
import rho4j.engine.Distributed;
import rho4j.engine.Engine;
import rho4j.model.Llama;
import rho4j.train.WindowSampler;
import rho4j.util.Hashing;
import rho4j.util.Json;

/**
 * Computes {@link ReferenceScores} for a token store with a reference model, using the trainer's packing
 * (non-overlapping windows of T+1 tokens), so a token's stored loss is the loss the trainer would see for it with the
 * reference weights. Streams window by window, resumes after a kill from progress.json, and writes scores.json (the
 * completion marker with the checksums) last.
 */
public final class Scorer {
    public record Identity(long tokens, int contextLength, String storeTokensSha256, String tokenizerHash, String referenceModel,
                           String referenceModelSha256, boolean hasEntropy, String precision) {}

    public record Progress(Identity identity, long windowsDone) {}

    public record Result(long tokens, long scored, double meanLoss, double tokensPerSecond, boolean resumed) {}

    private Scorer() {}

    /**
     * @param referenceModelDir folder of the reference model (its model.safetensors is hashed into the binding)
     * @param batch             windows per forward pass
     */
    public static Result run(Llama ref, Path referenceModelDir, TokenStore store, Path out, int batch, boolean entropy, PrintStream log)
            throws IOException {
        return run(ref, referenceModelDir, store, out, batch, entropy, log, Long.MAX_VALUE);
    }

    /** As {@link #run}, but stops like a killed process once {@code stopAfter} windows are done (tests of resuming); returns null then. */
    static Result run(Llama ref, Path referenceModelDir, TokenStore store, Path out, int batch, boolean entropy, PrintStream log, long stopAfter)
            throws IOException {
        return run(ref, referenceModelDir, store, out, batch, entropy, log, stopAfter, Distributed.get(ref.device.isCuda()));
    }

    /**
     * Under WORLD_SIZE > 1 the windows are dealt out in the batches a one-process run makes (batch k goes to rank k mod
     * world), so every forward pass is the one a single process would run and the files are the same bytes; rank 0
     * gathers each round's losses, writes every file and the progress marker, which stays a prefix of windows: a kill
     * of any rank resumes, with any number of ranks.
     */
    static Result run(Llama ref, Path referenceModelDir, TokenStore store, Path out, int batch, boolean entropy, PrintStream log, long stopAfter,
                      Distributed dist) throws IOException {
        Engine.init();
        int T = ref.cfg.contextLength();
        if (store.meta().vocabSize() > ref.cfg.vocabSize())
            throw new IllegalArgumentException("store " + store.dir() + " has vocabulary " + store.meta().vocabSize() + ", larger than the reference model's " + ref.cfg.vocabSize()
                    + ": was it tokenized with another tokenizer?");
        Identity id = new Identity(store.size(), T, store.tokensSha256(), store.meta().tokenizerHash(), referenceModelDir.toString(),
                rho4j.model.ModelFiles.weightsHash(referenceModelDir), entropy, ref.precision().id);
        boolean leader = dist.leader();
        dist.agree("scoring inputs", Hashing.sha256(id.tokens() + "/" + T + "/" + id.storeTokensSha256() + "/" + id.referenceModelSha256() + "/" + entropy
                + "/batch " + batch + "/" + ref.precision().id)); // the data and the model, not their paths, which may differ between nodes
        Path meta = out.resolve(ReferenceScores.META_FILE), progress = out.resolve(ReferenceScores.PROGRESS_FILE);
        long windows = WindowSampler.numWindows(store.size(), T), done = 0;
        boolean resumed = false;
        if (leader) {
            Files.createDirectories(out);
            if (Files.exists(meta)) {
                ReferenceScores.Meta m = Json.read(meta, ReferenceScores.Meta.class, "delete it and rerun `rho score`");
                if (m.storeTokensSha256().equals(id.storeTokensSha256()) && m.referenceModelSha256().equals(id.referenceModelSha256())
                        && m.contextLength() == T && (m.hasEntropy() || !entropy) && id.precision().equals(m.precision() == null ? "fp32" : m.precision())) { // scores.json before precision was recorded: fp32
                    log.println("rho: " + out + " already holds complete scores for this store and reference model");
                    dist.broadcast(-1, 0);
                    return new Result(m.tokens(), m.tokens(), m.meanLoss(), 0, true);
                }
                Files.delete(meta); // other inputs: the old scores are replaced
            }
            if (Files.exists(progress)) {
                Progress p = Json.read(progress, Progress.class, "delete it to score from the start");
                if (p.identity().equals(id)) {
                    done = p.windowsDone();
                    resumed = true;
                    log.printf("rho: resuming scoring at window %d of %d%n", done, windows);
                }
            }
        }
        done = dist.broadcast(done, 0);
        if (done < 0) return new Result(store.size(), 0, Double.NaN, 0, true); // rank 0 found complete scores
        resumed = done > 0 || resumed;
        Path lossFile = out.resolve(ReferenceScores.LOSS_FILE), entFile = out.resolve(ReferenceScores.ENTROPY_FILE);
        if (leader && !resumed) {
            fillNaN(lossFile, store.size());
            if (entropy) fillNaN(entFile, store.size());
            else Files.deleteIfExists(entFile);
            Json.write(progress, new Progress(id, 0));
        }
        int world = dist.world(), rank = dist.rank();
        long t0 = System.nanoTime(), lastSave = t0, scoredNow = 0;
        try (FileChannel lc = leader ? FileChannel.open(lossFile, StandardOpenOption.WRITE) : null;
             FileChannel ec = leader && entropy ? FileChannel.open(entFile, StandardOpenOption.WRITE) : null;
             Engine.Scope ng = Engine.noGrad()) {
            for (long round0 = done; round0 < windows; ) { // one round: world consecutive batches, one per rank
                long w0 = round0 + (long) rank * batch;
                int c = (int) Math.max(0, Math.min(batch, windows - w0));
                float[] mine = new float[0];
                if (c > 0) {
                    float[][] le = new float[2][];
                    WindowLosses.run(ref, store, w0, w0 + c, c, entropy, (first, count, loss, ent) -> { // this rank's batch of the round
                        le[0] = loss;
                        le[1] = ent;
                        return true;
                    });
                    mine = entropy ? concat(le[0], le[1]) : le[0];
                }
                float[][] parts = dist.allgatherParts(mine);
                long roundEnd = Math.min(windows, round0 + (long) world * batch);
                if (leader) {
                    for (int r = 0; r < world; r++) {
                        int n = parts[r].length / (entropy ? 2 : 1);
                        long rw0 = round0 + (long) r * batch;
                        writeFloats(lc, rw0 * T + 1, parts[r], 0, n);
                        if (entropy) writeFloats(ec, rw0 * T + 1, parts[r], n, n);
                    }
                }
                scoredNow += (long) c * T;
                round0 = roundEnd;
                long now = System.nanoTime();
                boolean killed = round0 >= stopAfter && round0 < windows;
                if (leader && (now - lastSave > 20e9 || round0 == windows || killed)) { // data first, then the progress marker that vouches for it
                    lc.force(false);
                    if (ec != null) ec.force(false);
                    Json.write(progress, new Progress(id, round0));
                    double rate = (round0 - done) * (double) T / ((now - t0) / 1e9);
                    log.printf("score: %d/%d windows | %.0f tok/s | ETA %.0fs%n", round0, windows, rate, (windows - round0) * (double) T / rate);
                    lastSave = now;
                }
                if (killed) return null;
                if (rho4j.util.Interrupt.pending() != null) { // progress.json above was written on this pass: resume continues here
                    if (leader && now != lastSave) {
                        lc.force(false);
                        if (ec != null) ec.force(false);
                        Json.write(progress, new Progress(id, round0));
                    }
                    throw rho4j.util.Interrupt.stopped("scoring saved at window " + round0 + " of " + windows + " in " + out
                            + "; rerun the same `rho score` to continue");
                }
            }
            if (!leader) return new Result(store.size(), scoredNow, Double.NaN, scoredNow / ((System.nanoTime() - t0) / 1e9), resumed);
            // The tail after the last full window: one shorter window, so every token but the first has a score.
            long tailStart = windows * T, tailLen = store.size() - 1 - tailStart;
            if (tailLen >= 1) {
                int n = (int) tailLen;
                int[] tb = new int[n + 1];
                store.read(tailStart, tb, 0, n + 1);
                int[] x = java.util.Arrays.copyOfRange(tb, 0, n), y = java.util.Arrays.copyOfRange(tb, 1, n + 1);
                float[][] le = forward(ref, x, y, 1, n, entropy);
                writeFloats(lc, tailStart + 1, le[0], 0, n);
                if (entropy) writeFloats(ec, tailStart + 1, le[1], 0, n);
                scoredNow += n;
            }
            lc.force(true);
            if (ec != null) ec.force(true);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double mean = meanFinite(lossFile);
        ReferenceScores.Meta m = new ReferenceScores.Meta(1, store.size(), T, id.storeTokensSha256(), id.tokenizerHash(), id.referenceModel(),
                id.referenceModelSha256(), entropy, Hashing.sha256(lossFile), mean, id.precision());
        Json.write(meta, m);
        Files.deleteIfExists(progress);
        return new Result(store.size(), scoredNow, mean, scoredNow / secs, resumed);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] o = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    /** Per-token losses (and entropies) of x -> y, shaped (c, T), as flat arrays: the head and the loss fused in chunks. */
    private static float[][] forward(Llama ref, int[] x, int[] y, int c, int T, boolean entropy) {
        try (Engine.Scope ng = Engine.noGrad(); Engine.Scope scope = Engine.stepScope()) {
            return ref.scoreTokens(x, y, c, T, entropy);
        }
    }

    private static void writeFloats(FileChannel ch, long tokenIndex, float[] src, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(src, off, len);
        long pos = tokenIndex * 4;
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }

    private static void fillNaN(Path file, long tokens) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        while (chunk.hasRemaining()) chunk.putFloat(Float.NaN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long bytes = tokens * 4;
            for (long pos = 0; pos < bytes; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), bytes - pos));
                while (chunk.hasRemaining()) pos += ch.write(chunk, pos);
            }
        }
    }

    private static double meanFinite(Path file) throws IOException {
        double sum = 0;
        long n = 0;
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(b) > 0 || b.position() > 0) {
                b.flip();
                while (b.remaining() >= 4) {
                    float f = b.getFloat();
                    if (Float.isFinite(f)) { sum += f; n++; }
                }
                b.compact();
                if (ch.position() >= ch.size() && b.position() < 4) break;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
