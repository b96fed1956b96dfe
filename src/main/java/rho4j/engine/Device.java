package rho4j.engine;

import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Where tensors live: "cpu" (the default) or "cuda[:N]". CUDA needs the linux-x86_64-gpu natives on the classpath. */
public record Device(@com.fasterxml.jackson.annotation.JsonValue String spec) {
    public static final Device CPU = new Device("cpu");

    @com.fasterxml.jackson.annotation.JsonCreator
    static Device fromJson(String s) { return parse(s); }

    /** Parses "cpu", "cuda", "cuda:1" or "auto" (CUDA when libtorch sees a GPU, else CPU). */
    public static Device parse(String s) {
        String v = s == null ? "cpu" : s.trim().toLowerCase();
        if (v.equals("auto")) return Engine.cudaAvailable() ? new Device("cuda") : CPU;
        if (v.equals("cpu") || v.equals("cuda") || v.matches("cuda:\\d+")) return new Device(v);
        throw new IllegalArgumentException("unknown device '" + s + "': use cpu, cuda, cuda:N or auto");
    }

    public boolean isCuda() { return spec.startsWith("cuda"); }

    /** The host. Any other device (CUDA; "meta", libtorch's shape-only device, in tests) gets explicit placement. */
    public boolean isCpu() { return spec.equals("cpu"); }

    /** The tensor on this device: itself when already there, else a copy. */
    public org.bytedeco.pytorch.Tensor put(org.bytedeco.pytorch.Tensor t) {
        return isCpu() && t.is_cpu() ? t : t.to(torchDevice(), t.scalar_type().intern());
    }

    public org.bytedeco.pytorch.Device torchDevice() { return new org.bytedeco.pytorch.Device(spec); }

    public TensorOptions options(ScalarType dtype) {
        TensorOptions o = new TensorOptions(dtype);
        return isCpu() ? o : o.device(new org.bytedeco.pytorch.DeviceOptional(torchDevice()));
    }

    public TensorOptions options(DType dtype) { return options(dtype.scalarType()); }

    static boolean cudaAvailableRaw() { return torch.cuda_is_available(); }
}
