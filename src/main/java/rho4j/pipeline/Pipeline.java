package rho4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import rho4j.data.CorpusOptions;
import rho4j.data.CorpusReader;
import rho4j.data.Prepare;
import rho4j.data.PrepareOptions;
import rho4j.data.TokenStore;
import rho4j.demo.DemoData;
import rho4j.engine.DType;
import rho4j.engine.Device;
import rho4j.engine.Distributed;
import rho4j.engine.Engine;
import rho4j.model.Llama;
import rho4j.model.LlamaConfig;
import rho4j.report.HtmlReport;
import rho4j.score.ReferenceScores;
import rho4j.score.Scorer;
import rho4j.model.ModelFiles;
import rho4j.train.Checkpoint;
import rho4j.train.Reference;
import rho4j.train.SelectionScope;
import rho4j.train.SelectionUnit;
import rho4j.train.TrainSpec;
import rho4j.train.Trainer;
import rho4j.util.Hashing;
import rho4j.util.Json;

/**
 * The whole Rho-1 experiment from one recipe: tokenizer -> token stores -> reference model -> reference scores ->
 * CLM and SLM runs (same budget, seed and data order) -> evaluation -> loss dynamics -> token view -> HTML report,
 * ending in OUT/results.json and OUT/report.html. Every stage is cached by its inputs ({@link Stages}).
 */
public final class Pipeline {
    /** Sequences of the last selection dump shown in the report's token view. */
    private static final int TOKEN_VIEW_DOCS = 4;
    /** Checkpoints kept per run: one every tenth of the run, each a point of the token dynamics. */
    private static final int CHECKPOINTS = 10;

    private Pipeline() {}

    /** Where the data come from after the data stage: the recipe's files, or the generated demo files. */
    private record Inputs(String key, Recipe.Data reference, Recipe.Data corpus, Recipe.Data holdout, List<Path> tasks,
                          Path noisyJsonl, Recipe.Data general) {}

    public static Results run(Recipe r, Path out, PrintStream log) throws IOException {
        Engine.init();
        Device asked = Device.parse(r.device());
        // Under a launcher every rank runs this method in lock-step: training and scoring stages on all ranks, the rest on rank 0.
        Distributed dist = Distributed.get(asked.isCuda());
        dist.agree("recipes", Hashing.sha256(r.toString()));
        Device device = dist.device(asked); // cuda:LOCAL_RANK under a launcher
        rho4j.engine.Precision.Choice precision = rho4j.engine.Precision.choose(r.precision(), device);
        log.println("rho run: precision " + precision + "; " + Engine.summary());
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        checkShares(r, dist.world());
        Stages st = new Stages(out, log, dist);
        Inputs in = inputs(r, st);

        // With a base model its tokenizer is used as it is, and every stage downstream is keyed by the base's files.
        String tokKey = r.base() != null ? baseKey(r.base()) : Stages.key("tokenizer", in.key(), r.tokenizer(), in.reference());
        Path tokJson = r.base() != null ? r.base().resolve("tokenizer.json")
                : st.run("tokenizer", tokKey, dir -> trainTokenizer(r, in, dir, log)).resolve("tokenizer.json");
        // A base's tokenizer.json is applied by the Hugging Face library (SentencePiece-style files too), as `rho
        // prepare` applies it; files the pipeline trains are Rho4j's own byte-level BPE.
        rho4j.tokenize.TextEncoder tok = r.base() != null ? rho4j.tokenize.HfTokenizer.load(tokJson) : rho4j.tokenize.ByteLevelBpe.load(tokJson);

        String storesKey = Stages.key("stores", tokKey, in.key(), in.reference(), in.corpus(), in.holdout(), in.general());
        Path stores = st.run("stores", storesKey, dir -> buildStores(in, tok, tokJson, dir, log));
        LlamaConfig mc = r.base() != null ? trainSpec(r, tok.vocabSize(), 1, "clm", false, r.base(), r.seed()).model() : r.model().config(tok.vocabSize());
        Recipe.Budget b = r.budget();

        try (TokenStore refStore = TokenStore.open(stores.resolve("reference"));
             TokenStore corpus = TokenStore.open(stores.resolve("corpus"));
             TokenStore holdout = TokenStore.open(stores.resolve("holdout"))) {
            // The base every later model starts from: a given folder, one pretrained here on general text, or none.
            String baseStageKey = null;
            Path base = r.base();
            if (r.pretrain() != null) {
                baseStageKey = Stages.key("base", storesKey, mc, r.pretrain().steps(), b.microBatch(), b.batchTokens(), r.pretrain().lr(), b.warmup(), r.seed(), precision.precision());
                Path baseRun = st.runOnEveryRank("base", baseStageKey, dir -> {
                    try (TokenStore general = TokenStore.open(stores.resolve("general"))) {
                        var o = trainOptions(r, r.pretrain().steps(), "clm", false, null, r.seed());
                        o.put("lr", r.pretrain().lr());
                        TrainSpec c = TrainSpec.of(o, mc.vocabSize());
                        new Trainer(c, c.initialModel(), general, holdout, Reference.none(), dir, tokJson, true, log).train(Integer.MAX_VALUE);
                    }
                });
                base = ModelFiles.modelDir(baseRun);
            }
            final Path init = base;
            String fromKey = Stages.key("from", storesKey, baseStageKey);

            String refKey = Stages.key("reference", fromKey, mc, b.referenceSteps(), b.microBatch(), b.batchTokens(), b.lr(), b.warmup(), r.seed(), precision.precision());
            Path refRun = st.runOnEveryRank("reference", refKey, dir -> {
                TrainSpec c = trainSpec(r, mc.vocabSize(), b.referenceSteps(), "clm", false, init, r.seed());
                new Trainer(c, c.initialModel(), refStore, holdout, Reference.none(), dir, tokJson, true, log).train(Integer.MAX_VALUE);
            });

            String scoresKey = Stages.key("scores", refKey, storesKey);
            Path scores = st.runOnEveryRank("scores", scoresKey, dir -> {
                Llama ref = ModelFiles.load(refRun, device, DType.FP32).setPrecision(precision.precision());
                Scorer.run(ref, ModelFiles.modelDir(refRun), corpus, dir, b.microBatch(), true, log);
            });

            // One CLM and one SLM run per seed, from the same base on the same tokens; the first seed's pair feeds the
            // dynamics, token view and report runs, every pair feeds the seed statistics.
            String evalSpec = in.key() + r.eval();
            List<Results.RunMetrics> clmM = new ArrayList<>(), slmM = new ArrayList<>();
            List<Path> clmRuns = new ArrayList<>(), slmRuns = new ArrayList<>(), clmEvals = new ArrayList<>(), slmEvals = new ArrayList<>();
            List<String> clmKeys = new ArrayList<>(), slmKeys = new ArrayList<>();
            for (long seed : r.seeds()) {
                String sfx = "-seed" + seed; // named by seed, so a one-seed recipe reuses the runs of a many-seed one
                String clmKey = Stages.key("clm", fromKey, mc, b, seed, precision.precision());
                Path clmRun = st.runOnEveryRank("clm" + sfx, clmKey, dir -> {
                    TrainSpec c = trainSpec(r, mc.vocabSize(), b.steps(), "clm", false, init, seed);
                    new Trainer(c, c.initialModel(), corpus, holdout, Reference.none(), dir, tokJson, true, log).train(Integer.MAX_VALUE);
                });
                String slmKey = Stages.key("slm", scoresKey, fromKey, mc, b, seed, r.selection(), precision.precision());
                Path slmRun = slmStage(st, r, "slm" + sfx, slmKey, mc.vocabSize(), init, seed, scores, corpus, holdout, tokJson, log);
                String clmEvalKey = Stages.key("eval-clm", clmKey, storesKey, evalSpec);
                Path clmEval = st.run("eval-clm" + sfx, clmEvalKey, dir -> Evaluation.run(clmRun, device, holdout, r, in.tasks(), dir, log));
                String slmEvalKey = Stages.key("eval-slm", slmKey, storesKey, evalSpec);
                Path slmEval = st.run("eval-slm" + sfx, slmEvalKey, dir -> Evaluation.run(slmRun, device, holdout, r, in.tasks(), dir, log));
                clmM.add(metrics(seed, clmRun, clmEval));
                slmM.add(metrics(seed, slmRun, slmEval));
                clmRuns.add(clmRun); slmRuns.add(slmRun); clmEvals.add(clmEval); slmEvals.add(slmEval);
                clmKeys.add(clmKey + clmEvalKey); slmKeys.add(slmKey + slmEvalKey);
            }
            Path clmRun = clmRuns.get(0), slmRun = slmRuns.get(0);
            String clmKey = clmKeys.get(0), slmKey = slmKeys.get(0);

            // Ablations: SLM runs of the first seed that differ from the main one in one respect. A variant equal to
            // the main run has its stage key, so it is the main run's folder, not a rerun.
            List<Results.Variant> variants = new ArrayList<>();
            Recipe.Ablations ab = r.ablations();
            if (!ab.isEmpty()) {
                long seed = r.seeds().get(0);
                String sfx = "-seed" + seed;
                Recipe.SelectionSpec m = r.selection();
                Results.RunMetrics mainSlm = slmM.get(0);
                record Scored(Path dir, String key) {}
                // Stage "abl-scope-batch-seed1", say; its key is built as the main SLM run's, from the variant's selection and scores.
                interface VariantRun { Results.RunMetrics run(String name, Recipe.SelectionSpec spec, Scored sc); }
                VariantRun variant = (name, spec, sc) -> {
                    try {
                        Recipe rv = r.withSelection(spec);
                        String stage = "abl-" + name.replaceAll("[^A-Za-z0-9.]+", "-") + sfx;
                        String key = Stages.key("slm", sc.key(), fromKey, mc, b, seed, spec, precision.precision());
                        Path run = slmStage(st, rv, stage, key, mc.vocabSize(), init, seed, sc.dir(), corpus, holdout, tokJson, log);
                        String evalKey = Stages.key("eval-slm", key, storesKey, evalSpec);
                        Path eval = st.run("eval-" + stage, evalKey, dir -> Evaluation.run(run, device, holdout, rv, in.tasks(), dir, log));
                        return metrics(seed, run, eval);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
                Scored main = new Scored(scores, scoresKey);
                try {
                    if (!ab.ratios().isEmpty()) {
                        java.util.TreeSet<Double> ratios = new java.util.TreeSet<>(ab.ratios());
                        ratios.add(m.ratio());
                        for (double ratio : ratios) {
                            String label = String.format(Locale.ROOT, "%.2f", ratio);
                            variants.add(new Results.Variant("ratio", label, ratio, ratio == m.ratio() ? mainSlm
                                    : variant.run("ratio-" + label, new Recipe.SelectionSpec(ratio, m.score(), m.scope(), m.unit()), main)));
                        }
                    }
                    if (!ab.scopes().isEmpty()) {
                        variants.add(new Results.Variant("scope", m.scope() + " (main)", Double.NaN, mainSlm));
                        for (String scope : ab.scopes())
                            if (!SelectionScope.parse(scope).equals(SelectionScope.parse(m.scope())))
                                variants.add(new Results.Variant("scope", scope, Double.NaN, variant.run("scope-" + scope, new Recipe.SelectionSpec(m.ratio(), m.score(), scope, m.unit()), main)));
                    }
                    if (!ab.units().isEmpty()) {
                        variants.add(new Results.Variant("unit", m.unit() + " (main)", Double.NaN, mainSlm));
                        for (String unit : ab.units())
                            if (!SelectionUnit.parse(unit).equals(SelectionUnit.parse(m.unit())))
                                variants.add(new Results.Variant("unit", unit, Double.NaN, variant.run("unit-" + unit, new Recipe.SelectionSpec(m.ratio(), m.score(), m.scope(), unit), main)));
                    }
                    if (!ab.selfReference().isEmpty()) {
                        variants.add(new Results.Variant("self_reference", "fine-tuned:" + m.score() + " (main)", Double.NaN, mainSlm));
                        for (Recipe.SelfReference sr : ab.selfReference()) {
                            // The scoring model: the base itself, or the first seed's CLM run (continued on the noisy corpus).
                            boolean fromBase = sr.model().equals("base");
                            String key = Stages.key("scores", "self-reference", sr.model(), fromBase ? fromKey : clmKey, storesKey);
                            Path dir = st.runOnEveryRank("scores-" + sr.model(), key, out2 -> {
                                Path model = fromBase ? ModelFiles.modelDir(init) : ModelFiles.modelDir(clmRun);
                                Llama ref = ModelFiles.load(model, mc, device, DType.FP32).setPrecision(precision.precision());
                                Scorer.run(ref, model, corpus, out2, b.microBatch(), true, log);
                            });
                            variants.add(new Results.Variant("self_reference", sr.toString(), Double.NaN,
                                    variant.run("self-" + sr, new Recipe.SelectionSpec(m.ratio(), sr.score(), m.scope(), m.unit()), new Scored(dir, key))));
                        }
                    }
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }

            String clmDynKey = Stages.key("dynamics-clm", clmKey, storesKey);
            Path clmDyn = st.run("dynamics-clm", clmDynKey, dir -> Dynamics.run(clmRun, device, holdout, dir, log));
            String slmDynKey = Stages.key("dynamics-slm", slmKey, storesKey);
            Path slmDyn = st.run("dynamics-slm", slmDynKey, dir -> Dynamics.run(slmRun, device, holdout, dir, log));

            String tokensKey = Stages.key("tokens-slm", slmKey, storesKey, tokKey);
            Path tokens = st.run("tokens-slm", tokensKey, dir -> {
                Path kindsFile = stores.resolve(NoiseKinds.FILE);
                NoiseKinds kinds = Files.exists(kindsFile) ? NoiseKinds.read(kindsFile) : null;
                SelectionDumps.writeTokensJson(slmRun, tok, kinds, TOKEN_VIEW_DOCS, dir.resolve("tokens.json"));
                if (kinds != null) rho4j.util.AtomicFiles.writeString(dir.resolve("precision.json"), SelectionDumps.precision(slmRun, kinds).toJson());
            });

            Results stats = new Results(r.name(), r.selection().ratio(), Results.Seeds.of(clmM), Results.Seeds.of(slmM),
                    selectionStats(tokens.resolve("precision.json")), List.of(), variants);
            String reportKey = variants.isEmpty() ? Stages.key("report", clmKeys, slmKeys, clmDynKey, slmDynKey, tokensKey, r.name())
                    : Stages.key("report", clmKeys, slmKeys, clmDynKey, slmDynKey, tokensKey, r.name(), variants);
            Path report = st.run("report", reportKey, dir -> {
                Path c = ReportFolder.assemble(dir.resolve("runs/clm"), "clm", clmRun, clmEvals.get(0), clmDyn, null);
                Path s = ReportFolder.assemble(dir.resolve("runs/slm"), "slm", slmRun, slmEvals.get(0), slmDyn, tokens);
                HtmlReport.write(List.of(c, s), stats.seedRows(), stats.ablationRows(), dir.resolve("report.html"));
            });
            Results res = stats.withStages(st.records());
            dist.barrier("end of the pipeline"); // rank 0 hosts the store: it must not exit while another rank still reads it
            if (!dist.leader()) return res; // rank 0 writes the results
            Files.copy(report.resolve("report.html"), out.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);
            res.write(out.resolve("results.json"));
            rho4j.util.AtomicFiles.writeString(out.resolve("results.md"), res.markdown(provenance(r, precision.precision().id, (System.nanoTime() - t0) / 1e9)));
            log.print(res.table());
            log.printf(Locale.ROOT, "pipeline finished in %.1f s: %s, %s%n", (System.nanoTime() - t0) / 1e9,
                    out.resolve("results.json"), out.resolve("report.html"));
            return res;
        } finally {
            if (tok instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IOException("closing " + tokJson + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Where a results table comes from: recipe, date, CPU, wall time of this call (cached stages count 0), commit. */
    private static String provenance(Recipe r, String precision, double seconds) {
        String cpu = "unknown CPU";
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the CPU stays unnamed
        }
        return String.format(Locale.ROOT, "Recipe `%s`, %s, %d cores of %s, %s precision, %.0f s wall, commit %s.", r.name(),
                java.time.LocalDate.now(java.time.ZoneOffset.UTC), Runtime.getRuntime().availableProcessors(), cpu,
                precision, seconds,
                System.getenv().getOrDefault("RHO_COMMIT", "unknown"));
    }

    /** Runs the SLM side once per ratio (everything upstream, the CLM run included, is shared through the cache). */
    public static List<Results> sweep(Recipe r, List<Double> ratios, Path out, PrintStream log) throws IOException {
        List<Results> all = new ArrayList<>();
        for (double ratio : ratios) {
            log.printf(Locale.ROOT, "== sweep: selection.ratio = %s%n", ratio);
            Results res = run(r.withRatio(ratio), out, log);
            if (!Distributed.get().leader()) continue;
            Files.copy(out.resolve("results.json"), out.resolve(String.format(Locale.ROOT, "results-ratio-%s.json", ratio)),
                    StandardCopyOption.REPLACE_EXISTING);
            all.add(res);
        }
        if (!Distributed.get().leader()) return all;
        var root = Json.MAPPER.createArrayNode();
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-6s %12s %10s %12s %10s %8s%n",
                "ratio", "holdout_loss", "test_acc", "downstream", "precision", "recall"));
        Results base = all.get(0);
        table.append(String.format(Locale.ROOT, "%-6s %12.4f %10.3f %12.4f %10s %8s%n", "clm", base.clm().targetHoldoutLoss().mean(),
                base.clm().testAccuracy().mean(), base.clm().downstreamLoss().mean(), "-", "-"));
        for (Results res : all) {
            root.add(res.toJson());
            var s = res.selection();
            table.append(String.format(Locale.ROOT, "%-6.2f %12.4f %10.3f %12.4f %10s %8s%n", res.ratio(), res.slm().targetHoldoutLoss().mean(),
                    res.slm().testAccuracy().mean(), res.slm().downstreamLoss().mean(), s == null ? "-" : String.format(Locale.ROOT, "%.3f", s.precision()),
                    s == null ? "-" : String.format(Locale.ROOT, "%.3f", s.recall())));
        }
        Json.write(out.resolve("sweep.json"), root);
        Files.writeString(out.resolve("sweep.txt"), table.toString());
        log.print(table);
        return all;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Stage bodies

    /** An SLM run continued from {@code init} on the corpus, ranked with the stored {@code scores}. */
    private static Path slmStage(Stages st, Recipe r, String name, String key, int vocab, Path init, long seed, Path scores, TokenStore corpus,
                                 TokenStore holdout, Path tokJson, PrintStream log) throws IOException {
        return st.runOnEveryRank(name, key, dir -> {
            TrainSpec c = trainSpec(r, vocab, r.budget().steps(), "slm", true, init, seed);
            try (ReferenceScores rs = ReferenceScores.open(scores)) {
                new Trainer(c, c.initialModel(), corpus, holdout, new Reference.Stored(rs), dir, tokJson, true, log).train(Integer.MAX_VALUE);
            }
        });
    }

    /** Data parallelism splits each step's micro-batches over the ranks: say at the start, in the recipe's terms, when they cannot. */
    private static void checkShares(Recipe r, int world) {
        Recipe.Budget b = r.budget();
        long perMicro = (long) b.microBatch() * (r.model() == null || r.model().context() <= 0 ? 0 : r.model().context());
        if (world == 1 || perMicro == 0 || b.batchTokens() % perMicro != 0) return; // a base's context: the trainer checks
        long micros = b.batchTokens() / perMicro;
        if (micros % world != 0)
            throw new IllegalArgumentException("recipe " + r.name() + ": budget.batch_tokens " + b.batchTokens() + " makes " + micros + " micro-batch" + (micros == 1 ? "" : "es") + " of "
                    + b.microBatch() + " x " + r.model().context() + " tokens per step, which " + world + " ranks cannot share equally: lower budget.micro_batch "
                    + "so that a step holds a multiple of " + world + " (micro_batch " + Math.max(1, b.microBatch() / world) + ", say)");
    }

    private static Inputs inputs(Recipe r, Stages st) throws IOException {
        if (r.demo()) {
            String key = Stages.key("data", r.demoSize().spec(), r.seed());
            Path d = st.run("data", key, dir -> DemoData.write(dir, r.demoSize(), r.seed()));
            Recipe.Data text = new Recipe.Data(List.of(), "text", null);
            return new Inputs(key, withFiles(text, d.resolve(DemoData.REFERENCE)), withFiles(text, d.resolve(DemoData.NOISY)),
                    withFiles(text, d.resolve(DemoData.TARGET_HOLDOUT)), List.of(d.resolve(DemoData.TEST)), d.resolve(DemoData.NOISY),
                    r.pretrain() == null ? null : withFiles(text, d.resolve(DemoData.GENERAL)));
        }
        // Real files: their content (hashed) is the key, so an edited input reruns everything that reads it.
        List<Path> all = new ArrayList<>();
        all.addAll(r.reference().files());
        all.addAll(r.corpus().files());
        all.addAll(r.targetHoldout().files());
        all.addAll(r.eval().tasks());
        all.addAll(r.tokenizer().trainOn());
        if (r.pretrain() != null) all.addAll(r.pretrain().data().files());
        StringBuilder b = new StringBuilder();
        for (Path p : CorpusReader.expand(all)) b.append(p).append('=').append(Hashing.sha256(p)).append('\n');
        return new Inputs(Stages.key("data", b), r.reference(), r.corpus(), r.targetHoldout(), r.eval().tasks(), null,
                r.pretrain() == null ? null : r.pretrain().data());
    }

    private static Recipe.Data withFiles(Recipe.Data d, Path file) {
        return new Recipe.Data(List.of(file), d.field(), d.template());
    }

    private static CorpusOptions corpusOptions(Recipe.Data d) {
        return d.template() != null ? CorpusOptions.defaults().withTemplate(d.template()) : CorpusOptions.defaults().withField(d.field());
    }

    private static void trainTokenizer(Recipe r, Inputs in, Path dir, PrintStream log) throws IOException {
        boolean fromRef = r.tokenizer().trainOn().isEmpty();
        List<Path> files = fromRef ? in.reference().files() : r.tokenizer().trainOn();
        CorpusReader reader = new CorpusReader(files, fromRef ? corpusOptions(in.reference()) : CorpusOptions.defaults());
        try (CorpusReader.DocumentStream docs = reader.open()) {
            Iterator<String> texts = new Iterator<>() {
                public boolean hasNext() { return docs.hasNext(); }
                public String next() { return docs.next().text(); }
            };
            var tok = rho4j.tokenize.ByteLevelBpe.train(texts, r.tokenizer().vocabSize(), rho4j.tokenize.TrainOptions.defaults());
            tok.save(dir.resolve("tokenizer.json"));
            log.printf("tokenizer: %d ids from %s%n", tok.vocabSize(), files);
        }
    }

    private static void buildStores(Inputs in, rho4j.tokenize.TextEncoder tok, Path tokJson, Path dir, PrintStream log) throws IOException {
        prepare(in.reference(), dir.resolve("reference"), tok);
        prepare(in.holdout(), dir.resolve("holdout"), tok);
        if (in.general() != null) prepare(in.general(), dir.resolve("general"), tok);
        if (in.noisyJsonl() != null) {
            // Written by hand (not Prepare) so the per-token noise kinds line up with store positions exactly.
            // The noise ground truth maps characters to tokens through byte lengths: a byte-level tokenizer's.
            var bytes = tok instanceof rho4j.tokenize.ByteLevelBpe b ? b : rho4j.tokenize.ByteLevelBpe.load(tokJson);
            var meta = NoiseKinds.writeStore(in.noisyJsonl(), bytes, dir.resolve("corpus"), dir.resolve(NoiseKinds.FILE));
            log.printf("corpus store: %d tokens, %d documents, with noise kinds%n", meta.tokens(), meta.documents());
        } else {
            prepare(in.corpus(), dir.resolve("corpus"), tok);
        }
    }

    private static void prepare(Recipe.Data d, Path out, rho4j.tokenize.TextEncoder tok) throws IOException {
        Prepare.run(PrepareOptions.of(d.files(), out).withCorpus(corpusOptions(d)), tok, s -> {});
    }

    /** The stage key of a base model folder: its config.json, weights and tokenizer.json, by content. */
    static String baseKey(Path base) throws IOException {
        Path dir = ModelFiles.modelDir(base);
        return Stages.key("base", Hashing.sha256(dir.resolve("config.json")), ModelFiles.weightsHash(dir), Hashing.sha256(dir.resolve("tokenizer.json")));
    }

    /**
     * One config for all runs: evaluation ten times a run on the target holdout, checkpoints every tenth of
     * the run (all kept, for the dynamics stage and for resuming), and for SLM selection dumps at 20 evenly spread
     * steps (precision/recall are averaged over them).
     */
    public static TrainSpec trainSpec(Recipe r, int vocab, int steps, String objective, boolean dumps) {
        return trainSpec(r, vocab, steps, objective, dumps, r.base(), r.seed());
    }

    /** The same, continuing from {@code initFrom} (a model folder; null: random init) with the data order of {@code seed}. */
    static TrainSpec trainSpec(Recipe r, int vocab, int steps, String objective, boolean dumps, Path initFrom, long seed) {
        return TrainSpec.of(trainOptions(r, steps, objective, dumps, initFrom, seed), vocab);
    }

    private static java.util.Map<String, Object> trainOptions(Recipe r, int steps, String objective, boolean dumps, Path initFrom, long seed) {
        List<Integer> dumpSteps = new ArrayList<>();
        if (dumps) for (int s = Math.max(1, steps / 20); s <= steps; s += Math.max(1, steps / 20)) dumpSteps.add(s);
        java.util.Map<String, Object> o = r.trainOptions(initFrom);
        o.put("seed", seed);
        o.put("device", r.device());
        o.put("objective", objective);
        o.put("steps", steps);
        o.put("eval-every", Math.max(1, steps / 10));
        o.put("eval-windows", 32);
        o.put("ckpt-every", Math.max(1, steps / CHECKPOINTS));
        o.put("log-every", Math.max(1, steps / 10));
        o.put("keep-checkpoints", CHECKPOINTS + 1);
        o.put("dump-steps", dumpSteps);
        return o;
    }

    private static Results.RunMetrics metrics(long seed, Path run, Path eval) throws IOException {
        JsonNode m = Json.MAPPER.readTree(eval.resolve("metrics.json").toFile());
        Checkpoint.State s = Checkpoint.readState(Checkpoint.latest(run));
        // The paper's selected / unselected token losses: the last logged training step's (SLM logs both; NaN for CLM).
        double sel = Double.NaN, unsel = Double.NaN;
        try (var lines = Files.lines(run.resolve("metrics.jsonl"))) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.contains("\"type\":\"train\"")) continue;
                JsonNode t = Json.MAPPER.readTree(line);
                sel = t.path("sel_loss").isNumber() ? t.get("sel_loss").asDouble() : Double.NaN;
                unsel = t.path("unsel_loss").isNumber() ? t.get("unsel_loss").asDouble() : Double.NaN;
            }
        }
        List<Results.TaskScore> tasks = taskScores(Json.MAPPER.readTree(eval.resolve("eval.json").toFile()));
        return new Results.RunMetrics(seed, m.get("target_holdout_loss").asDouble(), m.get("test_accuracy").asDouble(),
                m.get("downstream_loss").asDouble(), s.tokensSeen(), s.tokensTrained(), sel, unsel, tasks);
    }

    /**
     * Every task's accuracy and downstream loss from an eval stage's eval.json (its task rows, in the recipe's order);
     * two files of one layout share its name, so a repeated name gets its position (gsm8k, gsm8k#2).
     */
    static List<Results.TaskScore> taskScores(JsonNode evalJson) {
        List<Results.TaskScore> tasks = new ArrayList<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (JsonNode row : evalJson.path("tasks")) {
            if (!row.path("metric").asText().equals("accuracy")) continue;
            String name = row.get("task").asText();
            int k = seen.merge(name, 1, Integer::sum);
            tasks.add(new Results.TaskScore(k == 1 ? name : name + "#" + k, row.get("value").asDouble(),
                    row.path("downstream_loss").isNumber() ? row.get("downstream_loss").asDouble() : Double.NaN));
        }
        return tasks;
    }

    private static Results.SelectionStats selectionStats(Path precisionJson) throws IOException {
        if (!Files.exists(precisionJson)) return null;
        JsonNode p = Json.MAPPER.readTree(precisionJson.toFile());
        return new Results.SelectionStats(p.get("noiseSelectedFraction").asDouble(), p.get("usefulSelectedFraction").asDouble(),
                p.get("precision").asDouble(), p.get("recall").asDouble(), p.get("tokens").asLong());
    }
}
