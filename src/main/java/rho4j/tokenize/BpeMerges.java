package rho4j.tokenize;

import java.util.Arrays;

/**
 * The ranked merge list and the BPE merge loop: repeatedly merge the adjacent pair with the lowest
 * rank, leftmost first (what GPT-2's bpe() and Hugging Face's BPE model do). Immutable after
 * construction, so concurrent {@link #apply} calls are safe.
 */
final class BpeMerges {
    /** Words longer than this use the O(n log n) heap loop; short ones the simpler quadratic scan. */
    private static final int HEAP_THRESHOLD = 48;

    private final int[] left, right, result;
    private final LongIntMap rankOf;

    BpeMerges(int[] left, int[] right, int[] result) {
        this.left = left;
        this.right = right;
        this.result = result;
        this.rankOf = new LongIntMap(left.length);
        for (int r = left.length - 1; r >= 0; r--) rankOf.put(LongIntMap.key(left[r], right[r]), r); // first rank wins
    }

    int size() {
        return left.length;
    }

    int left(int rank) { return left[rank]; }

    int right(int rank) { return right[rank]; }

    int rank(int a, int b) {
        return rankOf.get(LongIntMap.key(a, b), -1);
    }

    /** Merges {@code ids[0, n)} in place and returns the new length. */
    int apply(int[] ids, int n) {
        return n > HEAP_THRESHOLD ? applyHeap(ids, n) : applyScan(ids, n);
    }

    /**
     * Short words: the lowest-ranked adjacent pair, leftmost first, merged one at a time, as the Hugging Face library's
     * priority queue does. (Merging every copy of the best pair at once, GPT-2's loop, differs when a merge table lists
     * a merge before the merges that make its parts.)
     */
    int applyScan(int[] ids, int n) {
        while (n > 1) {
            int best = Integer.MAX_VALUE, at = -1;
            for (int i = 0; i + 1 < n; i++) {
                int r = rankOf.get(LongIntMap.key(ids[i], ids[i + 1]), Integer.MAX_VALUE);
                if (r < best) {
                    best = r;
                    at = i;
                }
            }
            if (at < 0) break;
            ids[at] = result[best];
            System.arraycopy(ids, at + 2, ids, at + 1, n - at - 2);
            n--;
        }
        return n;
    }

    /** Linked list over positions plus a min-heap of (rank, position); stale entries are skipped. */
    int applyHeap(int[] ids, int n) {
        int[] next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        long[] heap = new long[Math.max(16, n)];
        int size = 0;
        for (int i = 0; i + 1 < n; i++) {
            int r = rank(ids[i], ids[i + 1]);
            if (r >= 0) heap = push(heap, size++, ((long) r << 32) | i);
        }
        while (size > 0) {
            long top = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, 0);
            int r = (int) (top >>> 32), pos = (int) top;
            int nx = next[pos];
            if (ids[pos] < 0 || nx < 0 || rank(ids[pos], ids[nx]) != r) continue; // stale
            ids[pos] = result[r];
            ids[nx] = -1;
            next[pos] = next[nx];
            if (next[nx] >= 0) prev[next[nx]] = pos;
            int pv = prev[pos];
            if (pv >= 0) {
                int rr = rank(ids[pv], ids[pos]);
                if (rr >= 0) heap = push(heap, size++, ((long) rr << 32) | pv);
            }
            if (next[pos] >= 0) {
                int rr = rank(ids[pos], ids[next[pos]]);
                if (rr >= 0) heap = push(heap, size++, ((long) rr << 32) | pos);
            }
        }
        int w = 0;
        for (int i = 0; i >= 0; i = next[i]) ids[w++] = ids[i];
        return w;
    }

    private static long[] push(long[] heap, int size, long v) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        int i = size;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (heap[p] <= v) break;
            heap[i] = heap[p];
            i = p;
        }
        heap[i] = v;
        return heap;
    }

    private static void siftDown(long[] heap, int size, int i) {
        long v = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && heap[c + 1] < heap[c]) c++;
            if (heap[c] >= v) break;
            heap[i] = heap[c];
            i = c;
        }
        if (size > 0 && i < size) heap[i] = v;
    }
}
