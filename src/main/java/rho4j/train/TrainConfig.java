package rho4j.train;

import java.util.List;
import rho4j.model.LlamaConfig;

/**
 * Every setting of a training run, as plain values (nanoGPT style). Saved as run.json; a resume must match it.
 *
 * @param microBatch   sequences per forward/backward
 * @param batchTokens  tokens per optimizer step (a multiple of microBatch * context): sets gradient accumulation
 * @param maxSteps     optimizer steps
 * @param rankChunk    BATCH scope: sequences per no-grad ranking forward, fixed so the ranking does not depend on
 *                     how the batch is split into micro-batches
 * @param dumpSteps    steps at which the selected tokens of the first micro-batch are written to selection/
 */
public record TrainConfig(LlamaConfig model, String device, long seed, int microBatch, long batchTokens, int maxSteps,
                          double lr, double minLr, int warmup, AdamW.Hyper adam, double gradClip, int evalEvery, int evalWindows,
                          int ckptEvery, int logEvery, int keepCheckpoints, Selection selection, int rankChunk, List<Integer> dumpSteps) {
    public TrainConfig {
        long perMicro = (long) microBatch * model.contextLength();
        if (batchTokens % perMicro != 0)
            throw new IllegalArgumentException("--batch-tokens " + batchTokens + " must be a multiple of micro-batch tokens " + perMicro
                    + " (--micro-batch " + microBatch + " x context " + model.contextLength() + ")");
        if (maxSteps <= 0) throw new IllegalArgumentException("--steps must be positive");
        dumpSteps = dumpSteps == null ? List.of() : List.copyOf(dumpSteps);
    }

    public int accumulation() { return (int) (batchTokens / ((long) microBatch * model.contextLength())); }

    public int sequencesPerStep() { return accumulation() * microBatch; }

    public LrSchedule schedule() { return new LrSchedule(lr, minLr, warmup, maxSteps); }

    /** Small defaults for quick runs; callers override with the with* copies below. */
    public static TrainConfig defaults(LlamaConfig model) {
        return new TrainConfig(model, "cpu", 1, 8, 8L * model.contextLength(), 100, 3e-4, 3e-5, 10, AdamW.Hyper.defaults(), 1.0,
                50, 32, 50, 10, 2, Selection.clm(), 4, List.of());
    }

    public TrainConfig withSelection(Selection s) { return new TrainConfig(model, device, seed, microBatch, batchTokens, maxSteps, lr, minLr, warmup, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, s, rankChunk, dumpSteps); }
    public TrainConfig withSteps(int steps, int warm) { return new TrainConfig(model, device, seed, microBatch, batchTokens, steps, lr, minLr, warm, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, selection, rankChunk, dumpSteps); }
    public TrainConfig withBatch(int micro, long tokens) { return new TrainConfig(model, device, seed, micro, tokens, maxSteps, lr, minLr, warmup, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, selection, rankChunk, dumpSteps); }
    public TrainConfig withLr(double peak, double min) { return new TrainConfig(model, device, seed, microBatch, batchTokens, maxSteps, peak, min, warmup, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, selection, rankChunk, dumpSteps); }
    public TrainConfig withSeed(long s) { return new TrainConfig(model, device, s, microBatch, batchTokens, maxSteps, lr, minLr, warmup, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, selection, rankChunk, dumpSteps); }
    public TrainConfig withEvery(int eval, int ckpt, int log) { return new TrainConfig(model, device, seed, microBatch, batchTokens, maxSteps, lr, minLr, warmup, adam, gradClip, eval, evalWindows, ckpt, log, keepCheckpoints, selection, rankChunk, dumpSteps); }
    public TrainConfig withDumpSteps(List<Integer> steps) { return new TrainConfig(model, device, seed, microBatch, batchTokens, maxSteps, lr, minLr, warmup, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, selection, rankChunk, steps); }
    public TrainConfig withAdam(AdamW.Hyper h, double clip) { return new TrainConfig(model, device, seed, microBatch, batchTokens, maxSteps, lr, minLr, warmup, h, clip, evalEvery, evalWindows, ckptEvery, logEvery, keepCheckpoints, selection, rankChunk, dumpSteps); }
    public TrainConfig withKeepCheckpoints(int keep) { return new TrainConfig(model, device, seed, microBatch, batchTokens, maxSteps, lr, minLr, warmup, adam, gradClip, evalEvery, evalWindows, ckptEvery, logEvery, keep, selection, rankChunk, dumpSteps); }
}
