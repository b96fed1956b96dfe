package rho4j.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import rho4j.util.Json;

/**
 * The numbers of one pipeline run (results.json) and their printed table: CLM and SLM over every seed, as mean and
 * min-max, and whether SLM's difference exceeds the spread over seeds.
 */
public record Results(String recipe, double ratio, Seeds clm, Seeds slm, SelectionStats selection,
                      List<Stages.Record> stages, List<Variant> ablations) {

    public Results {
        stages = List.copyOf(stages);
        ablations = List.copyOf(ablations);
    }

    public Results(String recipe, double ratio, Seeds clm, Seeds slm, SelectionStats selection, List<Stages.Record> stages) {
        this(recipe, ratio, clm, slm, selection, stages, List.of());
    }

    /**
     * One SLM run of an ablation (the first seed's): {@code ablation} names what varies (ratio, scope, unit,
     * self_reference), {@code label} its value, {@code x} the ratio for the sweep (NaN otherwise).
     */
    public record Variant(String ablation, String label, double x, RunMetrics metrics) {}

    /**
     * One trained model; NaN where a number could not be measured (no eval task with solutions, say). testAccuracy and
     * downstreamLoss are the first task's; {@code tasks} has every task's, in the recipe's order.
     */
    public record RunMetrics(long seed, double targetHoldoutLoss, double testAccuracy, double downstreamLoss, long tokensSeen,
                             long tokensTrained, double selectedTokenLoss, double unselectedTokenLoss, List<TaskScore> tasks) {
        public RunMetrics {
            tasks = List.copyOf(tasks);
        }

        public RunMetrics(long seed, double targetHoldoutLoss, double testAccuracy, double downstreamLoss, long tokensSeen, long tokensTrained,
                          double selectedTokenLoss, double unselectedTokenLoss) {
            this(seed, targetHoldoutLoss, testAccuracy, downstreamLoss, tokensSeen, tokensTrained, selectedTokenLoss, unselectedTokenLoss, List.of());
        }

        public RunMetrics(long seed, double targetHoldoutLoss, double testAccuracy, double downstreamLoss, long tokensSeen, long tokensTrained) {
            this(seed, targetHoldoutLoss, testAccuracy, downstreamLoss, tokensSeen, tokensTrained, Double.NaN, Double.NaN);
        }

        TaskScore task(String name) {
            return tasks.stream().filter(t -> t.task().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("seed " + seed + " has no evaluation of task " + name));
        }
    }

    /** One evaluation task of one run: accuracy, and the downstream loss of its gold solutions (NaN without them). */
    public record TaskScore(String task, double accuracy, double downstreamLoss) {}

    /** One number over the seeds: mean, min, max and the value of each seed (in the recipe's seed order). */
    public record Stat(double mean, double min, double max, List<Double> values) {
        static Stat of(List<Double> values) {
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            return new Stat(sum / values.size(), min, max, List.copyOf(values));
        }

        public double spread() {
            return max - min;
        }

        ObjectNode toJson(ObjectNode o) {
            o.put("mean", mean).put("min", min).put("max", max);
            values.forEach(o.putArray("seeds")::add);
            return o;
        }
    }

    /** The runs of one objective, one per seed. */
    public record Seeds(List<RunMetrics> runs) {
        public Seeds {
            runs = List.copyOf(runs);
            if (runs.isEmpty()) throw new IllegalArgumentException("no runs");
        }

        static Seeds of(List<RunMetrics> runs) {
            return new Seeds(runs);
        }

        private Stat stat(ToDoubleFunction<RunMetrics> f) {
            List<Double> v = new ArrayList<>();
            for (RunMetrics m : runs) v.add(f.applyAsDouble(m));
            return Stat.of(v);
        }

        public Stat targetHoldoutLoss() { return stat(RunMetrics::targetHoldoutLoss); }
        public Stat testAccuracy() { return stat(RunMetrics::testAccuracy); }
        public Stat downstreamLoss() { return stat(RunMetrics::downstreamLoss); }
        /** The last logged step's mean loss over the selected and over the unselected training tokens (SLM only). */
        public Stat selectedTokenLoss() { return stat(RunMetrics::selectedTokenLoss); }
        public Stat unselectedTokenLoss() { return stat(RunMetrics::unselectedTokenLoss); }
        /** The evaluation tasks, in the recipe's order (every seed evaluates the same). */
        public List<String> taskNames() { return runs.get(0).tasks().stream().map(TaskScore::task).toList(); }
        public Stat taskAccuracy(String task) { return stat(m -> m.task(task).accuracy()); }
        public Stat taskDownstreamLoss(String task) { return stat(m -> m.task(task).downstreamLoss()); }
        /** The same for every seed: the budget fixes it. */
        public long tokensSeen() { return runs.get(0).tokensSeen(); }
        public long tokensTrained() { return runs.get(0).tokensTrained(); }
        public List<Long> seeds() { return runs.stream().map(RunMetrics::seed).toList(); }
    }

    /**
     * SLM against CLM on one number: the difference of the means, the larger min-max spread of the two, and whether
     * it is a win: better for SLM by more than that spread (with at least two seeds; one seed has no spread to beat).
     */
    public record Comparison(String metric, double difference, double spread, Boolean win) {
        static Comparison of(String metric, Stat clm, Stat slm, boolean higherIsBetter, int seeds) {
            double diff = slm.mean() - clm.mean(), spread = Math.max(clm.spread(), slm.spread());
            Boolean win = seeds < 2 || !Double.isFinite(diff) ? null : (higherIsBetter ? diff : -diff) > spread;
            return new Comparison(metric, diff, spread, win);
        }
    }

    /** Selection against the demo's ground truth, over the first seed's SLM selection dumps; null without ground truth. */
    public record SelectionStats(double noiseSelectedFraction, double usefulSelectedFraction, double precision,
                                 double recall, long tokens) {}

    public Results withStages(List<Stages.Record> s) {
        return new Results(recipe, ratio, clm, slm, selection, s, ablations);
    }

    public List<Comparison> comparisons() {
        int n = clm.runs().size();
        return List.of(Comparison.of("test_accuracy", clm.testAccuracy(), slm.testAccuracy(), true, n),
                Comparison.of("target_holdout_loss", clm.targetHoldoutLoss(), slm.targetHoldoutLoss(), false, n),
                Comparison.of("downstream_loss", clm.downstreamLoss(), slm.downstreamLoss(), false, n));
    }

    /** SLM against CLM per evaluation task: accuracy, and the downstream loss where the task has solutions. */
    public List<Comparison> taskComparisons() {
        int n = clm.runs().size();
        List<Comparison> out = new ArrayList<>();
        for (String t : clm.taskNames()) {
            out.add(Comparison.of(t + "/accuracy", clm.taskAccuracy(t), slm.taskAccuracy(t), true, n));
            if (Double.isFinite(clm.taskDownstreamLoss(t).mean()))
                out.add(Comparison.of(t + "/downstream_loss", clm.taskDownstreamLoss(t), slm.taskDownstreamLoss(t), false, n));
        }
        return out;
    }

    /** The report's seed table: one row per objective and number, mean with min-max, and each seed's value. */
    public List<rho4j.report.HtmlReport.SeedRow> seedRows() {
        List<rho4j.report.HtmlReport.SeedRow> rows = new ArrayList<>();
        for (var e : List.of(java.util.Map.entry("clm", clm), java.util.Map.entry("slm", slm))) {
            Seeds s = e.getValue();
            for (var m : List.of(java.util.Map.entry("test accuracy", s.testAccuracy()), java.util.Map.entry("held-out target loss", s.targetHoldoutLoss()),
                    java.util.Map.entry("downstream loss", s.downstreamLoss()))) {
                Stat st = m.getValue();
                rows.add(new rho4j.report.HtmlReport.SeedRow(e.getKey(), m.getKey(), st.mean(), st.min(), st.max(), st.values()));
            }
            // the rows above are the first task's numbers; the other tasks get their own
            for (String t : s.taskNames().subList(Math.min(1, s.taskNames().size()), s.taskNames().size())) {
                Stat acc = s.taskAccuracy(t), loss = s.taskDownstreamLoss(t);
                rows.add(new rho4j.report.HtmlReport.SeedRow(e.getKey(), t + " accuracy", acc.mean(), acc.min(), acc.max(), acc.values()));
                if (Double.isFinite(loss.mean()))
                    rows.add(new rho4j.report.HtmlReport.SeedRow(e.getKey(), t + " downstream loss", loss.mean(), loss.min(), loss.max(), loss.values()));
            }
        }
        return rows;
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("recipe", recipe);
        root.put("ratio", ratio);
        clm.seeds().forEach(root.putArray("seeds")::add);
        run(root.putObject("clm"), clm);
        ObjectNode s = run(root.putObject("slm"), slm);
        if (selection != null) {
            s.put("noise_selected_fraction", selection.noiseSelectedFraction());
            s.put("useful_selected_fraction", selection.usefulSelectedFraction());
            s.put("precision", selection.precision());
            s.put("recall", selection.recall());
            s.put("selection_tokens_counted", selection.tokens());
        }
        ObjectNode cmp = root.putObject("slm_vs_clm");
        for (Comparison c : comparisons()) comparisonJson(cmp.putObject(c.metric()), c);
        if (!clm.taskNames().isEmpty()) {
            ObjectNode tasks = cmp.putObject("tasks");
            for (Comparison c : taskComparisons()) {
                int cut = c.metric().lastIndexOf('/'); // "TASK/METRIC"; a task's name may hold '/', the metric's does not
                comparisonJson(tasks.withObjectProperty(c.metric().substring(0, cut)).putObject(c.metric().substring(cut + 1)), c);
            }
        }
        if (!ablations.isEmpty()) {
            // Each ablation against the first seed's CLM run, the baseline its variants share.
            ObjectNode ab = root.putObject("ablations");
            RunMetrics c = clm.runs().get(0);
            ab.put("seed", c.seed());
            metricsJson(ab.putObject("clm"), c);
            ObjectNode vs = ab.putObject("variants");
            for (Variant v : ablations) {
                ObjectNode o = vs.withArray(v.ablation()).addObject().put("label", v.label());
                if (Double.isFinite(v.x())) o.put("x", v.x());
                metricsJson(o, v.metrics());
            }
        }
        var st = root.putArray("stages");
        for (Stages.Record r : stages) {
            st.addObject().put("name", r.name()).put("key", r.key()).put("cached", r.cached()).put("seconds", r.seconds());
        }
        return root;
    }

    private static void comparisonJson(ObjectNode o, Comparison c) {
        o.put("difference", c.difference()).put("spread", c.spread());
        if (c.win() == null) o.putNull("win"); else o.put("win", c.win());
    }

    private static ObjectNode run(ObjectNode o, Seeds m) {
        m.targetHoldoutLoss().toJson(o.putObject("target_holdout_loss"));
        m.testAccuracy().toJson(o.putObject("test_accuracy"));
        m.downstreamLoss().toJson(o.putObject("downstream_loss"));
        if (!Double.isNaN(m.selectedTokenLoss().mean())) {
            m.selectedTokenLoss().toJson(o.putObject("selected_token_loss"));
            m.unselectedTokenLoss().toJson(o.putObject("unselected_token_loss"));
        }
        if (!m.taskNames().isEmpty()) {
            ObjectNode tasks = o.putObject("tasks");
            for (String t : m.taskNames()) {
                ObjectNode to = tasks.putObject(t);
                m.taskAccuracy(t).toJson(to.putObject("accuracy"));
                if (Double.isFinite(m.taskDownstreamLoss(t).mean())) m.taskDownstreamLoss(t).toJson(to.putObject("downstream_loss"));
            }
        }
        return o.put("tokens_seen", m.tokensSeen()).put("tokens_trained", m.tokensTrained());
    }

    private static void metricsJson(ObjectNode o, RunMetrics m) {
        o.put("target_holdout_loss", m.targetHoldoutLoss()).put("test_accuracy", m.testAccuracy()).put("downstream_loss", m.downstreamLoss())
                .put("tokens_trained", m.tokensTrained()).put("tokens_seen", m.tokensSeen());
    }

    /** The report's ablation charts: per ablation, the first seed's CLM run and then each variant. */
    public List<rho4j.report.HtmlReport.AblationRow> ablationRows() {
        List<rho4j.report.HtmlReport.AblationRow> rows = new ArrayList<>();
        RunMetrics c = clm.runs().get(0);
        for (Variant v : ablations) {
            if (rows.stream().noneMatch(r -> r.ablation().equals(v.ablation())))
                rows.add(new rho4j.report.HtmlReport.AblationRow(v.ablation(), "CLM", Double.NaN, c.targetHoldoutLoss(), c.testAccuracy(),
                        c.downstreamLoss(), c.tokensTrained()));
            RunMetrics m = v.metrics();
            rows.add(new rho4j.report.HtmlReport.AblationRow(v.ablation(), v.label(), v.x(), m.targetHoldoutLoss(), m.testAccuracy(),
                    m.downstreamLoss(), m.tokensTrained()));
        }
        return rows;
    }

    public void write(Path file) throws IOException {
        Json.write(file, toJson());
    }

    public String table() {
        StringBuilder b = new StringBuilder();
        int n = clm.runs().size();
        b.append(String.format(Locale.ROOT, "%d seed%s %s; mean [min, max]%n", n, n == 1 ? "" : "s", clm.seeds()));
        b.append(String.format(Locale.ROOT, "%-5s %-24s %-24s %-24s %12s %14s%n", "run", "holdout_loss", "test_acc", "downstream", "tokens_seen", "tokens_trained"));
        for (var e : List.of(java.util.Map.entry("clm", clm), java.util.Map.entry("slm", slm))) {
            Seeds m = e.getValue();
            b.append(String.format(Locale.ROOT, "%-5s %-24s %-24s %-24s %12d %14d%n", e.getKey(), band(m.targetHoldoutLoss(), 4),
                    band(m.testAccuracy(), 3), band(m.downstreamLoss(), 4), m.tokensSeen(), m.tokensTrained()));
        }
        for (Comparison c : comparisons()) {
            b.append(String.format(Locale.ROOT, "slm - clm %-20s %+.4f (seed spread %.4f)%s%n", c.metric(), c.difference(), c.spread(),
                    c.win() == null ? "" : c.win() ? ": SLM wins" : ": not a win"));
        }
        if (!Double.isNaN(slm.selectedTokenLoss().mean())) {
            b.append(String.format(Locale.ROOT, "slm training loss, last step: selected %s, unselected %s%n", band(slm.selectedTokenLoss(), 3),
                    band(slm.unselectedTokenLoss(), 3)));
        }
        if (selection != null) {
            b.append(String.format(Locale.ROOT, "slm selection (ratio %.2f): precision %.3f  recall %.3f  noise selected %.3f  useful selected %.3f%n",
                    ratio, selection.precision(), selection.recall(), selection.noiseSelectedFraction(), selection.usefulSelectedFraction()));
        }
        for (rho4j.report.HtmlReport.AblationRow a : ablationRows()) {
            b.append(String.format(Locale.ROOT, "ablation %-15s %-28s holdout %.4f  test_acc %.3f  downstream %.4f  trained %d%n", a.ablation(), a.label(),
                    a.targetHoldoutLoss(), a.testAccuracy(), a.downstreamLoss(), a.tokensTrained()));
        }
        return b.toString();
    }

    /**
     * The README's results table for this run: its provenance line, then one row per objective with each number as
     * mean [min, max] over the seeds, then SLM against CLM; written by the pipeline as results.md, never typed in.
     */
    public String markdown(String provenance) {
        StringBuilder b = new StringBuilder(provenance).append("\n\n");
        int n = clm.runs().size();
        b.append(String.format(Locale.ROOT, "| run | tokens trained | held-out target loss | test accuracy | downstream loss |%n|---|---|---|---|---|%n"));
        for (var e : List.of(java.util.Map.entry("CLM", clm), java.util.Map.entry("SLM", slm))) {
            Seeds m = e.getValue();
            b.append(String.format(Locale.ROOT, "| %s | %,d of %,d | %s | %s | %s |%n", e.getKey(), m.tokensTrained(), m.tokensSeen(),
                    band(m.targetHoldoutLoss(), 3), percent(m.testAccuracy()), band(m.downstreamLoss(), 3)));
        }
        b.append(String.format(Locale.ROOT, "%nMean [min, max] over %d seed%s %s. SLM - CLM:", n, n == 1 ? "" : "s", clm.seeds()));
        comparisonList(b, comparisons());
        if (clm.taskNames().size() > 1) {
            b.append(String.format(Locale.ROOT, "%nEvery task (test accuracy and downstream loss as above, the first task's being the table's):%n%n"
                    + "| task | CLM accuracy | SLM accuracy | CLM downstream loss | SLM downstream loss |%n|---|---|---|---|---|%n"));
            for (String t : clm.taskNames()) {
                boolean loss = Double.isFinite(clm.taskDownstreamLoss(t).mean());
                b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", t, percent(clm.taskAccuracy(t)), percent(slm.taskAccuracy(t)),
                        loss ? band(clm.taskDownstreamLoss(t), 3) : "", loss ? band(slm.taskDownstreamLoss(t), 3) : ""));
            }
            b.append("\nSLM - CLM per task:");
            comparisonList(b, taskComparisons());
        }
        if (!Double.isNaN(slm.selectedTokenLoss().mean())) {
            b.append(String.format(Locale.ROOT, "%nSLM's training loss at its last logged step: %s on the selected tokens, %s on the unselected ones.%n",
                    band(slm.selectedTokenLoss(), 3), band(slm.unselectedTokenLoss(), 3)));
        }
        if (selection != null) {
            b.append(String.format(Locale.ROOT, "%nSelection against the ground truth (first seed, ratio %.2f): precision %.3f, recall %.3f, "
                    + "%.1f%% of noise tokens selected, %.1f%% of useful ones.%n", ratio, selection.precision(), selection.recall(),
                    100 * selection.noiseSelectedFraction(), 100 * selection.usefulSelectedFraction()));
        }
        String ablation = null;
        for (rho4j.report.HtmlReport.AblationRow a : ablationRows()) {
            if (!a.ablation().equals(ablation)) {
                ablation = a.ablation();
                b.append(String.format(Locale.ROOT, "%nAblation `%s` (seed %d, one run each):%n%n| %s | tokens trained | held-out target loss | test accuracy | downstream loss |%n|---|---|---|---|---|%n",
                        ablation, clm.runs().get(0).seed(), ablation.replace('_', ' ')));
            }
            b.append(String.format(Locale.ROOT, "| %s | %,d | %.3f | %.1f%% | %.3f |%n", a.label(), a.tokensTrained(), a.targetHoldoutLoss(),
                    100 * a.testAccuracy(), a.downstreamLoss()));
        }
        return b.toString();
    }

    /** " metric +d (spread s, a win); ..." ending in a full stop. */
    private static void comparisonList(StringBuilder b, List<Comparison> cs) {
        for (Comparison c : cs) {
            b.append(String.format(Locale.ROOT, " %s %+.4f (spread %.4f%s);", c.metric(), c.difference(), c.spread(),
                    c.win() == null ? "" : c.win() ? ", a win" : ", not a win"));
        }
        b.setLength(b.length() - 1);
        b.append(".\n");
    }

    private static String percent(Stat s) {
        if (s.values().size() == 1) return String.format(Locale.ROOT, "%.1f%%", 100 * s.mean());
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * s.mean(), 100 * s.min(), 100 * s.max());
    }

    private static String band(Stat s, int digits) {
        if (s.values().size() == 1) return String.format(Locale.ROOT, "%." + digits + "f", s.mean());
        return String.format(Locale.ROOT, "%." + digits + "f [%." + digits + "f, %." + digits + "f]", s.mean(), s.min(), s.max());
    }
}
