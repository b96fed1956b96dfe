package rho4j.demo;

import java.util.Objects;

/** A piece of a noisy document with its ground-truth label. */
public record Segment(String text, NoiseKind kind) {
    public Segment {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(kind, "kind");
    }

    public boolean noise() {
        return kind.isNoise();
    }
}
