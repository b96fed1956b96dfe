package rho4j.tokenize;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import rho4j.util.Hashing;

/**
 * Any Hugging Face tokenizer.json, encoded and decoded by Hugging Face's Rust {@code tokenizers} library itself
 * (through DJL's JNI binding, whose jar carries the linux-x86_64 native): byte-level BPE (GPT-2, Llama-3, Qwen2,
 * files trained by {@code rho tokenizer train}), SentencePiece-style BPE with byte fallback (Llama-2, Mistral),
 * Unigram and WordPiece, with their normalizers, special tokens and post-processors. This is Rho4j's one encoding
 * path (stores, prompts, generation); {@link ByteLevelBpe} remains the trainer and an independent check.
 *
 * <p>The file is checked by {@link TokenizerFileCheck} before the library sees it. Truncation and padding are
 * switched off whatever the file says: a store must hold every token of a document. Thread-safe: the Rust
 * tokenizer is immutable once built, so {@code rho prepare} encodes on several threads with one instance.
 */
public final class HfTokenizer implements TextEncoder, AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final String[] EOS_NAMES = {"<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|im_end|>"};
    private static final String[] PAD_NAMES = {"<|pad|>", "<pad>", "[PAD]", "<|finetune_right_pad_id|>"};
    private static volatile TokenizersLibrary lib;
    static final long MAX_FILE_BYTES = 256L << 20;

    private final String source;
    private final long handle;
    private final Cleaner.Cleanable cleanable;
    private final int vocabSize;
    private final Map<String, Integer> ids;
    private byte[] json; // kept until the hash is first asked for
    private volatile String hash;
    private final String description;
    private final String normalizer;
    private final int[] prefix;
    private final int[] suffix;
    private final int bosId;
    private final int eosId;
    private final int padId;

    private HfTokenizer(String source, long handle, TokenizerFileCheck.Facts facts, byte[] json, Path configFile) throws IOException {
        this.source = source;
        this.handle = handle;
        TokenizersLibrary l = lib;
        this.cleanable = CLEANER.register(this, () -> l.deleteTokenizer(handle));
        this.vocabSize = facts.vocabSize();
        this.ids = facts.ids();
        this.json = json;
        JsonNode root = facts.root();
        this.description = describeModel(root);
        this.normalizer = describe(root.path("normalizer"), "normalizers");
        // What the post-processor puts around a text: found by asking the library, not by reading its template.
        int[] plain = encode("a", false), full = encode("a", true);
        int at = indexOf(full, plain);
        if (at < 0) throw new IOException(source + ": at $.post_processor: the text's own ids do not appear in its encoding with special tokens");
        this.prefix = Arrays.copyOfRange(full, 0, at);
        this.suffix = Arrays.copyOfRange(full, at + plain.length, full.length);
        JsonNode config = readConfig(configFile);
        int bos = tokenOf(config, "bos_token");
        this.bosId = prefix.length > 0 ? prefix[prefix.length - 1] : bos;
        int eos = tokenOf(config, "eos_token");
        if (eos < 0 && suffix.length > 0) eos = suffix[suffix.length - 1];
        if (eos < 0) eos = firstOf(EOS_NAMES);
        this.eosId = eos;
        int pad = tokenOf(config, "pad_token");
        if (pad < 0) pad = firstOf(PAD_NAMES);
        this.padId = pad >= 0 ? pad : eos;
    }

    /** Loads {@code file} (and the eos/bos/pad names of a {@code tokenizer_config.json} beside it, when there is one). */
    public static HfTokenizer load(Path file) throws IOException {
        byte[] json;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES)
                throw new IOException(file + ": " + size + " bytes; published tokenizer.json files are under 40 MB, so this is not one (limit " + MAX_FILE_BYTES + ")");
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).startsWith(file.toString())) throw e;
            throw new IOException(file + ": cannot read the tokenizer (" + TokenizerFileCheck.oneLine(e.toString()) + ")", e);
        }
        Path config = file.toAbsolutePath().resolveSibling("tokenizer_config.json");
        return fromJson(json, file.toString(), Files.isRegularFile(config) ? config : null);
    }

    /** Parses tokenizer.json bytes; {@code source} names them in error messages. */
    public static HfTokenizer fromJson(byte[] json, String source, Path configFile) throws IOException {
        TokenizerFileCheck.Facts facts = TokenizerFileCheck.check(json, source);
        TokenizersLibrary l = library();
        long h;
        try {
            h = l.createTokenizerFromString(new String(json, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IOException(source + ": the tokenizers library refused it: " + TokenizerFileCheck.oneLine(e.getMessage())
                    + " (use the tokenizer.json published with the model, or re-export it)");
        }
        try {
            l.disableTruncation(h);
            l.disablePadding(h);
            return new HfTokenizer(source, h, facts, json, configFile);
        } catch (IOException | RuntimeException e) {
            l.deleteTokenizer(h);
            if (e instanceof IOException io) throw io;
            throw new IOException(source + ": the tokenizers library failed on it: " + TokenizerFileCheck.oneLine(e.getMessage()));
        }
    }

    /**
     * Stores and scores record this hash, and it stays what it was before Rho4j encoded through the library: the
     * SHA-256 of the file's canonical form as Rho4j's own byte-level reader writes it. Files Rho4j wrote are in that
     * form already (their bytes are hashed directly); other byte-level files are parsed once more for it (seconds for
     * Llama-3's 9 MB, so only on demand); files the own reader refuses (Llama-2, Mistral) hash their bytes.
     */
    private static String hashOf(byte[] json, String source) {
        if (startsWith(json, CANONICAL_START)) return sha256(json);
        try {
            return ByteLevelBpe.fromJson(json, source).hash();
        } catch (IOException | RuntimeException notByteLevel) {
            return sha256(json);
        }
    }

    private static final byte[] CANONICAL_START = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": ["
            .getBytes(StandardCharsets.UTF_8);

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String sha256(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(Hashing.sha256().digest(bytes));
    }

    /** Loads the native library once, from the jar only: DJL would otherwise download a missing one at run time. */
    private static TokenizersLibrary library() {
        TokenizersLibrary l = lib;
        if (l != null) return l;
        synchronized (HfTokenizer.class) {
            if (lib == null) {
                if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
                if (System.getProperty("OPT_OUT_TRACKING") == null) System.setProperty("OPT_OUT_TRACKING", "true");
                // The jar carries only the CPU build; without this a CUDA machine would look for (and fetch) a GPU flavour.
                if (System.getProperty("RUST_FLAVOR") == null && System.getenv("RUST_FLAVOR") == null) System.setProperty("RUST_FLAVOR", "cpu");
                LibUtils.checkStatus();
                lib = TokenizersLibrary.LIB;
            }
            return lib;
        }
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Ids of {@code text} as the Rust library gives them. Special-token strings in the text (e.g.
     * {@code <|begin_of_text|>}) become their single ids either way; {@code addSpecialTokens} applies the
     * post-processor's template (Llama-2's and Llama-3.1's BOS).
     */
    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long enc = lib.encode(handle, text, addSpecialTokens);
        long[] ids;
        try {
            ids = lib.getTokenIds(enc);
        } finally {
            lib.deleteEncoding(enc);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
        return out;
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return lib.decode(handle, l, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public int eotId() {
        if (eosId < 0) throw new IllegalStateException(source + " has no end-of-text token (" + String.join(", ", EOS_NAMES) + ")");
        return eosId;
    }

    @Override
    public int padId() {
        if (padId < 0) throw new IllegalStateException(source + " has no padding token and no end-of-text token");
        return padId;
    }

    /** BOS (or whatever the post-processor puts first) before each document, as the model saw its training text. */
    @Override
    public int[] documentPrefix() {
        return prefix.clone();
    }

    /** The post-processor's tail, or, when it adds nothing at all (GPT-2, files Rho4j trains), the end-of-text token. */
    @Override
    public int[] documentSuffix() {
        if (suffix.length > 0 || prefix.length > 0) return suffix.clone();
        return new int[] {eotId()};
    }

    @Override
    public String hash() {
        String h = hash;
        if (h == null) {
            synchronized (this) {
                if (hash == null) {
                    hash = hashOf(json, source);
                    json = null;
                }
                h = hash;
            }
        }
        return h;
    }

    /** e.g. "BPE (byte-level)", "BPE (byte fallback)", "Unigram". */
    public String description() {
        return description;
    }

    /** The normalizer's type(s), or "none". */
    public String normalizer() {
        return normalizer;
    }

    public String source() {
        return source;
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    private int firstOf(String[] names) {
        for (String n : names) {
            Integer id = ids.get(n);
            if (id != null) return id;
        }
        return -1;
    }

    private int tokenOf(JsonNode config, String key) {
        if (config == null) return -1;
        JsonNode n = config.path(key);
        String name = n.isTextual() ? n.asText() : n.path("content").isTextual() ? n.get("content").asText() : null;
        return name == null ? -1 : tokenId(name);
    }

    private static JsonNode readConfig(Path configFile) throws IOException {
        if (configFile == null) return null;
        try {
            JsonNode n = MAPPER.readTree(configFile.toFile());
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            throw new IOException(configFile + ": not valid JSON (" + TokenizerFileCheck.oneLine(e.getMessage()) + "); fix or remove it");
        }
    }

    private static String describeModel(JsonNode root) {
        JsonNode m = root.path("model");
        String type = m.path("type").asText("?");
        List<String> traits = new ArrayList<>();
        if (m.path("byte_fallback").asBoolean(false)) traits.add("byte fallback");
        if (describe(root.path("pre_tokenizer"), "pretokenizers").contains("ByteLevel")) traits.add("byte-level");
        return traits.isEmpty() ? type : type + " (" + String.join(", ", traits) + ")";
    }

    /** Type names of a component, a Sequence listed as its members: "Prepend+Replace". */
    private static String describe(JsonNode n, String listKey) {
        if (n == null || n.isMissingNode() || n.isNull()) return "none";
        if ("Sequence".equals(n.path("type").asText()) && n.path(listKey).isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode c : n.get(listKey)) parts.add(describe(c, listKey));
            return parts.isEmpty() ? "none" : String.join("+", parts);
        }
        return n.path("type").asText("?");
    }

    private static int indexOf(int[] hay, int[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
