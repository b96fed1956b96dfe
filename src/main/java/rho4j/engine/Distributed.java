package rho4j.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllgatherOptions;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Data parallelism on libtorch's own distributed engine (c10d): a TCPStore for the rendezvous and ProcessGroupGloo
 * (CPU) for the collectives, configured from the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK,
 * LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), so any torchrun-style launcher (rho launch, SLURM, Kubernetes) works.
 *
 * <p>WORLD_SIZE unset or 1 is one process: every collective returns at once and libtorch's distributed code is never
 * touched. Every wait is bounded ({@code RHO_DIST_TIMEOUT} seconds, default 600): a peer that dies or hangs turns into
 * a one-line {@link IllegalStateException} naming this rank and the peer, never a hang. NCCL ({@code RHO_DIST_BACKEND=nccl},
 * the default on CUDA) shares every line but the constructor and is untested: no GPU here runs a JVM.
 */
public final class Distributed implements AutoCloseable {
    /** The torchrun variables of this process. */
    public record Env(int rank, int world, int localRank, int localWorld, String masterAddr, int masterPort) {
        public static Env single() { return new Env(0, 1, 0, 1, "127.0.0.1", 29500); }

        /** Reads the variables; WORLD_SIZE unset means one process. Bad values give a one-line error naming the variable. */
        public static Env read(Map<String, String> env) {
            int world = number(env, "WORLD_SIZE", 1);
            if (world < 1) throw new IllegalArgumentException("WORLD_SIZE=" + world + ": must be at least 1");
            if (world == 1) return single();
            int rank = number(env, "RANK", -1);
            if (rank < 0 || rank >= world)
                throw new IllegalArgumentException("RANK=" + env.get("RANK") + " with WORLD_SIZE=" + world + ": set RANK to 0.." + (world - 1) + " (rho launch does)");
            int localWorld = number(env, "LOCAL_WORLD_SIZE", world), localRank = number(env, "LOCAL_RANK", rank % localWorld);
            int port = number(env, "MASTER_PORT", 29500);
            if (port < 1 || port > 65535) throw new IllegalArgumentException("MASTER_PORT=" + port + ": must be a TCP port (1-65535)");
            String addr = env.getOrDefault("MASTER_ADDR", "127.0.0.1");
            return new Env(rank, world, localRank, localWorld, addr.isBlank() ? "127.0.0.1" : addr, port);
        }

        private static int number(Map<String, String> env, String key, int dflt) {
            String v = env.get(key);
            if (v == null || v.isBlank()) return dflt;
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "='" + v + "' is not a number (torchrun environment: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_PORT)");
            }
        }
    }

    private static Distributed current;

    private final Env env;
    private final long timeoutMs;
    private final Store store;
    private final Backend pg;
    private int agreements;
    private ProcessGroup group; // made on first use, for the Reducer
    private final boolean nccl;

    private Distributed(Env env, long timeoutMs, Store store, Backend pg, boolean nccl) {
        this.nccl = nccl;
        this.env = env;
        this.timeoutMs = timeoutMs;
        this.store = store;
        this.pg = pg;
    }

    /** The process group of this process, made on first use from the environment (one process when WORLD_SIZE is unset or 1). */
    public static Distributed get() { return get(false); }

    /**
     * As {@link #get()}; the first caller's device picks the backend: NCCL for CUDA, Gloo for CPU, unless
     * RHO_DIST_BACKEND=gloo|nccl says otherwise.
     */
    public static synchronized Distributed get(boolean cuda) {
        if (current == null) {
            String b = System.getenv("RHO_DIST_BACKEND");
            if (b != null && !b.isBlank() && !b.equalsIgnoreCase("gloo") && !b.equalsIgnoreCase("nccl"))
                throw new IllegalArgumentException("RHO_DIST_BACKEND='" + b + "': use gloo (CPU) or nccl (CUDA)");
            current = open(Env.read(System.getenv()), timeoutFromEnv(), b == null || b.isBlank() ? (cuda ? "nccl" : "gloo") : b);
        }
        return current;
    }

    static long timeoutFromEnv() {
        String v = System.getenv("RHO_DIST_TIMEOUT");
        if (v == null || v.isBlank()) return 600_000;
        try {
            double s = Double.parseDouble(v.trim());
            if (s > 0) return (long) (s * 1000);
        } catch (NumberFormatException e) { // falls through to the error below
        }
        throw new IllegalArgumentException("RHO_DIST_TIMEOUT='" + v + "': give the collective timeout in seconds, e.g. 600");
    }

    /** Joins the group described by {@code env} (rank 0 hosts the store); {@code backend} null picks Gloo. */
    public static Distributed open(Env env, long timeoutMs, String backend) {
        if (env.world() == 1) return new Distributed(env, timeoutMs, null, null, false);
        Engine.init();
        String where = env.masterAddr() + ":" + env.masterPort();
        Store store;
        try {
            TCPStoreOptions o = new TCPStoreOptions();
            o.port((short) env.masterPort()); // uint16_t in C++: ports above 32767 wrap into the short and back
            o.isServer(env.rank() == 0);
            o.waitWorkers(false);
            o.timeout(new Milliseconds(timeoutMs));
            store = owned(new TCPStore(env.masterAddr(), o));
        } catch (RuntimeException e) {
            String m = firstLine(e);
            if (env.rank() == 0 && (m.contains("EADDRINUSE") || m.contains("in use") || m.contains("listen")))
                throw new IllegalStateException("rank 0: cannot listen on " + where + " (" + m + "): the port is in use; choose another --master-port (MASTER_PORT)");
            throw new IllegalStateException("rank " + env.rank() + ": cannot reach the master " + where + " within " + timeoutMs / 1000
                    + " s (" + m + "): start rank 0, or check MASTER_ADDR/MASTER_PORT and the firewall");
        }
        store.setTimeout(new Milliseconds(timeoutMs));
        Backend pg;
        boolean nccl = "nccl".equalsIgnoreCase(backend);
        try {
            pg = nccl ? Nccl.create(store, env, timeoutMs) : gloo(store, env, timeoutMs);
        } catch (RuntimeException e) {
            throw new IllegalStateException("rank " + env.rank() + ": the process group did not form within " + timeoutMs / 1000 + " s ("
                    + firstLine(e) + "): every rank of WORLD_SIZE=" + env.world() + " must start");
        }
        return new Distributed(env, timeoutMs, store, pg, nccl);
    }

    private static Backend gloo(Store store, Env env, long timeoutMs) {
        ProcessGroupGloo.Options opts = ProcessGroupGloo.Options.create(new Milliseconds(timeoutMs));
        boolean loopback = env.masterAddr().startsWith("127.") || env.masterAddr().equals("localhost");
        // on one host the loopback device; across hosts the interface of this host's name (GLOO_SOCKET_IFNAME overrides)
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");
        opts.devices(new GlooDeviceVector(ifname != null && !ifname.isBlank() ? ProcessGroupGloo.createDeviceForInterface(ifname)
                : loopback ? ProcessGroupGloo.createDeviceForHostname("127.0.0.1") : ProcessGroupGloo.createDefaultDevice()));
        opts.threads(2);
        return new ProcessGroupGloo(new PrefixStore("gloo", store), env.rank(), env.world(), opts);
    }

    /** NCCL for CUDA tensors: only the constructor differs from Gloo. Needs the linux-x86_64-gpu natives; untested here. */
    private static final class Nccl {
        static Backend create(Store store, Env env, long timeoutMs) {
            try {
                return new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(new PrefixStore("nccl", store), env.rank(), env.world());
            } catch (TypeNotPresentException | NoClassDefFoundError | UnsatisfiedLinkError e) {
                throw new IllegalStateException("RHO_DIST_BACKEND=nccl needs the CUDA natives (org.bytedeco:pytorch linux-x86_64-gpu and org.bytedeco:cuda) on the classpath: " + e);
            }
        }
    }

    /**
     * TCPStore is made with a plain {@code new}, not reference-counted: the first hand-over to libtorch silently takes
     * shared ownership, the second aborts the JVM. Converted once into an intrusive_ptr-owned handle, Java never frees it.
     */
    private static Store owned(Store raw) {
        PrefixStore tmp = new PrefixStore("", raw);
        Store s = tmp.getUnderlyingNonPrefixStore();
        raw.deallocate(false);
        return s;
    }

    /** NCCL reduces CUDA tensors only: host arrays travel through this rank's GPU (Gloo: the tensor as it is). */
    private Tensor onDevice(Tensor t) { return nccl ? t.to(device().torchDevice(), t.scalar_type()) : t; }

    /**
     * The device of this rank for {@code requested}: CUDA ranks of one node each take their own GPU (cuda:LOCAL_RANK),
     * as torchrun users expect; CPU stays CPU.
     */
    public Device device(Device requested) {
        return active() && requested.isCuda() && requested.spec().equals("cuda") ? new Device("cuda:" + env.localRank()) : requested;
    }

    private Device device() { return device(new Device("cuda")); }

    public int rank() { return env.rank(); }

    public int world() { return env.world(); }

    public Env env() { return env; }

    /** More than one process. */
    public boolean active() { return env.world() > 1; }

    /** Rank 0: the process that writes run folders, metrics and final files. */
    public boolean leader() { return env.rank() == 0; }

    /**
     * Fails with a one-line error on every rank whose {@code value} differs from rank 0's (the run settings' hash, so a
     * rank started with other options cannot silently train another model).
     */
    public void agree(String what, String value) {
        if (!active()) return;
        String key = "agree/" + what + "/" + agreements++ + "/"; // each call its own keys: ranks call in the same order
        String[] seen = new String[world()];
        try {
            store.set(key + rank(), new ByteVector(value.getBytes(StandardCharsets.UTF_8)));
            for (int r = 0; r < world(); r++) seen[r] = new String(store.get(key + r).get(), StandardCharsets.UTF_8); // blocks until set
        } catch (RuntimeException e) {
            throw fault("comparing " + what, e, 0);
        }
        for (int r = 1; r < world(); r++) // every rank reaches the same verdict, so all of them stop with the same line
            if (!seen[r].equals(seen[0]))
                throw new IllegalArgumentException("rank " + rank() + ": the " + what + " of rank " + r + " differ from rank 0's (" + abbrev(seen[r]) + " vs "
                        + abbrev(seen[0]) + "): start every rank with the same command and inputs");
    }

    private static String abbrev(String s) { return s.length() > 12 ? s.substring(0, 12) : s; }

    /** Work that rank 0 does alone (see {@link #onLeader}). */
    public interface LeaderWork {
        void run() throws java.io.IOException;
    }

    /**
     * Rank 0's {@code value} on every rank (others pass anything). Waits as long as rank 0 lives: what rank 0 decides
     * may follow work of any length; a dead rank 0 is an error at once.
     */
    public String share(String what, String value) {
        if (!active()) return value;
        String key = "share/" + what + "/" + agreements++;
        if (leader()) {
            set(key, value, what);
            return value;
        }
        return awaitKey(key, what);
    }

    /**
     * Runs {@code work} on rank 0 while the other ranks wait for its end, however long it takes (a data stage or an
     * evaluation: no collective inside, so no timeout applies); rank 0's failure reaches them as a one-line error.
     */
    public void onLeader(String what, LeaderWork work) throws java.io.IOException {
        if (!active()) {
            work.run();
            return;
        }
        String key = "leader/" + what + "/" + agreements++;
        if (!leader()) {
            String outcome = awaitKey(key, what);
            if (!outcome.equals("ok")) throw new IllegalStateException("rank " + rank() + ": rank 0 failed in " + what + " (" + outcome + ")");
            return;
        }
        try {
            work.run();
        } catch (java.io.IOException | RuntimeException | Error e) {
            try {
                set(key, firstLine(e), what);
            } catch (RuntimeException ignored) { // the peers are gone too: rank 0's own error is the one to report
            }
            throw e;
        }
        set(key, "ok", what);
    }

    private void set(String key, String value, String what) {
        try {
            store.set(key, new ByteVector(value.getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            throw fault(what, e, 0);
        }
    }

    /** Polls for rank 0's key: the store's own wait is bounded by the timeout, rank 0's work is not; a lost store fails at once. */
    private String awaitKey(String key, String what) {
        long t0 = System.nanoTime();
        org.bytedeco.pytorch.StringVector keys = new org.bytedeco.pytorch.StringVector(key);
        try {
            while (!store.check(keys)) Thread.sleep(100);
            return new String(store.get(key).get(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw fault("waiting for rank 0 (" + what + ")", e, (System.nanoTime() - t0) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("rank " + rank() + ": interrupted while waiting for rank 0 (" + what + ")");
        }
    }

    /** Sums {@code a} over ranks, in place. */
    public void allreduce(double[] a) {
        if (!active() || a.length == 0) return;
        Tensor t = onDevice(Tensors.doubles(Device.CPU, a, a.length));
        await(pg.allreduce(new TensorVector(t), sum()), "allreduce of " + a.length + " doubles");
        System.arraycopy(Tensors.toDoubles(t), 0, a, 0, a.length);
    }

    /** Sums {@code a} over ranks, in place. */
    public void allreduce(float[] a) {
        if (!active() || a.length == 0) return;
        Tensor t = onDevice(Tensors.floats(Device.CPU, a, a.length));
        await(pg.allreduce(new TensorVector(t), sum()), "allreduce of " + a.length + " floats");
        System.arraycopy(Tensors.toFloats(t), 0, a, 0, a.length);
    }

    /** Rank {@code root}'s value on every rank. */
    public long broadcast(long value, int root) {
        if (!active()) return value;
        double[] v = {rank() == root ? value : 0}; // exact below 2^53
        allreduce(v);
        return (long) v[0];
    }

    /** Every rank's array, of any length, concatenated in rank order. */
    public float[] allgather(float[] mine) {
        if (!active()) return mine.clone();
        float[][] parts = allgatherParts(mine);
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** Every rank's array, of any length, indexed by rank. */
    public float[][] allgatherParts(float[] mine) {
        if (!active()) return new float[][] {mine.clone()};
        int w = world();
        Tensor lens = onDevice(torch.zeros(new long[] {w}, new TensorOptions(ScalarType.Long)));
        await(pg._allgather_base(lens, onDevice(Tensors.longs(Device.CPU, new long[] {mine.length}, 1)), gatherOpts()), "allgather of lengths");
        long[] len = Tensors.toLongs(lens);
        long max = 0;
        for (long l : len) max = Math.max(max, l);
        float[][] out = new float[w][];
        if (max == 0) {
            for (int r = 0; r < w; r++) out[r] = new float[0];
            return out;
        }
        float[] padded = java.util.Arrays.copyOf(mine, (int) max);
        Tensor all = onDevice(torch.zeros(new long[] {w * max}, new TensorOptions(ScalarType.Float)));
        await(pg._allgather_base(all, onDevice(Tensors.floats(Device.CPU, padded, max)), gatherOpts()), "allgather of " + max + " floats");
        float[] flat = Tensors.toFloats(all);
        for (int r = 0; r < w; r++) out[r] = java.util.Arrays.copyOfRange(flat, (int) (r * max), (int) (r * max + len[r]));
        return out;
    }

    /** Rank 0's values of these tensors on every rank (parameters at the start of training), in place. */
    public void broadcast(Collection<Tensor> tensors) {
        if (!active()) return;
        try (NoGradGuard ng = new NoGradGuard()) {
            List<org.bytedeco.pytorch.Work> works = new ArrayList<>();
            for (Tensor t : tensors) works.add(pg.broadcast(new TensorVector(t), new BroadcastOptions().rootRank(0).timeout(new Milliseconds(timeoutMs))));
            for (org.bytedeco.pytorch.Work w : works) await(w, "broadcast of the parameters");
        }
    }

    /**
     * The c10d Reducer for these parameters (see {@link GradientReducer}): gradients reduced over ranks in buckets
     * during the backward pass, with DDP's bucket sizes. Create it after the parameters have their final values on
     * every rank; one process (world 1) has none.
     */
    public GradientReducer gradientReducer(List<Tensor> params) {
        return gradientReducer(params, GradientReducer.FIRST_BUCKET_BYTES, GradientReducer.BUCKET_BYTES);
    }

    /** As {@link #gradientReducer(List)} with other bucket sizes (tests use small ones to get several buckets from a tiny model). */
    public GradientReducer gradientReducer(List<Tensor> params, long firstBucketBytes, long bucketBytes) {
        if (!active()) throw new IllegalStateException("one process: there is nothing to reduce");
        return new GradientReducer(this, group(), params, firstBucketBytes, bucketBytes);
    }

    /** The c10d::ProcessGroup front end the Reducer needs, with this rank's backend registered for its device type. */
    private synchronized ProcessGroup group() {
        if (group == null) {
            ProcessGroup g = new ProcessGroup(store, rank(), world());
            DeviceType dt = nccl ? DeviceType.CUDA : DeviceType.CPU;
            ProcessGroup.BackendType bt = nccl ? ProcessGroup.BackendType.NCCL : ProcessGroup.BackendType.GLOO;
            g.setBackend(dt, bt, new BackendOptional(pg));
            g.setDefaultBackend(bt);
            org.bytedeco.javacpp.PointerScope outer = org.bytedeco.javacpp.PointerScope.getInnerScope();
            if (outer != null) outer.detach(g); // lives with this object, never with a caller's scope
            group = g;
        }
        return group;
    }

    /**
     * For rho bench: milliseconds of {@code reps} allreduces of {@code params} floats in the Reducer's buckets (1 MB,
     * then 25 MB, all in flight before the first is waited for: the communication of a step, which training overlaps
     * with the backward pass) and of {@code selection} floats (the batch-scope ranking losses), each after a barrier.
     */
    public double[][] timeStepCollectives(long params, int selection, int reps) {
        Tensor flat = torch.ones(new long[] {params}, new TensorOptions(ScalarType.Float));
        List<Tensor> buckets = new ArrayList<>();
        long elems = GradientReducer.FIRST_BUCKET_BYTES / 4;
        for (long off = 0; off < params; ) {
            long n = Math.min(elems, params - off);
            buckets.add(onDevice(flat.narrow(0, off, n)));
            off += n;
            elems = GradientReducer.BUCKET_BYTES / 4;
        }
        float[] losses = new float[selection];
        double[][] ms = new double[2][reps];
        for (int i = 0; i < reps; i++) {
            barrier("bench");
            long t0 = System.nanoTime();
            List<org.bytedeco.pytorch.Work> works = new ArrayList<>();
            for (Tensor b : buckets) works.add(pg.allreduce(new TensorVector(b), sum()));
            for (int k = 0; k < works.size(); k++) await(works.get(k), "allreduce of bucket " + (k + 1) + " of " + works.size());
            long t1 = System.nanoTime();
            allreduce(losses);
            ms[0][i] = (t1 - t0) / 1e6;
            ms[1][i] = (System.nanoTime() - t1) / 1e6;
        }
        return ms;
    }

    /** Waits until every rank arrives (bounded by the timeout). */
    public void barrier(String what) {
        if (!active()) return;
        await(pg.barrier(new BarrierOptions().timeout(new Milliseconds(timeoutMs))), "barrier (" + what + ")");
    }

    private AllreduceOptions sum() {
        AllreduceOptions o = new AllreduceOptions();
        o.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
        o.timeout(new Milliseconds(timeoutMs));
        return o;
    }

    private AllgatherOptions gatherOpts() { return new AllgatherOptions().timeout(new Milliseconds(timeoutMs)); }

    private void await(org.bytedeco.pytorch.Work w, String what) {
        long t0 = System.nanoTime();
        boolean done;
        try {
            done = w._wait(new Milliseconds(timeoutMs));
        } catch (RuntimeException e) {
            throw fault(what, e, (System.nanoTime() - t0) / 1_000_000);
        }
        if (!done) throw fault(what, new RuntimeException("no completion within " + timeoutMs / 1000 + " s"), (System.nanoTime() - t0) / 1_000_000);
    }

    IllegalStateException fault(String what, RuntimeException e, long waitedMs) {
        String peer = world() == 2 ? "rank " + (1 - rank()) : "a peer rank";
        String m = firstLine(e);
        String cause = m.toLowerCase().contains("timed out") || m.contains("no completion") ? peer + " hung or is too slow (timeout " + timeoutMs / 1000 + " s, RHO_DIST_TIMEOUT)"
                : peer + " died or lost its connection";
        return new IllegalStateException("rank " + rank() + " of " + world() + ": " + what + " failed after " + waitedMs + " ms: " + cause + " (" + m
                + "); restart every rank with --resume to continue from the last checkpoint");
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        if (pg != null) {
            try {
                pg.shutdown();
            } catch (RuntimeException e) { // a peer already gone: nothing left to tell it
            }
        }
    }
}
