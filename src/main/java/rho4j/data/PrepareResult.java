package rho4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Prepare#run} produced.
 *
 * @param train     meta of the store at {@code out} (split "train", or "all" without holdout)
 * @param holdout   meta of the store at {@code out/holdout}, or null when no holdout was asked for
 * @param sources   per-file statistics of the input
 * @param bytesRead bytes read from disk
 * @param seconds   wall-clock time
 */
public record PrepareResult(Path out, StoreMeta train, StoreMeta holdout, List<StoreMeta.Source> sources,
                            long bytesRead, double seconds) {
    public long documents() {
        return train.documents() + (holdout == null ? 0 : holdout.documents());
    }

    public long tokens() {
        return train.tokens() + (holdout == null ? 0 : holdout.tokens());
    }

    public double megabytesPerSecond() {
        return seconds <= 0 ? 0 : bytesRead / 1e6 / seconds;
    }
}
