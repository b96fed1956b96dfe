package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Small hand-written tokenizer.json files: where the special tokens sit and how the pre_tokenizer node is read.
 * Every expected id is worked out from the file: byte b has id {@code first + b}, merges get the ids given here.
 */
class BpeTokenizerFileTest {
    private static final ObjectMapper M = new ObjectMapper();

    /** A byte-level file whose 256 byte tokens have ids first .. first + 255, no merges, no pre-tokenizer. */
    private static ObjectNode file(int first) {
        ObjectNode root = M.createObjectNode();
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), first + b);
        model.putArray("merges");
        return root;
    }

    private static void merge(ObjectNode root, String left, String right, int id) {
        ((ObjectNode) root.path("model").path("vocab")).put(left + right, id);
        ((ArrayNode) root.path("model").path("merges")).addArray().add(left).add(right);
    }

    private static void added(ObjectNode root, int id, String content) {
        ((ArrayNode) root.path("added_tokens")).addObject().put("id", id).put("content", content).put("special", true);
    }

    private static void vocab(ObjectNode root, String token, int id) {
        ((ObjectNode) root.path("model").path("vocab")).put(token, id);
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace) {
        return M.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", true).put("use_regex", true);
    }

    private static ObjectNode splitOn(String literal) {
        ObjectNode split = M.createObjectNode().put("type", "Split");
        split.putObject("pattern").put("String", literal);
        return split.put("behavior", "Isolated").put("invert", false);
    }

    private static ByteLevelBpe load(ObjectNode root) throws IOException {
        return ByteLevelBpe.fromJson(M.writeValueAsBytes(root), "test.json");
    }

    @Test
    void anEndOfTextIdOfZeroIsHonoured() throws IOException {
        ObjectNode root = file(1);
        added(root, 0, "<|endoftext|>");
        ByteLevelBpe bpe = load(root);
        assertEquals(0, bpe.eotId());
        assertEquals(0, bpe.padId(), "no padding token: padding is the end-of-text token");
        assertArrayEquals(new int[] {1 + 'a', 0, 1 + 'b', 0}, bpe.encodeDocuments(List.of("a", "b")));
        assertEquals("<|endoftext|>", bpe.decode(new int[] {0}));
    }

    @Test
    void aPaddingIdOfZeroIsHonoured() throws IOException {
        ObjectNode root = file(1);
        added(root, 0, "<|pad|>");
        added(root, 257, "<|endoftext|>");
        ByteLevelBpe bpe = load(root);
        assertEquals(0, bpe.padId());
        assertEquals(257, bpe.eotId());
    }

    @Test
    void specialTokensListedOnlyInTheVocabularyAreFound() throws IOException {
        ObjectNode root = file(0);
        vocab(root, "</s>", 256);
        ByteLevelBpe bpe = load(root);
        assertEquals(256, bpe.eotId(), "</s> as a plain vocabulary entry, not an added token");
        assertEquals(256, bpe.padId());
        vocab(root, "<|endoftext|>", 257);
        vocab(root, "<pad>", 258);
        bpe = load(root);
        assertEquals(257, bpe.eotId(), "<|endoftext|> comes before </s> in the list of names");
        assertEquals(258, bpe.padId());
    }

    @Test
    void noEndOfTextTokenIsAClearError() throws IOException {
        ByteLevelBpe bpe = load(file(0));
        var eot = assertThrows(IllegalStateException.class, bpe::eotId);
        assertTrue(eot.getMessage().contains("<|endoftext|>, <|end_of_text|>, </s>"), eot.getMessage());
        var pad = assertThrows(IllegalStateException.class, bpe::padId);
        assertTrue(pad.getMessage().contains("no padding token"), pad.getMessage());
    }

    @Test
    void addPrefixSpaceAddsOneSpaceOnlyWhereThereIsNone() throws IOException {
        ObjectNode root = file(0);
        root.set("pre_tokenizer", byteLevel(true));
        ByteLevelBpe bpe = load(root);
        int sp = ByteLevelAlphabet.byteOf('Ġ'); // the space's token; its id is its byte, 0x20
        assertEquals(0x20, sp);
        assertArrayEquals(new int[] {sp, 'h', 'i'}, bpe.encode("hi"));
        assertArrayEquals(new int[] {sp, 'h', 'i'}, bpe.encode(" hi"), "a text that starts with a space keeps one");
        assertArrayEquals(new int[] {sp, sp, 'h', 'i'}, bpe.encode("  hi"));
        assertArrayEquals(new int[0], bpe.encode(""), "an empty text stays empty");
        root.set("pre_tokenizer", byteLevel(false));
        assertArrayEquals(new int[] {'h', 'i'}, load(root).encode("hi"));
    }

    @Test
    void withoutAPreTokenizerTheWholeTextIsOneWord() throws IOException {
        ObjectNode root = file(0);
        merge(root, "a", "Ġ", 256);
        ByteLevelBpe whole = load(root);
        assertArrayEquals(new int[] {256, 'a'}, whole.encode("a a"), "the merge crosses the space");
        root.remove("pre_tokenizer");
        assertArrayEquals(new int[] {256, 256, 'b'}, load(root).encode("a a b"));
        root.set("pre_tokenizer", byteLevel(false));
        assertArrayEquals(new int[] {'a', ' ', 'a'}, load(root).encode("a a"), "GPT-2's split keeps the space with the next word");
    }

    @Test
    void aSplitOnAStringMatchesItLiterally() throws IOException {
        ObjectNode root = file(0);
        merge(root, "a", ".", 256);
        merge(root, "a", "a", 257);
        ByteLevelBpe none = load(root);
        assertArrayEquals(new int[] {'a', 256, 257}, none.encode("aa.aa"));
        root.set("pre_tokenizer", splitOn("."));
        ByteLevelBpe split = load(root);
        // "." is the dot itself, not the regex for any character: words "aa", ".", "aa".
        assertArrayEquals(new int[] {257, '.', 257}, split.encode("aa.aa"));
        assertArrayEquals(new int[] {257, 257}, split.encode("aaaa"));
    }

    @Test
    void everyStageOfASequenceSplits() throws IOException {
        ObjectNode root = file(0);
        merge(root, "a", "Ġ", 256);
        ObjectNode seq = M.createObjectNode().put("type", "Sequence");
        seq.putArray("pretokenizers").add(splitOn("-")).add(byteLevel(false));
        root.set("pre_tokenizer", seq);
        // On "-": "a b", "-", "c"; then GPT-2's pattern: "a", " b". Had only the first stage run, "a b" would be one
        // word and its "a " would merge.
        assertArrayEquals(new int[] {'a', ' ', 'b', '-', 'c'}, load(root).encode("a b-c"));
        seq.putArray("pretokenizers").add(splitOn("-"));
        assertArrayEquals(new int[] {256, 'b', '-', 'c'}, load(root).encode("a b-c"), "a one-stage sequence is that stage");
    }
}
