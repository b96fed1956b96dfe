package rho4j.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import rho4j.data.StoreMeta;
import rho4j.data.TokenStoreWriter;
import rho4j.demo.DemoData;
import rho4j.demo.NoiseKind;
import rho4j.demo.NoiseMask;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.util.AtomicFiles;

/**
 * The demo corpus store plus its ground truth: one byte per store position, the {@link NoiseKind} ordinal of that
 * token (majority kind of its chars), or {@link #EOT} for the end-of-text separators, which are neither noise nor
 * useful text. Selection dumps name store positions, so this array is all precision/recall need.
 */
final class NoiseKinds {
    static final String FILE = "noise_kinds.bin";
    static final byte EOT = (byte) 0xFF;
    private static final NoiseKind[] KINDS = NoiseKind.values();

    private final byte[] kinds;

    private NoiseKinds(byte[] kinds) {
        this.kinds = kinds;
    }

    /** Tokenizes noisy.jsonl into a store at {@code storeDir} and writes {@code kindsFile} beside it. */
    static StoreMeta writeStore(Path noisyJsonl, ByteLevelBpe tok, Path storeDir, Path kindsFile) throws IOException {
        List<DemoData.NoisyDoc> docs = DemoData.readNoisy(noisyJsonl);
        var bytes = new java.io.ByteArrayOutputStream();
        StoreMeta meta;
        try (TokenStoreWriter w = new TokenStoreWriter(storeDir, tok.vocabSize(), tok.eotId(), tok.hash())) {
            for (DemoData.NoisyDoc d : docs) {
                int[] ids = tok.encode(d.text());
                // ASCII text: a token's char length is its byte count.
                int[] ends = new int[ids.length];
                int pos = 0;
                for (int i = 0; i < ids.length; i++) ends[i] = pos += tok.bytesOf(ids[i]).length;
                if (pos != d.text().length()) throw new IllegalStateException(noisyJsonl + ": tokens cover " + pos
                        + " chars of a " + d.text().length() + "-char document; is the text not ASCII?");
                for (NoiseKind k : NoiseMask.tokenKinds(d.text(), d.spans(), ends)) bytes.write(k.ordinal());
                bytes.write(EOT);
                w.addDocument(ids);
            }
            meta = w.finish();
        }
        if (bytes.size() != meta.tokens()) throw new IllegalStateException("noise kinds " + bytes.size() + " != store tokens " + meta.tokens());
        AtomicFiles.write(kindsFile, t -> Files.write(t, bytes.toByteArray()));
        return meta;
    }

    static NoiseKinds read(Path file) throws IOException {
        return new NoiseKinds(Files.readAllBytes(file));
    }

    /** Kind at a store position; null for an end-of-text separator. */
    NoiseKind at(long position) {
        byte b = kinds[Math.toIntExact(position)];
        return b == EOT ? null : KINDS[b];
    }

    long size() {
        return kinds.length;
    }
}
