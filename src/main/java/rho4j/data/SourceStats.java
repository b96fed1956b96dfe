package rho4j.data;

import java.nio.file.Path;

/** Counters for one input file, filled while it is read (single-threaded: the reading thread). */
public final class SourceStats {
    private final Path path;
    long bytes;
    long lines;
    long documents;
    long skipped;

    SourceStats(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** Bytes read from disk (compressed size for .gz). */
    public long bytes() {
        return bytes;
    }

    public long lines() {
        return lines;
    }

    public long documents() {
        return documents;
    }

    /** Malformed lines skipped because of skipBad. */
    public long skipped() {
        return skipped;
    }

    public StoreMeta.Source toMeta() {
        return new StoreMeta.Source(path.toString(), bytes, lines, documents, skipped);
    }

    @Override
    public String toString() {
        return path + ": " + documents + " documents, " + lines + " lines, " + skipped + " skipped, " + bytes + " bytes";
    }
}
