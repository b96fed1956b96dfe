package rho4j.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** A small mixed corpus (jsonl + txt + folder + .gz) whose documents are known by hand. */
final class CorpusFixture {
    private CorpusFixture() {}

    /** The documents in reading order, with their file (relative to root) and line. */
    record Expected(String text, String file, long line) {}

    static final List<Expected> DOCS = List.of(
            new Expected("hello", "a.jsonl", 1),
            new Expected("h\u00e9llo", "a.jsonl", 3),           // line 2 is blank: skipped, not a document
            new Expected("one two\n", "b.txt", 1),
            new Expected("gz", "dir/c.jsonl.gz", 1),            // folder: sorted paths, .hidden ignored
            new Expected("gz2", "dir/c.jsonl.gz", 2),
            new Expected("# A\n\nbody", "dir/sub/a.md", 1),
            new Expected("zz", "dir/z.txt", 1),
            new Expected("gzipped text", "d.txt.gz", 1));

    /** UTF-8 bytes of all texts (5+6+8+2+3+9+2+12) plus one eot per document. */
    static final long TOKENS = 47 + 8;

    static List<Path> create(Path root) throws IOException {
        Files.writeString(root.resolve("a.jsonl"), "{\"text\":\"hello\"}\n\n{\"text\":\"h\u00e9llo\",\"id\":1}\n");
        Files.writeString(root.resolve("b.txt"), "one two\n");
        Path dir = Files.createDirectories(root.resolve("dir"));
        Files.writeString(dir.resolve("z.txt"), "zz");
        Files.writeString(dir.resolve(".hidden"), "ignored");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/a.md"), "# A\n\nbody");
        gzip(dir.resolve("c.jsonl.gz"), "{\"text\":\"gz\"}\n{\"text\":\"gz2\"}\n");
        gzip(root.resolve("d.txt.gz"), "gzipped text");
        return List.of(root.resolve("a.jsonl"), root.resolve("b.txt"), dir, root.resolve("d.txt.gz"));
    }

    static void gzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
