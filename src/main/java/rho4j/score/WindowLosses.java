package rho4j.score;

import java.io.IOException;
import rho4j.data.TokenStore;
import rho4j.engine.Engine;
import rho4j.model.Llama;
import rho4j.train.WindowSampler;

/**
 * The one loop over a store's packed windows (T + 1 tokens, non-overlapping, in order) that computes a model's
 * per-token losses without gradients: validation loss, reference scoring, held-out evaluation and checkpoint dynamics
 * all read the same positions through it.
 */
public final class WindowLosses {
    private WindowLosses() {}

    /** Receives the losses (and entropies, or null) of windows [first, first + count), row-major (count * T). */
    @FunctionalInterface
    public interface Sink {
        /** Returns false to stop early. */
        boolean accept(long first, int count, float[] losses, float[] entropies) throws IOException;
    }

    /** Runs windows [from, to) through the model, {@code batch} windows per forward, each batch in its own memory scope. */
    public static void run(Llama model, TokenStore store, long from, long to, int batch, boolean entropy, Sink sink) throws IOException {
        int T = model.cfg.contextLength();
        try (Engine.Scope ng = Engine.noGrad()) {
            for (long w0 = from; w0 < to; ) {
                int c = (int) Math.min(batch, to - w0);
                int[][] xy = WindowSampler.readWindows(store, w0, c, T);
                float[][] le;
                try (Engine.Scope scope = Engine.stepScope()) {
                    le = model.scoreTokens(xy[0], xy[1], c, T, entropy);
                }
                if (!sink.accept(w0, c, le[0], le[1])) return;
                w0 += c;
            }
        }
    }

    /** Per-token losses of the first {@code maxWindows} windows of a store, window after window (T per window). */
    public static float[] of(Llama model, TokenStore store, int batch, long maxWindows) throws IOException {
        int T = model.cfg.contextLength();
        long windows = Math.min(WindowSampler.numWindows(store.size(), T), maxWindows);
        if (windows < 1) throw new IllegalArgumentException("store " + store.dir() + " is shorter than one window of " + (T + 1) + " tokens");
        float[] out = new float[(int) (windows * T)];
        run(model, store, 0, windows, batch, false, (first, count, l, e) -> {
            System.arraycopy(l, 0, out, (int) (first * T), count * T);
            return true;
        });
        return out;
    }

    /** Mean next-token loss over the first {@code maxWindows} windows of a store. */
    public static double mean(Llama model, TokenStore store, int batch, long maxWindows) throws IOException {
        double sum = 0;
        float[] l = of(model, store, batch, maxWindows);
        for (float v : l) sum += v;
        return sum / l.length;
    }
}
