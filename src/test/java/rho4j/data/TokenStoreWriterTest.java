package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.tokenize.TextEncoder;

/** The writer publishes all or nothing: failures keep the previous store and leave no temp directory. */
class TokenStoreWriterTest {
    @TempDir
    Path tmp;

    private Path previousStore() throws IOException {
        Path dir = tmp.resolve("store");
        try (TokenStoreWriter w = new TokenStoreWriter(dir, 258, 256, "old")) {
            w.addDocument(new int[] {1, 2, 3});
            w.finish();
        }
        return dir;
    }

    private List<String> entries(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A channel that accepts {@code budget} bytes and then fails like a full disk. */
    private static WritableByteChannel diskFullAfter(WritableByteChannel ch, long budget) {
        return new WritableByteChannel() {
            long left = budget;

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (src.remaining() > left) throw new IOException("No space left on device");
                left -= src.remaining();
                return ch.write(src);
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Test
    void diskFullMidwayKeepsPreviousStoreAndRemovesTemp() throws IOException {
        Path dir = previousStore();
        String before = Files.readString(dir.resolve("meta.json"));
        TokenStoreWriter w = new TokenStoreWriter(dir, 258, 256, "new", ch -> diskFullAfter(ch, 3 << 20));
        Path temp = w.tempDir();
        assertTrue(Files.isDirectory(temp));
        IOException e = assertThrows(IOException.class, () -> {
            try (w) {
                for (int d = 0; d < 10_000; d++) w.addDocument(new int[1000]);
                w.finish();
            }
        });
        assertTrue(e.getMessage().contains(temp.resolve("tokens.bin").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertFalse(Files.exists(temp));
        assertEquals(List.of("store"), entries(tmp));
        assertEquals(before, Files.readString(dir.resolve("meta.json")));
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals(4, s.size());
            assertEquals("old", s.meta().tokenizerHash());
        }
    }

    @Test
    void failureWhileFinishingKeepsPreviousStore() throws IOException {
        Path dir = previousStore();
        // Fits the documents in the buffer, so the failure comes from the final flush in finish().
        TokenStoreWriter w = new TokenStoreWriter(dir, 258, 256, "new", ch -> diskFullAfter(ch, 10));
        w.addDocument(new int[100]);
        IOException e = assertThrows(IOException.class, w::finish);
        assertTrue(e.getMessage().contains(w.tempDir().toString()), e.getMessage());
        assertEquals(List.of("store"), entries(tmp));
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals("old", s.meta().tokenizerHash());
        }
    }

    @Test
    void tokenizerFailureInPrepareKeepsPreviousStore() throws IOException {
        Path dir = previousStore();
        Path input = Files.writeString(tmp.resolve("in.txt"), "x".repeat(100));
        Path folder = Files.createDirectories(tmp.resolve("folder"));
        for (int i = 0; i < 2000; i++) Files.writeString(folder.resolve("f" + i + ".txt"), "doc " + i);
        TextEncoder failing = new FakeEncoder() {
            @Override
            public int[] encode(String text) {
                if (text.equals("doc 1500")) throw new IllegalStateException("boom");
                return super.encode(text);
            }
        };
        for (int threads : new int[] {1, 2}) {
            var opts = PrepareOptions.of(List.of(input, folder), dir).withThreads(threads).withHoldout(0.1, 1);
            CorpusException e = assertThrows(CorpusException.class, () -> Prepare.run(opts, failing, s -> {}));
            assertTrue(e.getMessage().contains(folder.resolve("f1500.txt") + ":1: the tokenizer failed")
                    && e.getMessage().contains("boom"), e.getMessage());
            assertEquals(List.of("folder", "in.txt", "store"), entries(tmp));
            assertEquals(List.of("docs.bin", "meta.json", "tokens.bin"), entries(dir));
            try (TokenStore s = TokenStore.open(dir)) {
                assertEquals("old", s.meta().tokenizerHash());
            }
        }
    }

    @Test
    void closeWithoutFinishDiscards() throws IOException {
        Path dir = tmp.resolve("s");
        try (TokenStoreWriter w = new TokenStoreWriter(dir, 258, 256, "h")) {
            w.addDocument(new int[] {1});
        }
        assertEquals(List.of(), entries(tmp));
    }

    @Test
    void replacesAnOlderStoreOnlyOnSuccess() throws IOException {
        Path dir = previousStore();
        Files.createDirectories(dir.resolve("holdout")); // stale contents of the old store go with it
        try (TokenStoreWriter w = new TokenStoreWriter(dir, 70_000, 256, "new")) {
            w.addDocument(new int[] {69_999});
            w.finish();
        }
        assertEquals(List.of("store"), entries(tmp));
        assertEquals(List.of("docs.bin", "meta.json", "tokens.bin"), entries(dir));
        try (TokenStore s = TokenStore.open(dir)) {
            assertEquals("new", s.meta().tokenizerHash());
            assertEquals(69_999, s.get(0));
        }
    }

    @Test
    void refusesToReplaceAFolderThatIsNotAStore() throws IOException {
        Path notAStore = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(notAStore.resolve("precious.txt"), "keep me");
        IOException e = assertThrows(IOException.class, () -> new TokenStoreWriter(notAStore, 258, 256, "h"));
        assertTrue(e.getMessage().contains("not a token store"), e.getMessage());
        assertEquals("keep me", Files.readString(notAStore.resolve("precious.txt")));
        assertEquals(List.of("home"), entries(tmp));
    }
}
