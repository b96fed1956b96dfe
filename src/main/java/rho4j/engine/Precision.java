package rho4j.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a model computes, independent of how its weights are stored (always fp32 masters when training).
 * {@link #FP32}: everything in fp32. {@link #BF16}: mixed precision as torch.autocast does it: matrix products,
 * attention and the activations between them in bf16; the residual stream, RMSNorm statistics, log-softmax, the
 * losses, gradients of the weights, clipping and the optimizer in fp32. The policy is applied by {@link Engine#compute}.
 */
public enum Precision {
    FP32("fp32"), BF16("bf16");

    @com.fasterxml.jackson.annotation.JsonValue public final String id;

    Precision(String id) { this.id = id; }

    /**
     * The precision attention runs in under this policy on this device. bf16 on CUDA (its flash kernels); fp32 on the
     * CPU, where libtorch 2.10's bf16 scaled_dot_product_attention ran 6x slower than fp32 (bench/README.md) while bf16
     * products ran 2.7x faster: there the policy keeps the products in bf16 and the attention kernel in fp32.
     */
    public Precision attention(Device device) { return this == BF16 && device.isCuda() ? BF16 : FP32; }

    /** A precision and why it was chosen: printed at start and by {@code rho info}. */
    public record Choice(Precision precision, String reason) {
        @Override
        public String toString() { return precision.id + " (" + reason + ")"; }
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    static Precision fromJson(String s) { return parse(s, Device.CPU); }

    /** "fp32", "bf16" or "auto" ({@link #auto}) for models on this device. */
    public static Precision parse(String s, Device device) { return choose(s, device).precision(); }

    public static Choice choose(String s, Device device) {
        String v = s == null ? "auto" : s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "fp32", "float32" -> new Choice(FP32, "asked for");
            case "bf16", "bfloat16" -> new Choice(BF16, "asked for");
            case "auto" -> auto(device);
            default -> throw new IllegalArgumentException("unknown precision '" + s + "': use fp32, bf16 or auto");
        };
    }

    private static final ConcurrentHashMap<String, Choice> AUTO = new ConcurrentHashMap<>();

    /**
     * bf16 where this hardware runs it fast, else fp32. {@code -Drho.precision=fp32|bf16} (bin/rho: RHO_PRECISION)
     * pins what auto means on a machine; the test suite pins fp32 so its results do not depend on the CPU.
     * CPU: bf16 with AMX in /proc/cpuinfo, else fp32 (the reason quotes a quick matmul probe: AVX-512-BF16 products beat
     * fp32, but whole steps were not reliably faster, and CPUs that emulate bf16 run it far slower). CUDA: compute
     * capability 8.0 or newer (Ampere and later run bf16 on their tensor cores), read from nvidia-smi.
     */
    public static Choice auto(Device device) {
        String pinned = System.getProperty("rho.precision", "").trim();
        if (!pinned.isEmpty() && !pinned.equalsIgnoreCase("auto")) {
            Choice c = choose(pinned, device);
            return new Choice(c.precision(), "pinned by -Drho.precision=" + pinned);
        }
        return AUTO.computeIfAbsent(device.isCuda() ? "cuda" : "cpu", k -> device.isCuda() ? autoCuda() : autoCpu());
    }

    /** bf16 must beat fp32 by this factor in the probe: below it the casts and fp32 parts eat the gain. */
    static final double PROBE_RATIO = 1.5;

    private static Choice autoCpu() {
        String flags = cpuFlags();
        if (flags.contains(" amx_bf16")) return new Choice(BF16, "CPU has AMX-BF16");
        double f = Engine.matmulGflops(PROBE_N, DType.FP32, Device.CPU, 3), b = Engine.matmulGflops(PROBE_N, DType.BF16, Device.CPU, 3);
        String probe = String.format(Locale.ROOT, "%d^3 matmul probe: bf16 %.0f GFLOP/s, fp32 %.0f%s", PROBE_N, b, f,
                flags.contains(" avx512_bf16") ? ", AVX-512-BF16, no AMX" : ", no AMX or AVX-512-BF16");
        // Without AMX, bf16 products can beat fp32 (AVX-512-BF16) while whole training steps do not, reliably (measured
        // on Zen 5: bench/README.md), so auto stays fp32 there and says how to opt in.
        return new Choice(FP32, probe + (b >= PROBE_RATIO * f ? "; bf16 products are faster, whole steps were not reliably: --precision bf16 to opt in" : ""));
    }

    /** Large enough for the blocked kernels to reach speed (bench/README.md), small enough to cost well under a second. */
    static final int PROBE_N = 512;

    private static Choice autoCuda() {
        String cc = computeCapability();
        if (cc == null) return new Choice(FP32, "GPU compute capability unknown (nvidia-smi not found): pass --precision bf16 on Ampere or newer");
        double v;
        try {
            v = Double.parseDouble(cc);
        } catch (NumberFormatException e) {
            return new Choice(FP32, "nvidia-smi gave compute capability '" + cc + "'");
        }
        return v >= 8.0 ? new Choice(BF16, "GPU compute capability " + cc + " >= 8.0") : new Choice(FP32, "GPU compute capability " + cc + " < 8.0: no fast bf16");
    }

    /** " flag flag ..." of the first CPU in /proc/cpuinfo, or "" where there is none (not Linux). */
    static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("flags")) return " " + line.substring(line.indexOf(':') + 1).trim() + " ";
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
        return "";
    }

    private static String computeCapability() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0 || out.isEmpty()) return null;
            return out.lines().findFirst().orElse("").trim();
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
