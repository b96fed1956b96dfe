package rho4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import rho4j.data.TokenStore;
import rho4j.tokenize.ByteLevelBpe;
import rho4j.util.Hashing;

/** Checks for {@code rho train --init-from}: the store must have been tokenized with the model folder's tokenizer. */
final class InitFrom {
    private InitFrom() {}

    /** The model folder's tokenizer.json, after checking its hash against the one the store recorded. */
    static Path checkTokenizer(Path modelDir, TokenStore store, Path storeDir) throws IOException {
        Path tok = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tok))
            throw new IllegalArgumentException(modelDir + " has no tokenizer.json: --init-from needs the model's tokenizer, which its store must be prepared with");
        String h = tokenizerHash(tok);
        if (!h.equals(store.meta().tokenizerHash()))
            throw new IllegalArgumentException(storeDir.resolve("meta.json") + ": the store was tokenized with tokenizer " + abbrev(store.meta().tokenizerHash())
                    + ", not with " + tok + " (" + abbrev(h) + "); prepare it with `rho prepare --tokenizer " + tok + "`");
        return tok;
    }

    /**
     * The hash a store records for a tokenizer file: that of its canonical form when Rho4j's byte-level reader takes
     * it (what `rho prepare` records), else of its bytes (the rule the stores of other tokenizers follow).
     */
    static String tokenizerHash(Path tokenizerJson) throws IOException {
        byte[] json = Files.readAllBytes(tokenizerJson);
        try {
            return ByteLevelBpe.load(tokenizerJson).hash();
        } catch (IOException | RuntimeException notByteLevel) {
            return Hashing.sha256(new String(json, StandardCharsets.UTF_8));
        }
    }

    private static String abbrev(String h) { return h == null ? "(none)" : h.substring(0, Math.min(12, h.length())); }
}
