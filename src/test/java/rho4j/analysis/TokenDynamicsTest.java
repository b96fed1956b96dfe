package rho4j.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenDynamicsTest {
    /** Steps 0..400: normalised x is exactly 0, .25, .5, .75, 1. */
    private static final double[] X = {0, 100, 200, 300, 400};

    /** Token trajectories (one row per token), with the category each must get. */
    private static final float[][] TRAJ = {
            line(5, -2), // 0: clear decrease                       H->L
            line(1, 2), // 1: clear increase                         L->H
            line(1, 0), // 2: flat and low                           L->L
            line(6, 0), // 3: flat and high                          H->H
            line(2, -0.19), // 4: just inside -0.2, final 1.81 < mean  L->L
            line(2, -0.21), // 5: just beyond -0.2                   H->L
            line(4, 0.19), // 6: just inside +0.2, final 4.19 > mean  H->H
            line(4, 0.21), // 7: just beyond +0.2                    L->H
            {2f, 2.4f, 2f, 2.4f, 2f}, // 8: zigzag, slope exactly 0, final 2  L->L
    };
    // Final losses 3, 3, 1, 6, 1.81, 1.79, 4.19, 4.21, 2 sum to 27, so the mean final loss is 3.
    private static final TokenCategory[] EXPECTED = {
            TokenCategory.H_TO_L, TokenCategory.L_TO_H, TokenCategory.L_TO_L, TokenCategory.H_TO_H,
            TokenCategory.L_TO_L, TokenCategory.H_TO_L, TokenCategory.H_TO_H, TokenCategory.L_TO_H,
            TokenCategory.L_TO_L};

    /** y = start + change * u at the five normalised x-values. */
    private static float[] line(double start, double change) {
        float[] y = new float[5];
        for (int k = 0; k < 5; k++) {
            y[k] = (float) (start + change * k / 4.0);
        }
        return y;
    }

    /** [checkpoint][token] from the per-token rows above. */
    private static float[][] byCheckpoint(float[][] perToken) {
        float[][] out = new float[perToken[0].length][perToken.length];
        for (int t = 0; t < perToken.length; t++) {
            for (int k = 0; k < perToken[t].length; k++) {
                out[k][t] = perToken[t][k];
            }
        }
        return out;
    }

    @Test
    void categoriesOfHandBuiltTrajectories() {
        DynamicsResult r = TokenDynamics.analyze(X, byCheckpoint(TRAJ));
        assertEquals(3.0, r.meanFinalLoss(), 1e-6);
        for (int t = 0; t < EXPECTED.length; t++) {
            assertEquals(EXPECTED[t], r.category(t), "token " + t);
        }
        assertEquals(2, r.count(TokenCategory.H_TO_L));
        assertEquals(2, r.count(TokenCategory.L_TO_H));
        assertEquals(3, r.count(TokenCategory.L_TO_L));
        assertEquals(2, r.count(TokenCategory.H_TO_H));
        assertEquals(100.0 * 3 / 9, r.percentage(TokenCategory.L_TO_L), 1e-12);
        double sum = 0;
        for (double p : r.percentages()) {
            sum += p;
        }
        assertEquals(100.0, sum, 1e-9);
    }

    @Test
    void boundaryIsStrictAndFinalLossTiesGoLow() {
        assertEquals(TokenCategory.L_TO_L, TokenDynamics.classify(-0.2, 1, 2));
        assertEquals(TokenCategory.H_TO_H, TokenDynamics.classify(0.2, 3, 2));
        assertEquals(TokenCategory.H_TO_L, TokenDynamics.classify(-0.2000001, 3, 2));
        assertEquals(TokenCategory.L_TO_H, TokenDynamics.classify(0.2000001, 1, 2));
        assertEquals(TokenCategory.L_TO_L, TokenDynamics.classify(0, 2, 2)); // final == mean is low
    }

    @Test
    void slopeMatchesHandComputationOnUnevenCheckpoints() {
        // x = 0, 10, 40, 100 -> u = 0, .1, .4, 1; y = 4, 3, 3.5, 1.
        // u mean .375, y mean 2.875; sum(du*dy) = -1.6125; sum(du^2) = .6075; slope = -2.65432...
        double[] x = {0, 10, 40, 100};
        float[] y = {4, 3, 3.5f, 1};
        double[] u = TokenDynamics.normalize(x);
        assertArrayEquals(new double[] {0, 0.1, 0.4, 1}, u, 1e-12);
        double expected = -1.6125 / 0.6075;
        assertEquals(expected, TokenDynamics.fittedChange(u, y), 1e-9);

        // The two-pass streaming formula in analyze() gives the same slope.
        float[][] losses = {{4}, {3}, {3.5f}, {1}};
        DynamicsResult r = TokenDynamics.analyze(x, losses, 1);
        DynamicsResult.Example e = r.examples().get(TokenCategory.H_TO_L).get(0);
        assertEquals(expected, e.change(), 1e-6);
        assertArrayEquals(y, e.trajectory());
    }

    @Test
    void meanTrajectoriesAndExamples() {
        DynamicsResult r = TokenDynamics.analyze(X, byCheckpoint(TRAJ), 5);
        // H->L holds tokens 0 (5 -> 3) and 5 (2 -> 1.79): mean at the first checkpoint is 3.5, at the last 2.395.
        double[] hl = r.meanTrajectory()[TokenCategory.H_TO_L.ordinal()];
        assertEquals(5, hl.length);
        assertEquals(3.5, hl[0], 1e-6);
        assertEquals((3 + 1.79) / 2, hl[4], 1e-6);
        List<DynamicsResult.Example> ll = r.examples().get(TokenCategory.L_TO_L);
        assertEquals(List.of(2L, 4L, 8L), ll.stream().map(DynamicsResult.Example::token).toList());
        assertArrayEquals(TRAJ[8], ll.get(2).trajectory());
    }

    @Test
    void examplesAreSpreadOverTheTokenOrder() {
        int n = 100;
        float[][] losses = new float[2][n];
        for (int t = 0; t < n; t++) {
            losses[0][t] = 1;
            losses[1][t] = 1; // all flat and equal to the mean: all L->L
        }
        DynamicsResult r = TokenDynamics.analyze(new double[] {1, 2}, losses, 4);
        assertEquals(List.of(0L, 25L, 50L, 75L),
                r.examples().get(TokenCategory.L_TO_L).stream().map(DynamicsResult.Example::token).toList());
        assertEquals(0, r.meanTrajectory()[TokenCategory.H_TO_L.ordinal()].length);
    }

    @Test
    void streamingSourceThatReusesItsBufferGivesTheSameResult() throws Exception {
        float[][] losses = byCheckpoint(TRAJ);
        float[] buffer = new float[TRAJ.length];
        int[] reads = {0};
        TokenDynamics.LossSource source = new TokenDynamics.LossSource() {
            @Override
            public int tokens() {
                return TRAJ.length;
            }

            @Override
            public float[] checkpoint(int k) {
                reads[0]++;
                System.arraycopy(losses[k], 0, buffer, 0, buffer.length);
                return buffer;
            }
        };
        DynamicsResult streamed = TokenDynamics.analyze(X, source, 5);
        DynamicsResult inMemory = TokenDynamics.analyze(X, losses, 5);
        assertArrayEquals(inMemory.categories(), streamed.categories());
        for (TokenCategory c : TokenCategory.values()) {
            assertArrayEquals(inMemory.meanTrajectory()[c.ordinal()], streamed.meanTrajectory()[c.ordinal()], 1e-12);
        }
        assertTrue(reads[0] <= 2 * X.length);
    }

    @Test
    void rejectsBadInputWithAUsefulMessage() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TokenDynamics.analyze(new double[] {0, 5, 5}, new float[3][2]));
        assertTrue(e.getMessage().contains("x[2]"), e.getMessage());
        float[][] nan = new float[2][3];
        nan[1][2] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> TokenDynamics.analyze(new double[] {0, 1}, nan));
        assertTrue(e.getMessage().contains("checkpoint 1, token 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenDynamics.analyze(new double[] {0}, new float[1][2]));
    }

    @Test
    void writesJsonAndCategoryFile(@TempDir Path dir) throws Exception {
        DynamicsResult r = TokenDynamics.analyze(X, byCheckpoint(TRAJ));
        Path json = dir.resolve("dynamics.json");
        Path cats = dir.resolve("categories.bin");
        DynamicsFiles.writeJson(r, json);
        DynamicsFiles.writeCategories(r, cats);

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        double sum = 0;
        for (TokenCategory c : TokenCategory.values()) {
            sum += root.get("categories").get(c.label()).asDouble();
            assertEquals(r.count(c), root.get("counts").get(c.label()).asLong());
            assertEquals(5, root.get("meanTrajectory").get(c.label()).size());
        }
        assertEquals(100.0, sum, 1e-9);
        assertEquals(400.0, root.get("x").get(4).asDouble());
        assertEquals(0, root.get("examples").get("H->L").get(0).get("token").asInt());
        assertEquals(5, root.get("examples").get("H->L").get(0).get("trajectory").size());

        byte[] bytes = DynamicsFiles.readCategories(cats);
        assertEquals(TRAJ.length, bytes.length);
        for (int t = 0; t < EXPECTED.length; t++) {
            assertEquals(EXPECTED[t].code(), bytes[t]);
        }
        // Atomic write leaves no temporary files behind.
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }
}
