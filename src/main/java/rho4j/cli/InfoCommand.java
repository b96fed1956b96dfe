package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import rho4j.data.StoreInfo;
import rho4j.model.LlamaConfig;
import rho4j.tokenize.HfTokenizer;
import rho4j.train.Checkpoint;
import rho4j.util.Json;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Describe a token store, tokenizer.json, scores folder, run, checkpoint or model folder; without a path, the engine (BLAS, threads, CUDA).")
final class InfoCommand implements Callable<Integer> {
    @Parameters(arity = "0..*") java.util.List<Path> paths;

    @Override
    public Integer call() throws Exception {
        if (paths == null || paths.isEmpty()) System.out.println(engine());
        else for (Path p : paths) System.out.println(describe(p));
        return 0;
    }

    /** What a CPU user most needs to know about speed: which BLAS runs the matrix products and on how many threads. */
    static String engine() {
        rho4j.engine.Engine.init();
        boolean openmp = rho4j.engine.Engine.blas() == rho4j.engine.Engine.Blas.OPENMP;
        String version = rho4j.engine.Engine.libtorchVersion();
        return String.format("engine: libtorch %s, %d OpenMP threads, malloc %s, JIT %s, BLAS %s, CUDA %s%nprecision auto: %s on the CPU%s",
                version, rho4j.engine.Engine.threads(), rho4j.engine.Engine.allocator(), rho4j.engine.Engine.jit(),
                openmp ? rho4j.engine.Engine.blasLibrary() + " (OpenMP: one thread pool with libtorch)"
                        : "bundled OpenBLAS (own thread pool; " + rho4j.engine.Engine.OPENMP_BLAS_HINT + ")",
                rho4j.engine.Engine.cudaAvailable() ? "available" : "not available",
                rho4j.engine.Precision.auto(rho4j.engine.Device.parse("cpu")), rho4j.engine.Engine.cudaAvailable() ? ", " + rho4j.engine.Precision.auto(new rho4j.engine.Device("cuda")) + " on CUDA" : "");
    }

    private static String named(HfTokenizer t, int id) {
        return id < 0 ? "none" : id + " " + t.decode(new int[] {id});
    }

    /** How `rho prepare` separates documents with this tokenizer, e.g. "<s> text" or "text <|endoftext|>". */
    static String framing(HfTokenizer t) {
        StringBuilder sb = new StringBuilder();
        for (int id : t.documentPrefix()) sb.append(t.decode(new int[] {id})).append(' ');
        sb.append("text");
        for (int id : t.documentSuffix()) sb.append(' ').append(t.decode(new int[] {id}));
        return sb.toString();
    }

    static String describe(Path p) throws Exception {
        if (!Files.exists(p)) throw new java.io.IOException(p + " does not exist");
        if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().equals("config.json")) {
            try (HfTokenizer t = HfTokenizer.load(p)) {
                return String.format("tokenizer %s: %s, %d ids, normalizer %s, bos %s, eos %s, pad %s%n"
                                + "  documents in a store: %s; sha256 %s", p, t.description(), t.vocabSize(), t.normalizer(),
                        named(t, t.bosId()), named(t, t.eosId()), named(t, t.padId()), framing(t), t.hash());
            }
        }
        if (Files.exists(p.resolve("meta.json"))) return StoreInfo.describe(p);
        if (Files.exists(p.resolve(rho4j.score.ReferenceScores.META_FILE)))
            return "reference scores " + p + ":\n" + Files.readString(p.resolve(rho4j.score.ReferenceScores.META_FILE));
        StringBuilder sb = new StringBuilder();
        if (Files.exists(p.resolve("run.json"))) {
            sb.append("run ").append(p).append('\n');
            var run = Json.tree(p.resolve("run.json"), "restore it or retrain the run");
            sb.append("  objective ").append(run.path("objective").asText()).append(", steps ").append(run.path("config").path("batch").path("steps").asInt())
                    .append(", batch tokens ").append(run.path("config").path("batch").path("tokens").asLong()).append('\n');
            Path latest = Checkpoint.latest(p);
            if (latest != null) sb.append("  latest checkpoint ").append(latest.getFileName()).append(": ").append(Checkpoint.readState(latest)).append('\n');
        }
        Path model = rho4j.model.ModelFiles.modelDir(p);
        LlamaConfig c = LlamaConfig.readHf(model.resolve("config.json"));
        sb.append(String.format("model %s: %.2fM parameters, vocab %d, dim %d, layers %d, heads %d (kv %d), ffn %d, context %d, rope theta %.0f, %s head",
                model, c.numParams() / 1e6, c.vocabSize(), c.dim(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.ffnDim(), c.contextLength(), c.ropeTheta(),
                c.tieEmbeddings() ? "tied" : "untied"));
        if (c.ropeScaling() != null) sb.append(String.format(", rope_scaling llama3 (factor %s, original context %d)", c.ropeScaling().factor(),
                c.ropeScaling().originalMaxPositions()));
        if (Files.exists(model.resolve("state.json"))) sb.append("\n  ").append(Checkpoint.readState(model));
        return sb.toString();
    }
}
