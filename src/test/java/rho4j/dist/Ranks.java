package rho4j.dist;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs for the multi-process tests: the build's classes and classpath (target/classpath.txt), one libtorch
 * thread each, GOMP_SPINCOUNT as bin/rho sets it, ranks on 127.0.0.1 only, every process bounded in time.
 */
final class Ranks {
    static final Path TARGET = Path.of("target").toAbsolutePath();

    private Ranks() {}

    static String classpath() throws IOException {
        return TARGET.resolve("test-classes") + ":" + TARGET.resolve("classes") + ":" + Files.readString(TARGET.resolve("classpath.txt")).trim();
    }

    /** A port free on the loopback interface just now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static List<String> java(String main, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss8m", "-XX:+UseSerialGC", "-Xms32m", "-XX:TieredStopAtLevel=1", "-Drho.threads=1", "-Drho.quiet=true", "-cp", classpath(), main));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts rank {@code rank} of {@code world} (world 1: no torchrun variables at all); output goes to {@code log}. */
    static Process start(int rank, int world, int port, Path log, Map<String, String> extraEnv, String main, List<String> args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(java(main, args)).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        for (String k : List.of("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")) env.remove(k);
        env.put("GOMP_SPINCOUNT", "10000");
        env.put("RHO_DIST_TIMEOUT", "60");
        if (world > 1) {
            env.put("RANK", String.valueOf(rank));
            env.put("WORLD_SIZE", String.valueOf(world));
            env.put("LOCAL_RANK", String.valueOf(rank));
            env.put("LOCAL_WORLD_SIZE", String.valueOf(world));
            env.put("MASTER_ADDR", "127.0.0.1");
            env.put("MASTER_PORT", String.valueOf(port));
        }
        env.putAll(extraEnv);
        return pb.start();
    }

    /** Runs {@code world} ranks of {@code rho ARGS} to the end; returns their exit codes (destroyed after {@code limitS}). */
    static int[] rho(int world, Path logDir, long limitS, Map<String, String> env, String... args) throws Exception {
        Files.createDirectories(logDir);
        int port = freePort();
        List<Process> ps = new ArrayList<>();
        for (int r = 0; r < world; r++) ps.add(start(r, world, port, logDir.resolve("rank" + r + ".log"), env, "rho4j.cli.Main", List.of(args)));
        return waitAll(ps, limitS);
    }

    static int[] waitAll(List<Process> ps, long limitS) throws InterruptedException {
        long deadline = System.nanoTime() + limitS * 1_000_000_000L;
        int[] codes = new int[ps.size()];
        for (int r = 0; r < ps.size(); r++) {
            Process p = ps.get(r);
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                ps.forEach(Process::destroyForcibly);
                throw new AssertionError("rank " + r + " did not finish within " + limitS + " s");
            }
            codes[r] = p.exitValue();
        }
        return codes;
    }

    static String log(Path logDir, int rank) throws IOException {
        Path f = logDir.resolve("rank" + rank + ".log");
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }

    static String logs(Path logDir, int world) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < world; r++) sb.append("--- rank ").append(r).append('\n').append(log(logDir, r));
        return sb.toString();
    }
}
