package rho4j.score;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import rho4j.util.Hashing;

/**
 * Verifies stored reference scores before training trusts them: ref_loss.f32 against the {@code lossSha256} of
 * scores.json, and every value against what a loss or an entropy can be (finite, not negative; only token 0, which has
 * no context, is NaN). One streamed pass per file.
 */
public final class ScoresCheck {
    /** Cross-entropy and entropy are >= 0; float rounding of log-sum-exp can dip a hair below. */
    static final float MIN_VALUE = -1e-3f;

    private ScoresCheck() {}

    /** Throws a one-line IOException naming the file and the first bad token; returns the bytes read. */
    public static long verify(ReferenceScores s) throws IOException {
        String want = s.meta().lossSha256();
        long bytes = scan(s.dir().resolve(ReferenceScores.LOSS_FILE), "reference loss", want);
        if (s.hasEntropy()) bytes += scan(s.dir().resolve(ReferenceScores.ENTROPY_FILE), "reference entropy", null);
        return bytes;
    }

    private static long scan(Path file, String what, String sha256) throws IOException {
        MessageDigest d = Hashing.sha256();
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long index = 0, bytes = 0;
        String fix = "; the scores are corrupt or were edited: rerun `rho score` into a new folder";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n; (n = ch.read(b)) >= 0 || b.position() > 0; ) {
                b.flip();
                d.update(b.array(), 0, b.limit() - b.limit() % 4);
                bytes += b.limit() - b.limit() % 4;
                while (b.remaining() >= 4) {
                    float f = b.getFloat();
                    if (index > 0 && !(f >= MIN_VALUE && f <= Float.MAX_VALUE))
                        throw new IOException(file + ": token " + index + " has " + what + " " + f + ", which no model gives" + fix);
                    index++;
                }
                if (n < 0 && b.remaining() > 0) throw new IOException(file + ": length is not a multiple of 4 bytes" + fix);
                b.compact();
                if (n < 0) break;
            }
        }
        if (sha256 != null) {
            String actual = HexFormat.of().formatHex(d.digest());
            if (!actual.equals(sha256))
                throw new IOException(file + ": SHA-256 " + actual.substring(0, 12) + " differs from the lossSha256 recorded in "
                        + ReferenceScores.META_FILE + fix);
        }
        return bytes;
    }
}
