package rho4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Precision;
import rho4j.model.AdamW;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.model.ModelFiles;

/**
 * Every setting of a training run, typed. Built in one way from a map of option values ({@link #of}) whose keys are
 * the long option names of {@code rho train} without dashes: the CLI flags, a {@code --config} file, a recipe and the
 * demo all fill that map, so one table of defaults ({@link #DEFAULTS}) and one preset-override rule
 * ({@link #resolveModel}) serve them all. Saved in run.json; a resume must match it.
 */
public record TrainSpec(LlamaConfig model, Device device, long seed, Batch batch, Optim optim, Selection selection,
                        Cadence cadence, List<Integer> dumpSteps, String initFrom, ModelFiles.Export export, Precision precision) {

    /**
     * @param microBatch sequences per forward/backward
     * @param tokens     tokens per optimizer step, a multiple of microBatch * context: sets gradient accumulation
     * @param rankChunk  BATCH scope: sequences per no-grad ranking forward, fixed so the ranking does not depend on
     *                   how the batch is split into micro-batches
     */
    public record Batch(int steps, int microBatch, long tokens, int rankChunk) {}

    /** Peak and final learning rate of the warmup + cosine schedule, AdamW's settings and the global-norm clip. */
    public record Optim(double lr, double minLr, int warmup, AdamW.Hyper adam, double clip) {}

    /** How often to log, evaluate on validation windows and checkpoint; 0 turns evaluation or checkpoints off. */
    public record Cadence(int logEvery, int evalEvery, int evalWindows, int ckptEvery, int keepCheckpoints) {}

    public TrainSpec {
        long perMicro = (long) batch.microBatch() * model.contextLength();
        if (batch.tokens() % perMicro != 0)
            throw new IllegalArgumentException("--batch-tokens " + batch.tokens() + " must be a multiple of micro-batch tokens " + perMicro
                    + " (--micro-batch " + batch.microBatch() + " x context " + model.contextLength() + ")");
        dumpSteps = dumpSteps == null ? List.of() : List.copyOf(dumpSteps);
        if (precision == null) precision = Precision.FP32;
        if (export == null) export = new ModelFiles.Export(ModelFiles.Export.DEFAULT.maxShardBytes(), DType.FP32);
        if (export.dtype() == DType.FP64) throw new IllegalArgumentException("--save-dtype must be fp32 or bf16, not fp64");
    }

    /** Options that size the model: with init-from the model folder's config.json does, so giving one is an error. */
    static final List<String> SHAPE_KEYS = List.of("preset", "dim", "layers", "heads", "kv-heads", "ffn", "tie");
    /** The training context of an init-from run when none is given: the model's, at most this. */
    public static final int INIT_CONTEXT_CAP = 2048;

    /** Every option and its default (null: derived, see {@link #of}); the only place defaults are written. */
    public static final Map<String, Object> DEFAULTS = table(
            "preset", "small", "dim", null, "layers", null, "heads", null, "kv-heads", null, "ffn", null, "context", null, "tie", false,
            "device", "cpu", "seed", 1L,
            "steps", 1000, "micro-batch", 8, "batch-tokens", null, "rank-chunk", 4,
            "lr", 6e-4, "min-lr", null, "warmup", 100, "weight-decay", 0.1, "beta1", 0.9, "beta2", 0.95, "eps", 1e-8, "clip", 1.0,
            "log-every", 10, "eval-every", 100, "eval-windows", 64, "ckpt-every", 200, "keep-checkpoints", 2,
            "objective", "clm", "ratio", 0.6, "score", "excess", "scope", "micro-batch", "unit", "token", "dump-steps", List.of(),
            "init-from", null, "max-shard-size", "2GB", "precision", "auto", "save-dtype", "fp32");

    /**
     * The spec for these option values (missing keys take {@link #DEFAULTS}; values may be typed or strings, as a
     * command line gives them). {@code vocab} is the training store's vocabulary. Unknown keys are errors.
     * Derived defaults: batch-tokens = one micro-batch, min-lr = lr / 10.
     */
    public static TrainSpec of(Map<String, ?> options, int vocab) {
        Values v = new Values(options);
        String initFrom = v.stringOrNull("init-from");
        LlamaConfig m;
        if (initFrom != null) {
            Path dir = initDir(initFrom);
            for (String k : SHAPE_KEYS)
                if (options.get(k) != null)
                    throw new IllegalArgumentException("--" + k + " cannot be combined with --init-from: the model's shape comes from "
                            + dir.resolve("config.json") + " (drop --" + k + ")");
            initFrom = dir.toAbsolutePath().normalize().toString();
            m = initShape(dir, v.intOrNull("context", 2, 1 << 20));
        } else {
            int maxDim = 1 << 16;
            m = resolveModel(LlamaConfig.preset(v.string("preset")), vocab, v.intOrNull("dim", 1, maxDim), v.intOrNull("layers", 1, maxDim),
                    v.intOrNull("heads", 1, maxDim), v.intOrNull("kv-heads", 1, maxDim), v.intOrNull("ffn", 1, maxDim), v.intOrNull("context", 2, 1 << 20),
                    v.bool("tie"));
        }
        int micro = v.positive("micro-batch");
        Long bt = v.longOrNull("batch-tokens");
        // 0 steps with init-from converts a folder (it is written back out untrained)
        Batch batch = new Batch(initFrom != null ? v.integer("steps") : v.positive("steps"), micro, bt != null ? bt : (long) micro * m.contextLength(), v.positive("rank-chunk"));
        double lr = v.number("lr");
        if (!(lr > 0)) throw Values.bad("lr", lr, "positive");
        Double minLr = v.numberOrNull("min-lr");
        if (minLr != null && !(minLr >= 0 && minLr <= lr)) throw Values.bad("min-lr", minLr, "in [0, --lr]");
        for (String k : new String[] {"beta1", "beta2"})
            if (!(v.number(k) >= 0 && v.number(k) < 1)) throw Values.bad(k, v.number(k), "in [0, 1)");
        for (String k : new String[] {"weight-decay", "clip", "eps"})
            if (!(v.number(k) >= 0)) throw Values.bad(k, v.number(k), "at least 0");
        Optim optim = new Optim(lr, minLr != null ? minLr : lr / 10, v.integer("warmup"),
                new AdamW.Hyper(v.number("beta1"), v.number("beta2"), v.number("eps"), v.number("weight-decay")), v.number("clip"));
        double ratio = v.number("ratio");
        if (!(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("--ratio must be in (0, 1], got " + ratio);
        Selection sel = switch (v.string("objective").toLowerCase(Locale.ROOT)) {
            case "clm" -> Selection.clm();
            case "slm" -> Selection.slm(ratio, ScoreFunction.parse(v.string("score")), SelectionScope.parse(v.string("scope")),
                    SelectionUnit.parse(v.string("unit")));
            default -> throw new IllegalArgumentException("--objective must be clm or slm, not " + v.string("objective"));
        };
        Cadence cadence = new Cadence(v.positive("log-every"), v.integer("eval-every"), v.positive("eval-windows"), v.integer("ckpt-every"),
                v.integer("keep-checkpoints"));
        Device device = Device.parse(v.string("device"));
        // auto is resolved here, so run.json records what the run computes in (and a resume elsewhere must match it)
        return new TrainSpec(m, device, v.longValue("seed"), batch, optim, sel, cadence, v.ints("dump-steps"),
                initFrom, new ModelFiles.Export(v.bytes("max-shard-size"), saveDtype(v.string("save-dtype"))), Precision.parse(v.string("precision"), device));
    }

    private static DType saveDtype(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32" -> DType.FP32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--save-dtype must be fp32 or bf16, not '" + s + "'");
        };
    }

    /** The model folder an init-from names (a Hugging Face folder, or a run: its model/). */
    private static Path initDir(String given) {
        try {
            return ModelFiles.modelDir(Path.of(given));
        } catch (IOException e) {
            throw new IllegalArgumentException("--init-from " + e.getMessage(), e);
        }
    }

    /** config.json's shape with the training context: given (at most max_position_embeddings) or the model's, capped. */
    private static LlamaConfig initShape(Path dir, Integer context) {
        Path f = dir.resolve("config.json");
        LlamaConfig c;
        try {
            c = LlamaConfig.readHf(f);
        } catch (IOException e) {
            throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
        }
        if (context != null && context > c.contextLength())
            throw new IllegalArgumentException("--context " + context + " exceeds max_position_embeddings " + c.contextLength() + " of " + f
                    + "; give at most " + c.contextLength());
        return c.withContext(context != null ? context : Math.min(c.contextLength(), INIT_CONTEXT_CAP));
    }

    /**
     * The one preset-override rule: each given size replaces the preset's; kv heads not given stay the preset's when
     * they divide the new head count (grouped-query attention kept), else equal the heads.
     */
    public static LlamaConfig resolveModel(LlamaConfig p, int vocab, Integer dim, Integer layers, Integer heads, Integer kvHeads,
                                           Integer ffn, Integer context, boolean tie) {
        int h = heads != null ? heads : p.nHeads();
        int kv = kvHeads != null ? kvHeads : h % p.nKvHeads() == 0 && p.nKvHeads() <= h ? p.nKvHeads() : h;
        return new LlamaConfig(vocab, dim != null ? dim : p.dim(), layers != null ? layers : p.nLayers(), h, kv,
                ffn != null ? ffn : p.ffnDim(), context != null ? context : p.contextLength(), p.ropeTheta(), p.normEps(),
                tie || p.tieEmbeddings());
    }

    /** The model training starts from, in fp32 on this device: the init-from folder's weights, else drawn from the seed. */
    public Llama initialModel() {
        Device here = rho4j.engine.Distributed.get(device.isCuda()).device(device); // cuda:LOCAL_RANK under a launcher
        if (initFrom == null) return new Llama(model, here, DType.FP32, seed).setPrecision(precision);
        try {
            return ModelFiles.load(Path.of(initFrom), model, here, DType.FP32).setPrecision(precision);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The dtype the final model folder is saved in (checkpoints keep the fp32 masters). */
    public DType saveDtype() { return export.dtype(); }

    public int steps() { return batch.steps(); }

    public int microBatch() { return batch.microBatch(); }

    public int accumulation() { return (int) (batch.tokens() / ((long) batch.microBatch() * model.contextLength())); }

    public int sequencesPerStep() { return accumulation() * batch.microBatch(); }

    public LrSchedule schedule() { return new LrSchedule(optim.lr(), optim.minLr(), optim.warmup(), batch.steps()); }

    // -------------------------------------------------------------------------------------------------------------

    private static Map<String, Object> table(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return Collections.unmodifiableMap(m);
    }

    /** Typed reads of option values with the key in every message; strings are parsed as the command line would. */
    private static final class Values {
        private final Map<String, Object> values = new LinkedHashMap<>(DEFAULTS);

        Values(Map<String, ?> options) {
            for (var e : options.entrySet()) {
                if (!DEFAULTS.containsKey(e.getKey()))
                    throw new IllegalArgumentException("unknown training option '" + e.getKey() + "'; known: " + String.join(", ", DEFAULTS.keySet()));
                if (e.getValue() != null) values.put(e.getKey(), e.getValue());
            }
        }

        String string(String k) { return String.valueOf(values.get(k)); }

        String stringOrNull(String k) {
            Object o = values.get(k);
            return o == null || String.valueOf(o).isBlank() ? null : String.valueOf(o);
        }

        /** A size in bytes: an integer, or a number with KB, MB, GB (powers of 1000) or KiB, MiB, GiB, as transformers writes them. */
        long bytes(String k) {
            Object o = values.get(k);
            String s = String.valueOf(o).trim();
            java.util.regex.Matcher mt = java.util.regex.Pattern.compile("(?i)(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|kib|mib|gib)?").matcher(s);
            if (!mt.matches()) throw bad(k, o, "a size such as 2GB, 500MB or a number of bytes");
            String unit = mt.group(2) == null ? "b" : mt.group(2).toLowerCase(Locale.ROOT);
            long mul = switch (unit) {
                case "kb" -> 1000L;
                case "mb" -> 1000_000L;
                case "gb" -> 1000_000_000L;
                case "kib" -> 1L << 10;
                case "mib" -> 1L << 20;
                case "gib" -> 1L << 30;
                default -> 1L;
            };
            double b = Double.parseDouble(mt.group(1)) * mul;
            if (b < 1 || b > Long.MAX_VALUE / 2) throw bad(k, o, "a positive size");
            return (long) b;
        }

        boolean bool(String k) {
            Object o = values.get(k);
            if (o instanceof Boolean b) return b;
            String s = String.valueOf(o).trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
            throw bad(k, o, "true or false");
        }

        Long longOrNull(String k) {
            Object o = values.get(k);
            if (o == null) return null;
            if (o instanceof Integer || o instanceof Long) return ((Number) o).longValue();
            try {
                return Long.parseLong(String.valueOf(o).trim());
            } catch (NumberFormatException e) {
                throw bad(k, o, "an integer");
            }
        }

        long longValue(String k) { return longOrNull(k); }

        Integer intOrNull(String k, int min, int max) {
            Long l = longOrNull(k);
            if (l == null) return null;
            if (l < min || l > max) throw new IllegalArgumentException("--" + k + " must be between " + min + " and " + max + ", got " + l);
            return l.intValue();
        }

        int integer(String k) {
            long l = longOrNull(k);
            if (l < 0 || l > Integer.MAX_VALUE) throw bad(k, l, "an integer >= 0");
            return (int) l;
        }

        int positive(String k) {
            long l = longOrNull(k);
            if (l < 1 || l > Integer.MAX_VALUE) throw new IllegalArgumentException("--" + k + " must be at least 1, got " + l);
            return (int) l;
        }

        Double numberOrNull(String k) {
            Object o = values.get(k);
            if (o == null) return null;
            if (o instanceof Number n) return n.doubleValue();
            try {
                return Double.parseDouble(String.valueOf(o).trim());
            } catch (NumberFormatException e) {
                throw bad(k, o, "a number");
            }
        }

        double number(String k) {
            double d = numberOrNull(k);
            if (!Double.isFinite(d)) throw bad(k, d, "a finite number");
            return d;
        }

        List<Integer> ints(String k) {
            Object o = values.get(k);
            List<Integer> out = new ArrayList<>();
            Iterable<?> items = o instanceof List<?> l ? l : String.valueOf(o).isBlank() ? List.of() : List.of(String.valueOf(o).split(","));
            for (Object x : items) {
                try {
                    out.add(x instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(x).trim()));
                } catch (NumberFormatException e) {
                    throw bad(k, o, "a comma-separated list of integers");
                }
            }
            return out;
        }

        static IllegalArgumentException bad(String k, Object v, String what) {
            return new IllegalArgumentException("--" + k + " must be " + what + ", got '" + v + "'");
        }
    }
}
