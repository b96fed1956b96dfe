package rho4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The heap merge loop (words of more than 48 bytes) on merge tables built by hand and at random, against the rule
 * itself (lowest rank first, leftmost among equals) and against the plain scan. The random tables use few symbols, so
 * that most pairs merge and merged tokens meet again; half of them list a merge before the merge that makes one of
 * its parts (a loaded file is not required to be in build order).
 */
class BpeMergesTest {
    /** Base symbols 0..3 (id 0 is an ordinary symbol, as byte 0x21 "!" is in GPT-2), results from 10 on. */
    private static final int A = 0, B = 1, C = 2, D = 3;

    private static BpeMerges table(int[]... merges) {
        int[] l = new int[merges.length], r = new int[merges.length], res = new int[merges.length];
        for (int i = 0; i < merges.length; i++) {
            l[i] = merges[i][0];
            r[i] = merges[i][1];
            res[i] = merges[i][2];
        }
        return new BpeMerges(l, r, res);
    }

    private static int[] heap(BpeMerges m, int... ids) {
        int[] a = ids.clone();
        return Arrays.copyOf(a, m.applyHeap(a, a.length));
    }

    private static int[] scan(BpeMerges m, int... ids) {
        int[] a = ids.clone();
        return Arrays.copyOf(a, m.applyScan(a, a.length));
    }

    private static int[] repeat(int times, int... unit) {
        int[] out = new int[times * unit.length];
        for (int i = 0; i < out.length; i++) out[i] = unit[i % unit.length];
        return out;
    }

    @Test
    void aMergeOnTheRightFeedsTheMergeOnItsLeft() {
        // b c -> X first, then a X -> Y: the new pair is to the left of the merged position, at the start of the word.
        BpeMerges m = table(new int[] {B, C, 10}, new int[] {A, 10, 11});
        assertArrayEquals(new int[] {11}, heap(m, A, B, C));
        assertArrayEquals(new int[] {11, 11}, heap(m, A, B, C, A, B, C));
        assertArrayEquals(repeat(30, 11), heap(m, repeat(30, A, B, C)));
    }

    @Test
    void aMergeOnTheLeftFeedsTheMergeOnItsRight() {
        // a b -> X first, then X c -> Y.
        BpeMerges m = table(new int[] {A, B, 10}, new int[] {10, C, 11});
        assertArrayEquals(new int[] {11}, heap(m, A, B, C));
        assertArrayEquals(repeat(30, 11, D), heap(m, repeat(30, A, B, C, D)));
    }

    @Test
    void rankZeroMayUseATokenThatALaterMergeMakes() {
        // Rank 0 is X c, rank 1 a b -> X: rank 0 becomes possible only once rank 1 has run.
        BpeMerges right = table(new int[] {10, C, 11}, new int[] {A, B, 10});
        assertArrayEquals(new int[] {11}, heap(right, A, B, C));
        // Rank 0 is a X, rank 1 b c -> X.
        BpeMerges left = table(new int[] {A, 10, 11}, new int[] {B, C, 10});
        assertArrayEquals(new int[] {11}, heap(left, A, B, C));
        assertArrayEquals(repeat(25, 11, D), heap(left, repeat(25, A, B, C, D)));
    }

    @Test
    void symbolZeroMergesLikeAnyOther() {
        BpeMerges m = table(new int[] {A, A, 10}, new int[] {10, 10, 11});
        assertArrayEquals(new int[] {11, 10}, heap(m, A, A, A, A, A, A));
        assertArrayEquals(repeat(15, 11), heap(m, repeat(60, A)));
        assertArrayEquals(new int[] {B, 10, A}, heap(m, B, A, A, A));
    }

    @Test
    void aLongWordOfOneRepeatedPairMergesToTheTop() {
        // 64 a's: a a -> X, X X -> Y, Y Y -> Z, ... six levels down to one token.
        BpeMerges m = table(new int[] {A, A, 10}, new int[] {10, 10, 11}, new int[] {11, 11, 12},
                new int[] {12, 12, 13}, new int[] {13, 13, 14}, new int[] {14, 14, 15});
        assertArrayEquals(new int[] {15}, heap(m, repeat(64, A)));
        assertArrayEquals(new int[] {15, 15}, heap(m, repeat(128, A)));
        assertArrayEquals(new int[] {15, 14, 13, 12, 11, 10, A}, heap(m, repeat(127, A)));
        assertArrayEquals(scan(m, repeat(127, A)), heap(m, repeat(127, A)));
    }

    @Test
    void moreQueuedPairsThanPositions() {
        // a b -> X (rank 0) makes two new pairs, X X on its left and X a on its right, while the b a entries it
        // made stale (rank 1) wait: from the second merge on, the queue holds more entries than the word has ids.
        BpeMerges m = table(new int[] {A, B, 10}, new int[] {B, A, 11}, new int[] {10, 10, 12}, new int[] {10, A, 13});
        assertArrayEquals(repeat(16, 12), heap(m, repeat(32, A, B)));
        assertArrayEquals(repeat(8, 12), heap(m, repeat(16, A, B)));
        assertArrayEquals(scan(m, repeat(33, A, B, A)), heap(m, repeat(33, A, B, A)));
    }

    /**
     * The definition, one merge at a time: the adjacent pair of lowest rank, leftmost among equals (a pair listed
     * twice has its first rank). {@code rows[r]} is merge r as {left, right, result}.
     */
    private static int[] lowestRankFirst(int[][] rows, int[] ids) {
        List<Integer> w = new ArrayList<>();
        for (int id : ids) w.add(id);
        while (true) {
            int at = -1, best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < w.size(); i++) {
                for (int r = 0; r < Math.min(best, rows.length); r++) {
                    if (rows[r][0] == w.get(i) && rows[r][1] == w.get(i + 1)) {
                        at = i;
                        best = r;
                        break;
                    }
                }
            }
            if (at < 0) return w.stream().mapToInt(Integer::intValue).toArray();
            w.set(at, rows[best][2]);
            w.remove(at + 1);
        }
    }

    /** A random table over {@code symbols} base ids; with {@code inOrder} a merge's parts are made before it. */
    private static int[][] randomTable(SplittableRandom rnd, int symbols, boolean inOrder) {
        int merges = 1 + rnd.nextInt(24);
        int[][] rows = new int[merges][];
        for (int r = 0; r < merges; r++) {
            int made = inOrder ? r : merges; // merge results 100 .. 100 + made - 1 may be parts
            rows[r] = new int[] {part(rnd, symbols, made), part(rnd, symbols, made), 100 + r};
        }
        return rows;
    }

    private static int part(SplittableRandom rnd, int symbols, int made) {
        return made > 0 && rnd.nextInt(3) == 0 ? 100 + rnd.nextInt(made) : rnd.nextInt(symbols);
    }

    @Test
    void heapMergesLowestRankFirstOnRandomTablesAndWords() {
        SplittableRandom rnd = new SplittableRandom(20261202);
        int words = 0;
        for (int t = 0; t < 400; t++) {
            boolean inOrder = t % 2 == 0;
            int symbols = 2 + rnd.nextInt(3);
            int[][] rows = randomTable(rnd, symbols, inOrder);
            BpeMerges m = table(rows);
            for (int w = 0; w < 10; w++) {
                int n = 1 + rnd.nextInt(120);
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(symbols);
                int[] expect = lowestRankFirst(rows, ids), got = heap(m, ids);
                int tt = t;
                assertArrayEquals(expect, got, () -> "table " + tt + " " + Arrays.deepToString(rows) + ", word " + Arrays.toString(ids));
                // The scan of short words follows the same rule, in build order or not (a loaded file may be either).
                assertArrayEquals(expect, scan(m, ids), () -> "scan, table " + tt + ", word " + Arrays.toString(ids));
                words++;
            }
        }
        assertEquals(4000, words);
    }

    @Test
    void applyPicksEitherLoopWithTheSameResult() {
        BpeMerges m = table(new int[] {A, B, 10}, new int[] {10, 10, 11}, new int[] {C, 11, 12});
        for (int n = 1; n <= 120; n++) {
            int[] ids = repeat(n, C, A, B, A, B);
            ids = Arrays.copyOf(ids, n);
            int[] a = ids.clone();
            assertArrayEquals(scan(m, ids), Arrays.copyOf(a, m.apply(a, n)), "n = " + n);
        }
    }
}
