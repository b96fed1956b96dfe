package rho4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * torchrun for Rho4j: starts the ranks of one node as child JVMs with the torchrun variables, prefixes their output
 * with the rank, forwards SIGTERM/SIGINT (through a shutdown hook: the JVM's only portable signal handling), and
 * stops every rank when one fails, exiting with that rank's code.
 */
@Command(name = "launch", mixinStandardHelpOptions = true, description = {"Start the data-parallel processes of one node (torchrun style).",
        "Example: rho launch --nproc-per-node 2 -- train --data STORE --out RUN ...",
        "Multi-node: the same command on every node with --nnodes M --node-rank R --master-addr HOST_OF_NODE_0."})
final class LaunchCommand implements Callable<Integer> {
    @Option(names = "--nproc-per-node", required = true, description = "processes (ranks) on this node") int nproc;
    @Option(names = "--nnodes", defaultValue = "1", description = "nodes in the job (default ${DEFAULT-VALUE})") int nnodes;
    @Option(names = "--node-rank", defaultValue = "0", description = "this node's index, 0..nnodes-1 (default ${DEFAULT-VALUE})") int nodeRank;
    @Option(names = "--master-addr", defaultValue = "127.0.0.1", description = "address of node 0, where rank 0 hosts the store (default ${DEFAULT-VALUE})") String masterAddr;
    @Option(names = "--master-port", defaultValue = "29500", description = "TCP port of the store on node 0 (default ${DEFAULT-VALUE})") int masterPort;
    @Option(names = "--threads-per-rank", description = "libtorch threads per rank (default: cores / nproc-per-node, at least 1)") Integer threads;
    @Option(names = "--grace", defaultValue = "15", description = "seconds a rank gets to stop after SIGTERM before it is killed (default ${DEFAULT-VALUE})") int grace;
    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "the rho command every rank runs, after --") List<String> command;

    private final List<Process> ranks = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (nproc < 1) throw new IllegalArgumentException("--nproc-per-node must be at least 1, not " + nproc);
        if (nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes)
            throw new IllegalArgumentException("--node-rank " + nodeRank + " with --nnodes " + nnodes + ": must be 0.." + (nnodes - 1));
        if (masterPort < 1 || masterPort > 65535) throw new IllegalArgumentException("--master-port " + masterPort + ": must be a TCP port (1-65535)");
        if (!List.of("train", "score", "bench", "run", "demo").contains(command.get(0))) // the others would run whole on every rank, writing the same files
            throw new IllegalArgumentException("rho launch -- " + command.get(0) + ": only train, score, run, demo and bench run data-parallel; run " + command.get(0) + " without rho launch");
        int world = nproc * nnodes;
        int perRank = threads != null ? threads : Integer.getInteger("rho.threads", 0) > 0 ? Integer.getInteger("rho.threads")
                : Math.max(1, Runtime.getRuntime().availableProcessors() / nproc);
        Thread hook = new Thread(() -> stopAll("rho launch: signal received, stopping the ranks"));
        Runtime.getRuntime().addShutdownHook(hook); // SIGTERM and SIGINT run it: the ranks get SIGTERM in turn
        List<Thread> pumps = new ArrayList<>();
        for (int local = 0; local < nproc; local++) {
            int rank = nodeRank * nproc + local;
            ProcessBuilder pb = new ProcessBuilder(childCommand(perRank));
            Map<String, String> env = pb.environment();
            env.put("RANK", String.valueOf(rank));
            env.put("WORLD_SIZE", String.valueOf(world));
            env.put("LOCAL_RANK", String.valueOf(local));
            env.put("LOCAL_WORLD_SIZE", String.valueOf(nproc));
            env.put("GROUP_RANK", String.valueOf(nodeRank));
            env.put("MASTER_ADDR", masterAddr);
            env.put("MASTER_PORT", String.valueOf(masterPort));
            Process p = pb.start();
            ranks.add(p);
            System.err.printf("rho launch: rank %d of %d started (pid %d)%n", rank, world, p.pid());
            pumps.add(pump(p.getInputStream(), System.out, rank));
            pumps.add(pump(p.getErrorStream(), System.err, rank));
        }
        int code = 0;
        int failed = -1;
        while (true) { // the first rank to fail stops the others; success when every rank exits 0
            boolean alive = false;
            for (int i = 0; i < ranks.size() && failed < 0; i++) {
                Process p = ranks.get(i);
                if (p.isAlive()) alive = true;
                else if (p.exitValue() != 0) {
                    failed = nodeRank * nproc + i;
                    code = p.exitValue();
                }
            }
            if (failed >= 0 || !alive) break;
            Thread.sleep(100);
        }
        if (failed >= 0) stopAll(String.format("rho launch: rank %d exited with code %d; stopping the other ranks", failed, code));
        for (Thread t : pumps) t.join(5000);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) { // already shutting down: the hook runs anyway
        }
        return code;
    }

    /** The same JVM (settings, classpath) running rho4j.cli.Main with the command after --. */
    private List<String> childCommand(int perRank) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!a.startsWith("-Drho.threads=") && !a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        cmd.add("-Drho.threads=" + perRank);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(command);
        return cmd;
    }

    private static Thread pump(InputStream in, PrintStream out, int rank) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (out) {
                        out.println("[rank " + rank + "] " + line);
                    }
                }
            } catch (IOException e) { // the rank is gone: nothing more to copy
            }
        }, "rank-" + rank + "-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** SIGTERM to every live rank, then SIGKILL to those still running after the grace period. */
    private synchronized void stopAll(String why) {
        boolean any = false;
        for (Process p : ranks) any |= p.isAlive();
        if (!any) return;
        System.err.println(why);
        for (Process p : ranks) if (p.isAlive()) p.destroy();
        long deadline = System.nanoTime() + grace * 1_000_000_000L;
        for (Process p : ranks) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
