package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** What a pass leaves behind: the files it opened (all closed again) and its notes on stderr. */
class CorpusReaderResourcesTest {
    private static final byte[] BINARY = {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13};

    @TempDir
    Path tmp;

    interface IoAction {
        void run() throws IOException;
    }

    /** What {@code action} writes to System.err. */
    private static String stderrOf(IoAction action) throws IOException {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Files under {@code dir} that this process holds open (Linux: the links in /proc/self/fd). */
    private static List<Path> openFilesUnder(Path dir) throws IOException {
        Path real = dir.toRealPath();
        List<Path> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(real)) open.add(target);
                } catch (IOException gone) {
                    // closed while listing (the listing's own descriptor, or another thread's)
                }
            }
        }
        return open;
    }

    private static void assumeProcFd() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd (Linux)");
    }

    private Path corpusFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(dir.resolve("a.jsonl"), "{\"text\":\"a1\"}\n{\"text\":\"a2\"}\n");
        Files.write(dir.resolve("b.bin"), BINARY);
        Files.writeString(dir.resolve("c.txt"), "c");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("d.txt.gz")))) {
            gz.write("d".getBytes(StandardCharsets.UTF_8));
        }
        return dir;
    }

    @Test
    void aPassRunToItsEndClosesEveryFileItOpened() throws IOException {
        assumeProcFd();
        Path dir = corpusFolder();
        CorpusReader.DocumentStream docs = new CorpusReader(List.of(dir), CorpusOptions.defaults()).open();
        List<String> texts = new ArrayList<>();
        while (docs.hasNext()) texts.add(docs.next().text());
        assertEquals(List.of("a1", "a2", "c", "d"), texts);
        // not closed by the caller: reaching the end is enough, the skipped binary file included
        assertEquals(List.of(), openFilesUnder(tmp));
    }

    @Test
    void closingAPassHalfWayClosesItsCurrentFile() throws IOException {
        assumeProcFd();
        Path dir = corpusFolder();
        CorpusReader.DocumentStream docs = new CorpusReader(List.of(dir), CorpusOptions.defaults()).open();
        assertEquals("a1", docs.next().text());
        assertEquals(List.of(dir.resolve("a.jsonl").toRealPath()), openFilesUnder(tmp), "the file being read is open");
        docs.close();
        assertEquals(List.of(), openFilesUnder(tmp));
        docs.close(); // twice is harmless
    }

    @Test
    void aFileThatIsNotGzipIsClosedAfterTheError() throws IOException {
        assumeProcFd();
        Path fake = Files.writeString(tmp.resolve("x.txt.gz"), "not gzip");
        CorpusReader.DocumentStream docs = new CorpusReader(List.of(fake), CorpusOptions.defaults()).open();
        var e = assertThrows(UncheckedIOException.class, docs::hasNext);
        assertTrue(e.getCause().getMessage().contains("not a gzip file"), e.getCause().getMessage());
        assertEquals(List.of(), openFilesUnder(tmp));
    }

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void upToThreeBinaryFilesAreNamedOnStderr() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("three"));
        for (String name : List.of("1.png", "2.png", "3.png")) Files.write(dir.resolve(name), BINARY);
        Files.writeString(dir.resolve("text.txt"), "words");
        CorpusReader reader = new CorpusReader(List.of(dir), CorpusOptions.defaults());
        String err = stderrOf(() -> reader.forEach(d -> { }));
        assertEquals("rho: skipping binary file " + dir.resolve("1.png") + " (NUL bytes; not text)\n"
                + "rho: skipping binary file " + dir.resolve("2.png") + " (NUL bytes; not text)\n"
                + "rho: skipping binary file " + dir.resolve("3.png") + " (NUL bytes; not text)\n",
                err.replace(System.lineSeparator(), "\n"));
        assertEquals(3, reader.binarySkipped());
    }

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void moreThanThreeBinaryFilesAreCountedAfterTheFirstThree() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("four"));
        for (String name : List.of("1.png", "2.png", "3.png", "4.png")) Files.write(dir.resolve(name), BINARY);
        Files.writeString(dir.resolve("text.txt"), "words");
        CorpusReader reader = new CorpusReader(List.of(dir), CorpusOptions.defaults());
        List<String> lines = stderrOf(() -> reader.forEach(d -> { })).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        for (int i = 0; i < 3; i++) assertEquals("rho: skipping binary file " + dir.resolve((i + 1) + ".png") + " (NUL bytes; not text)", lines.get(i));
        assertEquals("rho: skipped 4 binary files in the input folders", lines.get(3));
    }

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void skippedMalformedLinesAreSummedOnStderr() throws IOException {
        Path a = Files.writeString(tmp.resolve("a.jsonl"), "{\"text\":\"ok\"}\n{broken\n[1]\n");
        Path b = Files.writeString(tmp.resolve("b.jsonl"), "{\"text\":\"ok\"}\n{\"body\":\"x\"}\n");
        CorpusReader reader = new CorpusReader(List.of(a, b), CorpusOptions.defaults().withSkipBad(true));
        assertEquals("rho: skipped 3 malformed lines (--skip-bad); per-file counts are in the store's meta.json",
                stderrOf(() -> reader.forEach(d -> { })).strip());
    }

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void aCleanPassSaysNothing() throws IOException {
        Path a = Files.writeString(tmp.resolve("a.jsonl"), "{\"text\":\"ok\"}\n");
        Path dir = Files.createDirectories(tmp.resolve("d"));
        Files.writeString(dir.resolve("t.txt"), "text");
        CorpusReader reader = new CorpusReader(List.of(a, dir), CorpusOptions.defaults().withSkipBad(true));
        assertEquals("", stderrOf(() -> reader.forEach(d -> { })));
    }

    @Test
    void expandListsTheFilesAPassReadsInOrder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("in"));
        Files.createDirectories(dir.resolve("sub"));
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve("b.txt"), "b");
        Files.writeString(dir.resolve("sub/a.txt"), "a");
        Files.writeString(dir.resolve(".hidden.txt"), "h");
        Files.writeString(dir.resolve(".git/config"), "g");
        Path single = Files.writeString(tmp.resolve("z.jsonl"), "{\"text\":\"z\"}\n");
        assertEquals(List.of(single, dir.resolve("b.txt"), dir.resolve("sub/a.txt")), CorpusReader.expand(List.of(single, dir)));
        var e = assertThrows(IOException.class, () -> CorpusReader.expand(List.of(tmp.resolve("missing"))));
        assertTrue(e.getMessage().contains("input not found"), e.getMessage());
        assertFalse(CorpusReader.expand(List.of(dir)).contains(dir.resolve(".hidden.txt")));
    }
}
