package rho4j.data;

import rho4j.util.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * Read-only view of a token store directory (tokens.bin, docs.bin, meta.json; see {@link TokenStoreWriter}).
 * tokens.bin is memory-mapped in 1 GiB chunks because one MappedByteBuffer is limited to 2 GiB;
 * document offsets are small (8 bytes a document) and are loaded onto the heap for fast binary search.
 * Safe for concurrent readers: only absolute gets are used, no buffer position is ever changed.
 */
public final class TokenStore implements AutoCloseable {
    static final String TOKENS = "tokens.bin";
    static final String DOCS = "docs.bin";
    static final String META = "meta.json";

    /** Bytes per mapped chunk: a power of two, so tokens (2 or 4 bytes) never straddle chunks. */
    static final int CHUNK_SHIFT = 30;

    private final Path dir;
    private final StoreMeta meta;
    private final long size;
    private final long[] docStarts;
    private final boolean wide;
    private final int tokensPerChunkShift;
    private final long tokenInChunkMask;
    private ShortBuffer[] shortChunks;
    private IntBuffer[] intChunks;

    private TokenStore(Path dir, StoreMeta meta, long[] docStarts, ByteBuffer[] chunks, int chunkShift) {
        this.dir = dir;
        this.meta = meta;
        this.size = meta.tokens();
        this.docStarts = docStarts;
        this.wide = meta.bytesPerToken() == 4;
        this.tokensPerChunkShift = chunkShift - (wide ? 2 : 1);
        this.tokenInChunkMask = (1L << tokensPerChunkShift) - 1;
        if (wide) {
            intChunks = Arrays.stream(chunks).map(ByteBuffer::asIntBuffer).toArray(IntBuffer[]::new);
        } else {
            shortChunks = Arrays.stream(chunks).map(ByteBuffer::asShortBuffer).toArray(ShortBuffer[]::new);
        }
    }

    /** Opens the store in {@code dir}, checking that the file sizes agree with meta.json. */
    public static TokenStore open(Path dir) throws IOException {
        return open(dir, CHUNK_SHIFT);
    }

    /** Tests pass a tiny chunk size to exercise reads across chunk boundaries without 2 GB files. */
    static TokenStore open(Path dir, int chunkShift) throws IOException {
        if (chunkShift < 3 || chunkShift > CHUNK_SHIFT) throw new IllegalArgumentException("chunkShift " + chunkShift);
        Path metaFile = dir.resolve(META);
        if (!Files.isRegularFile(metaFile)) {
            throw new NoSuchFileException(metaFile.toString(), null,
                    "no meta.json: " + dir + " is not a token store (make one with `rho prepare`)");
        }
        StoreMeta meta;
        try {
            meta = StoreMeta.fromJson(Files.readAllBytes(metaFile));
        } catch (IOException e) {
            throw new IOException(metaFile + ": unreadable meta.json (" + e.getMessage() + "); re-run `rho prepare`", e);
        }
        if (meta.format() != StoreMeta.FORMAT) {
            throw new IOException(metaFile + ": format " + meta.format() + " but this version reads format "
                    + StoreMeta.FORMAT + "; re-run `rho prepare` with this version");
        }
        int bpt;
        try {
            bpt = meta.bytesPerToken();
        } catch (IllegalStateException e) {
            throw new IOException(metaFile + ": " + e.getMessage());
        }
        Path tokensFile = requireFile(dir.resolve(TOKENS));
        Path docsFile = requireFile(dir.resolve(DOCS));
        long expectTokenBytes = meta.tokens() * bpt;
        long tokenBytes = Files.size(tokensFile);
        if (tokenBytes != expectTokenBytes) {
            throw new IOException(tokensFile + ": " + tokenBytes + " bytes but meta.json says " + meta.tokens()
                    + " " + meta.dtype() + " tokens (" + expectTokenBytes + " bytes); the store is truncated or"
                    + " corrupt, re-run `rho prepare`");
        }
        if (meta.eotId() < 0 || meta.eotId() >= meta.vocabSize()) // so the vocabulary is not empty either
            throw new IOException(metaFile + ": vocabSize " + meta.vocabSize() + " and eotId " + meta.eotId() + " do not fit; re-run `rho prepare`");
        long[] docStarts = readDocStarts(docsFile, meta);
        ByteBuffer[] chunks = mapChunks(tokensFile, tokenBytes, 1L << chunkShift);
        TokenStore store = new TokenStore(dir, meta, docStarts, chunks, chunkShift);
        store.checkIds(tokensFile);
        return store;
    }

    /**
     * Every id must be below meta.json's vocabulary: an id beyond it would index past the model's embedding (a native
     * crash or garbage, not an error). One pass over the mapped tokens, at memory speed.
     */
    private void checkIds(Path tokensFile) throws IOException {
        int v = meta.vocabSize();
        if (!wide && v >= 65536) return; // every uint16 fits
        int[] buf = new int[1 << 16];
        for (long i = 0; i < size; i += buf.length) {
            int n = (int) Math.min(buf.length, size - i);
            read(i, buf, 0, n);
            for (int k = 0; k < n; k++) {
                if (buf[k] >= v || buf[k] < 0)
                    throw new IOException(tokensFile + ": token " + (i + k) + " has id " + Integer.toUnsignedString(buf[k]) + ", outside the vocabulary of "
                            + v + " in meta.json; the store is corrupt or from another tokenizer, re-run `rho prepare`");
            }
        }
    }

    /**
     * Recomputes the SHA-256 of tokens.bin (streamed, once) and compares it with meta.json's; returns the bytes read.
     * Training calls it at the start, so a store changed after `rho prepare` is refused before it costs anything.
     */
    public long verifyChecksum() throws IOException {
        Path f = dir.resolve(TOKENS);
        if (meta.tokensSha256() == null) return 0;
        String actual = computeTokensSha256();
        if (!actual.equals(meta.tokensSha256()))
            throw new IOException(f + ": SHA-256 " + actual.substring(0, 12) + " differs from " + meta.tokensSha256().substring(0, Math.min(12, meta.tokensSha256().length()))
                    + " recorded in meta.json; the store changed or is corrupt, re-run `rho prepare`");
        return size * meta.bytesPerToken();
    }

    private static Path requireFile(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, "missing: the token store is incomplete, re-run `rho prepare`");
        }
        return f;
    }

    private static long[] readDocStarts(Path docsFile, StoreMeta meta) throws IOException {
        long expect = (meta.documents() + 1L) * Long.BYTES;
        long actual = Files.size(docsFile);
        if (actual != expect) {
            throw new IOException(docsFile + ": " + actual + " bytes but meta.json says " + meta.documents()
                    + " documents (" + expect + " bytes); re-run `rho prepare`");
        }
        long[] starts = new long[meta.documents() + 1];
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(docsFile, StandardOpenOption.READ)) {
            int n = 0;
            while (n < starts.length) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), (long) (starts.length - n) * Long.BYTES));
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) throw new IOException(docsFile + ": unexpected end of file");
                }
                buf.flip();
                while (buf.hasRemaining()) starts[n++] = buf.getLong();
            }
        }
        // Offsets must start at 0, never decrease and end at the token count, or docOf() would lie.
        if (starts[0] != 0 || starts[starts.length - 1] != meta.tokens()) {
            throw new IOException(docsFile + ": offsets run from " + starts[0] + " to " + starts[starts.length - 1]
                    + ", expected 0 to " + meta.tokens() + "; re-run `rho prepare`");
        }
        for (int d = 0; d < meta.documents(); d++) {
            if (starts[d + 1] < starts[d]) {
                throw new IOException(docsFile + ": offset of document " + (d + 1) + " is below that of document "
                        + d + "; re-run `rho prepare`");
            }
        }
        return starts;
    }

    private static ByteBuffer[] mapChunks(Path tokensFile, long bytes, long chunk) throws IOException {
        int n = (int) ((bytes + chunk - 1) / chunk);
        ByteBuffer[] chunks = new ByteBuffer[n];
        // The mapping stays valid after the channel is closed.
        try (FileChannel ch = FileChannel.open(tokensFile, StandardOpenOption.READ)) {
            for (int c = 0; c < n; c++) {
                long pos = c * chunk;
                chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(chunk, bytes - pos))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        return chunks;
    }

    /** Number of tokens, eot tokens included. */
    public long size() {
        return size;
    }

    public int get(long i) {
        Objects.checkIndex(i, size);
        int c = (int) (i >>> tokensPerChunkShift);
        int p = (int) (i & tokenInChunkMask);
        return wide ? intChunks[c].get(p) : Short.toUnsignedInt(shortChunks[c].get(p));
    }

    /** Copies tokens [start, start+len) into dst[off..off+len), using bulk gets on the mapped chunks. */
    public void read(long start, int[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        Objects.checkFromIndexSize(start, len, size);
        short[] scratch = wide ? null : new short[Math.min(len, 1 << 14)];
        long i = start;
        int o = off;
        int left = len;
        while (left > 0) {
            int c = (int) (i >>> tokensPerChunkShift);
            int p = (int) (i & tokenInChunkMask);
            int inChunk = (int) Math.min(left, (1L << tokensPerChunkShift) - p);
            if (wide) {
                intChunks[c].get(p, dst, o, inChunk);
            } else {
                for (int done = 0; done < inChunk; ) {
                    int n = Math.min(scratch.length, inChunk - done);
                    shortChunks[c].get(p + done, scratch, 0, n);
                    for (int k = 0; k < n; k++) dst[o + done + k] = scratch[k] & 0xFFFF;
                    done += n;
                }
            }
            i += inChunk;
            o += inChunk;
            left -= inChunk;
        }
    }

    public int numDocs() {
        return docStarts.length - 1;
    }

    /** Index of the first token of document {@code d}; {@code docStart(numDocs())} is {@link #size()}. */
    public long docStart(int d) {
        Objects.checkIndex(d, docStarts.length);
        return docStarts[d];
    }

    /** Number of tokens of document {@code d}, its eot included. */
    public long docLength(int d) {
        Objects.checkIndex(d, numDocs());
        return docStarts[d + 1] - docStarts[d];
    }

    /** The document that contains token {@code tokenIndex}. */
    public int docOf(long tokenIndex) {
        Objects.checkIndex(tokenIndex, size);
        // Last d with docStarts[d] <= tokenIndex; empty documents cannot occur (each has its eot).
        int lo = 0, hi = numDocs() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (docStarts[mid] <= tokenIndex) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    public StoreMeta meta() {
        return meta;
    }

    /** SHA-256 of tokens.bin as recorded in meta.json when it was written. */
    public String tokensSha256() {
        return meta.tokensSha256();
    }

    /** Recomputes the SHA-256 of tokens.bin from disk (reads the whole file) to detect corruption. */
    public String computeTokensSha256() throws IOException {
        return Hashing.sha256(dir.resolve(TOKENS));
    }

    public Path dir() {
        return dir;
    }

    /** Drops the mappings; the OS unmaps them once they are garbage (Java has no explicit unmap). */
    @Override
    public void close() {
        shortChunks = null;
        intChunks = null;
    }

    @Override
    public String toString() {
        return "TokenStore[" + dir + ", " + size + " tokens, " + numDocs() + " documents]";
    }
}
