package rho4j.train;

import rho4j.engine.Distributed;
import rho4j.engine.GradientReducer;
import rho4j.model.Llama;

/**
 * The trainer's share of data parallelism, so the loop itself changes in a few lines. The global batch is the one a
 * single process draws (same windows, same order); its micro-batches are cut into {@code world} contiguous runs and
 * rank r runs the r-th. The normalisation 1/(selected in the global batch) is folded into every rank's loss weights,
 * so summing the gradients over ranks gives the gradient of the global masked mean. Selection statistics are summed
 * over ranks; rank 0 alone writes run.json, metrics, checkpoints and the model folder.
 *
 * <p>Scopes: {@code batch} ranks every token of the global batch (each rank computes the ranking losses of every
 * world-th chunk and the chunks are combined), so its mask is the single-process mask; {@code micro-batch} and
 * {@code sequence} select inside one micro-batch or sequence, which lies on one rank: local by definition, and again
 * the single-process mask since micro-batch indices are global.
 */
final class DataParallel {
    private final Distributed dist;
    private final int first, end;
    private GradientReducer reducer;

    DataParallel(Distributed dist, TrainSpec cfg) {
        this.dist = dist;
        int accum = cfg.accumulation(), w = dist.world();
        if (accum % w != 0)
            throw new IllegalArgumentException("--batch-tokens " + cfg.batch().tokens() + " is " + accum + " micro-batches of " + cfg.microBatch() + " x "
                    + cfg.model().contextLength() + " tokens, which " + w + " ranks cannot share equally: use a multiple of "
                    + (long) w * cfg.microBatch() * cfg.model().contextLength() + " tokens (or another --micro-batch)");
        first = dist.rank() * (accum / w);
        end = first + accum / w;
    }

    int world() { return dist.world(); }

    /** This rank's device: "cuda" means cuda:LOCAL_RANK under data parallelism. */
    rho4j.engine.Device device(rho4j.engine.Device requested) { return dist.device(requested); }

    boolean leader() { return dist.leader(); }

    /** This rank's micro-batches of the global batch: [firstMicro, endMicro). */
    int firstMicro() { return first; }

    int endMicro() { return end; }

    /** Every rank must train the same run: a one-line error on the rank whose settings differ from rank 0's. */
    void agree(String settingsJson) { dist.agree("run settings", rho4j.util.Hashing.sha256(settingsJson)); }

    /** Rank 0's parameters on every rank (the same seed gives the same init, but a rank must not rely on it). */
    void syncParameters(Llama model) { dist.broadcast(model.parameters().values()); }

    /**
     * From here on the gradients of {@code model} are summed over ranks during the backward pass of each rank's last
     * micro-batch (after {@link #syncParameters}, so every rank's Reducer starts from the same weights).
     */
    void reduceGradientsOf(Llama model) {
        if (dist.active()) reducer = dist.gradientReducer(new java.util.ArrayList<>(model.parameters().values()));
    }

    /** At the start of every optimizer step, on every rank. */
    void beforeStep() {
        if (reducer != null) reducer.beforeStep();
    }

    /**
     * What the loss weights are multiplied by. The weights already hold 1/(selected in the global batch), so the
     * global gradient is the SUM of the ranks' gradients, but the c10d Reducer AVERAGES them, and the binding offers
     * no comm hook that would not: weights times the world size make its average the sum, exactly for a world of 2, 4,
     * 8, ... ({@link GradientReducer#lossScale()}). 1 in one process.
     */
    double lossScale() { return reducer == null ? 1 : reducer.lossScale(); }

    /**
     * Runs the backward pass of micro-batch {@code mb}. Before this rank's last one it only accumulates locally (DDP's
     * no_sync); in the last one the accumulated gradients are summed over ranks in buckets while the pass runs, and
     * they are final on return, before clipping and AdamW see them.
     */
    void backward(int mb, Runnable backward) {
        if (reducer != null && mb == end - 1) reducer.reduceDuring(backward);
        else backward.run();
    }

    /** The Reducer of this run, or null in one process (for tests). */
    GradientReducer reducer() { return reducer; }

    /** Statistics summed over ranks, in place (each rank's are sums over its micro-batches). */
    void sum(double[] stats) { dist.allreduce(stats); }

    /**
     * Ranking losses of the global batch from each rank's chunks: a rank leaves others' chunks at 0, and x + 0 is x, so
     * the sum is exactly the array a single process computes.
     */
    float[] combineChunks(float[] mine) {
        dist.allreduce(mine);
        return mine;
    }

    /** True when chunk {@code k} of the ranking pass is this rank's. */
    boolean ownsChunk(int k) { return k % dist.world() == dist.rank(); }

    /** The excess losses of every rank, in global micro-batch order (for the histogram rank 0 writes). */
    float[] gather(float[] mine) { return dist.allgather(mine); }
}
