package rho4j.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How well a token selection (Rho-1's top-k% by excess loss) separates useful tokens from noise, against the demo's
 * ground truth. "Useful" means kind NONE. Ratios whose denominator is zero are reported as 0.0 rather than NaN so
 * the record always serializes to valid JSON; the counts tell an empty denominator apart from a true zero.
 *
 * @param tokens                 counted tokens (valid positions)
 * @param selected               counted tokens that were selected
 * @param noise                  counted noise tokens
 * @param noiseSelected          noise tokens selected
 * @param useful                 counted useful tokens
 * @param usefulSelected         useful tokens selected
 * @param noiseSelectedFraction  noiseSelected / noise
 * @param usefulSelectedFraction usefulSelected / useful
 * @param precision              usefulSelected / selected: share of the training signal that is useful
 * @param recall                 usefulSelected / useful (same as usefulSelectedFraction, named for readers)
 * @param baseRate               useful / tokens: the precision a random selection would get
 * @param byKind                 per kind (NONE included) with at least one counted token; empty when built from
 *                               boolean noise flags, which carry no kind
 */
public record SelectionPrecision(
    long tokens, long selected, long noise, long noiseSelected, long useful, long usefulSelected,
    double noiseSelectedFraction, double usefulSelectedFraction, double precision, double recall, double baseRate,
    Map<NoiseKind, KindStats> byKind) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts for one kind; {@code selectedFraction = selected / tokens}. */
    public record KindStats(long tokens, long selected, double selectedFraction) {}

    public SelectionPrecision {
        Map<NoiseKind, KindStats> copy = new EnumMap<>(NoiseKind.class); // enum order in JSON, whatever map came in
        copy.putAll(byKind);
        byKind = Collections.unmodifiableMap(copy);
    }

    /** One sequence (or a flattened batch); {@code valid} may be null, meaning every position counts. */
    public static SelectionPrecision of(boolean[] selected, NoiseKind[] kinds, boolean[] valid) {
        return new Tally().add(selected, kinds, valid).result();
    }

    public static SelectionPrecision of(boolean[] selected, NoiseKind[] kinds) {
        return of(selected, kinds, null);
    }

    /** Like {@link #of} with plain noise flags instead of kinds; {@link #byKind()} is then empty. */
    public static SelectionPrecision ofFlags(boolean[] selected, boolean[] noise, boolean[] valid) {
        return new Tally().addFlags(selected, noise, valid).result();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // plain record of numbers and enums: cannot happen
        }
    }

    private static double ratio(long num, long den) {
        return den == 0 ? 0.0 : (double) num / den;
    }

    /** Accumulates counts over many batches (not thread-safe); {@link #result()} may be called at any time. */
    public static final class Tally {
        private final long[] kindTokens = new long[NoiseKind.values().length];
        private final long[] kindSelected = new long[NoiseKind.values().length];
        private long flagNoise;
        private long flagNoiseSelected;
        private long flagUseful;
        private long flagUsefulSelected;

        public Tally add(boolean[] selected, NoiseKind[] kinds, boolean[] valid) {
            checkLengths(selected.length, kinds.length, valid);
            for (int i = 0; i < selected.length; i++) {
                if (valid == null || valid[i]) {
                    int k = kinds[i].ordinal();
                    kindTokens[k]++;
                    if (selected[i]) {
                        kindSelected[k]++;
                    }
                }
            }
            return this;
        }

        public Tally addFlags(boolean[] selected, boolean[] noise, boolean[] valid) {
            checkLengths(selected.length, noise.length, valid);
            for (int i = 0; i < selected.length; i++) {
                if (valid == null || valid[i]) {
                    if (noise[i]) {
                        flagNoise++;
                        flagNoiseSelected += selected[i] ? 1 : 0;
                    } else {
                        flagUseful++;
                        flagUsefulSelected += selected[i] ? 1 : 0;
                    }
                }
            }
            return this;
        }

        public SelectionPrecision result() {
            long useful = flagUseful + kindTokens[NoiseKind.NONE.ordinal()];
            long usefulSel = flagUsefulSelected + kindSelected[NoiseKind.NONE.ordinal()];
            long noise = flagNoise;
            long noiseSel = flagNoiseSelected;
            Map<NoiseKind, KindStats> byKind = new EnumMap<>(NoiseKind.class);
            for (NoiseKind k : NoiseKind.values()) {
                long n = kindTokens[k.ordinal()], s = kindSelected[k.ordinal()];
                if (k.isNoise()) {
                    noise += n;
                    noiseSel += s;
                }
                if (n > 0) {
                    byKind.put(k, new KindStats(n, s, ratio(s, n)));
                }
            }
            long tokens = useful + noise, selected = usefulSel + noiseSel;
            return new SelectionPrecision(tokens, selected, noise, noiseSel, useful, usefulSel,
                ratio(noiseSel, noise), ratio(usefulSel, useful), ratio(usefulSel, selected), ratio(usefulSel, useful),
                ratio(useful, tokens), byKind);
        }

        private static void checkLengths(int selected, int labels, boolean[] valid) {
            if (selected != labels || (valid != null && valid.length != selected)) {
                throw new IllegalArgumentException("length mismatch: selected " + selected + ", labels " + labels
                    + (valid == null ? "" : ", valid " + valid.length));
            }
        }
    }
}
