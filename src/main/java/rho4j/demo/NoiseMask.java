package rho4j.demo;

import java.util.Arrays;
import java.util.List;

/**
 * Aligns character-level noise labels with any tokenizer. The tokenization is given only as each token's end offset
 * in chars: token {@code i} covers {@code [ends[i-1], ends[i])} of the text, with {@code ends[-1] = 0}. So a
 * tokenizer only has to report offsets, and this class never needs to know how it splits text.
 */
public final class NoiseMask {
    private NoiseMask() {}

    /**
     * Per-token label: a token gets a noise kind when strictly more than half of its chars lie in noise spans (ties
     * count as useful), and then the noise kind covering most of its chars (ties: the earlier enum constant). A
     * zero-width token (e.g. an end-of-text token appended at the end, or one piece of a character split by a
     * byte-level tokenizer) takes the label of the token before it, or NONE if it is first.
     *
     * @param textLength    length of the document text in chars
     * @param spans         labelled spans of the text; NONE spans are ignored, noise spans must not overlap
     * @param tokenCharEnds non-decreasing end offsets, each in {@code [0, textLength]}; they may stop before the end
     *                      of the text (a truncated document)
     */
    public static NoiseKind[] tokenKinds(int textLength, List<Span> spans, int[] tokenCharEnds) {
        NoiseKind[] charKind = charKinds(textLength, spans);
        NoiseKind[] out = new NoiseKind[tokenCharEnds.length];
        int[] counts = new int[NoiseKind.values().length];
        int start = 0;
        for (int t = 0; t < tokenCharEnds.length; t++) {
            int end = tokenCharEnds[t];
            if (end < start || end > textLength) {
                throw new IllegalArgumentException(
                    "token " + t + " end " + end + " out of order or past text length " + textLength);
            }
            if (end == start) {
                out[t] = t == 0 ? NoiseKind.NONE : out[t - 1];
                continue;
            }
            Arrays.fill(counts, 0);
            for (int c = start; c < end; c++) {
                counts[charKind[c].ordinal()]++;
            }
            out[t] = majority(counts, end - start);
            start = end;
        }
        return out;
    }

    public static NoiseKind[] tokenKinds(String text, List<Span> spans, int[] tokenCharEnds) {
        return tokenKinds(text.length(), spans, tokenCharEnds);
    }

    /** {@code kinds[i].isNoise()} for each token. */
    public static boolean[] isNoise(NoiseKind[] kinds) {
        boolean[] out = new boolean[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            out[i] = kinds[i].isNoise();
        }
        return out;
    }

    private static NoiseKind majority(int[] counts, int width) {
        int noise = width - counts[NoiseKind.NONE.ordinal()];
        if (2 * noise <= width) {
            return NoiseKind.NONE;
        }
        NoiseKind best = null;
        for (NoiseKind k : NoiseKind.values()) {
            if (k.isNoise() && (best == null || counts[k.ordinal()] > counts[best.ordinal()])) {
                best = k;
            }
        }
        return best;
    }

    private static NoiseKind[] charKinds(int textLength, List<Span> spans) {
        NoiseKind[] kinds = new NoiseKind[textLength];
        Arrays.fill(kinds, NoiseKind.NONE);
        for (Span s : spans) {
            if (!s.kind().isNoise()) {
                continue;
            }
            if (s.end() > textLength) {
                throw new IllegalArgumentException("span " + s + " past text length " + textLength);
            }
            for (int c = s.start(); c < s.end(); c++) {
                if (kinds[c] != NoiseKind.NONE) {
                    throw new IllegalArgumentException("noise spans overlap at char " + c);
                }
                kinds[c] = s.kind();
            }
        }
        return kinds;
    }
}
