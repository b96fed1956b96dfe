package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and damaged tokenizer.json files are refused in one line naming the file and the field, before native code. */
class TokenizerFileCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static byte[] base;
    /** A small SentencePiece-style file laid out as Llama-2's: normalizer, byte fallback, BOS template, decoder sequence. */
    private static byte[] spBase;

    @TempDir Path tmp;

    @BeforeAll
    static void trainBase() {
        base = ByteLevelBpe.train(new VariedText(51).strings(400, false).iterator(), 300, TrainOptions.defaults()).toJson();
        StringBuilder v = new StringBuilder("\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2");
        int id = 3;
        for (int b = 0; b < 256; b++) v.append(String.format(", \"<0x%02X>\": %d", b, id++));
        String[] pieces = {"\u2581", "a", "e", "h", "t", "\u2581a", "\u2581t", "th", "\u2581th", "he", "\u2581the"};
        for (String p : pieces) v.append(", \"").append(p).append("\": ").append(id++);
        String special = "{\"id\": %d, \"content\": \"%s\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}";
        spBase = ("{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": ["
                + String.format(special, 0, "<unk>") + ", " + String.format(special, 1, "<s>") + ", " + String.format(special, 2, "</s>") + "],"
                + " \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": \"\u2581\"},"
                + " {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\u2581\"}]}, \"pre_tokenizer\": null,"
                + " \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}},"
                + " {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}], \"pair\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}},"
                + " {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
                + " \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", \"ids\": [1], \"tokens\": [\"<s>\"]}}},"
                + " \"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Replace\", \"pattern\": {\"String\": \"\u2581\"}, \"content\": \" \"},"
                + " {\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}, {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}]},"
                + " \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": \"<unk>\", \"continuing_subword_prefix\": null,"
                + " \"end_of_word_suffix\": null, \"fuse_unk\": true, \"byte_fallback\": true, \"ignore_merges\": false, \"vocab\": {" + v + "},"
                + " \"merges\": [[\"\u2581\", \"a\"], [\"\u2581\", \"t\"], [\"t\", \"h\"], [\"\u2581t\", \"h\"], [\"h\", \"e\"], [\"\u2581th\", \"e\"]]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode tree() throws IOException {
        return (ObjectNode) JSON.readTree(base);
    }

    private IOException refused(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode t = tree();
        edit.accept(t);
        Path f = tmp.resolve("hostile-tokenizer.json");
        Files.write(f, JSON.writeValueAsBytes(t));
        IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(f).close());
        assertOneLine(e.getMessage(), f.toString());
        return e;
    }

    private static void assertOneLine(String msg, String file) {
        assertTrue(msg.startsWith(file + ": "), "names the file: " + msg);
        assertFalse(msg.contains("\n") || msg.contains("\r"), "one line: " + msg);
        assertTrue(msg.length() < 800, "short: " + msg);
    }

    private static ObjectNode vocab(ObjectNode t) {
        return (ObjectNode) t.get("model").get("vocab");
    }

    @Test
    void theBasesLoad() throws Exception {
        try (HfTokenizer t = HfTokenizer.fromJson(base, "base.json", null)) {
            assertEquals(300, t.vocabSize());
        }
        try (HfTokenizer t = HfTokenizer.fromJson(spBase, "sp.json", null)) {
            assertEquals(270, t.vocabSize());
            assertEquals(1, t.bosId());
            assertArrayEquals(new int[] {1, 269, 259}, t.encode("the ", true)); // <s> ▁the ▁
            assertArrayEquals(new int[] {1, 259, 3 + 0xE6, 3 + 0x97, 3 + 0xA5}, t.encode("\u65e5", true)); // byte fallback
            assertEquals("the ", t.decode(t.encode("the ", true), true));
        }
    }

    @Test
    void idGap() throws Exception {
        String m = refused(t -> vocab(t).remove(vocab(t).fieldNames().next())).getMessage();
        assertTrue(m.contains("$.model.vocab") && m.contains("no token has id 0"), m);
    }

    @Test
    void fractionalId() throws Exception {
        String m = refused(t -> vocab(t).put("a", 97.5)).getMessage();
        assertTrue(m.contains("$.model.vocab[\"a\"]") && m.contains("97.5 is not an integer"), m);
    }

    @Test
    void idsNear2To31() throws Exception {
        String m = refused(t -> vocab(t).put("a", Integer.MAX_VALUE - 7)).getMessage();
        assertTrue(m.contains("$.model.vocab[\"a\"]") && m.contains("2147483640 is outside"), m);
        m = refused(t -> ((ObjectNode) t.get("added_tokens").get(0)).put("id", new BigInteger("99999999999999999999"))).getMessage();
        assertTrue(m.contains("$.added_tokens[0].id") && m.contains("outside"), m);
        m = refused(t -> vocab(t).put("a", -1)).getMessage();
        assertTrue(m.contains("$.model.vocab[\"a\"]") && m.contains("outside"), m);
    }

    /** A vocabulary past the limit needs an id past it (ids are unique and gap-free); a file past the size limit is not read. */
    @Test
    void hugeVocab() throws Exception {
        String m = refused(t -> vocab(t).put("zzz-huge", TokenizerFileCheck.MAX_IDS)).getMessage();
        assertTrue(m.contains("$.model.vocab[\"zzz-huge\"]") && m.contains("outside [0, 2097152)"), m);
        Path big = tmp.resolve("huge-tokenizer.json");
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {' '}), HfTokenizer.MAX_FILE_BYTES); // sparse: no disk used
        }
        IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(big));
        assertOneLine(e.getMessage(), big.toString());
    }

    @Test
    void sameIdTwice() throws Exception {
        String m = refused(t -> vocab(t).put("a", vocab(t).get("b").intValue())).getMessage();
        assertTrue(m.contains("is given to two tokens"), m);
    }

    @Test
    void libraryRefusalsAreOneLineToo() throws Exception {
        String m = refused(t -> ((ObjectNode) t.get("model")).put("type", "NoSuchModel")).getMessage();
        assertTrue(m.contains("tokenizers library refused it"), m);
    }

    /**
     * A few thousand mutations of a valid file (values swapped for hostile numbers, strings, nulls, containers; fields
     * dropped; bytes flipped; truncations): each loads and encodes, or fails with one line naming the file, quickly.
     */
    @Test
    void fuzzedFilesLoadOrFailInOneLine() throws Exception {
        Random rnd = new Random(Long.parseLong(System.getenv().getOrDefault("RHO_FUZZ_SEED", "52")));
        int loaded = 0, refused = 0;
        long t0 = System.nanoTime(), worst = 0;
        for (int i = 0, n = Integer.parseInt(System.getenv().getOrDefault("RHO_FUZZ_N", "3000")); i < n; i++) {
            byte[] start = i % 2 == 0 ? base : spBase;
            byte[] json = rnd.nextInt(4) == 0 ? mutateBytes(start, rnd) : JSON.writeValueAsBytes(mutateTree((ObjectNode) JSON.readTree(start), rnd));
            String name = "fuzz-" + i + "/tokenizer.json";
            long s = System.nanoTime();
            if (System.getenv("RHO_FUZZ_DUMP") != null) Files.write(Path.of(System.getenv("RHO_FUZZ_DUMP")), json);
            try (HfTokenizer t = HfTokenizer.fromJson(json, name, null)) {
                for (String text : new String[] {"Hello world", "", "日本 \uD83D\uDE00 <|endoftext|>", "\u0000\r\n"}) {
                    int[] ids = t.encode(text, rnd.nextBoolean());
                    for (int id : ids) assertTrue(id >= 0 && id < t.vocabSize(), name + ": id " + id + " outside the checked vocabulary");
                    t.decode(ids);
                }
                loaded++;
            } catch (IOException e) {
                assertOneLine(e.getMessage(), name);
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError(name + " (" + new String(json, StandardCharsets.UTF_8).length() + " chars): " + e, e);
            }
            worst = Math.max(worst, System.nanoTime() - s);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fuzz: %d loaded, %d refused in %.1f s (slowest %.0f ms)%n", loaded, refused, secs, worst / 1e6);
        assertTrue(loaded > 100 && refused > 100, "the mutations exercise both outcomes: " + loaded + " loaded, " + refused + " refused");
        assertTrue(worst < 5_000_000_000L, "one file took " + worst / 1e6 + " ms");
        assertTrue(secs < 240, "fuzzing took " + secs + " s");
    }

    private static byte[] mutateBytes(byte[] b, Random rnd) {
        byte[] c = b.clone();
        switch (rnd.nextInt(3)) {
            case 0 -> { return java.util.Arrays.copyOf(c, rnd.nextInt(c.length)); }
            case 1 -> { for (int k = 1 + rnd.nextInt(4); k > 0; k--) c[rnd.nextInt(c.length)] = (byte) rnd.nextInt(256); }
            default -> { for (int k = 1 + rnd.nextInt(4); k > 0; k--) c[rnd.nextInt(c.length)] = (byte) "0123456789.-e\"{}[],: ".charAt(rnd.nextInt(21)); }
        }
        return c;
    }

    private static final String[] STRINGS = {"", "BPE", "Unigram", "WordPiece", "WordLevel", "ByteLevel", "Sequence", "Metaspace",
            "TemplateProcessing", "<|endoftext|>", "<unk>", "a", "\u0000", "\uD83D\uDE00", "$A", "Replace", "Prepend", "NFKC", "Split"};

    private static JsonNode hostileValue(Random rnd) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (rnd.nextInt(12)) {
            case 0 -> f.numberNode(rnd.nextInt(400));
            case 1 -> f.numberNode(Integer.MAX_VALUE - rnd.nextInt(16));
            case 2 -> f.numberNode(-1 - rnd.nextInt(5));
            case 3 -> f.numberNode(rnd.nextInt(300) + 0.5);
            case 4 -> f.numberNode(new BigDecimal("1e309"));
            case 5 -> f.numberNode(Long.MAX_VALUE);
            case 6 -> f.textNode(STRINGS[rnd.nextInt(STRINGS.length)]);
            case 7 -> f.nullNode();
            case 8 -> f.objectNode();
            case 9 -> f.arrayNode();
            case 10 -> f.booleanNode(rnd.nextBoolean());
            default -> f.numberNode(TokenizerFileCheck.MAX_IDS - rnd.nextInt(3));
        };
    }

    private static JsonNode mutateTree(ObjectNode root, Random rnd) {
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            // Walk down to a random container, biased towards the interesting parts (model, added tokens, templates).
            JsonNode node = root;
            for (int depth = 0; depth < 1 + rnd.nextInt(5); depth++) {
                List<JsonNode> kids = new ArrayList<>();
                for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                    JsonNode c = it.next();
                    if (c.isContainerNode() && c.size() > 0) kids.add(c);
                }
                if (kids.isEmpty()) break;
                node = kids.get(rnd.nextInt(kids.size()));
            }
            if (node instanceof ObjectNode o && o.size() > 0) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                String key = names.get(rnd.nextInt(names.size()));
                switch (rnd.nextInt(4)) {
                    case 0 -> o.remove(key);
                    case 1 -> o.set(STRINGS[rnd.nextInt(STRINGS.length)], hostileValue(rnd));
                    default -> o.set(key, hostileValue(rnd));
                }
            } else if (node instanceof ArrayNode a && a.size() > 0) {
                int i = rnd.nextInt(a.size());
                switch (rnd.nextInt(4)) {
                    case 0 -> a.remove(i);
                    case 1 -> a.add(a.get(i).deepCopy());
                    default -> a.set(i, hostileValue(rnd));
                }
            }
        }
        return root;
    }
}
