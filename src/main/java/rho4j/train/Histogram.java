package rho4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Equal-width histogram over the data's range (for the excess-loss distribution in metrics and the report). */
public record Histogram(String name, double[] edges, long[] counts) {
    public static Histogram of(String name, float[] values, int bins) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (float v : values) if (Float.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (lo > hi) { lo = 0; hi = 1; }
        if (hi == lo) hi = lo + 1e-6;
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = lo + (hi - lo) * i / bins;
        long[] counts = new long[bins];
        for (float v : values) {
            if (!Float.isFinite(v)) continue;
            int b = (int) ((v - lo) / (hi - lo) * bins);
            counts[Math.min(bins - 1, Math.max(0, b))]++;
        }
        return new Histogram(name, edges, counts);
    }

    public ObjectNode toJson(ObjectNode into) {
        into.put("name", name);
        var e = into.putArray("edges");
        for (double d : edges) e.add(d);
        var c = into.putArray("counts");
        for (long n : counts) c.add(n);
        return into;
    }
}
