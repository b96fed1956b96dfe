package rho4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * An SVG line chart on linear axes. Non-finite y values break the line instead of dropping to zero, so a diverged
 * step shows up as a gap.
 */
final class LineChart {
    /** One line. {@code markers} draws a dot at each point (for sparse series such as validation loss). */
    record Series(String name, double[] x, double[] y, String color, boolean dashed, boolean markers) {
        Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x but " + y.length + " y");
            }
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    LineChart add(Series s) {
        series.add(s);
        return this;
    }

    /** True when there is no finite point to draw. */
    boolean isEmpty() {
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    String svg(int w, int h) {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        List<Svg.LegendItem> legend = new ArrayList<>();
        for (Series s : series) {
            boolean drawn = false;
            for (int i = 0; i < s.x().length; i++) {
                if (finite(s, i)) {
                    drawn = true;
                    xMin = Math.min(xMin, s.x()[i]);
                    xMax = Math.max(xMax, s.x()[i]);
                    yMin = Math.min(yMin, s.y()[i]);
                    yMax = Math.max(yMax, s.y()[i]);
                }
            }
            if (drawn) { // a legend entry for a line that is not there would only confuse
                legend.add(new Svg.LegendItem(s.name(), s.color(), s.dashed(), false));
            }
        }
        StringBuilder b = new StringBuilder();
        Svg.open(b, w, h, title);
        if (xMin > xMax) {
            b.append("<text x=\"").append(w / 2).append("\" y=\"").append(h / 2)
                    .append("\" text-anchor=\"middle\" class=\"al\">no data</text>");
            Svg.close(b);
            return b.toString();
        }
        int rows = Svg.legendRows(legend, w);
        int top = Svg.TITLE_H + rows * Svg.LEGEND_ROW + 6;
        Svg.Frame f = new Svg.Frame(Svg.LEFT, top, w - Svg.RIGHT, h - Svg.BOTTOM, Ticks.nice(xMin, xMax, 6),
                Ticks.nice(yMin, yMax, 5));
        Svg.legend(b, legend, w, Svg.TITLE_H);
        f.axes(b, xLabel, yLabel);
        for (Series s : series) {
            drawSeries(b, f, s);
        }
        Svg.close(b);
        return b.toString();
    }

    private static void drawSeries(StringBuilder b, Svg.Frame f, Series s) {
        StringBuilder d = new StringBuilder();
        StringBuilder lone = new StringBuilder(); // points with no finite neighbour would be invisible as a path
        int n = s.x().length;
        for (int i = 0; i < n; i++) {
            if (!finite(s, i)) {
                continue;
            }
            boolean pen = i > 0 && finite(s, i - 1);
            d.append(pen ? 'L' : 'M').append(Svg.n(f.px(s.x()[i]))).append(' ').append(Svg.n(f.py(s.y()[i])));
            if (!pen && !(i + 1 < n && finite(s, i + 1)) && !s.markers()) {
                lone.append("<circle r=\"2.5\" fill=\"").append(s.color()).append("\" cx=\"")
                        .append(Svg.n(f.px(s.x()[i]))).append("\" cy=\"").append(Svg.n(f.py(s.y()[i]))).append("\"/>");
            }
        }
        if (d.length() > 0) {
            b.append("<path fill=\"none\" stroke=\"").append(s.color()).append("\" stroke-width=\"1.8\"")
                    .append(s.dashed() ? " stroke-dasharray=\"5 3\"" : "").append(" d=\"").append(d).append("\"/>");
        }
        b.append(lone);
        if (s.markers()) {
            for (int i = 0; i < s.x().length; i++) {
                if (finite(s, i)) {
                    b.append("<circle r=\"3\" fill=\"").append(s.color()).append("\" cx=\"").append(Svg.n(f.px(s.x()[i])))
                            .append("\" cy=\"").append(Svg.n(f.py(s.y()[i]))).append("\"><title>")
                            .append(Html.esc(s.name() + ": " + Fmt.num(s.y()[i]) + " at " + Fmt.num(s.x()[i])))
                            .append("</title></circle>");
                }
            }
        }
    }

    private static boolean finite(Series s, int i) {
        return Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]);
    }
}
