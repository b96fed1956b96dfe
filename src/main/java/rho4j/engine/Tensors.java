package rho4j.engine;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small static helpers between Java arrays and tensors; copies are explicit so ownership is never in doubt. */
public final class Tensors {
    private Tensors() {}

    public static Scalar s(double v) { return new Scalar(v); }

    public static Tensor longs(long[] data, long... shape) {
        try (LongPointer p = new LongPointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    public static Tensor longs(int[] data, long... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i];
        return longs(l, shape);
    }

    public static Tensor floats(float[] data, long... shape) {
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone();
        }
    }

    public static Tensor doubles(double[] data, long... shape) {
        try (DoublePointer p = new DoublePointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Double)).clone();
        }
    }

    public static Tensor bools(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        try (org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(b)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Byte)).to(ScalarType.Bool);
        }
    }

    /** Copies any tensor (any device, any float dtype) into a flat Java float array. */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.detach().to(ScalarType.Float).cpu().contiguous();
        float[] out = new float[(int) c.numel()];
        new FloatPointer(c.data_ptr_float()).capacity(out.length).get(out);
        return out;
    }

    public static double[] toDoubles(Tensor t) {
        Tensor c = t.detach().to(ScalarType.Double).cpu().contiguous();
        double[] out = new double[(int) c.numel()];
        new DoublePointer(c.data_ptr_double()).capacity(out.length).get(out);
        return out;
    }

    public static long[] toLongs(Tensor t) {
        Tensor c = t.detach().to(ScalarType.Long).cpu().contiguous();
        long[] out = new long[(int) c.numel()];
        new LongPointer(c.data_ptr_long()).capacity(out.length).get(out);
        return out;
    }

    public static long[] shape(Tensor t) { return t.sizes().vec().get(); }
}
