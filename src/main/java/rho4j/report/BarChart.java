package rho4j.report;

import java.util.ArrayList;
import java.util.List;

/** SVG bar charts: grouped bars over named categories, and a histogram over bin edges. */
final class BarChart {
    private BarChart() {}

    /**
     * One cluster of bars per category, one bar per group (run) in the group's colour, each labelled with its value.
     *
     * @param values [group][category]; NaN leaves the bar out
     */
    static String grouped(String title, String yLabel, List<String> categories, List<String> groups,
            List<String> colors, double[][] values, String valueSuffix, int w, int h) {
        List<Svg.LegendItem> legend = new ArrayList<>();
        double max = 0;
        for (int g = 0; g < groups.size(); g++) {
            legend.add(new Svg.LegendItem(groups.get(g), colors.get(g), false, true));
            for (double v : values[g]) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        Svg.open(b, w, h, title);
        int top = Svg.TITLE_H + Svg.legendRows(legend, w) * Svg.LEGEND_ROW + 10;
        Svg.Frame f = new Svg.Frame(Svg.LEFT, top, w - Svg.RIGHT, h - Svg.BOTTOM, null,
                Ticks.nice(0, max > 0 ? max * 1.08 : 1, 5));
        Svg.legend(b, legend, w, Svg.TITLE_H);
        f.axes(b, "", yLabel);
        double slot = (f.right() - f.left()) / (double) categories.size();
        double barW = Math.min(46, slot * 0.8 / Math.max(1, groups.size()));
        for (int c = 0; c < categories.size(); c++) {
            double cx = f.left() + slot * (c + 0.5);
            b.append("<text class=\"tk cat\" text-anchor=\"middle\" x=\"").append(Svg.n(cx)).append("\" y=\"")
                    .append(f.bottom() + 18).append("\">").append(Html.esc(categories.get(c))).append("</text>");
            double x0 = cx - barW * groups.size() / 2.0;
            for (int g = 0; g < groups.size(); g++) {
                double v = values[g][c];
                if (!Double.isFinite(v)) {
                    continue;
                }
                double y = f.py(v);
                double x = x0 + g * barW;
                String label = Fmt.num(Math.round(v * 10) / 10.0) + valueSuffix;
                b.append("<rect fill=\"").append(colors.get(g)).append("\" x=\"").append(Svg.n(x + 1)).append("\" y=\"")
                        .append(Svg.n(y)).append("\" width=\"").append(Svg.n(barW - 2)).append("\" height=\"")
                        .append(Svg.n(f.bottom() - y)).append("\"><title>")
                        .append(Html.esc(groups.get(g) + ", " + categories.get(c) + ": " + label))
                        .append("</title></rect>");
                b.append("<text class=\"bv\" text-anchor=\"middle\" x=\"").append(Svg.n(x + barW / 2)).append("\" y=\"")
                        .append(Svg.n(y - 3)).append("\">").append(Html.esc(label)).append("</text>");
            }
        }
        Svg.close(b);
        return b.toString();
    }

    /** Bars between consecutive edges (edges.length == counts.length + 1), on linear axes. */
    static String histogram(String title, String xLabel, double[] edges, long[] counts, String color, int w, int h) {
        if (edges.length != counts.length + 1) {
            throw new IllegalArgumentException(
                    "histogram " + title + ": " + edges.length + " edges for " + counts.length + " counts");
        }
        long max = 1;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        StringBuilder b = new StringBuilder();
        Svg.open(b, w, h, title);
        Svg.Frame f = new Svg.Frame(Svg.LEFT, Svg.TITLE_H + 8, w - Svg.RIGHT, h - Svg.BOTTOM,
                Ticks.nice(edges[0], edges[edges.length - 1], 6), Ticks.nice(0, max, 5));
        f.axes(b, xLabel, "tokens");
        for (int i = 0; i < counts.length; i++) {
            double x0 = f.px(edges[i]);
            double x1 = f.px(edges[i + 1]);
            double y = f.py(counts[i]);
            b.append("<rect fill=\"").append(color).append("\" x=\"").append(Svg.n(x0)).append("\" y=\"")
                    .append(Svg.n(y)).append("\" width=\"").append(Svg.n(Math.max(0.5, x1 - x0 - 0.6)))
                    .append("\" height=\"").append(Svg.n(f.bottom() - y)).append("\"><title>")
                    .append(Html.esc("[" + Fmt.num(edges[i]) + ", " + Fmt.num(edges[i + 1]) + "): " + counts[i]))
                    .append("</title></rect>");
        }
        Svg.close(b);
        return b.toString();
    }
}
