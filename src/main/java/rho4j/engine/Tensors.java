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

    // Every tensor made from Java data is made on a device the caller names: no code path can fall back to the CPU.

    public static Tensor longs(Device d, long[] data, long... shape) {
        try (LongPointer p = new LongPointer(data)) {
            return d.put(torch.from_blob(p, shape, new TensorOptions(ScalarType.Long)).clone());
        }
    }

    public static Tensor longs(Device d, int[] data, long... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i];
        return longs(d, l, shape);
    }

    public static Tensor floats(Device d, float[] data, long... shape) {
        try (FloatPointer p = new FloatPointer(data)) {
            return d.put(torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone());
        }
    }

    public static Tensor doubles(Device d, double[] data, long... shape) {
        try (DoublePointer p = new DoublePointer(data)) {
            return d.put(torch.from_blob(p, shape, new TensorOptions(ScalarType.Double)).clone());
        }
    }

    public static Tensor bools(Device d, boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        try (org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(b)) {
            return d.put(torch.from_blob(p, shape, new TensorOptions(ScalarType.Byte)).to(ScalarType.Bool));
        }
    }

    /** The device a tensor lives on, as Rho4j's type. */
    public static Device deviceOf(Tensor t) { return t.is_cpu() ? Device.CPU : new Device(t.device().str().getString()); }

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
