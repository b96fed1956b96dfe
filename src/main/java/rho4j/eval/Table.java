package rho4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text table of task scores, for logs and the console. */
public final class Table {
    private Table() {}

    private static final String[] HEADER = {"task", "kind", "shots", "n", "acc", "acc_norm", "loss", "ppl"};

    /** One row per result, in the given order; accuracies in percent, "-" where a score does not apply. */
    public static String format(List<TaskResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (TaskResult r : results) {
            TaskResult.Scores s = r.scores();
            rows.add(new String[] {r.task(), r.layout().kind().label(), Integer.toString(r.config().shots()),
                    Integer.toString(s.n()), pct(s.accuracy()), pct(s.accuracyNorm()), num(s.downstreamLoss(), 4),
                    num(s.perplexity(), 2)});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) width[c] = Math.max(width[c], row[c].length());
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int c = 0; c < row.length; c++) {
                if (c > 0) sb.append("  ");
                // text columns left-aligned, numbers right-aligned so decimals line up
                String fmt = c < 2 ? "%-" + width[c] + "s" : "%" + width[c] + "s";
                sb.append(String.format(Locale.ROOT, fmt, row[c]));
            }
            sb.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) total += w;
                sb.append("-".repeat(total + 2 * (width.length - 1))).append('\n');
            }
        }
        return sb.toString();
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    private static String num(Double v, int decimals) {
        return v == null || !Double.isFinite(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
