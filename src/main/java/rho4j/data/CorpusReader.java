package rho4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads documents, in a deterministic order, from files and folders:
 * <ul>
 *   <li>{@code .jsonl} / {@code .json}: one JSON object per line, text from a field or a {@link TextTemplate};
 *   <li>anything else: plain UTF-8 text, one document per file or (option) per blank-line-separated paragraph;
 *   <li>folders: every non-hidden file below, recursively, in sorted path order;
 *   <li>any file may be gzip-compressed ({@code .gz}), the type then comes from the name before {@code .gz}.
 * </ul>
 * Files are streamed line by line; only a whole-file plain-text document is held in memory at once.
 * A malformed JSONL line throws {@link CorpusException} ({@code FILE:LINE: what is wrong}) unless
 * {@link CorpusOptions#skipBad()}, which counts it in the file's {@link SourceStats} instead.
 */
public final class CorpusReader {
    /** A single plain-text document larger than this is refused: the encoder takes one String. */
    static final long MAX_DOCUMENT_CHARS = 1L << 28;

    /** Default longest JSONL line (and JSON string), in MB; RHO_MAX_LINE_MB overrides it. */
    static final int DEFAULT_MAX_LINE_MB = 64;

    private static final ObjectMapper JSON = mapper(maxLineBytes());

    private static ObjectMapper mapper(long maxLine) {
        ObjectMapper m = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        // Jackson's own string limit (20 M chars) would otherwise cut in first with a message about Jackson.
        m.getFactory().setStreamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxLine)).build());
        return m;
    }

    static long maxLineBytes() {
        return maxLineBytes(System.getenv("RHO_MAX_LINE_MB"));
    }

    /** The line limit in bytes for a value of RHO_MAX_LINE_MB ({@code null} when it is not set). */
    static long maxLineBytes(String v) {
        long mb = DEFAULT_MAX_LINE_MB;
        if (v != null && !v.isBlank()) {
            try {
                mb = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("RHO_MAX_LINE_MB must be a whole number of megabytes, got '" + v + "'");
            }
            if (mb < 1 || mb > 1024) throw new IllegalArgumentException("RHO_MAX_LINE_MB must be between 1 and 1024, got " + mb);
        }
        return mb << 20;
    }

    private final List<Path> inputs;
    private final CorpusOptions opts;
    private final TextTemplate template;
    private final List<SourceStats> sources = new ArrayList<>();
    private long bytesRead;
    private int binarySkipped;
    private java.util.Set<Path> fromFolders = java.util.Set.of();
    private final long maxLineBytes, maxDocumentChars;

    public CorpusReader(List<Path> inputs, CorpusOptions opts) {
        this(inputs, opts, maxLineBytes(), MAX_DOCUMENT_CHARS);
    }

    /** With other limits than RHO_MAX_LINE_MB's and {@link #MAX_DOCUMENT_CHARS}: for tests of the limits at a small scale. */
    CorpusReader(List<Path> inputs, CorpusOptions opts, long maxLineBytes, long maxDocumentChars) {
        this.maxLineBytes = maxLineBytes;
        this.maxDocumentChars = maxDocumentChars;
        if (inputs.isEmpty()) throw new IllegalArgumentException("no inputs given");
        this.inputs = List.copyOf(inputs);
        this.opts = opts;
        this.template = opts.template() != null ? TextTemplate.parse(opts.template())
                : TextTemplate.ofField(opts.effectiveField());
    }

    /** The files that will be read, in order: inputs as given, folders expanded recursively and sorted. */
    public static List<Path> expand(List<Path> inputs) throws IOException {
        return expand(inputs, new java.util.HashSet<>());
    }

    /** As {@link #expand(List)}, adding to {@code fromFolders} the files found by walking a folder. */
    static List<Path> expand(List<Path> inputs, java.util.Set<Path> fromFolders) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> walk = Files.walk(in)) {
                    walk.filter(Files::isRegularFile)
                            .filter(p -> !isHidden(in.relativize(p)))
                            .sorted()
                            .forEach(p -> {
                                files.add(p);
                                fromFolders.add(p);
                            });
                }
            } else if (Files.isRegularFile(in)) {
                files.add(in);
            } else {
                throw new NoSuchFileException(in.toString(), null, "input not found (give files or folders that exist)");
            }
        }
        return files;
    }

    /** Dot-files and dot-folders (.git, .DS_Store) are never corpus data. */
    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) return true;
        }
        return false;
    }

    static boolean isJsonLines(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) name = name.substring(0, name.length() - 3);
        return name.endsWith(".jsonl") || name.endsWith(".json");
    }

    /** Statistics of the files opened so far, in reading order. */
    public List<SourceStats> sources() {
        return Collections.unmodifiableList(sources);
    }

    /** Bytes read from disk so far, over all files (compressed bytes for .gz). */
    public long bytesRead() {
        return bytesRead;
    }

    /** Calls {@code action} for every document in order. */
    public void forEach(Consumer<Document> action) throws IOException {
        try (DocumentStream docs = open()) {
            while (docs.hasNext()) action.accept(docs.next());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Opens a pass over the corpus; I/O errors surface as UncheckedIOException from hasNext(). */
    public DocumentStream open() throws IOException {
        sources.clear();
        bytesRead = 0;
        binarySkipped = 0;
        fromFolders = new java.util.HashSet<>();
        return new DocumentStream(expand(inputs, fromFolders));
    }

    /** Files inside input folders skipped because they are binary (NUL bytes), in the pass so far. */
    public int binarySkipped() {
        return binarySkipped;
    }

    /** A pass over all documents; close it to release the current file. */
    public final class DocumentStream implements Iterator<Document>, AutoCloseable {
        private final Iterator<Path> files;
        private FileSource current;
        private Path currentPath;
        private Document next;

        private DocumentStream(List<Path> files) {
            this.files = files.iterator();
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    if (current == null) {
                        if (!files.hasNext()) return finish();
                        currentPath = files.next();
                        current = new FileSource(currentPath);
                        if (fromFolders.contains(currentPath) && current.looksBinary()) {
                            // An image or archive in a data folder is not text: skipped, counted, and said.
                            if (binarySkipped++ < 3) System.err.println("rho: skipping binary file " + currentPath + " (NUL bytes; not text)");
                            current.close();
                            current = null;
                            continue;
                        }
                        sources.add(current.stats);
                    }
                    next = current.next();
                    if (next == null) {
                        current.close();
                        current = null;
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(new IOException(currentPath + ": " + e.getMessage(), e));
            }
        }

        private boolean finished;

        /** End of the inputs: say what was skipped, and refuse a pass that found no document at all. */
        private boolean finish() {
            if (finished) return false;
            finished = true;
            if (binarySkipped > 3) System.err.println("rho: skipped " + binarySkipped + " binary files in the input folders");
            long docs = 0, skipped = 0;
            for (SourceStats st : sources) {
                docs += st.documents;
                skipped += st.skipped;
            }
            if (skipped > 0) System.err.println("rho: skipped " + skipped + " malformed lines (--skip-bad); per-file counts are in the store's meta.json");
            if (docs == 0)
                throw new CorpusException("no documents in " + inputs + (sources.isEmpty() ? " (no readable text files)" : " (" + sources.size()
                        + (sources.size() == 1 ? " file" : " files") + ", all empty" + (skipped > 0 ? " or skipped" : "") + ")")
                        + "; check the --input paths (and --field or --template for JSONL)");
            return false;
        }

        @Override
        public Document next() {
            if (!hasNext()) throw new NoSuchElementException();
            Document d = next;
            next = null;
            return d;
        }

        @Override
        public void close() throws IOException {
            if (current != null) current.close();
            current = null;
        }
    }

    /** One open file, producing its documents one at a time. */
    private final class FileSource implements AutoCloseable {
        final SourceStats stats;
        private final Utf8Lines in;
        private final InputStream raw;
        private final boolean json;
        private boolean wholeFileDone;

        FileSource(Path file) throws IOException {
            stats = new SourceStats(file);
            json = isJsonLines(file);
            InputStream raw = new CountingStream(Files.newInputStream(file));
            try {
                if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
                    raw = new GZIPInputStream(raw, 1 << 16);
                }
            } catch (IOException e) {
                raw.close();
                throw new IOException("not a gzip file (" + e.getMessage() + "); rename it without .gz", e);
            }
            this.raw = raw;
            in = new Utf8Lines(raw, maxLineBytes);
        }

        /** Text has no NUL bytes; anything with one in its first 8 KB (after gunzip) is a binary file. */
        boolean looksBinary() throws IOException {
            for (byte b : in.peek(8192)) if (b == 0) return true;
            return false;
        }

        Document next() throws IOException {
            if (json) return nextJson();
            return opts.paragraphs() ? nextParagraph() : wholeFile();
        }

        /** The next line; a bad one fails with FILE:LINE or, with skipBad, is counted and read as blank. */
        private String readLine() throws IOException {
            String line;
            try {
                line = in.readLine();
            } catch (Utf8Lines.BadLine bad) {
                stats.lines++;
                reject(stats.lines, bad.getMessage() + (bad.tooLong ? "" : "; convert the file to UTF-8"));
                return "";
            }
            if (line == null) return null;
            if (stats.lines++ == 0 && line.startsWith("\uFEFF")) line = line.substring(1); // UTF-8 BOM
            return line;
        }

        private void reject(long lineNo, String problem) {
            if (!opts.skipBad()) throw new CorpusException(stats.path() + ":" + lineNo + ": " + problem + " (use --skip-bad to skip such lines)");
            stats.skipped++;
        }

        private Document nextJson() throws IOException {
            for (String line; (line = readLine()) != null; ) {
                if (line.isBlank()) continue;
                long lineNo = stats.lines;
                String problem;
                try {
                    JsonNode node = JSON.readTree(line);
                    if (node != null && node.isObject()) {
                        String text = template.fill(node);
                        stats.documents++;
                        return new Document(text, stats.path(), lineNo);
                    }
                    problem = "expected a JSON object, got " + (node == null ? "nothing" : TextTemplate.describe(node));
                } catch (JsonProcessingException e) {
                    String msg = e.getOriginalMessage().lines().findFirst().orElse("parse error");
                    problem = "invalid JSON: " + msg
                            + (lineNo == 1 && (line.strip().equals("[") || line.strip().equals("{"))
                               ? " (a .json input must hold one object per line)" : "");
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
                reject(lineNo, problem);
            }
            return null;
        }

        private Document nextParagraph() throws IOException {
            StringBuilder para = new StringBuilder();
            long first = 0;
            for (String line; (line = readLine()) != null; ) {
                if (line.isBlank()) {
                    if (!para.isEmpty()) break;
                    continue;
                }
                if (para.isEmpty()) first = stats.lines;
                else para.append('\n');
                para.append(line);
                checkSize(para, first);
            }
            if (para.isEmpty()) return null;
            stats.documents++;
            return new Document(para.toString(), stats.path(), first);
        }

        /** The whole file as one document, its bytes exactly (line ends included); invalid UTF-8 names its line. */
        private Document wholeFile() throws IOException {
            if (wholeFileDone) return null;
            wholeFileDone = true;
            long limit = 3 * maxDocumentChars; // UTF-8 needs at most 3 bytes per UTF-16 char
            byte[] all = readAll(limit);
            int n = all.length;
            long lines = 0;
            for (int k = 0; k < n; k++) if (all[k] == '\n') lines++;
            if (n > 0 && all[n - 1] != '\n') lines++;
            stats.lines = lines;
            int bad = Utf8Lines.invalidAt(all, 0, n);
            if (bad >= 0) {
                long line = 1;
                for (int k = 0; k < bad; k++) if (all[k] == '\n') line++;
                reject(line, String.format("invalid UTF-8 (byte 0x%02X); convert the file to UTF-8", all[bad] & 0xFF));
                return null; // skipped whole: a plain-text document is the file
            }
            String text = new String(all, 0, n, java.nio.charset.StandardCharsets.UTF_8);
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
            StringBuilder sb = new StringBuilder(0);
            if (text.length() > maxDocumentChars) {
                sb.append(text, 0, (int) maxDocumentChars + 1);
                checkSize(sb, 1);
            }
            if (text.isBlank()) return null; // an empty file holds no document
            stats.documents++;
            return new Document(text, stats.path(), 1);
        }

        private byte[] readAll(long limit) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.readRaw(b)) > 0; ) {
                out.write(b, 0, n);
                if (out.size() > limit)
                    throw new CorpusException(stats.path() + ":1: a single document of more than " + maxDocumentChars
                            + " characters; split it (e.g. with the paragraphs option)");
            }
            return out.toByteArray();
        }

        private void checkSize(StringBuilder sb, long line) {
            if (sb.length() > maxDocumentChars) {
                throw new CorpusException(stats.path() + ":" + line + ": a single document of more than "
                        + maxDocumentChars + " characters; split it (e.g. with the paragraphs option)");
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        /** Counts bytes as they come off the disk, for progress and per-source statistics. */
        private final class CountingStream extends FilterInputStream {
            CountingStream(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) count(1);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) count(n);
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long s = in.skip(n);
                count(s);
                return s;
            }

            private void count(long n) {
                stats.bytes += n;
                bytesRead += n;
            }
        }
    }
}
