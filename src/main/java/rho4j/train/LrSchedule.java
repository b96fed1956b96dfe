package rho4j.train;

/**
 * Linear warmup from 0 to {@code peak} over {@code warmup} steps, then cosine decay to {@code min} at {@code total}.
 * Step s (0-based) uses lr(s); warmup reaches the peak at s = warmup - 1 + 1, i.e. lr(s) = peak * (s + 1) / warmup.
 */
public record LrSchedule(double peak, double min, int warmup, int total) {
    public double lr(int step) {
        if (warmup > 0 && step < warmup) return peak * (step + 1) / warmup;
        if (step >= total) return min;
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
    }
}
