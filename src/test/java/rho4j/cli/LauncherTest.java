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
        pb.environment().put("RHO_FETCH", "0"); // no downloads unless a test asks (the fake archive below)
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

    /** A fake apt archive: apt-get download logs the package and writes a .deb, dpkg-deb -x unpacks the file it names. */
    static Path fakeArchive(Path dir, String multiarch) throws Exception {
        Path bin = java.nio.file.Files.createDirectories(dir.resolve("bin"));
        java.nio.file.Files.writeString(bin.resolve("apt-get"), """
                #!/bin/sh
                [ "$1" = download ] || exit 1
                echo "$3" >> "$FAKE_LOG"
                [ -z "$FAKE_FAIL" ] || exit 100
                touch "$3_1.0_any.deb"
                """);
        java.nio.file.Files.writeString(bin.resolve("dpkg-deb"), """
                #!/bin/sh
                [ "$1" = -x ] || exit 1
                case "$2" in
                  *libopenblas0-openmp_*) f=openblas-openmp/libopenblas.so.0 ;;
                  *libjemalloc2_*) f=libjemalloc.so.2 ;;
                  *libgfortran5_*) f=libgfortran.so.5 ;;
                  *libgomp1_*) f=libgomp.so.1 ;;
                  *) exit 1 ;;
                esac
                mkdir -p "$3/usr/lib/MULTIARCH/$(dirname $f)" && touch "$3/usr/lib/MULTIARCH/$f"
                """.replace("MULTIARCH", multiarch));
        for (String f : List.of("apt-get", "dpkg-deb")) bin.resolve(f).toFile().setExecutable(true);
        return bin;
    }

    @Test
    void aMachineWithoutTheOpenMpBlasOrJemallocFetchesThemOnceAndUsesThem() throws Exception {
        String arch = System.getProperty("os.arch");
        String multiarch = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64-linux-gnu" : arch.equals("aarch64") ? "aarch64-linux-gnu" : null;
        org.junit.jupiter.api.Assumptions.assumeTrue(multiarch != null, "bin/rho fetches Debian packages for x86_64 and aarch64 only");
        Path dir = java.nio.file.Files.createTempDirectory("rho-fetch");
        Path bin = fakeArchive(dir, multiarch), log = dir.resolve("apt.log"), cache = dir.resolve("cache");
        java.util.Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", bin + ":" + System.getenv("PATH"), "FAKE_LOG", log.toString(),
                "RHO_CACHE", cache.toString(), "RHO_DRY_RUN", "1", "RHO_FETCH", "always")); // always: as if neither were installed
        String blas = "-Drho.blas=" + cache + "/debian/libopenblas0-openmp/usr/lib/" + multiarch + "/openblas-openmp/libopenblas.so.0 ";
        String jemalloc = "LD_PRELOAD=" + cache + "/debian/libjemalloc2/usr/lib/" + multiarch + "/libjemalloc.so.2";

        String first = launch(env, "demo");
        assertTrue(first.contains("rho: fetching libopenblas0-openmp libjemalloc2 from this machine's apt sources"), first);
        assertTrue(first.contains(blas) && first.contains(jemalloc), "the fetched copies are used: " + first);
        List<String> fetched = java.nio.file.Files.readAllLines(log);
        assertTrue(fetched.containsAll(List.of("libopenblas0-openmp", "libjemalloc2")), fetched.toString());

        String again = launch(env, "train", "--help");
        assertTrue(again.contains(blas) && again.contains(jemalloc) && !again.contains("fetching"), "the cache serves later commands: " + again);
        assertEquals(fetched, java.nio.file.Files.readAllLines(log), "fetched once");
        assertTrue(!launch(env, "prepare", "--help").contains("-Drho.blas="), "commands that run no model fetch nothing");
        env.put("RHO_FETCH", "0");
        String off = launch(env, "demo");
        assertTrue(!off.contains("-Drho.blas=") && !off.contains(cache.toString()), "RHO_FETCH=0: " + off);
        env.put("RHO_FETCH", "yes");
        assertTrue(launch(2, env, "demo").contains("RHO_FETCH must be auto, always or 0"), "unknown RHO_FETCH refused");

        // No network or no package lists: one line, the bundled BLAS and glibc's malloc, and no retry on the next command.
        env.putAll(Map.of("RHO_FETCH", "always", "RHO_CACHE", dir.resolve("cache2").toString(), "FAKE_FAIL", "1"));
        int calls = java.nio.file.Files.readAllLines(log).size();
        String failed = launch(env, "demo");
        // (libgfortran5 first where the system lacks it, else libopenblas0-openmp)
        assertTrue(failed.matches("(?s).*rho: could not fetch (libgfortran5|libopenblas0-openmp) \\(apt-get download \\1 failed\\); going on without it.*"), failed);
        assertTrue(failed.contains("rho: could not fetch libjemalloc2"), failed);
        assertTrue(!failed.contains("-Drho.blas=") && !failed.contains("LD_PRELOAD=" + dir.resolve("cache2")), failed);
        int after = java.nio.file.Files.readAllLines(log).size();
        assertTrue(after > calls, "it tried");
        String later = launch(env, "demo");
        assertTrue(!later.contains("could not fetch") && java.nio.file.Files.readAllLines(log).size() == after, "a failed fetch is not retried: " + later);
    }
}
