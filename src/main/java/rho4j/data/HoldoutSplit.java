package rho4j.data;

import rho4j.util.Hashing;

/**
 * Deterministic train/holdout assignment: document {@code ordinal} (0-based, in corpus order) is held out
 * when a hash of (seed, ordinal) falls below the fraction. No state, so any tool can recompute the split.
 */
public final class HoldoutSplit {
    private HoldoutSplit() {}

    public static boolean isHoldout(long seed, long ordinal, double fraction) {
        if (fraction <= 0) return false;
        long h = Hashing.mix64(Hashing.mix64(seed ^ 0x9E3779B97F4A7C15L) + ordinal);
        return (h >>> 11) * 0x1.0p-53 < fraction; // top 53 bits as a uniform double in [0, 1)
    }
}
