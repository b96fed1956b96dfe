package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
    @TempDir
    Path tmp;

    private static List<Document> read(List<Path> inputs, CorpusOptions opts) throws IOException {
        List<Document> docs = new ArrayList<>();
        new CorpusReader(inputs, opts).forEach(docs::add);
        return docs;
    }

    @Test
    void mixedInputsInDeterministicOrder() throws IOException {
        List<Path> inputs = CorpusFixture.create(tmp);
        CorpusReader reader = new CorpusReader(inputs, CorpusOptions.defaults());
        List<Document> docs = new ArrayList<>();
        reader.forEach(docs::add);
        assertEquals(CorpusFixture.DOCS.size(), docs.size());
        for (int i = 0; i < docs.size(); i++) {
            var e = CorpusFixture.DOCS.get(i);
            assertEquals(e.text(), docs.get(i).text(), "doc " + i);
            assertEquals(tmp.resolve(e.file()), docs.get(i).source(), "doc " + i);
            assertEquals(e.line(), docs.get(i).line(), "doc " + i);
        }
        List<SourceStats> s = reader.sources();
        assertEquals(6, s.size());
        assertEquals(3, s.get(0).lines());
        assertEquals(2, s.get(0).documents());
        assertEquals(Files.size(tmp.resolve("a.jsonl")), s.get(0).bytes());
        assertEquals(Files.size(tmp.resolve("dir/c.jsonl.gz")), s.get(2).bytes(), "compressed bytes are counted");
        assertEquals(s.stream().mapToLong(SourceStats::bytes).sum(), reader.bytesRead());
    }

    @Test
    void paragraphsOption() throws IOException {
        Path f = Files.writeString(tmp.resolve("p.txt"), "p1 line1\r\np1 line2\n\n  \n p2\n\n");
        List<Document> docs = read(List.of(f), CorpusOptions.defaults().withParagraphs(true));
        assertEquals(2, docs.size());
        assertEquals("p1 line1\np1 line2", docs.get(0).text());
        assertEquals(1, docs.get(0).line());
        assertEquals(" p2", docs.get(1).text());
        assertEquals(5, docs.get(1).line());
        // without the option: the whole file is one document
        assertEquals(1, read(List.of(f), CorpusOptions.defaults()).size());
    }

    private String errorFor(String badLine, CorpusOptions opts) throws IOException {
        return errorFor("{\"text\":\"ok\"}", badLine, opts);
    }

    private String errorFor(String goodLine, String badLine, CorpusOptions opts) throws IOException {
        Path f = Files.writeString(tmp.resolve("bad.jsonl"), goodLine + "\n" + goodLine + "\n" + badLine + "\n");
        CorpusException e = assertThrows(CorpusException.class, () -> read(List.of(f), opts));
        String prefix = f + ":3: ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (use --skip-bad to skip such lines)"), e.getMessage());
        return e.getMessage().substring(prefix.length());
    }

    @Test
    void malformedLinesNameFileAndLine() throws IOException {
        CorpusOptions d = CorpusOptions.defaults();
        assertTrue(errorFor("{\"text\": broken", d).startsWith("invalid JSON: "));
        assertTrue(errorFor("{\"body\":\"x\"}", d).startsWith("no field \"text\" (the object has: body)"));
        assertTrue(errorFor("{\"text\":42}", d).startsWith("field \"text\" is a number, not a string"));
        assertTrue(errorFor("{\"text\":null}", d).startsWith("field \"text\" is null, not a string"));
        assertTrue(errorFor("[1,2]", d).startsWith("expected a JSON object, got an array"));
        assertTrue(errorFor("{\"text\":\"a\"} {\"text\":\"b\"}", d).startsWith("invalid JSON: "));
        assertTrue(errorFor("{\"q\":\"x\",\"a\":\"y\"}", "{\"q\":\"x\"}", d.withTemplate("{q} {a}")).startsWith("no field \"a\""));
        assertTrue(errorFor("{\"body\":\"y\"}", "{\"body\":[1]}", d.withField("body")).startsWith("field \"body\" is an array"));
    }

    @Test
    void skipBadCountsMalformedLinesPerSource() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), String.join("\n",
                "{\"text\":\"ok1\"}", "{\"text\": broken", "{\"body\":\"no text\"}", "{\"text\":42}", "", "[1]",
                "{\"text\":\"ok2\"}"));
        Path good = Files.writeString(tmp.resolve("good.jsonl"), "{\"text\":\"ok3\"}\n");
        CorpusReader reader = new CorpusReader(List.of(bad, good), CorpusOptions.defaults().withSkipBad(true));
        List<String> texts = new ArrayList<>();
        reader.forEach(d -> texts.add(d.text() + "@" + d.line()));
        assertEquals(List.of("ok1@1", "ok2@7", "ok3@1"), texts);
        assertEquals(4, reader.sources().get(0).skipped());
        assertEquals(7, reader.sources().get(0).lines());
        assertEquals(2, reader.sources().get(0).documents());
        assertEquals(0, reader.sources().get(1).skipped());
    }

    @Test
    void templateFillsNamedAndNestedFields() throws IOException {
        Path f = Files.writeString(tmp.resolve("qa.json"),
                "{\"question\":\"Q?\",\"answer\":\"A.\",\"meta\":{\"x\":\"deep\"},\"a.b\":\"dotted\"}\n");
        // "\\n" as a shell passes it, decoded to a newline; {{ }} are literal braces
        String tpl = "{question}\\n{answer} [{meta.x}] {a.b} {{lit}}";
        assertEquals(List.of("Q?\nA. [deep] dotted {lit}"),
                read(List.of(f), CorpusOptions.defaults().withTemplate(tpl)).stream().map(Document::text).toList());
        assertEquals("Q?\nA.", read(List.of(f), CorpusOptions.defaults().withTemplate("{question}\n{answer}")).get(0).text());
        assertEquals("A.", read(List.of(f), CorpusOptions.defaults().withField("answer")).get(0).text());
        assertThrows(IllegalArgumentException.class, () -> TextTemplate.parse("{open"));
        assertThrows(IllegalArgumentException.class, () -> TextTemplate.parse("close}"));
        assertThrows(IllegalArgumentException.class, () -> TextTemplate.parse("{}"));
    }

    @Test
    void missingInputAndBadGzipAreClear() throws IOException {
        var e = assertThrows(IOException.class, () -> read(List.of(tmp.resolve("nope.jsonl")), CorpusOptions.defaults()));
        assertTrue(e.getMessage().contains("nope.jsonl") && e.getMessage().contains("input not found"), e.getMessage());
        Path fake = Files.writeString(tmp.resolve("x.txt.gz"), "not gzip");
        var g = assertThrows(IOException.class, () -> read(List.of(fake), CorpusOptions.defaults()));
        assertTrue(g.getMessage().contains("x.txt.gz") && g.getMessage().contains("not a gzip file"), g.getMessage());
    }

    @Test
    void emptyTextFilesHoldNoDocumentAndBomIsDropped() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), " \n");
        Path bom = Files.writeString(tmp.resolve("bom.jsonl"), "\uFEFF{\"text\":\"b\"}\n");
        List<Document> docs = read(List.of(empty, bom), CorpusOptions.defaults());
        assertEquals(List.of("b"), docs.stream().map(Document::text).toList());
    }

    @Test
    void plainTextCountsLinesWithOrWithoutFinalNewline() throws IOException {
        Path two = Files.writeString(tmp.resolve("two.txt"), "a\nb");
        Path twoNl = Files.writeString(tmp.resolve("twoNl.txt"), "a\nb\n");
        Path bom = Files.writeString(tmp.resolve("bom.txt"), "\uFEFFtext\n");
        CorpusReader reader = new CorpusReader(List.of(two, twoNl, bom), CorpusOptions.defaults());
        List<Document> docs = new ArrayList<>();
        reader.forEach(docs::add);
        assertEquals(List.of("a\nb", "a\nb\n", "text\n"), docs.stream().map(Document::text).toList());
        assertEquals(List.of(2L, 2L, 1L), reader.sources().stream().map(SourceStats::lines).toList());
        assertEquals(List.of(1L, 1L, 1L), reader.sources().stream().map(SourceStats::documents).toList());
    }

    @Test
    void paragraphsAreCountedAsDocuments() throws IOException {
        Path f = Files.writeString(tmp.resolve("p.txt"), "one\n\ntwo\n\n\nthree\n");
        CorpusReader reader = new CorpusReader(List.of(f), CorpusOptions.defaults().withParagraphs(true));
        List<Document> docs = new ArrayList<>();
        reader.forEach(docs::add);
        assertEquals(List.of("one@1", "two@3", "three@6"), docs.stream().map(d -> d.text() + "@" + d.line()).toList());
        assertEquals(3, reader.sources().get(0).documents());
        assertEquals(6, reader.sources().get(0).lines());
    }

    @Test
    void invalidUtf8InPlainTextNamesItsLine() throws IOException {
        Path first = tmp.resolve("first.txt");
        Files.write(first, new byte[] {(byte) 0xFF, 'a'});
        CorpusException at1 = assertThrows(CorpusException.class, () -> read(List.of(first), CorpusOptions.defaults()));
        assertTrue(at1.getMessage().startsWith(first + ":1: invalid UTF-8 (byte 0xFF)"), at1.getMessage());
        Path f = tmp.resolve("latin1.txt");
        Files.write(f, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        CorpusException e = assertThrows(CorpusException.class, () -> read(List.of(f), CorpusOptions.defaults()));
        assertTrue(e.getMessage().startsWith(f + ":2: invalid UTF-8 (byte 0xE9)"), e.getMessage());
        // with skip-bad the file is skipped whole, counted once
        Path good = Files.writeString(tmp.resolve("good.txt"), "fine");
        CorpusReader reader = new CorpusReader(List.of(f, good), CorpusOptions.defaults().withSkipBad(true));
        List<Document> docs = new ArrayList<>();
        reader.forEach(docs::add);
        assertEquals(List.of("fine"), docs.stream().map(Document::text).toList());
        assertEquals(1, reader.sources().get(0).skipped());
        assertEquals(0, reader.sources().get(0).documents());
    }

    @Test
    void noDocumentsSaysWhatWasFound() throws IOException {
        Path zero = Files.write(tmp.resolve("zero.txt"), new byte[0]);
        String z = assertThrows(CorpusException.class, () -> read(List.of(zero), CorpusOptions.defaults())).getMessage();
        assertTrue(z.contains(" (1 file, all empty);"), z);
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "  \n");
        Path blank = Files.writeString(tmp.resolve("blank.jsonl"), "\n\n");
        String one = assertThrows(CorpusException.class, () -> read(List.of(empty), CorpusOptions.defaults())).getMessage();
        assertTrue(one.startsWith("no documents in [" + empty + "] (1 file, all empty); check the --input paths"), one);
        String two = assertThrows(CorpusException.class, () -> read(List.of(empty, blank), CorpusOptions.defaults())).getMessage();
        assertTrue(two.contains(" (2 files, all empty);"), two);
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{oops\n");
        String skipped = assertThrows(CorpusException.class,
                () -> read(List.of(bad), CorpusOptions.defaults().withSkipBad(true))).getMessage();
        assertTrue(skipped.contains(" (1 file, all empty or skipped);"), skipped);
        Path dir = Files.createDirectories(tmp.resolve("only-hidden"));
        Files.writeString(dir.resolve(".x.txt"), "hidden");
        String none = assertThrows(CorpusException.class, () -> read(List.of(dir), CorpusOptions.defaults())).getMessage();
        assertTrue(none.contains(" (no readable text files);"), none);
    }

    @Test
    void endOfStreamIsStable() throws IOException {
        Path f = Files.writeString(tmp.resolve("a.jsonl"), "{\"text\":\"x\"}\n");
        try (CorpusReader.DocumentStream docs = new CorpusReader(List.of(f), CorpusOptions.defaults()).open()) {
            assertTrue(docs.hasNext());
            assertEquals("x", docs.next().text());
            assertFalse(docs.hasNext());
            assertFalse(docs.hasNext());
            assertThrows(java.util.NoSuchElementException.class, docs::next);
        }
    }

    @Test
    void binaryFilesInFoldersAreSkippedButNamedFilesAreRead() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        Files.write(dir.resolve("image.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        Files.writeString(dir.resolve("text.txt"), "words");
        CorpusReader reader = new CorpusReader(List.of(dir), CorpusOptions.defaults());
        List<Document> docs = new ArrayList<>();
        reader.forEach(docs::add);
        assertEquals(List.of("words"), docs.stream().map(Document::text).toList());
        assertEquals(1, reader.binarySkipped());
        assertEquals(1, reader.sources().size(), "a skipped binary file has no statistics");
        // reading again starts the counts afresh
        reader.forEach(d -> { });
        assertEquals(1, reader.binarySkipped());
        assertEquals(1, reader.sources().size());
    }

    @Test
    void jsonArrayFileHintsAtOneObjectPerLine() throws IOException {
        Path f = Files.writeString(tmp.resolve("arr.json"), "[\n{\"text\":\"a\"}\n]\n");
        String m = assertThrows(CorpusException.class, () -> read(List.of(f), CorpusOptions.defaults())).getMessage();
        assertTrue(m.startsWith(f + ":1: invalid JSON") && m.contains("(a .json input must hold one object per line)"), m);
        Path brace = Files.writeString(tmp.resolve("pretty.json"), "{\n  \"text\": \"a\"\n}\n");
        String b = assertThrows(CorpusException.class, () -> read(List.of(brace), CorpusOptions.defaults())).getMessage();
        assertTrue(b.startsWith(brace + ":1: invalid JSON") && b.contains("(a .json input must hold one object per line)"), b);
        Path g = Files.writeString(tmp.resolve("obj.json"), "{\"text\":\"a\"}\n[\n");
        String n = assertThrows(CorpusException.class, () -> read(List.of(g), CorpusOptions.defaults())).getMessage();
        assertTrue(n.startsWith(g + ":2: invalid JSON") && !n.contains("one object per line"), n);
    }
}
