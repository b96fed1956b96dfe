package rho4j.report;

import rho4j.util.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rho4j.analysis.TokenCategory;

/**
 * One self-contained HTML page comparing training runs: no network, no external script or stylesheet, charts as
 * inline SVG drawn here. It reads from each run folder (all optional; a missing one gives a "not available" note):
 * {@code metrics.jsonl}, {@code run.json}, {@code eval.json}, {@code dynamics.json} and {@code tokens.json}; see
 * {@link RunLoader} and the project notes for their formats.
 *
 * <p>Usage: {@code HtmlReport.write(List.of(clmDir, slmDir), Path.of("report.html"))}, or from the command line
 * {@code java rho4j.report.HtmlReport report.html RUN_DIR...}.
 */
public final class HtmlReport {
    /** Section ids, in page order; tests and links rely on them. */
    public static final List<String> SECTIONS =
            List.of("curves", "seeds", "ablations", "selection", "histogram", "evaluation", "dynamics", "tokens", "settings");

    /** One number of one objective over the seeds of a pipeline run: mean, min-max band and each seed's value. */
    public record SeedRow(String run, String metric, double mean, double min, double max, List<Double> values) {
        public SeedRow {
            values = List.copyOf(values);
        }
    }

    /**
     * One run of an ablation of a pipeline run: {@code ablation} names what varies, {@code label} its value (the first
     * row of each ablation is the CLM baseline), {@code x} the swept number for a sweep (NaN otherwise).
     */
    public record AblationRow(String ablation, String label, double x, double targetHoldoutLoss, double testAccuracy,
                              double downstreamLoss, long tokensTrained) {}

    private static final int W = 540;
    private static final int H = 320;
    private static final Map<String, String> CATEGORY_COLORS = Map.of(
            "H->H", "#f28e2b", "L->H", "#e15759", "H->L", "#59a14f", "L->L", "#4e79a7");

    private final List<RunData> runs;
    private final List<SeedRow> seedRows;
    private final List<AblationRow> ablations;

    private HtmlReport(List<RunData> runs, List<SeedRow> seedRows, List<AblationRow> ablations) {
        this.runs = runs;
        this.seedRows = List.copyOf(seedRows);
        this.ablations = List.copyOf(ablations);
    }

    /** Reads the run folders and writes the report to outHtml atomically (temporary file, then rename). */
    public static void write(List<Path> runDirs, Path outHtml) throws IOException {
        write(runDirs, List.of(), outHtml);
    }

    /** The same with the seed statistics of a pipeline run (the "seeds" section). */
    public static void write(List<Path> runDirs, List<SeedRow> seedRows, Path outHtml) throws IOException {
        write(runDirs, seedRows, List.of(), outHtml);
    }

    /** The same with the ablations of a pipeline run (the "ablations" section). */
    public static void write(List<Path> runDirs, List<SeedRow> seedRows, List<AblationRow> ablations, Path outHtml) throws IOException {
        AtomicFiles.writeString(outHtml, render(runDirs, seedRows, ablations));
    }

    public static String render(List<Path> runDirs) throws IOException {
        return render(runDirs, List.of());
    }

    /** The report as a string. Throws if a run folder does not exist; missing files inside one are tolerated. */
    public static String render(List<Path> runDirs, List<SeedRow> seedRows) throws IOException {
        return render(runDirs, seedRows, List.of());
    }

    public static String render(List<Path> runDirs, List<SeedRow> seedRows, List<AblationRow> ablations) throws IOException {
        if (runDirs.isEmpty()) {
            throw new IllegalArgumentException("no run folders given");
        }
        List<RunData> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            runs.add(RunLoader.load(dir));
        }
        uniquifyNames(runs);
        return new HtmlReport(runs, seedRows, ablations).html();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: HtmlReport OUT.html RUN_DIR...");
            System.exit(2);
        }
        List<Path> dirs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            dirs.add(Path.of(args[i]));
        }
        write(dirs, Path.of(args[0]));
    }

    // ---------------------------------------------------------------- page

    private String html() {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Rho4j report: ").append(Html.esc(String.join(" vs ", names()))).append("</title>")
                .append("<style>").append(Css.STYLE).append("</style></head><body><main>\n");
        header(b);
        section(b, "curves", "Training curves", curves());
        section(b, "seeds", "Over seeds", seeds());
        section(b, "ablations", "Ablations", ablations());
        section(b, "selection", "Token selection (SLM)", selection());
        section(b, "histogram", "Excess-loss histogram", histogram());
        section(b, "evaluation", "Evaluation", evaluation());
        section(b, "dynamics", "Token loss dynamics", dynamics());
        section(b, "tokens", "Token view", tokens());
        section(b, "settings", "Settings", settings());
        b.append("</main></body></html>\n");
        return b.toString();
    }

    private void header(StringBuilder b) {
        b.append("<header><h1>Rho4j run report</h1><p class=\"muted\">Generated ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(" from ").append(runs.size()).append(runs.size() == 1 ? " run" : " runs").append(".</p>");
        b.append("<ul class=\"runs\">");
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            b.append("<li><span class=\"sw\" style=\"background:").append(ColorScale.run(i)).append("\"></span><b>")
                    .append(Html.esc(r.name())).append("</b> <span class=\"muted\">")
                    .append(r.isSlm() ? "SLM" : "CLM").append(" · ").append(Html.esc(r.dir().toString()))
                    .append("</span></li>");
        }
        b.append("</ul><nav>");
        for (String id : SECTIONS) {
            b.append("<a href=\"#").append(id).append("\">").append(id).append("</a>");
        }
        b.append("</nav>");
        List<String> all = new ArrayList<>();
        for (RunData r : runs) {
            for (String n : r.notes()) {
                all.add(r.name() + ": " + n);
            }
        }
        if (!all.isEmpty()) {
            // Open when short, so a reader sees skipped lines without hunting for them.
            b.append("<details class=\"notes\"").append(all.size() <= 5 ? " open" : "").append("><summary>")
                    .append(all.size())
                    .append(" note(s) from reading the run folders</summary><ul>");
            for (String n : all) {
                b.append("<li>").append(Html.esc(n)).append("</li>");
            }
            b.append("</ul></details>");
        }
        b.append("</header>\n");
    }

    private static void section(StringBuilder b, String id, String title, String body) {
        b.append("<section id=\"").append(id).append("\"><h2>").append(Html.esc(title)).append("</h2>").append(body)
                .append("</section>\n");
    }

    private static String na(RunData r, String why) {
        return "<p class=\"na\"><b>" + Html.esc(r.name()) + "</b>: not available for this run (" + Html.esc(why)
                + ").</p>";
    }

    private static String charts(List<String> svgs) {
        return "<div class=\"charts\">" + String.join("", svgs) + "</div>";
    }

    // ---------------------------------------------------------------- sections

    /**
     * Each number over the seeds: a strip per objective on one axis per number (dots: seeds, bar: min-max, tick:
     * mean), so a reader sees at once whether SLM's band clears CLM's.
     */
    private String seeds() {
        if (seedRows.isEmpty()) return "<p class=\"na\">No seed statistics: these runs come from single trainings, not a pipeline run over seeds.</p>";
        StringBuilder b = new StringBuilder("<table><thead><tr><th>run</th><th>number</th><th>mean</th><th>min</th><th>max</th><th>seeds</th></tr></thead><tbody>");
        for (SeedRow r : seedRows) {
            b.append("<tr><td>").append(Html.esc(r.run())).append("</td><td>").append(Html.esc(r.metric())).append("</td><td>")
                    .append(Fmt.num(r.mean())).append("</td><td>").append(Fmt.num(r.min())).append("</td><td>").append(Fmt.num(r.max()))
                    .append("</td><td>").append(Html.esc(r.values().stream().map(Fmt::num).toList().toString())).append("</td></tr>");
        }
        b.append("</tbody></table>");
        Map<String, List<SeedRow>> byMetric = new LinkedHashMap<>();
        for (SeedRow r : seedRows) byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r);
        List<String> svgs = new ArrayList<>();
        for (var e : byMetric.entrySet()) svgs.add(seedStrip(e.getKey(), e.getValue()));
        return b + charts(svgs);
    }

    private static final List<String> ABLATION_METRICS = List.of("held-out target loss", "test accuracy", "downstream loss");

    private static double metric(AblationRow r, String m) {
        return switch (m) {
            case "held-out target loss" -> r.targetHoldoutLoss();
            case "test accuracy" -> r.testAccuracy();
            default -> r.downstreamLoss();
        };
    }

    /**
     * One chart per ablation and number: a line over the swept ratio with CLM as a dashed level, or one dot per
     * variant with CLM's value as a dashed line, so each variant reads against the baseline it shares.
     */
    private String ablations() {
        if (ablations.isEmpty()) return "<p class=\"na\">No ablations: the recipe has no <code>ablations:</code> section.</p>";
        Map<String, List<AblationRow>> by = new LinkedHashMap<>();
        for (AblationRow r : ablations) by.computeIfAbsent(r.ablation(), k -> new ArrayList<>()).add(r);
        StringBuilder b = new StringBuilder("<p class=\"muted\">Each ablation changes one thing of the main SLM run (first seed, one run each); "
                + "the first row is that seed's CLM run.</p>");
        for (var e : by.entrySet()) {
            List<AblationRow> rows = e.getValue();
            b.append("<h3>").append(Html.esc(e.getKey().replace('_', ' '))).append("</h3><table><thead><tr><th>")
                    .append(Html.esc(e.getKey().replace('_', ' '))).append("</th><th>tokens trained</th>");
            for (String m : ABLATION_METRICS) b.append("<th>").append(m).append("</th>");
            b.append("</tr></thead><tbody>");
            for (AblationRow r : rows) {
                b.append("<tr><td>").append(Html.esc(r.label())).append("</td><td>").append(r.tokensTrained()).append("</td>");
                for (String m : ABLATION_METRICS) b.append("<td>").append(Fmt.num(metric(r, m))).append("</td>");
                b.append("</tr>");
            }
            b.append("</tbody></table>");
            AblationRow clm = rows.get(0);
            List<AblationRow> vs = rows.subList(1, rows.size());
            boolean sweep = !vs.isEmpty() && vs.stream().allMatch(r -> Double.isFinite(r.x()));
            List<String> svgs = new ArrayList<>();
            for (String m : ABLATION_METRICS) {
                if (vs.stream().noneMatch(r -> Double.isFinite(metric(r, m)))) continue;
                if (sweep) {
                    double[] x = vs.stream().mapToDouble(AblationRow::x).toArray(), y = vs.stream().mapToDouble(r -> metric(r, m)).toArray();
                    double lo = x[0], hi = x[x.length - 1];
                    svgs.add(new LineChart(m + " against the ratio", "selection ratio", m)
                            .add(new LineChart.Series("SLM", x, y, ColorScale.run(1), false, true))
                            .add(new LineChart.Series("CLM", new double[] {lo, hi}, new double[] {metric(clm, m), metric(clm, m)}, ColorScale.run(0), true, false))
                            .svg(W, H));
                } else {
                    svgs.add(dotStrip(e.getKey().replace('_', ' ') + ": " + m, vs, m, metric(clm, m)));
                }
            }
            b.append(charts(svgs));
        }
        return b.toString();
    }

    /** The horizontal value axis of a strip chart: [lo, hi] padded by a tenth, from x0 to the chart's right edge. */
    private record StripAxis(double a, double z, double x0, double x1) {
        static StripAxis of(double lo, double hi, double x0) {
            if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
            double pad = (hi - lo) * 0.1;
            return new StripAxis(lo - pad, hi + pad, x0, W - 20);
        }

        double applyAsDouble(double v) { return x0 + (v - a) / (z - a) * (x1 - x0); }

        /** The axis line near the bottom of a chart h high, with its two end values. */
        void draw(StringBuilder s, int h) {
            String ya = Svg.n(h - 22), yt = Svg.n(h - 10);
            s.append(line(x0, x1, ya, ya, "#999", ""));
            s.append("<text x=\"").append(Svg.n(x0)).append("\" y=\"").append(yt).append("\" font-size=\"11\">").append(Fmt.num(a)).append("</text>");
            s.append("<text x=\"").append(Svg.n(x1)).append("\" y=\"").append(yt).append("\" font-size=\"11\" text-anchor=\"end\">").append(Fmt.num(z)).append("</text>");
        }
    }

    /** One dot per variant on a shared axis, the baseline (CLM) as a dashed vertical line. */
    private static String dotStrip(String title, List<AblationRow> rows, String m, double base) {
        double lo = base, hi = base;
        for (AblationRow r : rows) {
            double v = metric(r, m);
            if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        StripAxis x = StripAxis.of(lo, hi, 170);
        int h = 70 + 30 * rows.size();
        StringBuilder s = new StringBuilder();
        Svg.open(s, W, h, title);
        String xb = Svg.n(x.applyAsDouble(base));
        if (Double.isFinite(base))
            s.append("<line x1=\"").append(xb).append("\" x2=\"").append(xb).append("\" y1=\"42\" y2=\"").append(Svg.n(h - 22))
                    .append("\" stroke=\"").append(ColorScale.run(0)).append("\" stroke-dasharray=\"4 3\"><title>CLM ").append(Fmt.num(base)).append("</title></line>");
        for (int i = 0; i < rows.size(); i++) {
            AblationRow r = rows.get(i);
            double v = metric(r, m);
            String y = Svg.n(54 + 30 * i);
            s.append("<text x=\"10\" y=\"").append(Svg.n(58 + 30 * i)).append("\" font-size=\"12\">").append(Html.esc(r.label())).append("</text>");
            if (Double.isFinite(v))
                s.append("<circle cx=\"").append(Svg.n(x.applyAsDouble(v))).append("\" cy=\"").append(y).append("\" r=\"4\" fill=\"").append(ColorScale.run(1))
                        .append("\"><title>").append(Html.esc(r.label() + ": " + Fmt.num(v))).append("</title></circle>");
        }
        x.draw(s, h);
        // The baseline's name by its line, above the first row, clear of the axis labels at either end.
        if (Double.isFinite(base))
            s.append("<text x=\"").append(xb).append("\" y=\"38\" font-size=\"11\" text-anchor=\"middle\" fill=\"").append(ColorScale.run(0))
                    .append("\">CLM</text>");
        Svg.close(s);
        return s.toString();
    }

    private static String seedStrip(String metric, List<SeedRow> rows) {
        double lo = rows.stream().mapToDouble(SeedRow::min).min().orElse(0), hi = rows.stream().mapToDouble(SeedRow::max).max().orElse(1);
        StripAxis x = StripAxis.of(lo, hi, 70);
        int h = 60 + 40 * rows.size();
        StringBuilder s = new StringBuilder();
        Svg.open(s, W, h, metric + " over seeds");
        for (int i = 0; i < rows.size(); i++) {
            SeedRow r = rows.get(i);
            String y = Svg.n(45 + 40 * i), c = ColorScale.run(i);
            s.append("<text x=\"10\" y=\"").append(Svg.n(49 + 40 * i)).append("\" font-size=\"12\">").append(Html.esc(r.run())).append("</text>");
            s.append(line(x.applyAsDouble(r.min()), x.applyAsDouble(r.max()), y, y, c, "stroke-width=\"6\" opacity=\"0.35\""));
            s.append(line(x.applyAsDouble(r.mean()), x.applyAsDouble(r.mean()), Svg.n(35 + 40 * i), Svg.n(55 + 40 * i), c, "stroke-width=\"2\""));
            for (double v : r.values())
                s.append("<circle cx=\"").append(Svg.n(x.applyAsDouble(v))).append("\" cy=\"").append(y).append("\" r=\"3.5\" fill=\"").append(c)
                        .append("\"><title>").append(Fmt.num(v)).append("</title></circle>");
        }
        x.draw(s, h);
        Svg.close(s);
        return s.toString();
    }

    private static String line(double xa, double xb, String ya, String yb, String color, String attrs) {
        return "<line x1=\"" + Svg.n(xa) + "\" x2=\"" + Svg.n(xb) + "\" y1=\"" + ya + "\" y2=\"" + yb + "\" stroke=\"" + color + "\" " + attrs + "/>";
    }

    private String curves() {
        StringBuilder notes = new StringBuilder();
        LineChart loss = new LineChart("Loss vs tokens trained (solid: train, dashed: validation)",
                "tokens trained", "loss (nats/token)");
        LineChart val = new LineChart("Validation loss", "tokens trained", "validation loss");
        LineChart lr = new LineChart("Learning rate", "tokens trained", "learning rate");
        LineChart speed = new LineChart("Throughput", "tokens trained", "tokens / s");
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            String c = ColorScale.run(i);
            if (!r.hasMetrics()) {
                notes.append(na(r, "no " + RunLoader.METRICS));
                continue;
            }
            loss.add(series(r.name() + " train", r.train(), "tokens", "loss", c, false, false));
            loss.add(series(r.name() + " val", r.eval(), "tokens", "val_loss", c, true, true));
            val.add(series(r.name(), r.eval(), "tokens", "val_loss", c, false, true));
            lr.add(series(r.name(), r.train(), "tokens", "lr", c, false, false));
            speed.add(series(r.name(), r.train(), "tokens", "tok_per_s", c, false, false));
        }
        List<String> svgs = new ArrayList<>();
        for (LineChart ch : List.of(loss, val, lr, speed)) {
            if (!ch.isEmpty()) {
                svgs.add(ch.svg(W, H));
            }
        }
        if (svgs.isEmpty()) {
            return notes + "<p class=\"na\">No training or validation points in any run.</p>";
        }
        return charts(svgs) + notes;
    }

    private String selection() {
        StringBuilder notes = new StringBuilder();
        LineChart loss = new LineChart("Loss on selected (solid) vs unselected (dashed) tokens", "step",
                "loss (nats/token)");
        LineChart frac = new LineChart("Fraction of tokens selected", "step", "selected fraction");
        LineChart excess = new LineChart("Mean excess loss of the batch", "step", "excess loss (nats)");
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            String c = ColorScale.run(i);
            if (!r.isSlm()) {
                notes.append(na(r, "not an SLM run: every token is trained on"));
                continue;
            }
            loss.add(series(r.name() + " selected", r.train(), "step", "sel_loss", c, false, false));
            loss.add(series(r.name() + " unselected", r.train(), "step", "unsel_loss", c, true, false));
            frac.add(series(r.name(), r.train(), "step", "sel_frac", c, false, false));
            excess.add(series(r.name(), r.train(), "step", "mean_excess", c, false, false));
        }
        List<String> svgs = new ArrayList<>();
        for (LineChart ch : List.of(loss, frac, excess)) {
            if (!ch.isEmpty()) {
                svgs.add(ch.svg(W, H));
            }
        }
        if (svgs.isEmpty()) {
            return notes + "<p class=\"na\">No selection statistics (sel_loss, unsel_loss, sel_frac, mean_excess) "
                    + "in any run's metrics.</p>";
        }
        return charts(svgs) + notes;
    }

    private String histogram() {
        StringBuilder notes = new StringBuilder();
        List<String> svgs = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            // Latest histogram per name; excess_loss first since it is what selection thresholds.
            Map<String, JsonNode> latest = new LinkedHashMap<>();
            latest.put("excess_loss", null);
            for (JsonNode h : r.hist()) {
                String name = h.path("name").asText("unnamed");
                JsonNode prev = latest.get(name);
                if (prev == null || h.path("step").asLong() >= prev.path("step").asLong()) {
                    latest.put(name, h);
                }
            }
            boolean any = false;
            for (Map.Entry<String, JsonNode> e : latest.entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                JsonNode h = e.getValue();
                double[] edges = doubles(h.path("edges"));
                double[] countsD = doubles(h.path("counts"));
                long[] counts = new long[countsD.length];
                for (int k = 0; k < counts.length; k++) {
                    counts[k] = Math.round(countsD[k]);
                }
                if (counts.length == 0 || edges.length != counts.length + 1) {
                    notes.append(na(r, RunLoader.METRICS + ": histogram \"" + e.getKey() + "\" at step "
                            + h.path("step").asText("?") + " has " + edges.length + " edges for " + counts.length
                            + " counts"));
                    continue;
                }
                any = true;
                svgs.add(BarChart.histogram(r.name() + ": " + e.getKey() + " at step " + h.path("step").asText("?"),
                        e.getKey().replace('_', ' '), edges, counts, ColorScale.run(i), W, H));
            }
            if (!any) {
                notes.append(na(r, r.hasMetrics() ? "no histogram lines in " + RunLoader.METRICS
                        : "no " + RunLoader.METRICS));
            }
        }
        return (svgs.isEmpty() ? "" : charts(svgs)) + notes;
    }

    private String evaluation() {
        StringBuilder notes = new StringBuilder();
        // Row key "task (metric)" -> per run -> field -> value; fields in first-seen order.
        Map<String, Map<Integer, Map<String, Double>>> rows = new LinkedHashMap<>();
        Set<String> fields = new LinkedHashSet<>();
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            if (r.evalResult() == null) {
                notes.append(na(r, "no " + RunLoader.EVAL));
                continue;
            }
            JsonNode tasks = r.evalResult().path("tasks");
            if (!tasks.isArray()) {
                notes.append(na(r, RunLoader.EVAL + " has no \"tasks\" array"));
                continue;
            }
            for (JsonNode t : tasks) {
                String key = t.path("task").asText("?");
                if (t.path("metric").isTextual()) {
                    key += " (" + t.get("metric").asText() + ")";
                }
                Map<String, Double> cell = rows.computeIfAbsent(key, k -> new LinkedHashMap<>())
                        .computeIfAbsent(i, k -> new LinkedHashMap<>());
                for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (f.getValue().isNumber()) {
                        fields.add(f.getKey());
                        cell.put(f.getKey(), f.getValue().asDouble());
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            return notes.toString();
        }
        StringBuilder b = new StringBuilder();
        b.append("<div class=\"tables\">");
        for (String field : fields) {
            b.append("<table><caption>").append(Html.esc(field)).append("</caption><thead><tr><th>task</th>");
            for (RunData r : runs) {
                b.append("<th class=\"num\">").append(Html.esc(r.name())).append("</th>");
            }
            b.append("</tr></thead><tbody>");
            for (Map.Entry<String, Map<Integer, Map<String, Double>>> row : rows.entrySet()) {
                b.append("<tr><td>").append(Html.esc(row.getKey())).append("</td>");
                for (int i = 0; i < runs.size(); i++) {
                    Double v = row.getValue().getOrDefault(i, Map.of()).get(field);
                    b.append("<td class=\"num\">").append(v == null ? "–" : Fmt.num(v)).append("</td>");
                }
                b.append("</tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("</div>");
        return b.append(notes).toString();
    }

    private String dynamics() {
        StringBuilder notes = new StringBuilder();
        List<String> labels = new ArrayList<>();
        for (TokenCategory c : TokenCategory.values()) {
            labels.add(c.label());
        }
        List<String> groups = new ArrayList<>();
        List<String> colors = new ArrayList<>();
        List<double[]> pcts = new ArrayList<>();
        List<String> trajCharts = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            if (r.dynamics() == null) {
                notes.append(na(r, "no " + RunLoader.DYNAMICS));
                continue;
            }
            JsonNode d = r.dynamics();
            double[] p = new double[labels.size()];
            for (int c = 0; c < p.length; c++) {
                JsonNode v = d.path("categories").path(labels.get(c));
                p[c] = v.isNumber() ? v.asDouble() : Double.NaN;
            }
            groups.add(r.name());
            colors.add(ColorScale.run(i));
            pcts.add(p);
            double[] x = doubles(d.path("x"));
            LineChart ch = new LineChart(r.name() + ": mean loss per category", "checkpoint (step or tokens trained)",
                    "mean loss (nats)");
            for (String label : labels) {
                double[] y = doubles(d.path("meanTrajectory").path(label));
                if (y.length == x.length && y.length > 0) {
                    ch.add(new LineChart.Series(label + " (" + Fmt.num(Math.round(p[labels.indexOf(label)] * 10) / 10.0)
                            + "%)", x, y, CATEGORY_COLORS.get(label), false, true));
                }
            }
            if (!ch.isEmpty()) {
                trajCharts.add(ch.svg(W, H));
            }
        }
        if (groups.isEmpty()) {
            return notes.toString();
        }
        // The paper's shares for TinyLlama continued on OpenWebMath (Rho-1, Fig. 2), as a reference group.
        Map<String, Double> paper = Map.of("H->H", 11.0, "L->H", 12.0, "H->L", 26.0, "L->L", 51.0);
        groups.add("paper (TinyLlama)");
        colors.add("#bab0ac");
        pcts.add(labels.stream().mapToDouble(l -> paper.getOrDefault(l, Double.NaN)).toArray());
        List<String> svgs = new ArrayList<>();
        svgs.add(BarChart.grouped("Share of tokens per loss category", "% of tokens", labels, groups, colors,
                pcts.toArray(new double[0][]), "%", W, H));
        svgs.addAll(trajCharts);
        return charts(svgs) + "<p class=\"muted\">H→L: fitted loss fell by more than 0.2 nats from the first to the "
                + "last checkpoint; L→H: rose by more than 0.2; otherwise L→L or H→H by whether the final loss is "
                + "at most the mean final loss.</p>" + notes;
    }

    private String tokens() {
        StringBuilder body = new StringBuilder();
        boolean any = false;
        for (RunData r : runs) {
            if (r.tokens() == null) {
                body.append(na(r, "no " + RunLoader.TOKENS));
                continue;
            }
            String view = TokenView.render(r.tokens(), r.notes());
            if (view == null) {
                body.append(na(r, RunLoader.TOKENS + " has no documents"));
                continue;
            }
            any = true;
            body.append("<h3>").append(Html.esc(r.name()));
            if (r.tokens().has("step")) {
                body.append(" <span class=\"muted\">at step ").append(Html.esc(r.tokens().get("step").asText()))
                        .append("</span>");
            }
            body.append("</h3>").append(view);
        }
        return (any ? TokenView.switcher() : "") + "<div class=\"tokruns\">" + body + "</div>"
                + (any ? "<p class=\"muted\">Hover a token for its numbers. Wavy underline: marked as noise.</p>" : "");
    }

    private String settings() {
        Set<String> keys = new LinkedHashSet<>();
        for (RunData r : runs) {
            if (r.settings() != null) {
                r.settings().fieldNames().forEachRemaining(keys::add);
            }
        }
        StringBuilder b = new StringBuilder("<table class=\"settings\"><thead><tr><th>setting</th>");
        for (RunData r : runs) {
            b.append("<th>").append(Html.esc(r.name())).append("</th>");
        }
        b.append("</tr></thead><tbody><tr><td>folder</td>");
        for (RunData r : runs) {
            b.append("<td>").append(Html.esc(String.valueOf(r.dir().getFileName()))).append("</td>");
        }
        b.append("</tr>");
        for (String k : keys) {
            b.append("<tr><td>").append(Html.esc(k)).append("</td>");
            for (RunData r : runs) {
                JsonNode v = r.settings() == null ? null : r.settings().get(k);
                String text = v == null ? "–" : v.isValueNode() ? v.asText() : v.toString();
                b.append("<td>").append(Html.esc(text)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</tbody></table>");
        for (RunData r : runs) {
            if (r.settings() == null) {
                b.append(na(r, "no " + RunLoader.SETTINGS));
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- helpers

    private static LineChart.Series series(String name, List<JsonNode> lines, String x, String y, String color,
            boolean dashed, boolean markers) {
        double[][] p = RunData.points(lines, x, y);
        return new LineChart.Series(name, p[0], p[1], color, dashed, markers);
    }

    private static double[] doubles(JsonNode arr) {
        if (!arr.isArray()) {
            return new double[0];
        }
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).isNumber() ? arr.get(i).asDouble() : Double.NaN;
        }
        return v;
    }

    private List<String> names() {
        return runs.stream().map(RunData::name).toList();
    }

    /** Two runs with the same name would be indistinguishable in legends, so number the repeats. */
    private static void uniquifyNames(List<RunData> runs) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            RunData r = runs.get(i);
            int k = seen.merge(r.name(), 1, Integer::sum);
            if (k > 1) {
                runs.set(i, new RunData(r.name() + " (" + k + ")", r.dir(), r.hasMetrics(), r.train(), r.eval(),
                        r.hist(), r.settings(), r.evalResult(), r.dynamics(), r.tokens(), r.notes()));
            }
        }
    }
}
