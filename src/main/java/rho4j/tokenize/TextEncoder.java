package rho4j.tokenize;

/**
 * What the rest of Rho4j needs from a tokenizer: text to ids and back, the special ids, and a hash
 * that identifies the exact vocabulary (token stores and reference scores record it).
 */
public interface TextEncoder {
    /** Ids of {@code text}; special-token strings inside text are encoded as ordinary text. */
    int[] encode(String text);

    /** Text of {@code ids}; invalid UTF-8 (a split multi-byte char) decodes with U+FFFD. */
    String decode(int[] ids);

    int vocabSize();

    /** Id of {@code <|endoftext|>}, appended after every document. */
    int eotId();

    /** Id of the padding token. */
    int padId();

    /** SHA-256 (hex) of the canonical tokenizer.json bytes: two tokenizers with the same hash encode identically. */
    String hash();
}
