package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line limit (RHO_MAX_LINE_MB) and the document limit ({@link CorpusReader#MAX_DOCUMENT_CHARS}) at their edges.
 * The reader takes both limits as constructor arguments (package-private), so a test can use 1 MB lines and
 * 100-character documents instead of 64 MB and 2^28; the checks are the same code.
 */
class CorpusReaderLimitsTest {
    private static final long MB = 1 << 20;
    private static final long DOC = 100;

    @TempDir
    Path tmp;

    private static List<String> read(CorpusReader reader) throws IOException {
        List<String> out = new ArrayList<>();
        reader.forEach(d -> out.add(d.text().length() > 40 ? d.text().length() + " chars@" + d.line() : d.text() + "@" + d.line()));
        return out;
    }

    private static CorpusReader lines1Mb(Path f, CorpusOptions opts) {
        return new CorpusReader(List.of(f), opts, MB, CorpusReader.MAX_DOCUMENT_CHARS);
    }

    private static CorpusReader docs100(Path f, CorpusOptions opts) {
        return new CorpusReader(List.of(f), opts, CorpusReader.maxLineBytes(null), DOC);
    }

    /** A JSONL record of exactly {@code bytes} bytes (without its newline). */
    private static String record(long bytes) {
        String head = "{\"text\":\"", tail = "\"}";
        return head + "x".repeat((int) (bytes - head.length() - tail.length())) + tail;
    }

    @Test
    void rhoMaxLineMbIsAWholeNumberOfMegabytesFrom1To1024() {
        assertEquals(64 * MB, CorpusReader.maxLineBytes(null), "unset: 64 MB");
        assertEquals(64 * MB, CorpusReader.maxLineBytes(""));
        assertEquals(64 * MB, CorpusReader.maxLineBytes("  "));
        assertEquals(MB, CorpusReader.maxLineBytes("1"));
        assertEquals(2 * MB, CorpusReader.maxLineBytes(" 2 "));
        assertEquals(1024 * MB, CorpusReader.maxLineBytes("1024"));
        for (String bad : List.of("0", "-1", "1025")) {
            var e = assertThrows(IllegalArgumentException.class, () -> CorpusReader.maxLineBytes(bad));
            assertEquals("RHO_MAX_LINE_MB must be between 1 and 1024, got " + bad, e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> CorpusReader.maxLineBytes("2.5"));
        assertEquals("RHO_MAX_LINE_MB must be a whole number of megabytes, got '2.5'", e.getMessage());
        assertEquals(64 * MB, CorpusReader.maxLineBytes(), "the build and test environment leaves it unset");
    }

    @Test
    void aOneMbLimitRefusesATwoMbLineWithOneLineNamingFileAndLine() throws IOException {
        Path f = Files.writeString(tmp.resolve("big.jsonl"), "{\"text\":\"ok\"}\n" + record(2 * MB) + "\n{\"text\":\"after\"}\n");
        CorpusException e = assertThrows(CorpusException.class, () -> read(lines1Mb(f, CorpusOptions.defaults())));
        assertEquals(f + ":2: a line longer than 1 MB (the limit is RHO_MAX_LINE_MB=1; raise it, e.g. RHO_MAX_LINE_MB=4,"
                + " or split the record) (use --skip-bad to skip such lines)", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aLineOfExactlyTheLimitIsRead() throws IOException {
        Path f = Files.writeString(tmp.resolve("edge.jsonl"), record(MB) + "\n" + record(MB) + "\n");
        assertEquals(List.of((MB - 11) + " chars@1", (MB - 11) + " chars@2"), read(lines1Mb(f, CorpusOptions.defaults())));
    }

    @Test
    void skipBadSkipsAnOverlongLineAndCountsIt() throws IOException {
        Path f = Files.writeString(tmp.resolve("big.jsonl"), "{\"text\":\"ok\"}\n" + record(MB + 1) + "\n{\"text\":\"after\"}\n");
        CorpusReader reader = lines1Mb(f, CorpusOptions.defaults().withSkipBad(true));
        assertEquals(List.of("ok@1", "after@3"), read(reader), "the line after the long one keeps its number");
        assertEquals(1, reader.sources().get(0).skipped());
        assertEquals(3, reader.sources().get(0).lines());
        assertEquals(2, reader.sources().get(0).documents());
    }

    @Test
    void invalidUtf8InAJsonlLineNamesItsLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("{\"text\":\"ok\"}\n{\"text\":\"caf".getBytes(StandardCharsets.US_ASCII));
        b.write(0xE9); // Latin-1 é
        b.writeBytes("\"}\n{\"text\":\"after\"}\n".getBytes(StandardCharsets.US_ASCII));
        Path f = Files.write(tmp.resolve("latin1.jsonl"), b.toByteArray());
        CorpusException e = assertThrows(CorpusException.class, () -> read(lines1Mb(f, CorpusOptions.defaults())));
        assertEquals(f + ":2: invalid UTF-8 (byte 0xE9 at byte 13 of the line); convert the file to UTF-8"
                + " (use --skip-bad to skip such lines)", e.getMessage());
        CorpusReader reader = lines1Mb(f, CorpusOptions.defaults().withSkipBad(true));
        assertEquals(List.of("ok@1", "after@3"), read(reader));
        assertEquals(1, reader.sources().get(0).skipped());
    }

    @Test
    void aWholeFileDocumentOfExactlyTheLimitIsRead() throws IOException {
        Path ascii = Files.writeString(tmp.resolve("ascii.txt"), "x".repeat((int) DOC));
        assertEquals(List.of("100 chars@1"), read(docs100(ascii, CorpusOptions.defaults())));
        // 100 three-byte characters: 300 bytes, the most the byte limit lets through, still 100 characters
        Path euro = Files.writeString(tmp.resolve("euro.txt"), "\u20AC".repeat((int) DOC));
        assertEquals(List.of("100 chars@1"), read(docs100(euro, CorpusOptions.defaults())));
        Path bom = Files.writeString(tmp.resolve("bom.txt"), "\uFEFF" + "x".repeat((int) DOC));
        assertEquals(List.of("100 chars@1"), read(docs100(bom, CorpusOptions.defaults())), "a byte-order mark is not text");
    }

    @Test
    void aWholeFileDocumentOverTheLimitIsRefused() throws IOException {
        for (String text : List.of("x".repeat((int) DOC + 1), "\u20AC".repeat((int) DOC) + "a", "x".repeat(1000))) {
            Path f = Files.writeString(tmp.resolve("over.txt"), text);
            CorpusException e = assertThrows(CorpusException.class, () -> read(docs100(f, CorpusOptions.defaults())));
            assertEquals(f + ":1: a single document of more than 100 characters; split it (e.g. with the paragraphs option)",
                    e.getMessage());
        }
    }

    @Test
    void aParagraphIsHeldToTheSameLimit() throws IOException {
        CorpusOptions paras = CorpusOptions.defaults().withParagraphs(true);
        // line 3 and 4 make one paragraph of 49 + 1 (the newline) + 50 = 100 characters
        Path edge = Files.writeString(tmp.resolve("edge.txt"), "intro\n\n" + "x".repeat(49) + "\n" + "y".repeat(50) + "\n\nend\n");
        assertEquals(List.of("intro@1", "100 chars@3", "end@6"), read(docs100(edge, paras)));
        Path over = Files.writeString(tmp.resolve("over.txt"), "intro\n\n" + "x".repeat(50) + "\n" + "y".repeat(50) + "\n");
        CorpusException e = assertThrows(CorpusException.class, () -> read(docs100(over, paras)));
        assertEquals(over + ":3: a single document of more than 100 characters; split it (e.g. with the paragraphs option)",
                e.getMessage());
    }
}
