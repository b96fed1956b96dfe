package rho4j.demo;

import java.util.Objects;

/**
 * A labelled character range {@code [start, end)} of a document's text, in Java {@code char} units (UTF-16 code
 * units). Demo text is pure ASCII, so these offsets are also code-point and UTF-8 byte offsets.
 */
public record Span(int start, int end, NoiseKind kind) {
    public Span {
        Objects.requireNonNull(kind, "kind");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    public int length() {
        return end - start;
    }
}
