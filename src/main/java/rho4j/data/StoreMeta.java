package rho4j.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;

/**
 * Contents of a token store's {@code meta.json}: what the two binary files hold and how they were made.
 *
 * @param format         layout version, {@link #FORMAT}
 * @param dtype          {@code "uint16"} or {@code "uint32"}: element type of tokens.bin (little-endian)
 * @param tokens         number of tokens in tokens.bin, eot tokens included
 * @param documents      number of documents; docs.bin holds documents + 1 int64 offsets
 * @param tokensSha256   SHA-256 (hex) of the bytes of tokens.bin
 * @param sources        per-input statistics of the corpus the store was prepared from
 * @param template       JSONL template used, or null
 * @param field          JSONL field used, or null
 * @param split          {@code "train"}, {@code "holdout"} or {@code "all"}
 * @param documentPrefix ids before each document (a pretrained tokenizer's BOS); null (absent) = none
 * @param documentSuffix ids after each document; null (absent, every store written before this field) = [eotId]
 */
@JsonPropertyOrder({"format", "dtype", "tokens", "documents", "vocabSize", "eotId", "tokenizerHash",
        "tokensSha256", "sources", "template", "field", "split", "holdoutFraction", "seed", "documentPrefix", "documentSuffix"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoreMeta(int format, String dtype, long tokens, int documents, int vocabSize, int eotId,
                        String tokenizerHash, String tokensSha256, List<Source> sources, String template,
                        String field, String split, double holdoutFraction, long seed,
                        List<Integer> documentPrefix, List<Integer> documentSuffix) {

    public static final int FORMAT = 1;
    public static final String UINT16 = "uint16";
    public static final String UINT32 = "uint32";

    /** Statistics of one input file (a folder contributes one entry per file). */
    @JsonPropertyOrder({"path", "bytes", "lines", "documents", "skipped"})
    public record Source(String path, long bytes, long lines, long documents, long skipped) {}

    /** How the documents were chosen: everything in meta.json that the writer itself cannot know. */
    public record Provenance(List<Source> sources, String template, String field, String split,
                             double holdoutFraction, long seed) {
        public static Provenance of(String split) {
            return new Provenance(List.of(), null, null, split, 0, 0);
        }
    }

    public StoreMeta {
        sources = sources == null ? List.of() : List.copyOf(sources);
        documentPrefix = documentPrefix == null ? null : List.copyOf(documentPrefix);
        documentSuffix = documentSuffix == null ? null : List.copyOf(documentSuffix);
    }

    /** The layout of stores without framing fields: nothing before a document, eotId after it. */
    public StoreMeta(int format, String dtype, long tokens, int documents, int vocabSize, int eotId,
                     String tokenizerHash, String tokensSha256, List<Source> sources, String template,
                     String field, String split, double holdoutFraction, long seed) {
        this(format, dtype, tokens, documents, vocabSize, eotId, tokenizerHash, tokensSha256, sources, template, field,
                split, holdoutFraction, seed, null, null);
    }

    /** Ids before each document (empty for stores that predate the field). */
    public List<Integer> prefixIds() {
        return documentPrefix == null ? List.of() : documentPrefix;
    }

    /** Ids after each document ([eotId] for stores that predate the field). */
    public List<Integer> suffixIds() {
        return documentSuffix == null ? List.of(eotId) : documentSuffix;
    }

    /** uint16 fits every id when the vocabulary has at most 65536 entries. */
    public static String dtypeFor(int vocabSize) {
        return vocabSize <= 65536 ? UINT16 : UINT32;
    }

    public int bytesPerToken() {
        return switch (dtype) {
            case UINT16 -> 2;
            case UINT32 -> 4;
            default -> throw new IllegalStateException("unknown dtype \"" + dtype + "\" (expected uint16 or uint32)");
        };
    }

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer writers may add fields

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise meta.json", e);
        }
    }

    public static StoreMeta fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, StoreMeta.class);
    }
}
