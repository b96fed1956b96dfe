package rho4j.report;

import java.util.Locale;

/**
 * Colours for values. Token backgrounds stay light enough that black text on them is readable at every value, so
 * the scales end in mid-tone colours rather than dark ones.
 */
final class ColorScale {
    /** Line/bar colours for runs, in run order (colour-blind friendly Tableau 10). */
    static final String[] RUN_COLORS = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948",
            "#9c755f"};

    private static final int[] WHITE = {255, 255, 255};
    private static final int[] HOT = {240, 90, 60};
    private static final int[] COLD = {80, 150, 215};

    private ColorScale() {}

    static String run(int i) {
        return RUN_COLORS[i % RUN_COLORS.length];
    }

    /** White at lo to orange-red at hi; values outside are clamped. */
    static String sequential(double v, double lo, double hi) {
        return mix(WHITE, HOT, clamp01((v - lo) / (hi - lo)));
    }

    /** Blue for negative, white at zero, red for positive, full colour at |v| = limit. */
    static String diverging(double v, double limit) {
        double t = clamp01(Math.abs(v) / limit);
        return mix(WHITE, v < 0 ? COLD : HOT, t);
    }

    /** CSS linear-gradient for a legend of {@link #sequential}. */
    static String sequentialGradient() {
        return "linear-gradient(to right, " + rgb(WHITE) + ", " + rgb(HOT) + ")";
    }

    static String divergingGradient() {
        return "linear-gradient(to right, " + rgb(COLD) + ", " + rgb(WHITE) + ", " + rgb(HOT) + ")";
    }

    private static double clamp01(double t) {
        return Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
    }

    private static String mix(int[] a, int[] b, double t) {
        int[] c = new int[3];
        for (int i = 0; i < 3; i++) {
            c[i] = (int) Math.round(a[i] + (b[i] - a[i]) * t);
        }
        return rgb(c);
    }

    private static String rgb(int[] c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c[0], c[1], c[2]);
    }
}
