package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.eval.EvalSummary;
import rho4j.eval.EvalTask;
import rho4j.eval.Evaluator;
import rho4j.eval.Table;
import rho4j.eval.TaskResult;
import rho4j.model.TorchLanguageModel;
import rho4j.score.WindowLosses;
import rho4j.util.Json;

@Command(name = "eval", mixinStandardHelpOptions = true, description = {"Evaluate a run: held-out loss, downstream loss, few-shot accuracy, multiple choice.",
        "Writes RUN/eval.json (summary, read by `rho report`) and RUN/eval-items.json (every item's prediction)."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run or model folder") Path run;
    @Option(names = "--task", arity = "0..*", description = "JSONL task files (layout detected from the fields)") List<Path> tasks = new ArrayList<>();
    @Option(names = "--train-file", description = "where few-shot demonstrations come from (default: the task's first items)") Path trainFile;
    @Option(names = "--data", arity = "0..*", description = "held-out token stores: loss and perplexity") List<Path> stores = new ArrayList<>();
    @Option(names = "--windows", defaultValue = "256", description = "windows of each held-out store") int windows;
    @Option(names = "--shots", defaultValue = "4") int shots;
    @Option(names = "--limit", defaultValue = "0", description = "items per task (0 = all)") int limit;
    @Option(names = "--batch", defaultValue = "8") int batch;
    @Option(names = "--max-new-tokens", defaultValue = "256") int maxNew;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--out", description = "summary JSON (default RUN/eval.json)") Path out;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--precision", defaultValue = "auto", description = "fp32, bf16 (mixed: bf16 products, fp32 losses) or auto (bf16 where the hardware runs it fast; see `rho info`)") String precision;

    @Override
    public Integer call() throws Exception {
        if (tasks.isEmpty() && stores.isEmpty()) throw new IllegalArgumentException("nothing to evaluate: give --task FILE... and/or --data STORE...");
        Commands.atLeast("--windows", windows, 1);
        Commands.atLeast("--shots", shots, 0);
        Commands.atLeast("--limit", limit, 0);
        Commands.atLeast("--batch", batch, 1);
        Commands.atLeast("--max-new-tokens", maxNew, 1);
        for (Path t : tasks) if (!Files.isRegularFile(t)) throw new java.nio.file.NoSuchFileException(t.toString(), null, "--task file not found");
        Device dev = Device.parse(device);
        TorchLanguageModel lm = TorchLanguageModel.load(run, dev, batch);
        lm.model().setPrecision(Commands.precision("eval", precision, dev));
        Map<String, Double> heldout = new LinkedHashMap<>();
        for (Path s : stores) {
            try (TokenStore store = TokenStore.open(s)) {
                String storeTok = store.meta().tokenizerHash();
                if (storeTok != null && !storeTok.equals(lm.tokenizer().hash()))
                    throw new IllegalArgumentException("store " + s + " was tokenized with another tokenizer than the model in " + run
                            + " uses; prepare it with the run's tokenizer.json (`rho prepare --tokenizer " + run + "/model/tokenizer.json`)");
                double loss = WindowLosses.mean(lm.model(), store, batch, windows);
                if (!Double.isFinite(loss))
                    throw new IllegalStateException("the held-out loss on " + s + " is " + loss + ": the weights of " + run + " are broken (NaN or huge values);"
                            + " evaluate an earlier checkpoint or retrain");
                heldout.put("heldout:" + s.getFileName(), loss);
                System.out.printf("held-out %s: loss %.4f, perplexity %.2f%n", s, loss, Math.exp(loss));
            }
        }
        List<TaskResult> results = List.of();
        if (!tasks.isEmpty()) {
            List<EvalTask> ts = new ArrayList<>();
            for (Path t : tasks) ts.add(trainFile == null ? EvalTask.detect(t) : EvalTask.detect(t).withTrainFile(trainFile));
            results = new Evaluator(lm, new Evaluator.Config(shots, limit, batch, maxNew, seed)).evaluateAll(ts);
            Path details = (out != null ? out.toAbsolutePath().getParent() : Files.isDirectory(run) ? run : run.getParent()).resolve("eval-items.json");
            TaskResult.writeJson(results, details);
            System.out.println(Table.format(results));
        }
        Json.write(out != null ? out : run.resolve("eval.json"), EvalSummary.of(heldout, results));
        return 0;
    }
}
