package rho4j.engine;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** The floating-point types Rho4j computes in: fp32 (training and scoring), fp64 (gradient checks), bf16. */
public enum DType {
    FP32(ScalarType.Float, 4), FP64(ScalarType.Double, 8), BF16(ScalarType.BFloat16, 2);

    private final ScalarType scalar;
    public final int bytes;

    DType(ScalarType scalar, int bytes) {
        this.scalar = scalar;
        this.bytes = bytes;
    }

    /** libtorch's name for it: for the engine and the model only. */
    public ScalarType scalarType() { return scalar; }

    public static DType of(ScalarType t) {
        ScalarType s = t.intern(); // values from the binding are not the canonical enum constants
        for (DType d : values()) if (d.scalar == s) return d;
        throw new IllegalArgumentException("no Rho4j dtype for " + s);
    }
}
