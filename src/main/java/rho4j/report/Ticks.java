package rho4j.report;

/**
 * A linear axis with "nice" tick spacing (1, 2, 2.5 or 5 times a power of ten) whose ends lie on ticks, so charts
 * get round numbers instead of the data's raw extremes.
 */
record Ticks(double lo, double hi, double step) {

    static Ticks nice(double min, double max, int target) {
        if (!(max > min)) {
            // A single value or a flat series: give it some room either side.
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double raw = (max - min) / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
        double lo = Math.floor(min / step + 1e-9) * step;
        double hi = Math.ceil(max / step - 1e-9) * step;
        return new Ticks(lo, hi, step);
    }

    double[] values() {
        int n = (int) Math.round((hi - lo) / step) + 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + i * step;
        }
        return v;
    }

    String label(double v) {
        return Fmt.tick(v, step, Math.max(Math.abs(lo), Math.abs(hi)));
    }
}
