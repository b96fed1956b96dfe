package rho4j.engine;

import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Where tensors live: "cpu" (the default) or "cuda[:N]". CUDA needs the linux-x86_64-gpu natives on the classpath. */
public record Device(String spec) {
    public static final Device CPU = new Device("cpu");

    /** Parses "cpu", "cuda", "cuda:1" or "auto" (CUDA when libtorch sees a GPU, else CPU). */
    public static Device parse(String s) {
        String v = s == null ? "cpu" : s.trim().toLowerCase();
        if (v.equals("auto")) return Engine.cudaAvailable() ? new Device("cuda") : CPU;
        if (v.equals("cpu") || v.equals("cuda") || v.matches("cuda:\\d+")) return new Device(v);
        throw new IllegalArgumentException("unknown device '" + s + "': use cpu, cuda, cuda:N or auto");
    }

    public boolean isCuda() { return spec.startsWith("cuda"); }

    public org.bytedeco.pytorch.Device torchDevice() { return new org.bytedeco.pytorch.Device(spec); }

    public TensorOptions options(ScalarType dtype) {
        TensorOptions o = new TensorOptions(dtype);
        return isCuda() ? o.device(new org.bytedeco.pytorch.DeviceOptional(torchDevice())) : o;
    }

    /** Default floating dtype: fp32 on CPU (bf16 matmul runs at 0.9 GFLOPS there), fp32 master weights on GPU too. */
    public ScalarType floatType() { return ScalarType.Float; }

    static boolean cudaAvailableRaw() { return torch.cuda_is_available(); }
}
