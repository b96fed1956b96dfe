package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Llama-3 layout: Sequence[Split(regex, Isolated), ByteLevel(use_regex=false)], ignore_merges, many added tokens. */
class BpeLlamaStyleTest {
    static final String LLAMA3_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final ObjectMapper M = new ObjectMapper();

    static ObjectNode llamaPreTokenizer() {
        ObjectNode split = M.createObjectNode().put("type", "Split");
        split.putObject("pattern").put("Regex", LLAMA3_REGEX);
        split.put("behavior", "Isolated").put("invert", false);
        ObjectNode bl = M.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
        ObjectNode seq = M.createObjectNode().put("type", "Sequence");
        seq.putArray("pretokenizers").add(split).add(bl);
        return seq;
    }

    /** A trained vocabulary re-dressed as a Llama-3 style file (its own EOT name, BOS, ignore_merges). */
    static byte[] llamaStyleJson() throws Exception {
        List<String> texts = new ArrayList<>();
        RandomText gen = new RandomText(11);
        for (int i = 0; i < 1500; i++) texts.add(gen.next(80) + " In 2024, 1234567 people's lives");
        ByteLevelBpe base = ByteLevelBpe.train(texts.iterator(), 1200, new TrainOptions(List.of("<|begin_of_text|>", "<|end_of_text|>"), 2, s -> {}));
        ObjectNode root = (ObjectNode) M.readTree(base.toJson());
        root.set("pre_tokenizer", llamaPreTokenizer());
        ((ObjectNode) root.get("model")).put("ignore_merges", true);
        return M.writeValueAsBytes(root);
    }

    @Test
    void splitsWithTheFileRegexAndRoundTrips() throws Exception {
        ByteLevelBpe llama = ByteLevelBpe.fromJson(llamaStyleJson(), "llama-style.json");
        assertEquals(llama.vocabSize() - 1, llama.eotId(), "<|end_of_text|> is Llama-3's end of text");
        assertEquals(llama.eotId(), llama.padId(), "no pad token: pad falls back to end of text");
        PreTokenizer regex = new PreTokenizer.RegexPreTokenizer(LLAMA3_REGEX);
        RandomText gen = new RandomText(12);
        List<String> cases = new ArrayList<>(List.of("In 2024, 1234567 people's lives", "HE'S here\r\n\r\n  x", "12345678"));
        for (int i = 0; i < 2000; i++) cases.add(gen.next(60));
        for (String s : cases) {
            int[] ids = llama.encode(s);
            assertEquals(s, llama.decode(ids));
            // Every pre-token boundary of the Llama-3 regex must be a token boundary (in UTF-8 bytes).
            TreeSet<Integer> tokenEnds = new TreeSet<>();
            int pos = 0;
            for (int id : ids) tokenEnds.add(pos += llama.bytesOf(id).length);
            int bytePos = 0;
            for (String piece : BpePreTokenizerTest.pieces(regex, s)) {
                bytePos += piece.getBytes(StandardCharsets.UTF_8).length;
                assertTrue(tokenEnds.contains(bytePos), () -> "a token crosses a Llama-3 pre-token boundary in " + BpePreTokenizerTest.escape(s));
            }
        }
        List<String> digits = new ArrayList<>();
        for (int id : llama.encode("12345678")) digits.add(new String(llama.bytesOf(id), StandardCharsets.UTF_8));
        assertEquals("123|456|78", String.join("|", BpePreTokenizerTest.pieces(regex, "12345678")));
        assertTrue(String.join("", digits).equals("12345678") && digits.stream().allMatch(d -> d.length() <= 3), digits.toString());
    }

    @Test
    void ignoreMergesTakesWholeWordTokens() throws Exception {
        // vocab: 256 bytes + "ab" + "abc"; the only merge is a+b, so plain BPE gives [ab, c].
        ObjectNode root = (ObjectNode) M.readTree(ByteLevelBpe.train(List.of("ab").iterator(), 258, new TrainOptions(List.of(), 1, s -> {})).toJson());
        ObjectNode model = (ObjectNode) root.get("model");
        ((ObjectNode) model.get("vocab")).put("abc", 258);
        assertEquals(1, ((ArrayNode) model.get("merges")).size());
        ByteLevelBpe plain = ByteLevelBpe.fromJson(M.writeValueAsBytes(root), "plain.json");
        assertArrayEquals(new int[] {256, 'c' - 33}, plain.encode("abc"));
        model.put("ignore_merges", true);
        ByteLevelBpe ignore = ByteLevelBpe.fromJson(M.writeValueAsBytes(root), "ignore.json");
        assertArrayEquals(new int[] {258}, ignore.encode("abc"));
        assertArrayEquals(new int[] {256, 'c' - 33, 256}, ignore.encode("abcab"), "only whole pre-tokens are looked up");
    }

    @Test
    void hashSurvivesSaveLoad(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ByteLevelBpe llama = ByteLevelBpe.fromJson(llamaStyleJson(), "llama-style.json");
        llama.save(dir.resolve("t.json"));
        ByteLevelBpe back = ByteLevelBpe.load(dir.resolve("t.json"));
        assertEquals(llama.hash(), back.hash());
        assertArrayEquals(llama.encode("In 2024, 1234567 people's lives"), back.encode("In 2024, 1234567 people's lives"));
    }
}
