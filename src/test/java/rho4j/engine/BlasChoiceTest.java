package rho4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import rho4j.model.FusedHeadLoss;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;

/**
 * The BLAS is chosen once per process (Engine.init): an OpenMP OpenBLAS when installed, else the bundled one. Both must
 * give the same model numbers; a child JVM runs the other choice on the same seeded model and batch.
 */
class BlasChoiceTest {
    /** Loss and squared gradient norm of one seeded forward/backward, printed by the child JVM. */
    static double[] lossAndGradNorm() {
        Engine.init();
        LlamaConfig cfg = LlamaConfig.preset("tiny").withContext(32);
        Llama m = new Llama(cfg, Device.CPU, DType.FP32, 5);
        int b = 4, t = 32;
        int[] x = new int[b * t], y = new int[b * t];
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(cfg.vocabSize()); y[i] = r.nextInt(cfg.vocabSize()); }
        try (Engine.Scope s = Engine.stepScope()) {
            FusedHeadLoss f = FusedHeadLoss.forward(m.hidden(Tensors.longs(Device.CPU, x, b, t)), m.headWeight(), Tensors.longs(Device.CPU, y, b, t));
            float[] w = new float[b * t];
            java.util.Arrays.fill(w, 1f / w.length);
            f.backward(w);
            double loss = 0, g2 = 0;
            for (float l : f.losses()) loss += l / w.length;
            for (Tensor p : m.parameters().values()) g2 += Math.pow(p.grad().norm().item_double(), 2);
            return new double[] {loss, g2};
        }
    }

    public static void main(String[] args) {
        double[] v = lossAndGradNorm();
        System.out.println("blas=" + Engine.blas() + " loss=" + v[0] + " grad2=" + v[1]);
        System.out.println("summary=" + Engine.summary());
    }

    /** The start line of long work names the BLAS, and says what to install exactly when the bundled one runs on several cores. */
    static void checkSummary(Engine.Blas blas, String summary) {
        boolean many = Runtime.getRuntime().availableProcessors() > 1;
        assertTrue(summary.startsWith(blas == Engine.Blas.OPENMP ? "engine: OpenMP OpenBLAS, " : "engine: bundled OpenBLAS, "), summary);
        assertEquals(blas == Engine.Blas.BUNDLED && many, summary.contains(Engine.OPENMP_BLAS_HINT), summary);
    }

    private static List<String> child(String blasChoice) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Drho.quiet=true", "-Drho.blas=" + blasChoice, BlasChoiceTest.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GOMP_SPINCOUNT", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        List<String> res = new ArrayList<>();
        res.add(String.valueOf(p.exitValue()));
        res.add(out);
        return res;
    }

    @Test
    void bundledAndOpenMpBlasGiveTheSameNumbers() throws Exception {
        boolean installed = Engine.OPENMP_OPENBLAS.stream().anyMatch(f -> Files.isRegularFile(Path.of(f)));
        if (System.getProperty("rho.blas") == null)
            assertEquals(installed ? Engine.Blas.OPENMP : Engine.Blas.BUNDLED, Engine.blas(), "auto picks the OpenMP build exactly when one is installed");
        double[] here = lossAndGradNorm();
        String other = Engine.blas() == Engine.Blas.OPENMP ? "bundled" : "auto";
        List<String> c = child(other);
        assertEquals("0", c.get(0), c.get(1));
        String line = c.get(1).lines().filter(l -> l.startsWith("blas=")).findFirst().orElseThrow(() -> new AssertionError(c.get(1)));
        double loss = Double.parseDouble(line.replaceAll(".*loss=(\\S+).*", "$1")), g2 = Double.parseDouble(line.replaceAll(".*grad2=(\\S+).*", "$1"));
        assertEquals(here[0], loss, 1e-5 * here[0], line);
        assertEquals(here[1], g2, 1e-4 * here[1], line);
        if (other.equals("bundled")) assertTrue(line.startsWith("blas=BUNDLED"), line);
        checkSummary(Engine.blas(), Engine.summary());
        String summary = c.get(1).lines().filter(l -> l.startsWith("summary=")).findFirst().orElseThrow(() -> new AssertionError(c.get(1)));
        checkSummary(Engine.Blas.valueOf(line.replaceAll("blas=(\\S+).*", "$1")), summary.substring("summary=".length()));
    }

    @Test
    void aNamedBlasThatIsMissingIsAClearError() throws Exception {
        List<String> c = child("/nonexistent/libopenblas.so.0");
        assertTrue(!c.get(0).equals("0") && c.get(1).contains("-Drho.blas=/nonexistent/libopenblas.so.0") && c.get(1).contains("no such file"), c.get(1));
    }
}
