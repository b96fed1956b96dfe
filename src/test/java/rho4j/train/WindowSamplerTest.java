package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.data.TokenStore;
import rho4j.data.TokenStoreWriter;

/** The packing shared by training and scoring: non-overlapping T + 1 windows, each epoch a seeded permutation. */
class WindowSamplerTest {
    @Test
    void windowsDoNotOverlapAndShareOnlyTheirBoundaryToken() {
        WindowSampler w = new WindowSampler(101, 10, 1);
        assertEquals(10, w.numWindows()); // tokens [0, 100]: windows [0, 10], [10, 20], ..., [90, 100]
        assertEquals(10, WindowSampler.numWindows(101, 10));
        assertEquals(9, WindowSampler.numWindows(100, 10)); // the last window would need token 100
        assertEquals(90, w.windowStart(9));
        assertEquals(0, w.windowStart(0));
    }

    @Test
    void everyEpochVisitsEveryWindowOnceInASeededOrder() {
        WindowSampler w = new WindowSampler(1 + 7 * 13, 7, 5);
        long[] e0 = new long[13], e1 = new long[13];
        for (int k = 0; k < 13; k++) {
            e0[k] = w.window(k);
            e1[k] = w.window(13 + k);
        }
        long[] all = java.util.stream.LongStream.range(0, 13).toArray();
        assertArrayEquals(all, Arrays.stream(e0).sorted().toArray());
        assertArrayEquals(all, Arrays.stream(e1).sorted().toArray());
        assertTrue(!Arrays.equals(e0, e1), "epochs are reshuffled");
        assertTrue(!Arrays.equals(e0, all), "the order is shuffled");
        long[] other = new long[13];
        WindowSampler w2 = new WindowSampler(1 + 7 * 13, 7, 6);
        for (int k = 0; k < 13; k++) other[k] = w2.window(k);
        assertTrue(!Arrays.equals(e0, other), "another seed, another order");
    }

    @Test
    void theKthWindowDependsOnlyOnSeedAndK() {
        WindowSampler seq = new WindowSampler(1 + 5 * 40, 5, 9);
        long[] a = new long[100];
        for (int k = 0; k < 100; k++) a[k] = seq.window(k);
        for (int k : new int[] {99, 3, 57, 40, 0, 41}) assertEquals(a[k], new WindowSampler(1 + 5 * 40, 5, 9).window(k), "k " + k);
        assertEquals(a[3], seq.window(3)); // going back an epoch after a later one
    }

    @Test
    void permutationIsAShuffleOfAll() {
        int[] p = WindowSampler.permutation(50, new java.util.SplittableRandom(1));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        int moved = 0;
        for (int i = 0; i < 50; i++) if (p[i] != i) moved++;
        assertTrue(moved > 25, moved + " of 50 moved");
    }

    @Test
    void tooShortStoresAreRefusedWithTheirSize() {
        var e = assertThrows(IllegalArgumentException.class, () -> new WindowSampler(8, 8, 1));
        assertTrue(e.getMessage().contains("8 tokens") && e.getMessage().contains("one window of 9"), e.getMessage());
        assertEquals(1, new WindowSampler(9, 8, 1).numWindows());
        // one epoch is one int permutation: 2^31 - 1 windows are the most (no permutation is built here)
        assertEquals(Integer.MAX_VALUE, new WindowSampler(Integer.MAX_VALUE + 1L, 1, 0).numWindows());
        var big = assertThrows(IllegalArgumentException.class, () -> new WindowSampler(Integer.MAX_VALUE + 2L, 1, 0));
        assertTrue(big.getMessage().contains("too many windows"), big.getMessage());
    }

    @Test
    void readWindowsGivesInputsAndTargetsShiftedByOne(@TempDir Path tmp) throws Exception {
        try (TokenStoreWriter w = new TokenStoreWriter(tmp.resolve("s"), 100, 99, "t")) {
            int[] ids = new int[30];
            for (int i = 0; i < ids.length; i++) ids[i] = i;
            w.addDocument(ids); // 30 ids + eot
            w.finish();
        }
        TokenStore s = TokenStore.open(tmp.resolve("s"));
        int[][] xy = WindowSampler.readWindows(s, 1, 2, 4); // windows 1 and 2: tokens [4, 8] and [8, 12]
        assertArrayEquals(new int[] {4, 5, 6, 7, 8, 9, 10, 11}, xy[0]);
        assertArrayEquals(new int[] {5, 6, 7, 8, 9, 10, 11, 12}, xy[1]);
    }
}
