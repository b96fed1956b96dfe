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

    /** Which BLAS libtorch's matrix products run on (see {@link #init(int)}). */
    public enum Blas {
        /** OpenBLAS built for OpenMP: matrix products and element-wise ops share libtorch's one OpenMP pool. */
        OPENMP,
        /** The OpenBLAS bundled with the presets: its own pthread pool beside libtorch's OpenMP pool. */
        BUNDLED
    }

    /** Where Linux distributions put OpenBLAS built for OpenMP (Debian/Ubuntu libopenblas0-openmp, Fedora openblas-openmp). */
    static final java.util.List<String> OPENMP_OPENBLAS = java.util.List.of(
            "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
            "/usr/lib/aarch64-linux-gnu/openblas-openmp/libopenblas.so.0",
            "/usr/lib64/libopenblaso.so.0");

    private static Blas blas = Blas.BUNDLED;
    private static String blasLibrary = "bundled";

    /**
     * Loads libtorch once and sets libtorch's intra-op (OpenMP) thread count; 0 picks the default.
     *
     * <p>The BLAS matters most on CPU. The presets bundle a pthread OpenBLAS, whose workers spin between calls while
     * libtorch's own OpenMP pool runs the element-wise ops: two pools for the same cores, which fight, so with that
     * BLAS the default is 1 OpenMP thread. An OpenBLAS built for OpenMP shares libtorch's pool instead, so every op
     * uses every core (figures: bench/README.md).
     * When one is installed (Debian: {@code apt-get install libopenblas0-openmp}), it is loaded before libtorch, so the
     * dynamic linker binds libtorch's {@code libopenblas.so.0} and {@code libgomp.so.1} to it and its libgomp (one
     * pool), and the default becomes one OpenMP thread per core. {@code -Drho.blas=bundled} keeps the bundled one;
     * {@code -Drho.blas=/path/libopenblas.so.0} names another OpenMP build. Safe to call repeatedly.
     */
    public static synchronized void init(int threads) {
        if (!ready) {
            extractNatives();
            chooseBlas(System.getProperty("rho.blas", "auto"));
            Loader.load(torch.class);
            torch.set_num_interop_threads(1); // one process-level pool is enough; interop threads only spin on 2 cores
            ready = true;
        }
        int n = threads > 0 ? threads : blas == Blas.OPENMP ? Runtime.getRuntime().availableProcessors() : 1;
        if (torch.get_num_threads() != n) torch.set_num_threads(n);
        if (blas == Blas.BUNDLED && n > 1) checkEnvironment();
    }

    /** Loads an OpenMP OpenBLAS ahead of libtorch when asked or found; must run before libtorch is loaded. */
    private static void chooseBlas(String choice) {
        if (choice.equalsIgnoreCase("bundled")) return;
        boolean auto = choice.equalsIgnoreCase("auto");
        java.util.List<String> candidates = auto ? OPENMP_OPENBLAS : java.util.List.of(choice);
        for (String c : candidates) {
            if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(c))) continue;
            try {
                System.load(c); // its libgomp.so.1 comes with it and becomes the one libtorch binds to
                blas = Blas.OPENMP;
                blasLibrary = c;
                return;
            } catch (UnsatisfiedLinkError e) {
                if (!auto) throw new IllegalStateException("-Drho.blas=" + c + " cannot be loaded: " + e.getMessage(), e);
            }
        }
        if (!auto) throw new IllegalStateException("-Drho.blas=" + choice + ": no such file; use auto, bundled or the path of an OpenMP build of libopenblas.so.0");
    }

    /** The BLAS in use and, for {@link Blas#OPENMP}, the library's path: for benchmark records and {@code rho info}. */
    public static Blas blas() {
        init();
        return blas;
    }

    public static String blasLibrary() {
        init();
        return blasLibrary;
    }

    /** The malloc in this process: "jemalloc" or "tcmalloc" when one was preloaded (bin/rho's RHO_MALLOC), else "glibc". */
    public static String allocator() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"))) {
                if (line.contains("libjemalloc")) return "jemalloc";
                if (line.contains("libtcmalloc")) return "tcmalloc";
            }
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
        return "glibc";
    }

    /** What to install when the bundled OpenBLAS runs: the OpenMP build's gain, over the runs of bench/README.md. */
    public static final String OPENMP_BLAS_HINT = "apt-get install libopenblas0-openmp: 5-33% faster training on 2 cores";

    /**
     * One line for the start of long work: the BLAS and thread count, and with the bundled OpenBLAS on a machine of
     * several cores what to install.
     */
    public static String summary() {
        init();
        int cores = Runtime.getRuntime().availableProcessors();
        String n = threads() + (threads() == 1 ? " thread" : " threads");
        return blas == Blas.OPENMP ? "engine: OpenMP OpenBLAS, " + n
                : "engine: bundled OpenBLAS, " + n + " for libtorch"
                  + (cores > 1 ? " (" + OPENMP_BLAS_HINT + ")" : "");
    }

    /** The JVM's JIT: "c1" when it stops at the first tier (bin/rho's choice outside tokenizing), else "c1+c2". */
    public static String jit() {
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (a.equals("-XX:TieredStopAtLevel=1")) return "c1";
        return "c1+c2";
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
        java.util.List<Class<?>> libs = new java.util.ArrayList<>(java.util.List.of(Loader.class, org.bytedeco.openblas.global.openblas.class, torch.class));
        try { // the CUDA presets, present with mvn -Pcuda
            libs.add(Class.forName("org.bytedeco.cuda.global.cudart", false, Engine.class.getClassLoader()));
        } catch (ClassNotFoundException absent) {
            // CPU build
        }
        for (Class<?> c : libs) {
            String pkg = c.getPackage().getName().replace(".global", "").replace('.', '/');
            try {
                Loader.cacheResources(c, "/" + pkg + "/" + platform + "/");
                if (c.getResource("/" + pkg + "/" + platform + "-gpu/") != null) Loader.cacheResources(c, "/" + pkg + "/" + platform + "-gpu/");
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
     * With the bundled pthread OpenBLAS and more than one OpenMP thread, libtorch's OpenMP workers spin-wait by default
     * and steal the cores OpenBLAS needs (bench/README.md). The policy is read once, when OpenMP starts, from the
     * process environment, so only the launcher can set it.
     */
    private static void checkEnvironment() {
        String spin = System.getenv("GOMP_SPINCOUNT"), policy = System.getenv("OMP_WAIT_POLICY");
        boolean ok = "0".equals(spin) || "PASSIVE".equalsIgnoreCase(policy);
        if (!ok && !Boolean.getBoolean("rho.quiet"))
            System.err.println("rho: warning: with the bundled OpenBLAS and " + torch.get_num_threads() + " OpenMP threads, set GOMP_SPINCOUNT=0"
                    + " (else about 35% slower), or install an OpenMP OpenBLAS (apt-get install libopenblas0-openmp)");
    }

    /** Median GFLOP/s of an n x n x n matrix product in this dtype on the CPU: the peak MFU is measured against. */
    public static double matmulGflops(int n, DType dtype) { return matmulGflops(n, dtype, Device.CPU, 5); }

    /**
     * Median GFLOP/s of an n x n x n matrix product in this dtype on this device, over {@code reps} timed repetitions
     * of 5 products after two untimed ones (on CUDA each repetition ends with a read-back, so it waits for the GPU).
     */
    public static double matmulGflops(int n, DType dtype, Device device, int reps) {
        init();
        org.bytedeco.pytorch.Tensor a = torch.randn(new long[] {n, n}, device.options(DType.FP32)).to(dtype.scalarType()),
                b = torch.randn(new long[] {n, n}, device.options(DType.FP32)).to(dtype.scalarType());
        java.util.List<Double> g = new java.util.ArrayList<>();
        try {
            for (int rep = 0; rep < reps + 2; rep++) {
                try (PointerScope s = new PointerScope()) {
                    long t0 = System.nanoTime();
                    org.bytedeco.pytorch.Tensor c = null;
                    for (int i = 0; i < 5; i++) c = a.matmul(b);
                    if (device.isCuda()) c.sum().item_double();
                    double sec = (System.nanoTime() - t0) / 1e9 / 5;
                    if (rep >= 2) g.add(2.0 * n * n * n / sec / 1e9);
                }
            }
        } finally {
            a.close();
            b.close();
        }
        java.util.Collections.sort(g);
        return g.get(g.size() / 2);
    }

    /**
     * The precision policy: inside this scope, ops on {@code device} compute as {@code p} says. For bf16 that is
     * libtorch's autocast (matrix products, attention in bf16 from fp32 masters, gradients flowing back to fp32; ops
     * on the fp32 list, and every op whose inputs are fp32, stay fp32). Nested scopes are fine; the cache of bf16
     * weight copies is dropped when the outermost one closes, so no copy outlives an optimizer step. fp32: autocast off.
     */
    public static Scope compute(Precision p, Device device) {
        init();
        torch.DeviceType dt = device.isCuda() ? torch.DeviceType.CUDA : torch.DeviceType.CPU;
        boolean wasOn = torch.is_autocast_enabled(dt);
        if (p != Precision.BF16) { // fp32 inside a bf16 scope (an fp32 model called from bf16 code) turns autocast off
            if (!wasOn) return () -> {};
            torch.set_autocast_enabled(dt, false);
            return () -> torch.set_autocast_enabled(dt, true);
        }
        torch.ScalarType wasType = torch.get_autocast_dtype(dt).intern();
        torch.set_autocast_enabled(dt, true);
        torch.set_autocast_dtype(dt, torch.ScalarType.BFloat16);
        torch.increment_nesting();
        return () -> {
            if (torch.decrement_nesting() == 0) torch.clear_cache();
            torch.set_autocast_dtype(dt, wasType);
            torch.set_autocast_enabled(dt, wasOn);
        };
    }

    /** Whether ops on this device now compute in bf16 (inside {@link #compute} with bf16). */
    public static boolean lowPrecision(Device device) {
        init();
        return torch.is_autocast_enabled(device.isCuda() ? torch.DeviceType.CUDA : torch.DeviceType.CPU);
    }

    /**
     * Fails with one line saying what to install when {@code device} is CUDA and libtorch cannot reach a GPU: the
     * natives on the classpath are the CPU build (build with {@code mvn -Pcuda}), or no driver or GPU is visible.
     */
    public static void requireDevice(Device device) {
        if (!device.isCuda()) return;
        init();
        if (Device.cudaAvailableRaw()) return;
        boolean cudaBuild = torch.show_config().getString().contains("USE_CUDA=ON") || torch.show_config().getString().contains("CUDA Runtime");
        throw new IllegalStateException(cudaBuild
                ? "--device " + device.spec() + ": libtorch's CUDA build is loaded but sees no GPU: install the NVIDIA driver (nvidia-smi must list a GPU) or use --device cpu"
                : "--device " + device.spec() + ": the libtorch natives on the classpath are the CPU build: build with `mvn -Pcuda -DskipTests package` (linux-x86_64-gpu natives and org.bytedeco:cuda) on a machine with an NVIDIA driver, or use --device cpu");
    }

    /** libtorch's version as its build configuration states it, or "?". */
    public static String libtorchVersion() {
        init();
        java.util.regex.Matcher v = java.util.regex.Pattern.compile("TORCH_VERSION=([^,\\s]+)").matcher(torch.show_config().getString());
        return v.find() ? v.group(1) : "?";
    }

    public static boolean cudaAvailable() {
        init();
        return Device.cudaAvailableRaw();
    }

    public static int threads() {
        init();
        return torch.get_num_threads();
    }

    /**
     * The bundled OpenBLAS keeps its own thread pool beside libtorch's OpenMP pool. For the small matrix products of
     * token-by-token decoding, two BLAS threads fighting the OpenMP workers made batched generation an order of
     * magnitude slower (bench/README.md); callers doing many small GEMMs switch to one BLAS thread with this.
     * With an OpenMP OpenBLAS there is one pool and nothing to fight: this does nothing. The setting is process-wide.
     * Returns the previous count.
     */
    public static synchronized int blasThreads(int n) {
        init();
        if (blas == Blas.OPENMP) return n;
        int before = org.bytedeco.openblas.presets.openblas.blas_get_num_threads();
        if (n > 0 && n != before) org.bytedeco.openblas.presets.openblas.blas_set_num_threads(n);
        return before;
    }

    /** A region whose native memory is freed when it closes. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Native memory made inside is freed at close: one per training step keeps RSS flat (it grew without bound). */
    public static Scope stepScope() {
        PointerScope s = new PointerScope();
        return s::close;
    }

    /**
     * Runs {@code body} in its own memory scope, so its intermediate tensors are freed when it returns rather than when
     * the enclosing step scope closes; the result moves to the enclosing scope. Without an enclosing scope (tensors then
     * live until garbage collection anyway) it just runs {@code body}.
     */
    public static org.bytedeco.pytorch.Tensor scoped(java.util.function.Supplier<org.bytedeco.pytorch.Tensor> body) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer == null) return body.get();
        try (PointerScope inner = new PointerScope()) {
            org.bytedeco.pytorch.Tensor out = body.get();
            outer.attach(out); // a second reference, so closing the inner scope does not free it
            return out;
        }
    }

    /**
     * Hands memory that was freed back to the operating system (glibc's malloc_trim): after one-off work (building a
     * model: start-up's and the JIT's freed memory) and after each generation batch, so freed blocks do not stay in
     * glibc's arenas and count in the process's resident memory for the rest of the run. Not for the hot loop: pages
     * given back must be faulted in again (trimming every scoring batch was measurably slower). A no-op for memory
     * under a preloaded jemalloc (bin/rho's default when installed), which keeps freed pages for reuse by design.
     */
    public static void returnFreeMemory() { org.bytedeco.javacpp.Pointer.trimMemory(); }

    /** Disables autograd until closed (reference scoring, evaluation, generation). */
    public static Scope noGrad() {
        NoGradGuard g = new NoGradGuard();
        return g::close;
    }
}
