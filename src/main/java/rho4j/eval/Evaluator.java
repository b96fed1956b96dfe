package rho4j.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rho4j.tokenize.TextEncoder;

/**
 * Runs a task against a {@link LanguageModel}:
 * <ul>
 *   <li>{@code generate}: batched greedy generation of the k-shot prompt, answer extraction, equivalence with gold;
 *   <li>{@code choice}: log-likelihood of each option's continuation after the prompt; accuracy is the raw argmax,
 *       normalised accuracy the argmax of log-likelihood divided by the continuation's length in characters
 *       (leading space included, as lm-evaluation-harness's acc_norm; characters keep it tokenizer-independent);
 *   <li>with gold solutions, the downstream loss (Rho-1 Fig. 6): total negative log-likelihood of the gold
 *       continuations ({@link FewShotPrompt#answer}) after the same k-shot prompt, divided by their total token
 *       count (token-weighted mean, nats), and perplexity = exp(loss).
 * </ul>
 * Ties go to the lowest option index, so results are a pure function of the inputs.
 */
public final class Evaluator {
    /**
     * @param shots        demonstrations per prompt
     * @param limit        items evaluated from the start of the file, {@code <= 0} for all
     * @param batchSize    prompts (generate) or items (choice, loss) per model call
     * @param maxNewTokens generation budget per prompt
     * @param seed         demonstration draw from a train file
     */
    public record Config(int shots, int limit, int batchSize, int maxNewTokens, long seed) {
        public Config {
            if (shots < 0 || batchSize < 1 || maxNewTokens < 1) throw new IllegalArgumentException(
                    "need shots >= 0, batchSize >= 1, maxNewTokens >= 1; got " + shots + ", " + batchSize + ", " + maxNewTokens);
        }

        /** The harness's GSM8K/MATH setting: 4 shots, all items, batch 8, 512 new tokens, seed 0. */
        public static Config defaults() {
            return new Config(4, 0, 8, 512, 0);
        }
    }

    private final LanguageModel model;
    private final TextEncoder tokenizer;
    private final Config config;

    public Evaluator(LanguageModel model, Config config) {
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.config = config;
    }

    public List<TaskResult> evaluateAll(List<EvalTask> tasks) {
        List<TaskResult> out = new ArrayList<>();
        for (EvalTask t : tasks) out.add(evaluate(t));
        return out;
    }

    public TaskResult evaluate(EvalTask task) {
        TaskLayout layout = task.layout();
        List<TaskItem> items = TaskLoader.load(task.file(), layout, config.limit());
        if (items.isEmpty()) throw new IllegalArgumentException(task.file() + ": no items to evaluate");
        FewShotPrompt fewShot = fewShot(task);
        List<String> prompts = new ArrayList<>(items.size());
        List<int[]> promptIds = new ArrayList<>(items.size());
        for (TaskItem item : items) {
            String p = fewShot.prompt(item);
            prompts.add(p);
            promptIds.add(tokenizer.encode(p, true)); // with the BOS a Llama-style model expects
        }
        List<ItemResult> results = layout.kind() == TaskLayout.Kind.GENERATE
                ? generate(items, prompts, promptIds) : choose(items, promptIds, layout);
        boolean withSolutions = layout.solutionField() != null;
        long solutionTokens = 0;
        double nll = 0;
        if (withSolutions) {
            results = downstream(items, promptIds, layout, results);
            for (ItemResult r : results) {
                if (r.solutionNll() != null) {
                    nll += r.solutionNll();
                    solutionTokens += r.solutionTokens();
                }
            }
        }
        int correct = 0, correctNorm = 0;
        for (ItemResult r : results) {
            if (r.correct()) correct++;
            if (Boolean.TRUE.equals(r.correctNorm())) correctNorm++;
        }
        int n = results.size();
        Double loss = solutionTokens > 0 ? nll / solutionTokens : null;
        TaskResult.Scores scores = new TaskResult.Scores(n, (double) correct / n,
                layout.kind() == TaskLayout.Kind.CHOICE ? (double) correctNorm / n : null,
                loss, loss == null ? null : Math.exp(loss), solutionTokens);
        return new TaskResult(task.name(), task.file().toString(), layout, config,
                task.trainFile() == null ? null : task.trainFile().toString(), scores, results);
    }

    private FewShotPrompt fewShot(EvalTask task) {
        if (config.shots() == 0) return new FewShotPrompt(task.layout(), List.of(), 0, config.seed(), false);
        if (task.trainFile() == null) {
            // one spare item: the test item itself is skipped when it is among the first ones
            List<TaskItem> first = TaskLoader.load(task.file(), task.layout(), config.shots() + 1);
            return new FewShotPrompt(task.layout(), first, config.shots(), config.seed(), false);
        }
        Path train = task.trainFile();
        TaskLayout trainLayout = TaskLoader.fitsFile(train, task.layout()) ? task.layout() : TaskLoader.detect(train);
        return new FewShotPrompt(task.layout(), TaskLoader.load(train, trainLayout), config.shots(), config.seed(), true);
    }

    private List<ItemResult> generate(List<TaskItem> items, List<String> prompts, List<int[]> promptIds) {
        List<ItemResult> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += config.batchSize()) {
            int to = Math.min(items.size(), from + config.batchSize());
            List<String> gens = model.generateGreedy(prompts.subList(from, to), config.maxNewTokens(), FewShotPrompt.STOPS);
            if (gens.size() != to - from) throw new IllegalStateException("model returned " + gens.size()
                    + " generations for " + (to - from) + " prompts");
            for (int i = from; i < to; i++) {
                TaskItem item = items.get(i);
                String gen = cutAtStop(gens.get(i - from));
                String pred = AnswerExtractor.extract(gen);
                String gold = AnswerNormalizer.normalize(item.gold());
                out.add(new ItemResult(item.index(), item.id(), promptIds.get(i).length, gen, pred, gold,
                        AnswerEquivalence.equal(pred, gold), null, null, null, null, null, null));
            }
        }
        return out;
    }

    /** The model should already stop; cutting again keeps results identical if one overshoots. */
    static String cutAtStop(String text) {
        int cut = text.length();
        for (String s : FewShotPrompt.STOPS) {
            int at = text.indexOf(s);
            if (at >= 0) cut = Math.min(cut, at);
        }
        return text.substring(0, cut);
    }

    private List<ItemResult> choose(List<TaskItem> items, List<int[]> promptIds, TaskLayout layout) {
        List<ItemResult> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += config.batchSize()) {
            int to = Math.min(items.size(), from + config.batchSize());
            List<int[]> contexts = new ArrayList<>();
            List<int[]> continuations = new ArrayList<>();
            for (int i = from; i < to; i++) {
                TaskItem item = items.get(i);
                for (int o = 0; o < item.choices().size(); o++) {
                    contexts.add(promptIds.get(i));
                    continuations.add(tokenizer.encode(" " + FewShotPrompt.option(item, o, layout)));
                }
            }
            double[] lps = logProbs(contexts, continuations);
            int k = 0;
            for (int i = from; i < to; i++) {
                TaskItem item = items.get(i);
                List<Double> lp = new ArrayList<>();
                List<Integer> chars = new ArrayList<>();
                int best = 0, bestNorm = 0;
                for (int o = 0; o < item.choices().size(); o++, k++) {
                    lp.add(lps[k]);
                    chars.add(1 + FewShotPrompt.option(item, o, layout).length());
                    if (lps[k] > lp.get(best)) best = o;
                    if (lps[k] / chars.get(o) > lp.get(bestNorm) / chars.get(bestNorm)) bestNorm = o;
                }
                out.add(new ItemResult(item.index(), item.id(), promptIds.get(i).length, null,
                        letter(best), letter(item.goldIndex()), best == item.goldIndex(),
                        bestNorm == item.goldIndex(), letter(bestNorm), lp, chars, null, null));
            }
        }
        return out;
    }

    private List<ItemResult> downstream(List<TaskItem> items, List<int[]> promptIds, TaskLayout layout,
                                        List<ItemResult> results) {
        List<ItemResult> out = new ArrayList<>(results);
        for (int from = 0; from < items.size(); from += config.batchSize()) {
            int to = Math.min(items.size(), from + config.batchSize());
            List<Integer> which = new ArrayList<>();
            List<int[]> contexts = new ArrayList<>();
            List<int[]> continuations = new ArrayList<>();
            for (int i = from; i < to; i++) {
                if (!items.get(i).hasSolution()) continue;
                int[] ids = tokenizer.encode(FewShotPrompt.answer(items.get(i), layout));
                if (ids.length == 0) continue;
                which.add(i);
                contexts.add(promptIds.get(i));
                continuations.add(ids);
            }
            if (which.isEmpty()) continue;
            double[] lps = logProbs(contexts, continuations);
            for (int j = 0; j < which.size(); j++) {
                int i = which.get(j);
                out.set(i, out.get(i).withSolution(-lps[j], continuations.get(j).length));
            }
        }
        return out;
    }

    private double[] logProbs(List<int[]> contexts, List<int[]> continuations) {
        double[] lps = model.continuationLogProbs(contexts, continuations);
        if (lps.length != continuations.size()) throw new IllegalStateException("model returned " + lps.length
                + " log-probs for " + continuations.size() + " continuations");
        return lps;
    }

    private static String letter(int i) {
        return String.valueOf(InlineOptions.letter(i));
    }
}
