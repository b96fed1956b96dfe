package rho4j.data;

import rho4j.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Streams documents into a new token store. Everything goes to {@code <dir>.tmp-<random>} first;
 * {@link #finish} fsyncs it and renames it to {@code dir} (replacing an older store only then), so a
 * reader never sees a half-written store and a failed run leaves the previous one intact.
 *
 * <p>{@link #close()} without {@link #finish} discards the output: with try-with-resources an
 * exception thrown mid-way (a tokenizer bug, a full disk) can never publish a partial store.
 *
 * <p>Layout: tokens.bin little-endian uint16 (vocabSize &lt;= 65536) or uint32; docs.bin
 * little-endian int64 start offsets, numDocs + 1 of them, the last equal to the token count;
 * meta.json, see {@link StoreMeta}. Each document is framed here: by default it ends with the eot id; a
 * pretrained tokenizer's framing (Llama's BOS before each document, GPT-2's {@code <|endoftext|>} after it) is
 * given with {@link #TokenStoreWriter(Path, int, int, String, int[], int[])} and recorded in meta.json.
 */
public final class TokenStoreWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path dir;
    private final Path tmp;
    private final int vocabSize;
    private final int eotId;
    private final String tokenizerHash;
    private final int[] prefix;
    private final int[] suffix;
    private final String dtype;
    private final boolean wide;
    private final FileChannel tokensFile;
    private final FileChannel docsFile;
    private final WritableByteChannel tokensOut;
    private final WritableByteChannel docsOut;
    private final ByteBuffer tokenBuf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer docBuf = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final MessageDigest sha = Hashing.sha256();
    private long tokens;
    private long documents;
    private boolean done;

    /** Starts a store that will appear at {@code dir} when {@link #finish} succeeds. */
    public TokenStoreWriter(Path dir, int vocabSize, int eotId, String tokenizerHash) throws IOException {
        this(dir, vocabSize, eotId, tokenizerHash, new int[0], new int[] {eotId}, UnaryOperator.identity());
    }

    /** A store whose documents are written as {@code prefix ids suffix}. */
    public TokenStoreWriter(Path dir, int vocabSize, int eotId, String tokenizerHash, int[] prefix, int[] suffix) throws IOException {
        this(dir, vocabSize, eotId, tokenizerHash, prefix, suffix, UnaryOperator.identity());
    }

    TokenStoreWriter(Path dir, int vocabSize, int eotId, String tokenizerHash,
                     UnaryOperator<WritableByteChannel> wrap) throws IOException {
        this(dir, vocabSize, eotId, tokenizerHash, new int[0], new int[] {eotId}, wrap);
    }

    /** {@code wrap} lets tests put a failing channel (a simulated full disk) in front of both files. */
    private TokenStoreWriter(Path dir, int vocabSize, int eotId, String tokenizerHash, int[] prefix, int[] suffix,
                             UnaryOperator<WritableByteChannel> wrap) throws IOException {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        if (eotId < 0 || eotId >= vocabSize) {
            throw new IllegalArgumentException("eotId " + eotId + " outside the vocabulary [0, " + vocabSize + ")");
        }
        for (int id : concat(prefix, suffix)) {
            if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("document framing id " + id + " outside the vocabulary [0, " + vocabSize + ")");
        }
        if (prefix.length + suffix.length == 0) {
            throw new IllegalArgumentException("documents need a separator: give a BOS before or an end-of-text token after each");
        }
        this.prefix = prefix.clone();
        this.suffix = suffix.clone();
        this.dir = dir.toAbsolutePath().normalize();
        this.vocabSize = vocabSize;
        this.eotId = eotId;
        this.tokenizerHash = tokenizerHash;
        this.dtype = StoreMeta.dtypeFor(vocabSize);
        this.wide = StoreMeta.UINT32.equals(dtype);
        refuseToClobber(this.dir);
        Path parent = this.dir.getParent();
        this.tmp = parent.resolve(this.dir.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        FileChannel t = null, d = null;
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            t = FileChannel.open(tmp.resolve(TokenStore.TOKENS), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            d = FileChannel.open(tmp.resolve(TokenStore.DOCS), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            closeQuietly(t);
            closeQuietly(d);
            deleteTree(tmp);
            throw new IOException("cannot create token store at " + tmp + ": " + e, e);
        }
        this.tokensFile = t;
        this.docsFile = d;
        this.tokensOut = wrap.apply(t);
        this.docsOut = wrap.apply(d);
        docBuf.putLong(0L);
    }

    /** Publishing replaces {@code dir} wholesale, so it must be a token store, empty, or absent: never a user's folder. */
    private static void refuseToClobber(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " exists and is a file; choose another output path");
        }
        if (Files.isRegularFile(dir.resolve(TokenStore.META))) return;
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(dir + " exists, is not empty and is not a token store (no meta.json);"
                        + " refusing to replace it: choose another output path or remove it");
            }
        }
    }

    /** The temporary directory being written; another store may be nested in it (Prepare's holdout/). */
    public Path tempDir() {
        return tmp;
    }

    public Path dir() {
        return dir;
    }

    public long tokens() {
        return tokens;
    }

    public long documents() {
        return documents;
    }

    /** Appends one document (ids then eot). On an I/O error the temporary output is deleted. */
    public void addDocument(int[] ids) throws IOException {
        addDocument(ids, 0, ids.length);
    }

    public void addDocument(int[] ids, int off, int len) throws IOException {
        if (done) throw new IllegalStateException("token store " + dir + " is already finished or aborted");
        for (int k = off; k < off + len; k++) {
            int id = ids[k];
            // Out-of-range ids would silently wrap in uint16 and corrupt the store.
            if (id < 0 || id >= vocabSize) {
                abort();
                throw new IllegalArgumentException("document " + documents + ": token id " + id
                        + " outside the vocabulary [0, " + vocabSize + "); does the tokenizer match?");
            }
        }
        try {
            for (int id : prefix) putToken(id);
            for (int k = off; k < off + len; k++) putToken(ids[k]);
            for (int id : suffix) putToken(id);
            tokens += prefix.length + len + suffix.length;
            documents++;
            if (docBuf.remaining() < Long.BYTES) drain(docBuf, docsOut, null, TokenStore.DOCS);
            docBuf.putLong(tokens);
        } catch (IOException e) {
            abort();
            throw e;
        }
    }

    private void putToken(int id) throws IOException {
        if (tokenBuf.remaining() < 4) drain(tokenBuf, tokensOut, sha, TokenStore.TOKENS);
        if (wide) tokenBuf.putInt(id);
        else tokenBuf.putShort((short) id);
    }

    private void drain(ByteBuffer buf, WritableByteChannel out, MessageDigest md, String name) throws IOException {
        buf.flip();
        if (md != null) md.update(buf.duplicate()); // hash while writing: no second pass over the file
        try {
            while (buf.hasRemaining()) out.write(buf);
        } catch (IOException e) {
            throw new IOException("writing " + tmp.resolve(name) + " failed: " + e.getMessage()
                    + " (is the disk full? the previous store at " + dir + " is untouched)", e);
        }
        buf.clear();
    }

    /** Finishes a store without provenance (split "all"). */
    public StoreMeta finish() throws IOException {
        return finish(StoreMeta.Provenance.of("all"));
    }

    /**
     * Flushes, writes meta.json, fsyncs and atomically renames the temporary directory to the final one,
     * replacing any older store there. On failure the temporary output is deleted and the old store kept.
     */
    public StoreMeta finish(StoreMeta.Provenance p) throws IOException {
        if (done) throw new IllegalStateException("token store " + dir + " is already finished or aborted");
        if (documents > Integer.MAX_VALUE - 1) {
            abort();
            throw new IOException(dir + ": " + documents + " documents exceed the format's limit; split the corpus");
        }
        try {
            drain(tokenBuf, tokensOut, sha, TokenStore.TOKENS);
            drain(docBuf, docsOut, null, TokenStore.DOCS);
            tokensFile.force(true);
            docsFile.force(true);
            tokensFile.close();
            docsFile.close();
            StoreMeta meta = new StoreMeta(StoreMeta.FORMAT, dtype, tokens, (int) documents, vocabSize, eotId,
                    tokenizerHash, HexFormat.of().formatHex(sha.digest()), p.sources(), p.template(), p.field(),
                    p.split(), p.holdoutFraction(), p.seed(), legacyFraming() ? null : list(prefix), legacyFraming() ? null : list(suffix));
            writeSynced(tmp.resolve(TokenStore.META), meta.toJson());
            fsyncDir(tmp);
            publish();
            done = true;
            return meta;
        } catch (IOException | RuntimeException e) {
            abort();
            if (e instanceof IOException io && !String.valueOf(io.getMessage()).contains(tmp.toString())) {
                throw new IOException("finishing token store " + dir + " failed: " + e.getMessage()
                        + " (the previous store, if any, is untouched)", e);
            }
            throw e;
        }
    }

    /** Stores framed as before the fields existed keep a meta.json without them, byte for byte. */
    private boolean legacyFraming() {
        return prefix.length == 0 && suffix.length == 1 && suffix[0] == eotId;
    }

    private static java.util.List<Integer> list(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Swaps tmp into place: rename the old store aside, rename tmp in, then delete the old one. */
    private void publish() throws IOException {
        Path old = null;
        if (Files.exists(dir)) {
            old = dir.resolveSibling(dir.getFileName() + ".old-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            move(dir, old);
        }
        try {
            move(tmp, dir);
        } catch (IOException e) {
            if (old != null) move(old, dir); // put the previous store back
            throw e;
        }
        fsyncDir(dir.getParent());
        if (old != null) deleteTree(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Discards the output: closes and deletes the temporary directory. Idempotent. */
    public void abort() {
        if (done) return;
        done = true;
        closeQuietly(tokensFile);
        closeQuietly(docsFile);
        deleteTree(tmp);
    }

    /** Discards the output unless {@link #finish} succeeded (see the class comment for why). */
    @Override
    public void close() {
        abort();
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
    }

    /** Makes renames and new entries durable; not every OS can open a directory, so failures are ignored. */
    private static void fsyncDir(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // best effort (e.g. Windows)
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the original error matters more
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + "; remove it by hand", e);
        }
    }
}
