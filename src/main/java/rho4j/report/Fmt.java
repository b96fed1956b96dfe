package rho4j.report;

import java.util.Locale;

/** Number formatting for tables, tooltips and axis ticks; always Locale.ROOT so reports read the same everywhere. */
final class Fmt {
    private Fmt() {}

    /** About four significant digits, no exponent for everyday magnitudes, integers without ".0". */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-4) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(a)));
        return strip(String.format(Locale.ROOT, "%." + decimals + "f", v));
    }

    /** A tick label for v on an axis whose ticks are {@code step} apart and reach {@code extent} in magnitude. */
    static String tick(double v, double step, double extent) {
        double scale = 1;
        String suffix = "";
        if (extent >= 1e9) {
            scale = 1e9;
            suffix = "G";
        } else if (extent >= 1e6) {
            scale = 1e6;
            suffix = "M";
        } else if (extent >= 1e4) {
            scale = 1e3;
            suffix = "k";
        }
        double s = step / scale;
        int decimals = 0;
        while (decimals < 6 && Math.abs(Math.rint(s * Math.pow(10, decimals)) - s * Math.pow(10, decimals)) > 1e-6) {
            decimals++;
        }
        double scaled = v / scale;
        if (Math.abs(scaled) < s * 1e-9) {
            return "0"; // not "0.0M" or "-0"
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", scaled) + suffix;
    }

    private static String strip(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
