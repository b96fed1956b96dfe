package rho4j.engine;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;

/**
 * The one place that knows libtorch is underneath: loading, threads, seeding and per-step native memory scopes.
 * Everything else in Rho4j calls these helpers and {@link Tensors}.
 */
public final class Engine {
    private static volatile boolean ready;

    private Engine() {}

    /**
     * Loads libtorch once and sets libtorch's intra-op (OpenMP) thread count; 0 picks the default, 1. Matrix products,
     * most of the work, run on OpenBLAS's own pthread pool, which uses every core and whose workers spin between calls;
     * a second, OpenMP pool for the element-wise ops then fights them for the same cores. Measured on 2 cores (ref
     * config): 1 OpenMP thread trains at 1600 tokens/s against 1480 with 2, scores 4630-4930 against 4380-4570, and
     * with 2 the step time can collapse tenfold when OpenBLAS workers must be woken. Safe to call repeatedly.
     */
    public static synchronized void init(int threads) {
        if (!ready) {
            checkEnvironment();
            extractNatives();
            Loader.load(torch.class);
            torch.set_num_interop_threads(1); // one process-level pool is enough; interop threads only spin on 2 cores
            ready = true;
        }
        int n = threads > 0 ? threads : 1;
        if (torch.get_num_threads() != n) torch.set_num_threads(n);
    }

    public static void init() { init(Integer.getInteger("rho.threads", 0)); }

    /**
     * The first-run crash (SIGSEGV in pthread_mutex_lock inside System.load, on an empty ~/.javacpp/cache) comes from
     * JavaCPP's lazy extraction: it extracts and dlopens one library at a time, so libtorch.so is opened while its
     * dependency libtorch_cpu.so is not yet on disk; that failed dlopen leaves the process in a state where the next
     * load crashes. Extracting every native folder before the first load removes the cause (0.2 s when cached).
     */
    static void extractNatives() {
        String platform = Loader.getPlatform();
        for (Class<?> c : new Class<?>[] {Loader.class, org.bytedeco.openblas.global.openblas.class, torch.class}) {
            String pkg = c.getPackage().getName().replace(".global", "").replace('.', '/');
            try {
                Loader.cacheResources(c, "/" + pkg + "/" + platform + "/");
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot extract the native libraries of " + pkg + " into " + cacheDirName()
                        + " (" + e.getMessage() + "); free disk space or set -Dorg.bytedeco.javacpp.cachedir=DIR", e);
            }
        }
    }

    private static String cacheDirName() {
        try {
            return Loader.getCacheDir().toString();
        } catch (java.io.IOException e) {
            return "the JavaCPP cache";
        }
    }

    /**
     * libtorch's OpenMP workers spin-wait by default and steal the cores OpenBLAS needs (35% slower on 2 cores).
     * The policy is read once, when OpenMP starts, from the process environment, so only the launcher can set it.
     */
    private static void checkEnvironment() {
        String spin = System.getenv("GOMP_SPINCOUNT"), policy = System.getenv("OMP_WAIT_POLICY");
        boolean ok = "0".equals(spin) || "PASSIVE".equalsIgnoreCase(policy);
        if (!ok && !Boolean.getBoolean("rho.quiet"))
            System.err.println("rho: warning: GOMP_SPINCOUNT=0 is not set; CPU training runs about 35% slower. Use bin/rho, which sets it.");
    }

    public static boolean cudaAvailable() {
        init();
        return Device.cudaAvailableRaw();
    }

    public static void seed(long seed) {
        init();
        torch.manual_seed(seed);
    }

    public static int threads() {
        init();
        return torch.get_num_threads();
    }

    /**
     * OpenBLAS keeps its own thread pool beside libtorch's OpenMP pool. For the small matrix products of token-by-token
     * decoding, two BLAS threads fighting the OpenMP workers made batched generation 26x slower (18 vs 465 tokens/s
     * on the ref config, 2 cores); callers doing many small GEMMs switch to one BLAS thread with this.
     * The setting is process-wide. Returns the previous count.
     */
    public static synchronized int blasThreads(int n) {
        init();
        int before = org.bytedeco.openblas.presets.openblas.blas_get_num_threads();
        if (n > 0 && n != before) org.bytedeco.openblas.presets.openblas.blas_set_num_threads(n);
        return before;
    }

    /** Native memory made inside is freed at close: one per training step keeps RSS flat (4 GB growth in 300 steps without). */
    public static PointerScope stepScope() { return new PointerScope(); }

    /** Disables autograd until closed (reference scoring, evaluation, generation). */
    public static NoGradGuard noGrad() { return new NoGradGuard(); }
}
