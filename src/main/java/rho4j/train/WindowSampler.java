package rho4j.train;

import java.util.SplittableRandom;

/**
 * The packing shared by training and reference scoring: window w holds tokens [w T, w T + T] of the store (T + 1
 * tokens: inputs are the first T, targets the last T), windows do not overlap, and each epoch visits every window once
 * in an order fixed by the seed. The k-th window drawn depends only on (seed, k), so resuming needs k alone.
 */
public final class WindowSampler {
    private final long numWindows;
    private final int contextLength;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] perm;

    public WindowSampler(long storeTokens, int contextLength, long seed) {
        this.contextLength = contextLength;
        this.numWindows = (storeTokens - 1) / contextLength;
        this.seed = seed;
        if (numWindows < 1)
            throw new IllegalArgumentException("the token store has " + storeTokens + " tokens, fewer than one window of " + (contextLength + 1));
        if (numWindows > Integer.MAX_VALUE) throw new IllegalArgumentException("too many windows for one epoch permutation: " + numWindows);
    }

    public static long numWindows(long storeTokens, int contextLength) { return (storeTokens - 1) / contextLength; }

    public long numWindows() { return numWindows; }

    public long windowStart(long window) { return window * contextLength; }

    /** The window drawn k-th since the start of training. */
    public long window(long k) {
        long epoch = k / numWindows;
        if (epoch != cachedEpoch) {
            perm = permutation((int) numWindows, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch));
            cachedEpoch = epoch;
        }
        return perm[(int) (k % numWindows)];
    }

    /**
     * Consecutive windows [first, first + count) of a store as model inputs and targets, each (count, T) row-major:
     * x holds the first T tokens of a window, y the last T.
     */
    public static int[][] readWindows(rho4j.data.TokenStore store, long first, int count, int T) {
        int[] x = new int[count * T], y = new int[count * T], buf = new int[T + 1];
        for (int i = 0; i < count; i++) {
            store.read((first + i) * T, buf, 0, T + 1);
            System.arraycopy(buf, 0, x, i * T, T);
            System.arraycopy(buf, 1, y, i * T, T);
        }
        return new int[][] {x, y};
    }

    static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
