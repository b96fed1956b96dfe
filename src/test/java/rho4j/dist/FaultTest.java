package rho4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.Fixtures;

/**
 * Faults of a 2-rank job (Gloo, 127.0.0.1): a rank killed or stopped makes the other exit non-zero within the timeout
 * with a line naming both ranks, and --resume of both reproduces the uninterrupted run; rho launch stops the job and
 * exits with the failing rank's code; port in use, unreachable master, mismatched settings and another world size
 * on resume are one-line errors.
 */
class FaultTest {
    static final int STEPS = 240; // long enough that a kill after the step-20 checkpoint lands mid-run

    static String[] train(Path store, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", store.toString(), "--out", out.toString(), "--preset", "tiny", "--context", "16",
                "--steps", String.valueOf(STEPS), "--micro-batch", "2", "--batch-tokens", "64", "--warmup", "5", "--lr", "3e-3", "--eval-every", "0",
                "--ckpt-every", "20", "--log-every", "100"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static Path store(Path tmp) throws Exception {
        Fixtures.countingStore(tmp.resolve("store"), 64, 150, 4).close();
        return tmp.resolve("store");
    }

    @Test
    void aKilledRankStopsTheOtherAndResumeReproducesTheUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path store = store(tmp);
        int[] a = Ranks.rho(2, tmp.resolve("logA"), 180, Map.of(), train(store, tmp.resolve("a")));
        assertArrayEquals(new int[] {0, 0}, a, Ranks.logs(tmp.resolve("logA"), 2));

        Path logs = tmp.resolve("logB");
        Files.createDirectories(logs);
        int port = Ranks.freePort();
        List<Process> ps = new ArrayList<>();
        for (int r = 0; r < 2; r++) ps.add(Ranks.start(r, 2, port, logs.resolve("rank" + r + ".log"), Map.of(), "rho4j.cli.Main", List.of(train(store, tmp.resolve("b")))));
        waitFor(tmp.resolve("b/latest"), ps, 120);
        ps.get(1).destroyForcibly(); // SIGKILL: no chance to say goodbye
        long t0 = System.nanoTime();
        assertTrue(ps.get(0).waitFor(60, TimeUnit.SECONDS), "rank 0 still running 60 s after rank 1 died");
        double secs = (System.nanoTime() - t0) / 1e9;
        String log0 = Ranks.log(logs, 0);
        assertNotEquals(0, ps.get(0).exitValue(), log0);
        assertTrue(log0.contains("rank 0 of 2") && log0.contains("rank 1 died"), log0);
        assertTrue(!Files.exists(tmp.resolve("b/model/model.safetensors")), "the cut run did not finish");
        System.out.printf("rank 0 stopped %.2f s after rank 1 was killed%n", secs);

        int[] resumed = Ranks.rho(2, tmp.resolve("logC"), 180, Map.of(), train(store, tmp.resolve("b"), "--resume"));
        assertArrayEquals(new int[] {0, 0}, resumed, Ranks.logs(tmp.resolve("logC"), 2));
        assertTrue(Ranks.log(tmp.resolve("logC"), 0).contains("resuming"), Ranks.log(tmp.resolve("logC"), 0));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/model/model.safetensors")), Files.readAllBytes(tmp.resolve("b/model/model.safetensors")),
                "final weights of the resumed run, bit for bit");
        assertEquals(stripTimes(Files.readAllLines(tmp.resolve("a/metrics.jsonl"))), stripTimes(Files.readAllLines(tmp.resolve("b/metrics.jsonl"))));

        // another world size refuses to resume
        int[] one = Ranks.rho(1, tmp.resolve("logD"), 120, Map.of(), train(store, tmp.resolve("b"), "--resume"));
        assertEquals(2, one[0]);
        assertTrue(Ranks.log(tmp.resolve("logD"), 0).contains("was trained by 2 process(es), this resume has 1"), Ranks.log(tmp.resolve("logD"), 0));
    }

    @Test
    void aHungRankTimesOutAndLaunchStopsTheJobWithTheFailingRanksCode(@TempDir Path tmp) throws Exception {
        Path store = store(tmp);
        // SIGSTOP rank 1: rank 0 must give up after RHO_DIST_TIMEOUT (5 s), not wait forever
        Path logs = tmp.resolve("logH");
        Files.createDirectories(logs);
        int port = Ranks.freePort();
        List<Process> ps = new ArrayList<>();
        for (int r = 0; r < 2; r++)
            ps.add(Ranks.start(r, 2, port, logs.resolve("rank" + r + ".log"), Map.of("RHO_DIST_TIMEOUT", "5"), "rho4j.cli.Main", List.of(train(store, tmp.resolve("h")))));
        try {
            waitFor(tmp.resolve("h/latest"), ps, 120);
            new ProcessBuilder("kill", "-STOP", String.valueOf(ps.get(1).pid())).start().waitFor();
            assertTrue(ps.get(0).waitFor(60, TimeUnit.SECONDS), "rank 0 still running 60 s after rank 1 stopped");
            String log0 = Ranks.log(logs, 0);
            assertNotEquals(0, ps.get(0).exitValue(), log0);
            assertTrue(log0.contains("rank 0 of 2") && log0.contains("rank 1 hung"), log0);
        } finally {
            ps.get(1).destroyForcibly();
        }

        // rho launch: the ranks' lines carry their rank; SIGKILL of rank 1 stops rank 0 and the launcher exits with 137
        Path out = tmp.resolve("launch.log");
        int lport = Ranks.freePort();
        List<String> args = new ArrayList<>(List.of("launch", "--nproc-per-node", "2", "--master-port", String.valueOf(lport), "--grace", "5", "--"));
        args.addAll(List.of(train(store, tmp.resolve("l"))));
        Process launch = Ranks.start(0, 1, 0, out, Map.of(), "rho4j.cli.Main", args);
        try {
            waitFor(tmp.resolve("l/latest"), List.of(launch), 120);
            Matcher m = Pattern.compile("rank 1 of 2 started \\(pid (\\d+)\\)").matcher(Files.readString(out));
            assertTrue(m.find(), Files.readString(out));
            new ProcessBuilder("kill", "-KILL", m.group(1)).start().waitFor();
            assertTrue(launch.waitFor(60, TimeUnit.SECONDS), "rho launch still running 60 s after rank 1 died");
            String log = Files.readString(out);
            assertEquals(137, launch.exitValue(), log);
            assertTrue(log.contains("rho launch: rank 1 exited with code 137; stopping the other ranks"), log);
            assertTrue(log.contains("[rank 0] step     1/" + STEPS), "rank-prefixed output: " + log);
        } finally {
            launch.destroyForcibly();
        }

        // SIGTERM to rho launch reaches the ranks: all of them are gone when it exits
        Path out2 = tmp.resolve("launch-term.log");
        args.set(args.indexOf(String.valueOf(lport)), String.valueOf(Ranks.freePort()));
        args.set(args.indexOf(tmp.resolve("l").toString()), tmp.resolve("t").toString());
        Process term = Ranks.start(0, 1, 0, out2, Map.of(), "rho4j.cli.Main", args);
        try {
            waitFor(tmp.resolve("t/latest"), List.of(term), 120);
            Matcher m = Pattern.compile("rank (\\d) of 2 started \\(pid (\\d+)\\)").matcher(Files.readString(out2));
            List<Long> pids = new ArrayList<>();
            while (m.find()) pids.add(Long.parseLong(m.group(2)));
            assertEquals(2, pids.size(), Files.readString(out2));
            term.destroy(); // SIGTERM
            assertTrue(term.waitFor(60, TimeUnit.SECONDS), "rho launch still running 60 s after SIGTERM");
            for (long pid : pids) assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "rank pid " + pid + " outlived rho launch");
            assertTrue(Files.readString(out2).contains("rho launch: signal received, stopping the ranks"), Files.readString(out2));
        } finally {
            term.destroyForcibly();
        }
    }

    @Test
    void startupFaultsAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Path store = store(tmp);
        // settings that differ between ranks: both stop, naming the rank that differs
        Path logs = tmp.resolve("logS");
        Files.createDirectories(logs);
        int port = Ranks.freePort();
        List<Process> ps = new ArrayList<>();
        for (int r = 0; r < 2; r++)
            ps.add(Ranks.start(r, 2, port, logs.resolve("rank" + r + ".log"), Map.of(), "rho4j.cli.Main",
                    List.of(train(store, tmp.resolve("s"), "--seed", String.valueOf(1 + r)))));
        int[] codes = Ranks.waitAll(ps, 120);
        for (int r = 0; r < 2; r++) {
            String log = Ranks.log(logs, r);
            assertEquals(2, codes[r], log);
            assertTrue(log.contains("rho train: rank " + r + ": the run settings of rank 1 differ from rank 0's"), log);
        }

        // an unreachable master (nothing listens): rank 1 gives up within the timeout
        int[] lone = Ranks.rho(1, tmp.resolve("logU"), 60, Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT",
                String.valueOf(Ranks.freePort()), "RHO_DIST_TIMEOUT", "3"), train(store, tmp.resolve("u")));
        String u = Ranks.log(tmp.resolve("logU"), 0);
        assertEquals(2, lone[0], u);
        assertTrue(u.contains("rank 1: cannot reach the master 127.0.0.1:"), u);

        // the master's port in use
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int[] r0 = Ranks.rho(1, tmp.resolve("logP"), 60, Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT",
                    String.valueOf(busy.getLocalPort()), "RHO_DIST_TIMEOUT", "3"), train(store, tmp.resolve("p")));
            String p = Ranks.log(tmp.resolve("logP"), 0);
            assertEquals(2, r0[0], p);
            assertTrue(p.contains("rank 0: cannot listen on 127.0.0.1:" + busy.getLocalPort()), p);
        }
    }

    /** Waits until {@code file} exists while every process lives; fails if one exits first. */
    static void waitFor(Path file, List<Process> ps, long limitS) throws Exception {
        long deadline = System.nanoTime() + limitS * 1_000_000_000L;
        while (!Files.exists(file)) {
            for (Process p : ps) if (!p.isAlive()) throw new AssertionError("a process exited (" + p.exitValue() + ") before " + file + " appeared");
            if (System.nanoTime() > deadline) throw new AssertionError(file + " did not appear within " + limitS + " s");
            Thread.sleep(10);
        }
    }

    static List<String> stripTimes(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("\"tok_per_s\":[-0-9.Ee]+,?", "")).toList();
    }
}
