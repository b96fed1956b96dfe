package rho4j.data;

import java.nio.file.Path;

/**
 * One document of a corpus.
 *
 * @param text   the text to tokenize
 * @param source the file it came from
 * @param line   1-based line where it starts (the JSONL line, the paragraph's first line, or 1 for a whole file)
 */
public record Document(String text, Path source, long line) {
    /** {@code FILE:LINE}, for error messages. */
    public String where() {
        return source + ":" + line;
    }
}
