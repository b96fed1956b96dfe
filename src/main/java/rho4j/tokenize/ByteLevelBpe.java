package rho4j.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE (GPT-2 / Llama-3 style) over a Hugging Face tokenizer.json.
 *
 * <p>Id convention for tokenizers trained here: 0..255 are the byte tokens in GPT-2 order, then one
 * id per merge, then the special tokens ({@code <|endoftext|>}, {@code <|pad|>}) take the LAST ids,
 * as in GPT-2 (whose {@code <|endoftext|>} is 50256, its last id). Loaded files keep their own ids;
 * {@link #eotId} is the first of {@code <|endoftext|>}, {@code <|end_of_text|>}, {@code </s>} found,
 * and {@link #padId} is {@code <|pad|>} ({@code <pad>}, {@code [PAD]}) or else the eot id.
 *
 * <p>Thread-safe: all state is immutable except the word cache, a ConcurrentHashMap cleared when
 * it grows past {@link #CACHE_LIMIT} words. Special-token strings inside text are encoded as
 * ordinary text, and no BOS/EOS is added (post_processor is kept in the file but not applied).
 * Lone surrogates, which UTF-8 cannot represent, are encoded as U+FFFD.
 */
public final class ByteLevelBpe implements TextEncoder {
    static final int CACHE_LIMIT = 1 << 17;
    private static final String[] EOT_NAMES = {"<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>"};
    private static final String[] PAD_NAMES = {"<|pad|>", "<pad>", "[PAD]"};

    private final TokenizerSpec spec;
    private final BpeMerges merges;
    private final PreTokenizer preTokenizer;
    private final boolean addPrefixSpace;
    private final int[] byteToId = new int[256];
    private final byte[][] idBytes;
    /** Only for ignore_merges: whole-word token string -> id. */
    private final Map<String, Integer> tokenIds;
    private final int vocabSize, eotId, padId;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private volatile String hash;

    ByteLevelBpe(TokenizerSpec spec, String source) {
        this.spec = spec;
        String[] vocab = spec.vocab();
        Map<String, Integer> ids = new HashMap<>(vocab.length * 2);
        for (int id = 0; id < vocab.length; id++) if (vocab[id] != null) ids.put(vocab[id], id);
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevelAlphabet.charOf(b)));
            if (id == null) throw new IllegalArgumentException(source + ": no token for byte 0x" + Integer.toHexString(b));
            byteToId[b] = id;
        }
        int[] result = new int[spec.mergeLeft().length];
        for (int r = 0; r < result.length; r++) result[r] = ids.get(vocab[spec.mergeLeft()[r]] + vocab[spec.mergeRight()[r]]);
        this.merges = new BpeMerges(spec.mergeLeft(), spec.mergeRight(), result);
        this.idBytes = new byte[vocab.length][];
        for (int id = 0; id < vocab.length; id++) {
            if (vocab[id] == null) continue;
            byte[] bytes = ByteLevelAlphabet.fromTokenString(vocab[id]);
            idBytes[id] = bytes != null ? bytes : vocab[id].getBytes(StandardCharsets.UTF_8);
        }
        for (AddedToken t : spec.addedTokens()) idBytes[t.id()] = t.content().getBytes(StandardCharsets.UTF_8);
        this.tokenIds = spec.ignoreMerges() ? ids : Map.of();
        this.vocabSize = vocab.length;
        PreTokenizerConfig pre = PreTokenizerConfig.parse(spec.preTokenizer(), source);
        this.preTokenizer = pre.preTokenizer();
        this.addPrefixSpace = pre.addPrefixSpace();
        this.eotId = findId(EOT_NAMES, ids, -1);
        this.padId = findId(PAD_NAMES, ids, eotId);
    }

    private int findId(String[] names, Map<String, Integer> ids, int fallback) {
        for (String name : names) {
            for (AddedToken t : spec.addedTokens()) if (t.content().equals(name)) return t.id();
            Integer id = ids.get(name);
            if (id != null) return id;
        }
        return fallback;
    }

    // ---- construction -------------------------------------------------------------------------

    /**
     * Learns a tokenizer of {@code vocabSize} ids (256 bytes + merges + special tokens) from
     * {@code texts}, streaming: only the word-frequency table is kept in memory.
     */
    public static ByteLevelBpe train(Iterator<String> texts, int vocabSize, TrainOptions options) {
        return new ByteLevelBpe(BpeTrainer.train(texts, vocabSize, options), "trained tokenizer");
    }

    /** Loads a Hugging Face tokenizer.json (ours, GPT-2's or Llama-3's byte-level BPE). */
    public static ByteLevelBpe load(Path file) throws IOException {
        TokenizerSpec spec = TokenizerJson.read(file);
        try {
            return new ByteLevelBpe(spec, file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Parses tokenizer.json bytes; {@code source} names them in error messages. */
    public static ByteLevelBpe fromJson(byte[] json, String source) throws IOException {
        TokenizerSpec spec = TokenizerJson.parse(json, source);
        try {
            return new ByteLevelBpe(spec, source);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The canonical tokenizer.json bytes (what {@link #save} writes and {@link #hash} hashes). */
    public byte[] toJson() {
        return TokenizerJson.write(spec);
    }

    /** Writes tokenizer.json atomically: a temp file in the same folder, then a rename over {@code file}. */
    public void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, toJson());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- TextEncoder --------------------------------------------------------------------------

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        encodeInto(text, out);
        return out.toArray();
    }

    /** Appends the ids of {@code text} to {@code out}. */
    public void encodeInto(String text, IntList out) {
        if (addPrefixSpace && !text.isEmpty() && text.charAt(0) != ' ') text = " " + text;
        String t = text;
        preTokenizer.split(t, 0, t.length(), (s, e) -> out.addAll(encodeWord(t, s, e)));
    }

    /** Fast path for corpora: ids of every document, each followed by {@link #eotId}, in one array. */
    public int[] encodeDocuments(Iterable<String> documents) {
        IntList out = new IntList(1 << 16);
        for (String doc : documents) {
            encodeInto(doc, out);
            out.add(eotId());
        }
        return out.toArray();
    }

    private int[] encodeWord(String text, int start, int end) {
        String word = text.substring(start, end);
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = bpe(word);
            if (cache.size() >= CACHE_LIMIT) cache.clear(); // crude bound; keeps memory flat on long streams
            cache.put(word, ids);
        }
        return ids;
    }

    /** BPE of one pre-token, uncached. */
    int[] bpe(String word) {
        int[] ids = new int[word.length() * 3]; // enough: a 4-byte code point takes 2 chars
        int n = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isSurrogate((char) cp) && cp < 0x10000) cp = 0xFFFD; // lone surrogate
            if (cp < 0x80) {
                ids[n++] = byteToId[cp];
            } else if (cp < 0x800) {
                ids[n++] = byteToId[0xC0 | (cp >> 6)];
                ids[n++] = byteToId[0x80 | (cp & 0x3F)];
            } else if (cp < 0x10000) {
                ids[n++] = byteToId[0xE0 | (cp >> 12)];
                ids[n++] = byteToId[0x80 | ((cp >> 6) & 0x3F)];
                ids[n++] = byteToId[0x80 | (cp & 0x3F)];
            } else {
                ids[n++] = byteToId[0xF0 | (cp >> 18)];
                ids[n++] = byteToId[0x80 | ((cp >> 12) & 0x3F)];
                ids[n++] = byteToId[0x80 | ((cp >> 6) & 0x3F)];
                ids[n++] = byteToId[0x80 | (cp & 0x3F)];
            }
        }
        if (spec.ignoreMerges() && n > 1) {
            Integer whole = tokenIds.get(tokenString(ids, n));
            if (whole != null) return new int[] {whole};
        }
        n = merges.apply(ids, n);
        return java.util.Arrays.copyOf(ids, n);
    }

    private String tokenString(int[] byteIds, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(spec.vocab()[byteIds[i]]);
        return sb.toString();
    }

    @Override
    public String decode(int[] ids) {
        int len = 0;
        for (int id : ids) len += bytesOf(id).length;
        byte[] buf = new byte[len];
        int p = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            System.arraycopy(b, 0, buf, p, b.length);
            p += b.length;
        }
        return new String(buf, StandardCharsets.UTF_8); // malformed sequences become U+FFFD
    }

    /** The bytes token {@code id} stands for (an added token: its content in UTF-8). */
    public byte[] bytesOf(int id) {
        byte[] b = id >= 0 && id < idBytes.length ? idBytes[id] : null;
        if (b == null) throw new IllegalArgumentException("token id " + id + " is not in this vocabulary (size " + vocabSize + ")");
        return b;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eotId() {
        if (eotId < 0) throw new IllegalStateException("this tokenizer has none of the end-of-text tokens " + String.join(", ", EOT_NAMES));
        return eotId;
    }

    @Override
    public int padId() {
        if (padId < 0) throw new IllegalStateException("this tokenizer has no padding token (" + String.join(", ", PAD_NAMES) + ") and no end-of-text token");
        return padId;
    }

    @Override
    public String hash() {
        String h = hash;
        if (h == null) {
            try {
                hash = h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(toJson()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 missing from this JVM", e);
            }
        }
        return h;
    }

    public List<AddedToken> addedTokens() {
        return spec.addedTokens();
    }

    /** The merge table (package-private, for tests of the merge loops). */
    BpeMerges mergeTable() {
        return merges;
    }

    /** Number of merges (learned or loaded). */
    public int mergeCount() {
        return merges.size();
    }

    /** Token string (GPT-2 byte alphabet) of {@code id}, or the added token's content. */
    public String token(int id) {
        for (AddedToken t : spec.addedTokens()) if (t.id() == id) return t.content();
        if (id < 0 || id >= spec.vocab().length || spec.vocab()[id] == null) throw new IllegalArgumentException("no token with id " + id);
        return spec.vocab()[id];
    }

    /** The first {@code n} merges as "left right" strings, in rank order (for tests and inspection). */
    public List<String> merges(int n) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < Math.min(n, merges.size()); r++) out.add(spec.vocab()[merges.left(r)] + " " + spec.vocab()[merges.right(r)]);
        return out;
    }

    /** Parsed pre_tokenizer node: the splitter and ByteLevel's add_prefix_space. */
    record PreTokenizerConfig(PreTokenizer preTokenizer, boolean addPrefixSpace) {
        static PreTokenizerConfig parse(JsonNode node, String source) {
            List<PreTokenizer> stages = new ArrayList<>();
            boolean[] prefix = {false};
            collect(node, "$.pre_tokenizer", source, stages, prefix);
            return new PreTokenizerConfig(stages.size() == 1 ? stages.get(0) : PreTokenizer.sequence(stages), prefix[0]);
        }

        private static void collect(JsonNode node, String path, String source, List<PreTokenizer> stages, boolean[] prefix) {
            if (node == null || node.isNull() || node.isMissingNode()) return;
            String type = node.path("type").asText("");
            switch (type) {
                case "ByteLevel" -> {
                    if (node.path("use_regex").asBoolean(true)) stages.add(Gpt2PreTokenizer.INSTANCE);
                    // HF prepends the space per split piece; we do it once for the whole text, which is
                    // the same for a lone ByteLevel (GPT-2 style files, the only ones that set it).
                    if (node.path("add_prefix_space").asBoolean(false)) prefix[0] = true;
                }
                case "Split" -> {
                    JsonNode pattern = node.path("pattern");
                    String regex;
                    if (pattern.has("Regex")) regex = pattern.get("Regex").asText();
                    else if (pattern.has("String")) regex = java.util.regex.Pattern.quote(pattern.get("String").asText());
                    else throw unsupported(source, path + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
                    if (!"Isolated".equals(node.path("behavior").asText("Isolated")) || node.path("invert").asBoolean(false))
                        throw unsupported(source, path + ".behavior", "only behavior \"Isolated\" with invert false is supported");
                    try {
                        stages.add(PreTokenizer.forPattern(regex));
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw unsupported(source, path + ".pattern.Regex", "java.util.regex cannot compile it: " + e.getDescription());
                    }
                }
                case "Sequence" -> {
                    JsonNode list = node.path("pretokenizers");
                    for (int i = 0; i < list.size(); i++) collect(list.get(i), path + ".pretokenizers[" + i + "]", source, stages, prefix);
                }
                default -> throw unsupported(source, path + ".type", "pre-tokenizer " + node.path("type") + " is not supported (ByteLevel, Split, Sequence are)");
            }
        }

        private static IllegalArgumentException unsupported(String source, String path, String what) {
            return new IllegalArgumentException(source + ": at " + path + ": " + what);
        }
    }
}
