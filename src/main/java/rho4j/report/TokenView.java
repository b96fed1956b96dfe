package rho4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The token view: each token a {@code <span>} carrying three background colours as CSS variables (reference loss,
 * excess loss, selected). Radio buttons before the view switch which variable is used through CSS alone, so the
 * view needs no script; the numbers are in each span's title tooltip.
 */
final class TokenView {
    /** Per run; beyond this the sample is cut (with a note) to keep the report light. */
    static final int MAX_TOKENS = 4000;

    static final String SELECTED = "#a6dba0";
    static final String UNSELECTED = "#e8e8e8";
    static final String MISSING = "#f4f4f4";

    private TokenView() {}

    /** The radio buttons and legends; must come right before the runs' views (CSS sibling selectors). */
    static String switcher() {
        return """
                <input type="radio" name="tokview" id="tv-ref" checked><label class="tab" for="tv-ref">Reference loss</label>\
                <input type="radio" name="tokview" id="tv-exc"><label class="tab" for="tv-exc">Excess loss</label>\
                <input type="radio" name="tokview" id="tv-sel"><label class="tab" for="tv-sel">Selected / not selected</label>
                """;
    }

    /** One run's token sample, or null when its tokens.json has no documents. */
    static String render(JsonNode tokens, List<String> notes) {
        JsonNode docs = tokens.path("docs");
        if (!docs.isArray() || docs.isEmpty()) {
            return null;
        }
        double[] refs = collect(docs, "ref_loss", false);
        double[] excess = collect(docs, "excess", true);
        double refHi = refs.length == 0 ? 1 : Math.max(1e-6, percentile(refs, 0.98));
        double refLo = refs.length == 0 ? 0 : Math.min(0, percentile(refs, 0.0));
        double exLim = excess.length == 0 ? 1 : Math.max(1e-6, percentile(excess, 0.98));

        StringBuilder b = new StringBuilder();
        b.append("<div class=\"legends\">")
                .append("<span class=\"leg leg-ref\">reference loss <span class=\"ramp\" style=\"background:")
                .append(ColorScale.sequentialGradient()).append("\"></span> ").append(Fmt.num(refLo)).append(" … ")
                .append(Fmt.num(refHi)).append("+ nats</span>")
                .append("<span class=\"leg leg-exc\">excess loss (training − reference) <span class=\"ramp\" style=\"background:")
                .append(ColorScale.divergingGradient()).append("\"></span> −").append(Fmt.num(exLim)).append(" … +")
                .append(Fmt.num(exLim)).append(" nats</span>")
                .append("<span class=\"leg leg-sel\"><span class=\"t\" style=\"background:").append(SELECTED)
                .append("\">selected</span> <span class=\"t\" style=\"background:").append(UNSELECTED)
                .append("\">not selected</span></span>")
                .append("</div>");

        int shown = 0;
        int total = 0;
        for (int d = 0; d < docs.size(); d++) {
            JsonNode doc = docs.get(d);
            JsonNode toks = doc.path("tokens");
            if (!toks.isArray()) {
                notes.add(RunLoader.TOKENS + ": docs[" + d + "] has no \"tokens\" array, skipped");
                continue;
            }
            total += toks.size();
            if (shown >= MAX_TOKENS) {
                continue;
            }
            int n = Math.min(toks.size(), MAX_TOKENS - shown);
            int selected = 0;
            int known = 0;
            StringBuilder spans = new StringBuilder();
            for (int i = 0; i < n; i++) {
                String tok = toks.get(i).asText();
                Double ref = number(doc.path("ref_loss").path(i));
                Double ex = number(doc.path("excess").path(i));
                JsonNode selNode = doc.path("selected").path(i);
                Boolean sel = selNode.isBoolean() ? selNode.asBoolean() : null;
                boolean noise = doc.path("noise").path(i).asBoolean(false);
                if (sel != null) {
                    known++;
                    selected += sel ? 1 : 0;
                }
                spans.append("<span class=\"t").append(noise ? " nz" : "").append("\" style=\"--r:")
                        .append(ref == null ? MISSING : ColorScale.sequential(ref, refLo, refHi)).append(";--e:")
                        .append(ex == null ? MISSING : ColorScale.diverging(ex, exLim)).append(";--s:")
                        .append(sel == null ? MISSING : sel ? SELECTED : UNSELECTED).append("\" title=\"")
                        .append(Html.esc(tooltip(tok, ref, ex, sel, noise))).append("\">")
                        .append(Html.esc(visible(tok))).append("</span>");
            }
            shown += n;
            b.append("<div class=\"doc\"><div class=\"dochead\">document ").append(d + 1).append(" · ")
                    .append(toks.size()).append(" tokens");
            if (known > 0) {
                b.append(" · ").append(selected).append(" selected (").append(Math.round(100.0 * selected / known))
                        .append("%)");
            }
            if (n < toks.size()) {
                b.append(" · first ").append(n).append(" shown");
            }
            b.append("</div><div class=\"tok\">").append(spans).append("</div></div>");
        }
        if (total > shown) {
            b.append("<p class=\"muted\">Showing ").append(shown).append(" of ").append(total)
                    .append(" tokens in the sample.</p>");
        }
        return b.toString();
    }

    /**
     * Token text as shown: newlines as ↵ followed by a real line break, tabs as ⇥, other control characters as
     * their Unicode "control picture", the empty token as ∅. Spaces stay spaces (the view is pre-wrap).
     */
    static String visible(String tok) {
        if (tok.isEmpty()) {
            return "∅";
        }
        StringBuilder b = new StringBuilder(tok.length() + 4);
        for (int i = 0; i < tok.length(); i++) {
            char c = tok.charAt(i);
            if (c == '\n') {
                b.append("↵\n");
            } else if (c == '\t') {
                b.append("⇥ ");
            } else if (c < 0x20) {
                b.append((char) (0x2400 + c));
            } else if (c == 0x7f) {
                b.append('␡');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String tooltip(String tok, Double ref, Double ex, Boolean sel, boolean noise) {
        StringBuilder t = new StringBuilder();
        t.append('"').append(tok.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
                .append('"');
        t.append("\nreference loss: ").append(ref == null ? "n/a" : Fmt.num(ref));
        t.append("\nexcess loss: ").append(ex == null ? "n/a" : Fmt.num(ex));
        t.append("\nselected: ").append(sel == null ? "n/a" : sel ? "yes" : "no");
        if (noise) {
            t.append("\nmarked as noise");
        }
        return t.toString();
    }

    private static Double number(JsonNode n) {
        return n.isNumber() && Double.isFinite(n.asDouble()) ? n.asDouble() : null;
    }

    private static double[] collect(JsonNode docs, String key, boolean abs) {
        List<Double> v = new ArrayList<>();
        for (JsonNode doc : docs) {
            for (JsonNode x : doc.path(key)) {
                Double d = number(x);
                if (d != null) {
                    v.add(abs ? Math.abs(d) : d);
                }
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
    }
}
