package rho4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Human-readable summary of a token store, for {@code rho info}. */
public final class StoreInfo {
    private StoreInfo() {}

    /** Summary of the store in {@code dir} and, when present, of its {@code holdout/} store. */
    public static String describe(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (TokenStore s = TokenStore.open(dir)) {
            sb.append(describe(s));
        }
        Path holdout = dir.resolve("holdout");
        if (Files.isRegularFile(holdout.resolve(TokenStore.META))) {
            try (TokenStore h = TokenStore.open(holdout)) {
                sb.append('\n').append(describe(h));
            }
        }
        return sb.toString();
    }

    public static String describe(TokenStore s) {
        StoreMeta m = s.meta();
        StringBuilder sb = new StringBuilder();
        line(sb, "store", s.dir().toString());
        line(sb, "split", m.split() + (m.holdoutFraction() > 0
                ? String.format(Locale.ROOT, " (holdout fraction %s, seed %d)", m.holdoutFraction(), m.seed()) : ""));
        line(sb, "tokens", String.format(Locale.ROOT, "%,d (%s, %s on disk)", m.tokens(), m.dtype(),
                humanBytes(m.tokens() * m.bytesPerToken())));
        line(sb, "documents", String.format(Locale.ROOT, "%,d (%.1f tokens per document, separators included)",
                m.documents(), m.documents() == 0 ? 0.0 : (double) m.tokens() / m.documents()));
        line(sb, "vocabulary", String.format(Locale.ROOT, "%,d, eot id %d", m.vocabSize(), m.eotId()));
        line(sb, "documents as", "ids " + m.prefixIds() + " + text + ids " + m.suffixIds());
        line(sb, "tokenizer", m.tokenizerHash());
        line(sb, "tokens sha256", m.tokensSha256());
        if (m.template() != null) line(sb, "template", m.template());
        if (m.field() != null) line(sb, "field", m.field());
        line(sb, "sources", Integer.toString(m.sources().size()));
        for (StoreMeta.Source src : m.sources()) {
            sb.append(String.format(Locale.ROOT, "  %s: %,d documents, %,d lines, %,d skipped, %s%n",
                    src.path(), src.documents(), src.lines(), src.skipped(), humanBytes(src.bytes())));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-14s %s%n", key + ":", value));
    }

    static String humanBytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        do {
            v /= 1024;
            u++;
        } while (v >= 1024 && u < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
