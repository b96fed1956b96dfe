package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    @TempDir
    Path tmp;

    private Path write(Path dir, int vocab, int eot, int[]... docs) throws IOException {
        try (TokenStoreWriter w = new TokenStoreWriter(dir, vocab, eot, "h")) {
            for (int[] d : docs) w.addDocument(d);
            w.finish();
        }
        return dir;
    }

    @Test
    void documentBoundariesAndEot() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1, 2, 3}, new int[] {}, new int[] {7, 8});
        try (TokenStore s = TokenStore.open(dir)) {
            // docs: [1 2 3 eot] [eot] [7 8 eot]
            assertEquals(8, s.size());
            assertEquals(3, s.numDocs());
            assertEquals(0, s.docStart(0));
            assertEquals(4, s.docStart(1));
            assertEquals(5, s.docStart(2));
            assertEquals(8, s.docStart(3));
            int[] expectDoc = {0, 0, 0, 0, 1, 2, 2, 2};
            for (int i = 0; i < 8; i++) assertEquals(expectDoc[i], s.docOf(i), "docOf(" + i + ")");
            for (int d = 0; d < s.numDocs(); d++) assertEquals(256, s.get(s.docStart(d + 1) - 1), "eot ends doc " + d);
            int[] all = new int[8];
            s.read(0, all, 0, 8);
            assertArrayEquals(new int[] {1, 2, 3, 256, 256, 7, 8, 256}, all);
            assertEquals(StoreMeta.UINT16, s.meta().dtype());
            assertEquals("all", s.meta().split());
            assertThrows(IndexOutOfBoundsException.class, () -> s.get(8));
            assertThrows(IndexOutOfBoundsException.class, () -> s.docOf(-1));
        }
        // docs.bin is numDocs+1 little-endian int64 offsets
        ByteBuffer docs = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("docs.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4 * 8, docs.capacity());
        assertArrayEquals(new long[] {0, 4, 5, 8}, new long[] {docs.getLong(), docs.getLong(), docs.getLong(), docs.getLong()});
    }

    @Test
    void uint16UpTo65536AndUint32Above() throws IOException {
        Path small = write(tmp.resolve("u16"), 65536, 0, new int[] {65535, 1});
        Path big = write(tmp.resolve("u32"), 65537, 0, new int[] {65536, 70000 % 65537, 2});
        assertEquals(3 * 2, Files.size(small.resolve("tokens.bin")));
        assertEquals(4 * 4, Files.size(big.resolve("tokens.bin")));
        try (TokenStore s = TokenStore.open(small); TokenStore b = TokenStore.open(big)) {
            assertEquals("uint16", s.meta().dtype());
            assertEquals(65535, s.get(0));
            assertEquals("uint32", b.meta().dtype());
            assertEquals(65536, b.get(0));
            assertEquals(0, b.get(3));
        }
        // little-endian on disk
        byte[] raw = Files.readAllBytes(small.resolve("tokens.bin"));
        assertEquals((byte) 0xFF, raw[0]);
        assertEquals(1, raw[2]);
        assertEquals(0, raw[3]);
    }

    @Test
    void idOutsideVocabularyIsRefused() throws IOException {
        try (TokenStoreWriter w = new TokenStoreWriter(tmp.resolve("s"), 258, 256, "h")) {
            var e = assertThrows(IllegalArgumentException.class, () -> w.addDocument(new int[] {300}));
            assertTrue(e.getMessage().contains("300"), e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("s")));
        try (var l = Files.list(tmp)) {
            assertEquals(0, l.count(), "temp dir removed");
        }
    }

    private static void assertFalse(boolean b) {
        org.junit.jupiter.api.Assertions.assertFalse(b);
    }

    @Test
    void metaShaMatchesIndependentSha() throws Exception {
        Random r = new Random(3);
        Path dir = tmp.resolve("s");
        try (TokenStoreWriter w = new TokenStoreWriter(dir, 258, 256, "h")) {
            for (int d = 0; d < 500; d++) w.addDocument(r.ints(r.nextInt(3000), 0, 256).toArray());
            w.finish();
        }
        String independent = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve("tokens.bin"))));
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(independent, s.tokensSha256());
            assertEquals(independent, s.computeTokensSha256());
        }
        assertTrue(Files.readString(dir.resolve("meta.json")).contains("\"tokensSha256\" : \"" + independent + "\""));
    }

    @Test
    void bulkReadMatchesGetAcrossChunks() throws IOException {
        for (int vocab : new int[] {258, 100_000}) {
            Random r = new Random(vocab);
            Path dir = tmp.resolve("v" + vocab);
            try (TokenStoreWriter w = new TokenStoreWriter(dir, vocab, 256, "h")) {
                for (int d = 0; d < 60; d++) w.addDocument(r.ints(1000 + r.nextInt(2000), 0, vocab).toArray());
                w.finish();
            }
            // default 1 GiB chunks and 4 KiB chunks: the latter makes reads cross chunk boundaries
            for (int shift : new int[] {TokenStore.CHUNK_SHIFT, 12}) {
                try (TokenStore s = TokenStore.open(dir, shift)) {
                    assertTrue(s.size() > 65536, "store larger than 65536 tokens: " + s.size());
                    int[] all = new int[(int) s.size()];
                    s.read(0, all, 0, all.length);
                    for (int i = 0; i < all.length; i++) {
                        if (all[i] != s.get(i)) throw new AssertionError("token " + i + " vocab " + vocab + " shift " + shift);
                    }
                    for (int k = 0; k < 200; k++) {
                        int len = r.nextInt(20_000);
                        long start = r.nextLong(s.size() - len + 1);
                        int[] part = new int[len + 3];
                        s.read(start, part, 3, len);
                        for (int j = 0; j < len; j++) assertEquals(all[(int) start + j], part[3 + j]);
                    }
                    for (int d = 0; d < s.numDocs(); d++) {
                        assertEquals(256, s.get(s.docStart(d + 1) - 1));
                        assertEquals(d, s.docOf(s.docStart(d)));
                        assertEquals(d, s.docOf(s.docStart(d + 1) - 1));
                    }
                    assertThrows(IndexOutOfBoundsException.class, () -> s.read(s.size() - 2, new int[4], 0, 4));
                }
            }
        }
    }

    @Test
    void openFailsClearlyOnMissingOrInconsistentFiles() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        var e1 = assertThrows(IOException.class, () -> TokenStore.open(empty));
        assertTrue(e1.getMessage().contains("meta.json") && e1.getMessage().contains("rho prepare"), e1.getMessage());

        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1, 2, 3});
        Files.delete(dir.resolve("tokens.bin"));
        var e2 = assertThrows(IOException.class, () -> TokenStore.open(dir));
        assertTrue(e2.getMessage().contains(dir.resolve("tokens.bin").toString()), e2.getMessage());

        Path dir2 = write(tmp.resolve("t"), 258, 256, new int[] {1, 2, 3});
        Files.write(dir2.resolve("tokens.bin"), new byte[] {1, 0}, StandardOpenOption.APPEND);
        var e3 = assertThrows(IOException.class, () -> TokenStore.open(dir2));
        assertTrue(e3.getMessage().contains("10 bytes but meta.json says 4 uint16 tokens"), e3.getMessage());

        Path dir3 = write(tmp.resolve("u"), 258, 256, new int[] {1, 2, 3});
        Files.write(dir3.resolve("docs.bin"), new byte[8], StandardOpenOption.APPEND);
        var e4 = assertThrows(IOException.class, () -> TokenStore.open(dir3));
        assertTrue(e4.getMessage().contains("docs.bin") && e4.getMessage().contains("1 documents"), e4.getMessage());
    }

    @Test
    void emptyStoreOpens() throws IOException {
        Path dir = write(tmp.resolve("e"), 258, 256);
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(0, s.size());
            assertEquals(0, s.numDocs());
            s.read(0, new int[0], 0, 0);
        }
    }

    private static void putToken16(Path dir, int index, int id) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("tokens.bin"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) id), 2L * index);
        }
    }

    private static void writeOffsets(Path dir, long... offsets) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * offsets.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long o : offsets) b.putLong(o);
        Files.write(dir.resolve("docs.bin"), b.array());
    }

    @Test
    void idsOutsideTheVocabularyAreRefusedAtOpen() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1, 2, 3});
        putToken16(dir, 1, 300);
        var e = assertThrows(IOException.class, () -> TokenStore.open(dir));
        assertTrue(e.getMessage().contains("token 1 has id 300, outside the vocabulary of 258"), e.getMessage());
        putToken16(dir, 1, 258); // the first id past the vocabulary
        assertThrows(IOException.class, () -> TokenStore.open(dir));
        putToken16(dir, 1, 257); // the last id in it
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(257, s.get(1));
        }

        Path wide = write(tmp.resolve("w"), 70_000, 0, new int[] {69_999});
        try (var ch = java.nio.channels.FileChannel.open(wide.resolve("tokens.bin"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, -1), 0);
        }
        var w = assertThrows(IOException.class, () -> TokenStore.open(wide));
        assertTrue(w.getMessage().contains("token 0 has id 4294967295"), w.getMessage());
    }

    @Test
    void eotMustBeInsideTheVocabulary() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1});
        Path meta = dir.resolve("meta.json");
        String json = Files.readString(meta);
        assertTrue(json.contains("\"eotId\" : 256"), json);
        Files.writeString(meta, json.replace("\"eotId\" : 256", "\"eotId\" : 258"));
        var e = assertThrows(IOException.class, () -> TokenStore.open(dir));
        assertTrue(e.getMessage().contains("vocabSize 258 and eotId 258 do not fit"), e.getMessage());
        Files.writeString(meta, json.replace("\"eotId\" : 256", "\"eotId\" : -1"));
        assertThrows(IOException.class, () -> TokenStore.open(dir));
        Files.writeString(meta, json.replace("\"eotId\" : 256", "\"eotId\" : 257"));
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(257, s.meta().eotId());
        }
    }

    @Test
    void chunkSizeFromEightBytesToOneGiB() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1, 2, 3, 4, 5, 6, 7}, new int[] {9});
        for (int shift : new int[] {3, 4, TokenStore.CHUNK_SHIFT}) {
            try (TokenStore s = TokenStore.open(dir, shift)) {
                int[] all = new int[(int) s.size()];
                s.read(0, all, 0, all.length);
                assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 256, 9, 256}, all, "shift " + shift);
                for (int i = 0; i < all.length; i++) assertEquals(all[i], s.get(i), "shift " + shift + " token " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> TokenStore.open(dir, 2));
        assertThrows(IllegalArgumentException.class, () -> TokenStore.open(dir, TokenStore.CHUNK_SHIFT + 1));
    }

    @Test
    void manyDocumentsAndTheirLengths() throws IOException {
        int docs = 20_000; // docs.bin (160 KB) takes several reads
        Path dir = tmp.resolve("m");
        try (TokenStoreWriter w = new TokenStoreWriter(dir, 258, 256, "h")) {
            for (int d = 0; d < docs; d++) w.addDocument(new int[d % 3]);
            w.finish();
        }
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(docs, s.numDocs());
            long start = 0;
            for (int d = 0; d < docs; d++) {
                assertEquals(start, s.docStart(d), "start of " + d);
                assertEquals(d % 3 + 1, s.docLength(d), "length of " + d);
                assertEquals(d, s.docOf(start));
                start += d % 3 + 1;
            }
            assertEquals(s.size(), s.docStart(docs));
            assertThrows(IndexOutOfBoundsException.class, () -> s.docLength(docs));
            assertEquals(dir, s.dir());
            assertEquals("TokenStore[" + dir + ", " + s.size() + " tokens, " + docs + " documents]", s.toString());
        }
    }

    @Test
    void offsetsMayRepeatButNeverDecrease() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1}, new int[] {2});
        writeOffsets(dir, 0, 0, 4); // an empty first document
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(0, s.docLength(0));
            assertEquals(4, s.docLength(1));
        }
        Path three = write(tmp.resolve("t"), 258, 256, new int[] {1}, new int[] {2}, new int[] {3});
        writeOffsets(three, 0, 3, 2, 6);
        var e = assertThrows(IOException.class, () -> TokenStore.open(three));
        assertTrue(e.getMessage().contains("offset of document 2 is below that of document 1"), e.getMessage());
    }

    @Test
    void offsetsMustRunFromZeroToTheTokenCount() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1}, new int[] {2}); // 4 tokens with the eots
        writeOffsets(dir, 1, 2, 4);
        var first = assertThrows(IOException.class, () -> TokenStore.open(dir));
        assertTrue(first.getMessage().contains("docs.bin: offsets run from 1 to 4, expected 0 to 4; re-run `rho prepare`"), first.getMessage());
        writeOffsets(dir, 0, 2, 3);
        var last = assertThrows(IOException.class, () -> TokenStore.open(dir));
        assertTrue(last.getMessage().contains("docs.bin: offsets run from 0 to 3, expected 0 to 4"), last.getMessage());
    }

    @Test
    void checksumVerificationCatchesChangedTokens() throws IOException {
        Path dir = write(tmp.resolve("s"), 258, 256, new int[] {1, 2, 3});
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(4 * 2, s.verifyChecksum());
        }
        putToken16(dir, 0, 7);
        try (TokenStore s = TokenStore.open(dir)) {
            var e = assertThrows(IOException.class, s::verifyChecksum);
            assertTrue(e.getMessage().contains("differs from " + s.tokensSha256().substring(0, 12)), e.getMessage());
        }
    }
}
