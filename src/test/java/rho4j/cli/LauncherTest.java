package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/rho: the JVM settings it picks per command, and that the engine reports what actually ran. */
class LauncherTest {
    static final Path RHO = Path.of("bin/rho").toAbsolutePath();

    static String launch(Map<String, String> env, String... args) throws Exception {
        return launch(0, env, args);
    }

    static String launch(int exit, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", RHO.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RHO_CLASSPATH", System.getProperty("java.class.path")); // these classes: no build
        pb.environment().remove("RHO_JIT");
        pb.environment().remove("RHO_MALLOC");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/rho timed out");
        assertEquals(exit, p.exitValue(), out);
        return out;
    }

    static boolean c1Only(String... args) throws Exception {
        return launch(Map.of("RHO_DRY_RUN", "1"), args).contains("-XX:TieredStopAtLevel=1");
    }

    @Test
    void tokenizingCommandsKeepTheC2CompilerAndTheOthersStopAtC1() throws Exception {
        for (String[] a : new String[][] {{"prepare", "--help"}, {"tokenizer", "train"}, {"run", "x.yaml"}, {"demo"}, {"bench", "tokenizer"}})
            assertTrue(!c1Only(a), String.join(" ", a) + " tokenizes: C1 + C2");
        for (String[] a : new String[][] {{"train"}, {"score", "--model", "m"}, {"generate"}, {"eval"}, {"bench", "generate"}, {"bench", "clm"}, {"info"}})
            assertTrue(c1Only(a), String.join(" ", a) + ": C1 only");
        assertTrue(!launch(Map.of("RHO_DRY_RUN", "1", "RHO_JIT", "c2"), "generate").contains("TieredStopAtLevel"), "RHO_JIT=c2 forces C2");
        assertTrue(launch(Map.of("RHO_DRY_RUN", "1", "RHO_JIT", "c1"), "demo").contains("-XX:TieredStopAtLevel=1"), "RHO_JIT=c1 forces C1");
        assertTrue(launch(2, Map.of("RHO_DRY_RUN", "1", "RHO_JIT", "C2"), "demo").contains("RHO_JIT must be auto, c1 or c2, not 'C2'"), "unknown JIT refused");
    }

    @Test
    void theEngineLineReportsTheJitThatRan() throws Exception {
        assertTrue(launch(Map.of(), "info").contains("JIT c1,"), "info runs C1 only");
        assertTrue(launch(Map.of("RHO_JIT", "c2"), "info").contains("JIT c1+c2,"), "forced C2");
    }

    @Test
    void jemallocIsPreloadedWhenInstalledAndGlibcOnRequest() throws Exception {
        boolean installed = java.nio.file.Files.isRegularFile(Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"))
                || java.nio.file.Files.isRegularFile(Path.of("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"))
                || java.nio.file.Files.isRegularFile(Path.of("/usr/lib64/libjemalloc.so.2"));
        assertTrue(launch(Map.of(), "info").contains("malloc " + (installed ? "jemalloc" : "glibc") + ","), "auto: jemalloc exactly when installed");
        assertTrue(launch(Map.of("RHO_MALLOC", "glibc"), "info").contains("malloc glibc,"), "RHO_MALLOC=glibc");
        assertTrue(launch(2, Map.of("RHO_MALLOC", "tcmalloc"), "info").contains("RHO_MALLOC must be auto, jemalloc or glibc"), "unknown allocator refused");
    }
}
