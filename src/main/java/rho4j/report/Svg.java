package rho4j.report;

import java.util.List;
import java.util.Locale;

/** Small SVG building blocks shared by the charts: frame with axes and grid, legend, text. */
final class Svg {
    static final int LEFT = 62;
    static final int RIGHT = 18;
    static final int BOTTOM = 46;
    static final int TITLE_H = 26;
    static final int LEGEND_ROW = 18;

    /** One legend entry; {@code dashed} draws a dashed line swatch, {@code box} a filled square. */
    record LegendItem(String name, String color, boolean dashed, boolean box) {}

    private Svg() {}

    static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static void open(StringBuilder b, int w, int h, String title) {
        b.append("<svg class=\"chart\" viewBox=\"0 0 ").append(w).append(' ')
                .append(h).append("\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
        b.append("<title>").append(Html.esc(title)).append("</title>");
        b.append("<text x=\"").append(LEFT).append("\" y=\"17\" class=\"ct\">").append(Html.esc(title))
                .append("</text>");
    }

    static void close(StringBuilder b) {
        b.append("</svg>");
    }

    /** Rough text width: SVG cannot measure text before layout, and the legend only needs to wrap sensibly. */
    static double textWidth(String s, double fontSize) {
        return s.length() * fontSize * 0.58;
    }

    /** Rows the legend needs within width w. */
    static int legendRows(List<LegendItem> items, int w) {
        if (items.size() <= 1) {
            return items.isEmpty() ? 0 : 1;
        }
        int rows = 1;
        double x = LEFT;
        for (LegendItem it : items) {
            double iw = 30 + textWidth(it.name(), 11) + 14;
            if (x + iw > w - RIGHT && x > LEFT) {
                rows++;
                x = LEFT;
            }
            x += iw;
        }
        return rows;
    }

    static void legend(StringBuilder b, List<LegendItem> items, int w, int top) {
        double x = LEFT;
        double y = top + 10;
        for (LegendItem it : items) {
            double iw = 30 + textWidth(it.name(), 11) + 14;
            if (x + iw > w - RIGHT && x > LEFT) {
                x = LEFT;
                y += LEGEND_ROW;
            }
            if (it.box()) {
                b.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y - 5)).append("\" width=\"22\" height=\"10\" fill=\"")
                        .append(it.color()).append("\"/>");
            } else {
                b.append("<line x1=\"").append(n(x)).append("\" y1=\"").append(n(y)).append("\" x2=\"").append(n(x + 22))
                        .append("\" y2=\"").append(n(y)).append("\" stroke=\"").append(it.color())
                        .append("\" stroke-width=\"2.5\"").append(it.dashed() ? " stroke-dasharray=\"5 3\"" : "")
                        .append("/>");
            }
            b.append("<text x=\"").append(n(x + 27)).append("\" y=\"").append(n(y + 4)).append("\" class=\"lg\">")
                    .append(Html.esc(it.name())).append("</text>");
            x += iw;
        }
    }

    /** The plotting rectangle and its data-to-pixel mapping. {@code x} may be null for a categorical x axis. */
    record Frame(int left, int top, int right, int bottom, Ticks x, Ticks y) {
        double px(double v) {
            return left + (v - x.lo()) / (x.hi() - x.lo()) * (right - left);
        }

        double py(double v) {
            return bottom - (v - y.lo()) / (y.hi() - y.lo()) * (bottom - top);
        }

        /** Grid, axis lines, tick labels and axis titles. */
        void axes(StringBuilder b, String xLabel, String yLabel) {
            for (double v : y.values()) {
                double yy = py(v);
                b.append("<line class=\"grid\" x1=\"").append(left).append("\" x2=\"").append(right).append("\" y1=\"")
                        .append(n(yy)).append("\" y2=\"").append(n(yy)).append("\"/>");
                b.append("<text class=\"tk\" text-anchor=\"end\" x=\"").append(left - 6).append("\" y=\"").append(n(yy + 4))
                        .append("\">").append(Html.esc(y.label(v))).append("</text>");
            }
            if (x != null) {
                for (double v : x.values()) {
                    double xx = px(v);
                    b.append("<line class=\"grid\" x1=\"").append(n(xx)).append("\" x2=\"").append(n(xx)).append("\" y1=\"")
                            .append(top).append("\" y2=\"").append(bottom).append("\"/>");
                    b.append("<text class=\"tk\" text-anchor=\"middle\" x=\"").append(n(xx)).append("\" y=\"")
                            .append(bottom + 16).append("\">").append(Html.esc(x.label(v))).append("</text>");
                }
            }
            b.append("<line class=\"axis\" x1=\"").append(left).append("\" x2=\"").append(right).append("\" y1=\"")
                    .append(bottom).append("\" y2=\"").append(bottom).append("\"/>");
            b.append("<line class=\"axis\" x1=\"").append(left).append("\" x2=\"").append(left).append("\" y1=\"")
                    .append(top).append("\" y2=\"").append(bottom).append("\"/>");
            b.append("<text class=\"al\" text-anchor=\"middle\" x=\"").append(n((left + right) / 2.0)).append("\" y=\"")
                    .append(bottom + 36).append("\">").append(Html.esc(xLabel)).append("</text>");
            double cy = (top + bottom) / 2.0;
            b.append("<text class=\"al\" text-anchor=\"middle\" transform=\"translate(14 ").append(n(cy))
                    .append(") rotate(-90)\">").append(Html.esc(yLabel)).append("</text>");
        }
    }
}
