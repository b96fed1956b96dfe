package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeSaveLoadTest {
    static ByteLevelBpe trained;
    static List<String> texts = new ArrayList<>();

    @BeforeAll
    static void train() {
        RandomText gen = new RandomText(3);
        for (int i = 0; i < 2000; i++) texts.add(gen.next(80));
        trained = ByteLevelBpe.train(texts.iterator(), 1500, TrainOptions.defaults());
    }

    @Test
    void saveReloadGivesSameIdsAndHash(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tok/tokenizer.json");
        trained.save(file);
        ByteLevelBpe loaded = ByteLevelBpe.load(file);
        assertEquals(trained.hash(), loaded.hash());
        assertEquals(trained.vocabSize(), loaded.vocabSize());
        assertEquals(trained.eotId(), loaded.eotId());
        assertEquals(trained.padId(), loaded.padId());
        for (String t : texts) assertArrayEquals(trained.encode(t), loaded.encode(t));
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(trained.toJson(), bytes, "save writes exactly the canonical bytes");
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), trained.hash(), "hash = sha256sum of the file");
        loaded.save(file); // overwrite in place
        assertArrayEquals(bytes, Files.readAllBytes(file));
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(List.of(file), s.toList(), "no temp files left behind");
        }
    }

    @Test
    void gpt2SaveReload(@TempDir Path dir) throws Exception {
        ByteLevelBpe gpt2 = R50kTokenizer.load();
        gpt2.save(dir.resolve("gpt2.json"));
        ByteLevelBpe back = ByteLevelBpe.load(dir.resolve("gpt2.json"));
        assertEquals(gpt2.hash(), back.hash());
        assertArrayEquals(gpt2.encode("Hello world, don't 1,234.5"), back.encode("Hello world, don't 1,234.5"));
    }

    @Test
    void legacyStringMergesLoadTheSame() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(trained.toJson());
        ArrayNode merges = (ArrayNode) root.path("model").path("merges");
        ArrayNode legacy = m.createArrayNode();
        merges.forEach(pair -> legacy.add(pair.get(0).asText() + " " + pair.get(1).asText()));
        ((ObjectNode) root.get("model")).set("merges", legacy);
        ByteLevelBpe fromLegacy = ByteLevelBpe.fromJson(m.writeValueAsBytes(root), "legacy.json");
        assertEquals(trained.hash(), fromLegacy.hash(), "the canonical form does not depend on the merge notation");
        for (String t : texts.subList(0, 200)) assertArrayEquals(trained.encode(t), fromLegacy.encode(t));
    }

    @Test
    void differentVocabularyDifferentHash() {
        ByteLevelBpe other = ByteLevelBpe.train(texts.iterator(), 1400, TrainOptions.defaults());
        assertNotEquals(trained.hash(), other.hash());
    }

    @Test
    void errorsNameFileAndJsonPath(@TempDir Path dir) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(trained.toJson());
        ((ArrayNode) root.path("model").path("merges")).insert(0, m.createArrayNode().add("nope").add("x"));
        Path bad = dir.resolve("bad.json");
        Files.write(bad, m.writeValueAsBytes(root));
        IOException e = assertThrows(IOException.class, () -> ByteLevelBpe.load(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("$.model.merges[0]"), e.getMessage());

        Files.writeString(bad, "{not json");
        e = assertThrows(IOException.class, () -> ByteLevelBpe.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());

        root = (ObjectNode) m.readTree(trained.toJson());
        root.set("pre_tokenizer", m.createObjectNode().put("type", "Whitespace"));
        Files.write(bad, m.writeValueAsBytes(root));
        e = assertThrows(IOException.class, () -> ByteLevelBpe.load(bad));
        assertTrue(e.getMessage().contains("$.pre_tokenizer.type"), e.getMessage());
    }
}
