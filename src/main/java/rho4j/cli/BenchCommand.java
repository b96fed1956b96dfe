package rho4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import rho4j.data.TokenStore;
import rho4j.data.TokenStoreWriter;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Engine;
import rho4j.engine.Precision;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.score.ReferenceScores;
import rho4j.score.Scorer;
import rho4j.model.ModelFiles;
import rho4j.train.Reference;
import rho4j.train.ScoreFunction;
import rho4j.train.Selection;
import rho4j.train.SelectionScope;
import rho4j.train.SelectionUnit;
import rho4j.train.TrainSpec;
import rho4j.train.Trainer;
import rho4j.util.AtomicFiles;
import rho4j.util.Json;

/**
 * Throughput benchmarks on random tokens: each workload prints median tokens/s after warm-up, peak RSS and the
 * model FLOPs utilisation against a measured fp32 matmul peak. bench/compare.sh runs these alternately with the
 * PyTorch peer (bench/peer.py) for side-by-side ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = {"Measure tokens/s, peak memory and MFU (workloads: clm (= train), slm, slm-batch, score, generate, tokenizer, matmul, allreduce).",
        "Under rho launch, clm trains data-parallel (--micro-batch per rank) and allreduce times the collectives of a step."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(defaultValue = "clm", description = "clm (or train), slm, slm-batch, score, generate, tokenizer, matmul, allreduce") String work;
    @Option(names = "--preset", defaultValue = "ref", description = "model preset (ref = the reference config of the benchmarks)") String preset;
    @Option(names = "--micro-batch", defaultValue = "8") int micro;
    @Option(names = "--steps", defaultValue = "8") int steps;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Option(names = "--ratio", defaultValue = "0.6") double ratio;
    @Option(names = "--json", description = "print one JSON line only") boolean json;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, cuda:N") String deviceName;
    @Option(names = "--precision", defaultValue = "auto", description = "fp32, bf16 or auto: how the model computes; MFU is against the matmul peak in that precision") String precisionName;
    @Option(names = "--matmul-n", defaultValue = "1024", description = "matmul: the size n of the n x n x n product") int matmulN;
    private Device device;
    private Precision precision;

    @Override
    public Integer call() throws Exception {
        Engine.init();
        device = Device.parse(deviceName);
        Precision.Choice pc = Precision.choose(precisionName, device);
        precision = pc.precision();
        ObjectNode r = Json.MAPPER.createObjectNode().put("engine", "rho4j").put("work", work).put("config", preset).put("threads", Engine.threads()).put("blas", Engine.blasLibrary()).put("malloc", Engine.allocator()).put("jit", Engine.jit())
                .put("device", device.spec()).put("precision", precision.id).put("precision_reason", pc.reason());
        if (work.equals("train")) work = "clm";
        rho4j.engine.Distributed dist = rho4j.engine.Distributed.get();
        r.put("world_size", dist.world());
        if (dist.active() && !List.of("clm", "train", "allreduce").contains(work)) // slm would score into each rank's own temporary folder
            throw new IllegalArgumentException("rho bench " + work + " runs in one process; under rho launch use clm or allreduce");
        if (work.equals("allreduce")) {
            allreduceBench(r, dist);
        } else if (work.equals("matmul")) {
            r.put("matmul_gflops", matmulPeak());
            r.put("matmul_n", matmulN);
        } else if (work.equals("tokenizer")) {
            tokenizerBench(r);
        } else {
            LlamaConfig m = LlamaConfig.preset(preset);
            int T = m.contextLength();
            Path tmp = Files.createTempDirectory("rho-bench");
            try {
                TokenStore store = randomStore(tmp.resolve("store"), m.vocabSize(), (long) (steps + warmup + 2) * micro * T + 1);
                r.put("params", m.numParams()).put("tokens_per_step", micro * T);
                List<Double> tps = new ArrayList<>();
                if (work.equals("generate")) {
                    // 8 random prompts of 64 tokens, 64 new tokens each, KV cache: tokens/s counts generated tokens.
                    Llama lmModel = new Llama(m, device, DType.FP32, 1).setPrecision(precision);
                    var lm = new rho4j.model.TorchLanguageModel(lmModel, new RandomIds(m.vocabSize()), micro);
                    SplittableRandom rnd = new SplittableRandom(3);
                    for (int s = 0; s < steps + warmup; s++) {
                        List<int[]> prompts = new ArrayList<>();
                        for (int i = 0; i < micro; i++) prompts.add(rnd.ints(64, 0, m.vocabSize() - 1).toArray());
                        long t0 = System.nanoTime();
                        lm.generateIds(prompts, 64, true);
                        if (s >= warmup) tps.add(micro * 64 / ((System.nanoTime() - t0) / 1e9));
                    }
                    r.put("tokens_per_step", micro * 64);
                } else if (work.equals("score")) {
                    // Whole Scorer runs (reading, forward, writing, checksums), as `rho score` does them: one warm-up run,
                    // then max(2, steps / 2) timed runs over a store of `steps` scoring batches each, in batches of
                    // --micro-batch windows as the peer's (bench/README.md compares this with `rho score`'s 16).
                    try (Engine.Scope written = Engine.stepScope()) { // that model's weights are freed when written
                        ModelFiles.write(tmp.resolve("ref"), new Llama(m, device, DType.FP32, 1), null);
                    }
                    Llama ref = ModelFiles.load(tmp.resolve("ref"), device, DType.FP32).setPrecision(precision); // as `rho score` loads it
                    int batch = micro;
                    TokenStore big = randomStore(tmp.resolve("score-store"), m.vocabSize(), (long) steps * batch * T + 1);
                    Scorer.run(ref, tmp.resolve("ref"), store, tmp.resolve("scores-warmup"), batch, false, quiet());
                    for (int rep = 0; rep < Math.max(2, steps / 2); rep++)
                        tps.add(Scorer.run(ref, tmp.resolve("ref"), big, tmp.resolve("scores-" + rep), batch, false, quiet()).tokensPerSecond());
                    r.put("tokens_per_run", big.size());
                    big.close();
                } else {
                    Selection sel = switch (work) {
                        case "clm" -> Selection.clm();
                        case "slm" -> Selection.slm(ratio, ScoreFunction.EXCESS, SelectionScope.MICRO_BATCH, SelectionUnit.TOKEN);
                        case "slm-batch" -> Selection.slm(ratio, ScoreFunction.EXCESS, SelectionScope.BATCH, SelectionUnit.TOKEN);
                        default -> throw new IllegalArgumentException("unknown workload " + work + ": use clm, slm, slm-batch, score or matmul");
                    };
                    ReferenceScores rs = null;
                    if (sel.selective()) { // random reference losses: the cost of selection does not depend on their values
                        Llama ref = new Llama(m.withContext(T), device, DType.FP32, 2).setPrecision(precision);
                        ModelFiles.write(tmp.resolve("ref"), ref, null);
                        Scorer.run(ref, tmp.resolve("ref"), store, tmp.resolve("scores"), micro * 2, false, quiet());
                        rs = ReferenceScores.open(tmp.resolve("scores"));
                    }
                    // under rho launch every rank runs --micro-batch sequences of a global batch world times as large
                    long batchTokens = (sel.scope() == SelectionScope.BATCH ? 2L * micro * T : (long) micro * T) * dist.world();
                    int n = sel.scope() == SelectionScope.BATCH ? (steps + warmup + 1) / 2 : steps + warmup;
                    Map<String, Object> o = new LinkedHashMap<>(Map.of("preset", preset, "device", deviceName, "micro-batch", micro, "batch-tokens", batchTokens, "steps", n,
                            "warmup", 1, "eval-every", 0, "ckpt-every", 0, "log-every", 1000));
                    o.put("precision", precision.id);
                    if (sel.selective()) o.putAll(Map.of("objective", "slm", "ratio", sel.ratio(), "scope", sel.scope().id()));
                    TrainSpec tc = TrainSpec.of(o, m.vocabSize());
                    Trainer t = new Trainer(tc, tc.initialModel(), store, null, rs == null ? Reference.none() : new Reference.Stored(rs),
                            tmp.resolve("run"), null, false, quiet());
                    t.train(Integer.MAX_VALUE);
                    if (!dist.leader()) return 0; // rank 0 has the metrics (global tokens/s) and prints the record
                    for (String line : Files.readAllLines(tmp.resolve("run/metrics.jsonl"))) {
                        var j = Json.MAPPER.readTree(line);
                        if (j.path("type").asText().equals("train") && j.path("step").asInt() > (sel.scope() == SelectionScope.BATCH ? 1 : warmup))
                            tps.add(j.path("tok_per_s").asDouble());
                    }
                    if (rs != null) rs.close();
                }
                double med = median(tps);
                r.put("median_tok_s", med);
                var arr = r.putArray("tok_s");
                tps.forEach(arr::add);
                if (!work.equals("score") && !work.equals("generate")) { // per rank: each rank has these cores' share
                    if (dist.active()) r.put("tokens_per_step", r.get("tokens_per_step").asLong() * dist.world());
                    double peak = matmulPeak();
                    double flops = m.trainFlopsPerToken() * med;
                    r.put("model_gflops", flops / 1e9).put("matmul_gflops", peak).put("mfu", flops / 1e9 / peak / dist.world()); // every rank has the peak
                }
                store.close();
            } finally {
                AtomicFiles.deleteTree(tmp);
            }
        }
        r.put("peak_rss_mb", peakRssMb());
        if (!dist.leader()) return 0;
        if (json) System.out.println(r.toString());
        else System.out.println(r.toPrettyString());
        return 0;
    }

    /**
     * Collectives of a data-parallel step (run under rho launch): the gradient allreduce of the preset's parameters in
     * 25 MB buckets (algorithm bandwidth = bytes / time), and the extra traffic of exact --scope batch selection: one
     * allreduce of the per-token ranking losses of a global batch of --micro-batch sequences per rank.
     */
    private void allreduceBench(ObjectNode r, rho4j.engine.Distributed dist) {
        LlamaConfig m = LlamaConfig.preset(preset);
        long n = m.numParams();
        int selection = micro * m.contextLength() * dist.world();
        double[][] t = dist.timeStepCollectives(n, selection, steps + warmup);
        List<Double> ms = new ArrayList<>(), sel = new ArrayList<>();
        for (int i = warmup; i < steps + warmup; i++) {
            ms.add(t[0][i]);
            sel.add(t[1][i]);
        }
        double med = median(ms);
        r.put("params", n).put("gradient_mb", n * 4 / 1e6).put("allreduce_ms", med).put("allreduce_gb_s", n * 4 / (med / 1e3) / 1e9)
                .put("selection_floats", selection).put("selection_allreduce_ms", median(sel));
        var arr = r.putArray("allreduce_ms_all");
        ms.forEach(arr::add);
    }

    /** Generation benchmarks need ids only: the "tokenizer" maps ids to nothing, with the last id as end of text. */
    private record RandomIds(int vocabSize) implements rho4j.tokenize.TextEncoder {
        public int[] encode(String text) { return new int[0]; }
        public String decode(int[] ids) { return ""; }
        public int eotId() { return vocabSize - 1; }
        public int padId() { return vocabSize - 1; }
        public String hash() { return "random-ids"; }
    }

    private static PrintStream quiet() { return new PrintStream(new ByteArrayOutputStream()); }

    /**
     * Encoding speed (one thread) of the Rust library and of the own byte-level encoder on the shared GSM8K + MATH
     * text when present (RHO_DATA or ../shared/data), else on the built-in demo corpus; vocabulary 8192 trained on it.
     */
    private void tokenizerBench(ObjectNode r) throws java.io.IOException {
        List<String> docs = new ArrayList<>();
        String env = System.getenv("RHO_DATA");
        Path data = env != null ? Path.of(env) : Path.of("../shared/data");
        if (Files.isDirectory(data.resolve("gsm8k")) && Files.isDirectory(data.resolve("math"))) {
            docs.addAll(rho4j.tokenize.TokenizerBench.readDocuments(data.resolve("gsm8k")));
            docs.addAll(rho4j.tokenize.TokenizerBench.readDocuments(data.resolve("math")));
            r.put("text", data.toString());
        } else {
            for (var d : rho4j.demo.NoisyCorpus.generate(new rho4j.demo.NoisyCorpus.Config(4_000_000, 0.5, 1))) docs.add(d.text());
            r.put("text", "built-in demo corpus");
        }
        long t0 = System.nanoTime();
        var bpe = rho4j.tokenize.ByteLevelBpe.train(docs.iterator(), 8192, rho4j.tokenize.TrainOptions.defaults());
        r.put("train_seconds", (System.nanoTime() - t0) / 1e9);
        // Rho4j encodes through the Rust library; the own encoder (the trainer's) is measured on the same file and text.
        Path file = Files.createTempFile("rho-bench-tokenizer", ".json");
        try {
            bpe.save(file);
            try (var lib = rho4j.tokenize.HfTokenizer.load(file)) {
                rho4j.tokenize.TokenizerBench.measure(lib, docs, 1); // warm-up
                var m = rho4j.tokenize.TokenizerBench.measure(lib, docs, Math.max(1, steps / 2));
                r.put("mb", m.bytes() / 1e6).put("encode_mb_per_s", m.mbPerSecond()).put("bytes_per_token", (double) m.bytes() / m.tokens());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        rho4j.tokenize.TokenizerBench.measure(bpe, docs, 1); // warm-up: JIT and the word cache
        var own = rho4j.tokenize.TokenizerBench.measure(bpe, docs, Math.max(1, steps / 2));
        r.put("own_encoder_mb_per_s", own.mbPerSecond());
    }

    static TokenStore randomStore(Path dir, int vocab, long tokens) throws java.io.IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        try (TokenStoreWriter w = new TokenStoreWriter(dir, vocab, vocab - 1, "bench")) {
            for (long done = 0; done < tokens; ) {
                int[] doc = new int[(int) Math.min(999, Math.max(1, tokens - done - 1))];
                for (int i = 0; i < doc.length; i++) doc[i] = rnd.nextInt(vocab - 1);
                w.addDocument(doc);
                done += doc.length + 1;
            }
            w.finish();
        }
        return TokenStore.open(dir);
    }

    /**
     * Median GFLOP/s of an n^3 matmul (1024 unless --matmul-n) in the bench's precision on its device: the practical
     * peak that MFU is measured against (bf16 runs against the bf16 peak).
     */
    double matmulPeak() { return Engine.matmulGflops(matmulN, precision == Precision.BF16 ? DType.BF16 : DType.FP32, device, 5); }

    static double median(List<Double> l) {
        if (l.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        } catch (java.io.IOException ignored) {
        }
        return Double.NaN;
    }
}
