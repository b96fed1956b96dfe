package rho4j.tokenize;

/**
 * What the rest of Rho4j needs from a tokenizer: text to ids and back, the special ids, and a hash
 * that identifies the exact vocabulary (token stores and reference scores record it).
 */
public interface TextEncoder {
    /** Ids of {@code text}, without the post-processor's BOS/EOS (see {@link HfTokenizer#encode(String, boolean)}). */
    int[] encode(String text);

    /** With {@code addSpecialTokens}, the tokenizer's template (e.g. a BOS) around the ids; files Rho4j trains add nothing. */
    default int[] encode(String text, boolean addSpecialTokens) {
        return encode(text);
    }

    /** Id of the token spelled {@code token}, or -1. */
    default int tokenId(String token) {
        return -1;
    }

    /** Beginning-of-sequence id, or -1 when the tokenizer has none. */
    default int bosId() {
        return -1;
    }

    /** End-of-sequence id, or -1 when the tokenizer has none. */
    default int eosId() {
        return eotId();
    }

    /** Ids a token store puts before each document (the BOS of Llama-style tokenizers); empty by default. */
    default int[] documentPrefix() {
        return new int[0];
    }

    /** Ids a token store puts after each document: {@code <|endoftext|>} unless the tokenizer frames documents otherwise. */
    default int[] documentSuffix() {
        return new int[] {eotId()};
    }

    /** Text of {@code ids}; invalid UTF-8 (a split multi-byte char) decodes with U+FFFD. */
    String decode(int[] ids);

    int vocabSize();

    /** Id of the end-of-text token: {@code <|endoftext|>}, {@code </s>}, ...; generation stops there. */
    int eotId();

    /** Id of the padding token. */
    int padId();

    /** SHA-256 (hex) of the canonical tokenizer.json bytes: two tokenizers with the same hash encode identically. */
    String hash();
}
