package rho4j.score;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import rho4j.data.TokenStore;
import rho4j.util.Json;

/**
 * Stored reference losses L_ref(x_i) = -log P_ref(x_i | x_&lt;i), one little-endian float32 per token of a token store,
 * aligned token for token (index i scores token i given the tokens before it in its training window; token 0 and any
 * token without context are NaN). Optional ref_entropy.f32 holds the reference model's predictive entropy at the
 * same positions. scores.json binds the files to the exact tokens, tokenizer and reference checkpoint.
 */
public final class ReferenceScores implements AutoCloseable {
    public static final String LOSS_FILE = "ref_loss.f32", ENTROPY_FILE = "ref_entropy.f32", META_FILE = "scores.json";
    /** Written while scoring runs, removed when scores.json is: its presence means an interrupted scoring run. */
    public static final String PROGRESS_FILE = "progress.json";

    public record Meta(int format, long tokens, int contextLength, String storeTokensSha256, String tokenizerHash,
                       String referenceModel, String referenceModelSha256, boolean hasEntropy, String lossSha256,
                       double meanLoss, String precision) {
        /** How the reference model computed the scores (the scores themselves are fp32 either way); older files: fp32. */
        public String precision() { return precision == null ? "fp32" : precision; }
    }

    private final Path dir;
    private final Meta meta;
    private final FileChannel loss, entropy;

    private ReferenceScores(Path dir, Meta meta) throws IOException {
        this.dir = dir;
        this.meta = meta;
        this.loss = FileChannel.open(dir.resolve(LOSS_FILE), StandardOpenOption.READ);
        this.entropy = meta.hasEntropy() ? FileChannel.open(dir.resolve(ENTROPY_FILE), StandardOpenOption.READ) : null;
        if (loss.size() != meta.tokens() * 4)
            throw new IOException(dir.resolve(LOSS_FILE) + ": " + loss.size() + " bytes, but " + META_FILE + " says " + meta.tokens() + " tokens (4 bytes each)");
    }

    public static ReferenceScores open(Path dir) throws IOException {
        Path m = dir.resolve(META_FILE);
        if (!Files.exists(m)) {
            String hint = Files.exists(dir.resolve(PROGRESS_FILE)) ? " (scoring was interrupted: rerun `rho score` with the same arguments to finish it)"
                    : " (compute scores with `rho score --run REF_RUN --data STORE --out " + dir + "`)";
            throw new IOException(dir + " holds no complete reference scores: " + META_FILE + " is missing" + hint);
        }
        return new ReferenceScores(dir, Json.read(m, Meta.class, "rerun `rho score` into this folder to rewrite it"));
    }

    public Meta meta() { return meta; }

    public Path dir() { return dir; }

    public boolean hasEntropy() { return meta.hasEntropy(); }

    /**
     * Refuses scores that belong to other tokens: a different store, tokenizer, or window packing would silently
     * pair each token with another token's reference loss.
     */
    public void verifyFor(TokenStore store, int contextLength) {
        String where = "reference scores " + dir + " do not belong to token store " + store.dir() + ": ";
        String fix = "; rerun `rho score --data " + store.dir() + "` with the reference run";
        if (!meta.tokenizerHash().equals(store.meta().tokenizerHash()))
            throw new IllegalArgumentException(where + "they were computed with tokenizer " + abbrev(meta.tokenizerHash())
                    + " but the store was tokenized with " + abbrev(store.meta().tokenizerHash()) + fix);
        if (meta.tokens() != store.size() || !meta.storeTokensSha256().equals(store.tokensSha256()))
            throw new IllegalArgumentException(where + "they cover " + meta.tokens() + " tokens with checksum " + abbrev(meta.storeTokensSha256())
                    + ", the store has " + store.size() + " tokens with checksum " + abbrev(store.tokensSha256()) + fix);
        if (meta.contextLength() != contextLength)
            throw new IllegalArgumentException(where + "they were scored with windows of " + meta.contextLength()
                    + " tokens but training uses " + contextLength + ", so each token would see another context" + fix + " and --context " + contextLength);
    }

    private static String abbrev(String h) { return h == null ? "(none)" : h.length() > 12 ? h.substring(0, 12) : h; }

    public void readLoss(long start, float[] dst, int off, int len) throws IOException { read(loss, start, dst, off, len); }

    public void readEntropy(long start, float[] dst, int off, int len) throws IOException {
        if (entropy == null) throw new IOException(dir + " has no entropy scores: rerun `rho score` with --entropy");
        read(entropy, start, dst, off, len);
    }

    private static void read(FileChannel ch, long start, float[] dst, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len * 4).order(ByteOrder.LITTLE_ENDIAN);
        long pos = start * 4;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) throw new IOException("reference scores end before token " + (start + len));
        }
        b.flip().asFloatBuffer().get(dst, off, len);
    }

    @Override
    public void close() throws IOException {
        loss.close();
        if (entropy != null) entropy.close();
    }
}
