package rho4j.engine;

import java.lang.ref.Reference;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.GradBucket;
import org.bytedeco.pytorch.LoggerOptional;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.T_SizeTVectorVectorSizeTVector_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Gradients reduced over ranks while the backward pass still runs: libtorch's DDP {@code Reducer} (c10d), driven as
 * {@code torch.nn.parallel.DistributedDataParallel} drives it. The Reducer puts a post-hook on every parameter's
 * gradient accumulator; after {@link #reduceDuring} has armed it, each hook copies its accumulated gradient into the
 * parameter's slot of a flat bucket, and the moment a bucket is complete (and every bucket before it has been
 * launched) its asynchronous allreduce is launched, while autograd goes on computing the gradients of earlier
 * layers. At the end of the backward pass a callback queued on the autograd engine waits for every bucket and copies
 * the results back into the {@code .grad} tensors, so they are final when {@code backward} returns.
 *
 * <p>Unarmed, the hooks do nothing (DDP's {@code no_sync}): backward passes before the last micro-batch of a step
 * only accumulate locally, and the one allreduce per step carries the sum of them all.
 *
 * <p>Buckets start in reverse parameter order (the order a language model's gradients are produced in: head, last
 * block, ..., embedding) with a small first bucket, so the first allreduce starts early. After the first reduction
 * they are rebuilt once from the order in which the gradients really became ready (rank 0's order, broadcast), as
 * DDP does on its second iteration; that is also what stops the Reducer recording that order on every backward.
 *
 * <p>The Reducer divides each gradient by the world size as it copies it into its bucket (DDP averages): see
 * {@link #lossScale()}. Every parameter must receive a gradient in every armed backward pass (DDP's
 * {@code find_unused_parameters=false}), which holds for {@link rho4j.model.Llama}: an armed pass that misses one
 * fails at its end with the Reducer's message, before an optimizer can see half-reduced gradients.
 */
public final class GradientReducer {
    /** DDP's bucket sizes: a first bucket of 1 MB so communication starts early, then 25 MB. */
    public static final long FIRST_BUCKET_BYTES = 1L << 20, BUCKET_BYTES = 25L << 20;

    private final Distributed dist;
    private final Reducer reducer;
    private final List<Tensor> params;
    private final int[][] initialBuckets;
    private int reductions;
    private boolean rebuilt;

    GradientReducer(Distributed dist, ProcessGroup group, List<Tensor> params, long firstBucketBytes, long bucketBytes) {
        if (params.isEmpty()) throw new IllegalArgumentException("no parameters to reduce");
        this.dist = dist;
        this.params = List.copyOf(params);
        int n = params.size();
        PointerScope outer = PointerScope.getInnerScope();
        TensorVector all = new TensorVector(this.params.toArray(new Tensor[0]));
        // reverse order, with the indices given so that compute_bucket_assignment_by_size keeps that order (it sorts
        // by smallest index otherwise) and the first, small bucket holds the gradients produced first
        TensorVector reversed = new TensorVector();
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = n - 1 - i;
            reversed.push_back(this.params.get(n - 1 - i));
        }
        // The assignment comes back as a tuple owned by its Java object, and get0() is a view into it: read it out while
        // the tuple is certainly alive (the collector may free it once it is unreachable, and a Reducer built on the
        // freed view crashed or threw bad_alloc now and then), then hand the Reducer a vector of its own.
        T_SizeTVectorVectorSizeTVector_T assignment = torch.compute_bucket_assignment_by_size(reversed, new SizeTVector(firstBucketBytes, bucketBytes),
                new BoolVector(n), new LongVector(order), new LoggerOptional());
        try {
            SizeTVectorVector view = assignment.get0();
            initialBuckets = new int[(int) view.size()][];
            for (int b = 0; b < initialBuckets.length; b++) {
                long[] idx = view.get(b).get();
                initialBuckets[b] = new int[idx.length];
                for (int j = 0; j < idx.length; j++) initialBuckets[b][j] = (int) idx[j];
            }
        } finally {
            Reference.reachabilityFence(assignment);
        }
        SizeTVectorVector buckets = new SizeTVectorVector();
        for (int[] bucket : initialBuckets) {
            long[] idx = new long[bucket.length];
            for (int j = 0; j < idx.length; j++) idx[j] = bucket[j];
            buckets.push_back(new SizeTVector(idx));
        }
        SizeTStringMap names = new SizeTStringMap();
        reducer = new Reducer(all, buckets, group, new BoolVector(n), bucketBytes, /*find_unused_parameters*/ false,
                /*gradient_as_bucket_view*/ false, names, firstBucketBytes, /*skip_all_reduce_unused_params*/ false, /*use_python_reducer*/ false);
        if (outer != null) outer.detach(reducer); // lives as long as this object, never with a step's scope
    }

    /**
     * Before a step's first forward pass, on every rank: after the first reduction, the buckets are rebuilt once in
     * the order the gradients became ready (a broadcast from rank 0).
     */
    public void beforeStep() {
        try {
            if (reductions > 0 && !rebuilt) {
                rebuilt = true;
                reducer.rebuild_buckets();
            }
            reducer.prepare_for_forward();
        } catch (RuntimeException e) {
            throw dist.fault("rebuilding the gradient buckets", e, 0);
        }
    }

    /**
     * Runs {@code backward} with the hooks armed: every parameter's gradient (all that this rank accumulated since
     * the gradients were last cleared) is averaged over ranks, bucket by bucket as the pass produces them, and the
     * averages are in {@code .grad} when it returns. A peer that died or hung makes it throw the one-line fault.
     */
    public void reduceDuring(Runnable backward) {
        long t0 = System.nanoTime();
        try {
            reducer.prepare_for_backward(new TensorVector());
            backward.run();
        } catch (RuntimeException e) {
            throw dist.fault("allreduce of the gradients (overlapped with the backward pass)", e, (System.nanoTime() - t0) / 1_000_000);
        }
        reducer.check_finalized(); // every bucket reduced: a parameter without a gradient fails here, before any optimizer step
        reductions++;
    }

    /**
     * What a caller that wants the SUM over ranks multiplies its loss by: the world size. The Reducer averages (each
     * gradient times 1/world on its way into the bucket, then a SUM allreduce), and the binding offers no way around
     * it: its built-in comm hooks (ALLREDUCE, FP16_COMPRESS) divide as well, and a {@code CommHookInterface} cannot be
     * implemented in Java. For a world of 2, 4, 8, ... both scalings are exact (powers of two), so the result is the
     * sum bit for bit; otherwise it agrees to about one rounding.
     */
    public double lossScale() { return dist.world(); }

    /** The armed backward passes run so far. */
    public int reductions() { return reductions; }

    /**
     * Nanoseconds from the start of the last armed backward pass to the moment each parameter's gradient was marked
     * ready (copied into its bucket), as the Reducer's hook recorded them; in parameter order.
     */
    public long[] readyNanos() { return reducer.get_backward_stats().get(); }

    /** The buckets the Reducer was built with, as parameter indices, in launch order (until the rebuild). */
    public int[][] initialBuckets() {
        int[][] out = new int[initialBuckets.length][];
        for (int b = 0; b < out.length; b++) out[b] = initialBuckets[b].clone();
        return out;
    }

    /** The buckets as they are now (after the rebuild: in the order the gradients became ready), as parameter indices. */
    public int[][] buckets() {
        GradBucket gb = reducer.get_grad_buckets(true);
        try {
            int count = (int) gb.capacity();
            int[][] out = new int[count][];
            for (int b = 0; b < count; b++) {
                TensorVector ps = gb.<GradBucket>getPointer(b).getParameters(); // a copy; gb itself must stay alive meanwhile
                out[b] = new int[(int) ps.size()];
                for (int j = 0; j < out[b].length; j++) out[b][j] = indexOf(ps.get(j));
                Reference.reachabilityFence(ps);
            }
            return out;
        } finally {
            Reference.reachabilityFence(gb);
        }
    }

    private int indexOf(Tensor t) {
        for (int i = 0; i < params.size(); i++) if (params.get(i).is_same(t)) return i;
        throw new IllegalStateException("a bucket holds a tensor that is not one of the parameters");
    }
}
