package rho4j.tokenize;

import java.util.Arrays;

/**
 * Open-addressing long -> int hash map (linear probing) for merge ranks and pair counts: avoids a
 * boxed Long per lookup on the encode hot path. Not thread-safe for writes; concurrent reads of a
 * map that is no longer written are safe.
 */
final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE; // never a valid key: ids are non-negative ints
    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static int slot(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    int get(long k, int missing) {
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            long kk = keys[i];
            if (kk == k) return values[i];
            if (kk == EMPTY) return missing;
        }
    }

    void put(long k, int v) {
        int i = find(k);
        if (keys[i] == EMPTY) {
            keys[i] = k;
            if (++size * 2 > keys.length) {
                values[i] = v;
                grow();
                return;
            }
        }
        values[i] = v;
    }

    /** Adds {@code delta} to the value of {@code k} (0 if absent) and returns the new value. */
    int add(long k, int delta) {
        int i = find(k);
        if (keys[i] == EMPTY) {
            keys[i] = k;
            values[i] = delta;
            if (++size * 2 > keys.length) grow();
            return delta;
        }
        return values[i] += delta;
    }

    void forEachKey(java.util.function.LongConsumer action) {
        for (long k : keys) if (k != EMPTY) action.accept(k);
    }

    int size() {
        return size;
    }

    private int find(long k) {
        int i = slot(k, mask);
        while (keys[i] != EMPTY && keys[i] != k) i = (i + 1) & mask;
        return i;
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = values;
        keys = new long[ok.length * 2];
        values = new int[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != EMPTY) {
                int j = find(ok[i]);
                keys[j] = ok[i];
                values[j] = ov[i];
            }
        }
    }
}
