package rho4j.dist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Distributed;
import rho4j.engine.Engine;
import rho4j.engine.GradientReducer;
import rho4j.engine.Tensors;
import rho4j.model.FusedHeadLoss;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;

/**
 * One rank of {@link OverlapTest}: the TINY model, untied and tied, under a {@link GradientReducer} with small buckets
 * (a first bucket of one parameter, then 16 KB), 3 steps of 2 micro-batches per rank through the fused head, beside a
 * twin model (same seed) that only accumulates locally. Prints one line per step and model:
 * {@code step S tied B buckets N params P launched-before K no-sync L sum S}, where K is the number of parameters
 * whose gradient the Reducer's hook marked ready after the first bucket's allreduce had been launched (so the
 * backward pass was still computing when communication began), L says that after the first micro-batch the
 * gradients were still this rank's own (no communication before the last micro-batch), and S that the reduced
 * gradients are the sum over ranks of the twins' local ones, bit for bit.
 */
public final class OverlapChild {
    public static void main(String[] args) {
        Engine.init();
        Distributed d = Distributed.get();
        for (boolean tied : new boolean[] {false, true}) run(d, TrainChild.TINY.withTied(tied));
        unusedParameter(d);
        d.barrier("done");
        System.exit(0);
    }

    /** A parameter the backward pass never reaches: the armed pass fails at its end, before any optimizer step. */
    static void unusedParameter(Distributed d) {
        LlamaConfig cfg = TrainChild.TINY;
        Llama model = new Llama(cfg, Device.CPU, DType.FP32, 77);
        List<Tensor> params = new ArrayList<>(model.parameters().values());
        params.add(0, org.bytedeco.pytorch.global.torch.zeros(new long[] {3}, new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Float))
                .requires_grad_(true));
        GradientReducer red = d.gradientReducer(params, 1, 16 << 10);
        red.beforeStep();
        int[] in = new int[2 * cfg.contextLength()];
        double[] w = new double[in.length];
        Arrays.fill(w, 1.0 / in.length);
        FusedHeadLoss f = model.trainForward(in, in, 2, cfg.contextLength());
        String refused;
        try {
            red.reduceDuring(() -> f.backward(w));
            refused = "no";
        } catch (RuntimeException e) {
            refused = e.getMessage().contains("Expected to have finished reduction") ? "yes" : "other: " + e.getMessage();
        }
        System.out.println("unused parameter refused: " + refused.split("\n")[0]);
    }

    static void run(Distributed d, LlamaConfig cfg) {
        int b = 2, t = cfg.contextLength(), world = d.world();
        Llama model = new Llama(cfg, Device.CPU, DType.FP32, 77), twin = new Llama(cfg, Device.CPU, DType.FP32, 77);
        List<Tensor> params = new ArrayList<>(model.parameters().values()), twinParams = new ArrayList<>(twin.parameters().values());
        GradientReducer red = d.gradientReducer(params, 1, 16 << 10);
        for (int step = 1; step <= 3; step++) {
            for (Tensor p : params) p.mutable_grad().reset();
            for (Tensor p : twinParams) p.mutable_grad().reset();
            red.beforeStep();
            int[][] buckets = step == 1 ? red.initialBuckets() : red.buckets();
            boolean noSync = false;
            for (int mb = 0; mb < 2; mb++) {
                int global = d.rank() * 2 + mb; // the global micro-batch: other data on every rank
                int[] in = new int[b * t], tg = new int[b * t];
                for (int i = 0; i < in.length; i++) {
                    in[i] = (i * 7 + global * 13 + step * 5) % cfg.vocabSize();
                    tg[i] = (i * 11 + global * 3 + step) % cfg.vocabSize();
                }
                double[] w = new double[b * t], scaled = new double[b * t];
                for (int i = 0; i < w.length; i++) {
                    w[i] = i % 3 == 0 ? 0 : 1.0 / (world * b * t); // some tokens unselected, as in SLM
                    scaled[i] = w[i] * red.lossScale(); // the Reducer averages: times the world size, as the trainer does
                }
                FusedHeadLoss f = model.trainForward(in, tg, b, t), g = twin.trainForward(in, tg, b, t);
                g.backward(w);
                if (mb == 1) red.reduceDuring(() -> f.backward(scaled));
                else {
                    f.backward(scaled);
                    noSync = true; // still local: each gradient is exactly world times the twin's (world a power of two)
                    for (int k = 0; k < params.size(); k++)
                        noSync &= Arrays.equals(Tensors.toFloats(params.get(k).grad().div(new org.bytedeco.pytorch.Scalar((double) world))),
                                Tensors.toFloats(twinParams.get(k).grad()));
                }
            }
            long[] ready = red.readyNanos();
            long firstLaunch = 0;
            for (int k : buckets[0]) firstLaunch = Math.max(firstLaunch, ready[k]); // launched as its last gradient was marked
            int after = 0;
            for (long r : ready) if (r > firstLaunch) after++;
            boolean sum = true;
            for (int k = 0; k < params.size(); k++) {
                float[] local = Tensors.toFloats(twinParams.get(k).grad());
                d.allreduce(local);
                sum &= Arrays.equals(local, Tensors.toFloats(params.get(k).grad()));
            }
            System.out.printf("step %d tied %b buckets %d params %d launched-before %d no-sync %b sum %b first %s%n", step, cfg.tieEmbeddings(),
                    buckets.length, params.size(), after, noSync, sum, Arrays.toString(buckets[0]));
        }
    }
}
