package rho4j.train;

/** Over which tokens the top k% is taken. */
public enum SelectionScope {
    /** Within each sequence (what public re-implementations do). */
    SEQUENCE,
    /** Within each micro-batch (one forward/backward). */
    MICRO_BATCH,
    /** Within the whole optimizer batch, across gradient-accumulation steps: a no-grad ranking pass first. */
    BATCH;

    public static SelectionScope parse(String s) {
        return switch (s.toLowerCase().replace('_', '-')) {
            case "sequence", "seq" -> SEQUENCE;
            case "micro-batch", "microbatch" -> MICRO_BATCH;
            case "batch" -> BATCH;
            default -> throw new IllegalArgumentException("unknown selection scope '" + s + "': use sequence, micro-batch or batch");
        };
    }

    public String id() { return name().toLowerCase().replace('_', '-'); }
}
