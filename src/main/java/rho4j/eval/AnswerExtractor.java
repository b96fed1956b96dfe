package rho4j.eval;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Predicted answer of a chain-of-thought completion, after ZubinGou/math-evaluation-harness {@code extract_answer}.
 * Tried in order: Minerva's "final answer is $...$", the last {@code \boxed{}}/{@code \fbox{}}, the text after
 * "the answer is", the text after "final answer is", the last number. The result is {@link AnswerNormalizer}-ed.
 */
public final class AnswerExtractor {
    private AnswerExtractor() {}

    private static final Pattern FINAL_DOLLAR = Pattern.compile("final answer is\\s*\\$(.+?)\\$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("-?\\d*\\.?\\d+");

    /** Normalised predicted answer, "" when the text holds none. */
    public static String extract(String text) {
        return AnswerNormalizer.normalize(cleanup(extractRaw(text)));
    }

    /** The answer span before normalisation (useful in reports). */
    public static String extractRaw(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String found = null;
        Matcher m = FINAL_DOLLAR.matcher(text);
        while (m.find()) found = m.group(1);
        // MATH solutions say "final answer is $\\boxed{8000}$": the box, not the markup, is the answer
        if (found != null) return found.contains("\\boxed") || found.contains("\\fbox")
                ? java.util.Objects.requireNonNullElse(lastBoxed(found), found) : found;
        found = lastBoxed(text);
        if (found != null) return found;
        int i = lower.lastIndexOf("the answer is");
        if (i >= 0) return firstSentence(text.substring(i + "the answer is".length()));
        i = lower.lastIndexOf("final answer is");
        if (i >= 0) return firstSentence(text.substring(i + "final answer is".length()));
        String last = "";
        Matcher n = NUMBER.matcher(text.replace(",", "")); // the harness drops every comma: "1,000" is one number
        while (n.find()) last = n.group();
        return last;
    }

    /**
     * Content of the last {@code \boxed{...}} or {@code \fbox{...}} with balanced braces; for {@code \boxed 5} the
     * text up to the next '$'. Null when there is none, or the braces never close.
     */
    public static String lastBoxed(String text) {
        int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        if (at < 0) return null;
        int start = text.startsWith("\\boxed", at) ? at + "\\boxed".length() : at + "\\fbox".length();
        String rest = text.substring(start);
        if (rest.startsWith("{")) {
            int depth = 0;
            for (int j = 0; j < rest.length(); j++) {
                char c = rest.charAt(j);
                if (c == '{') depth++;
                else if (c == '}' && --depth == 0) return rest.substring(1, j);
            }
            return null;
        }
        if (rest.startsWith(" ")) {
            String s = rest.strip();
            int dollar = s.indexOf('$');
            return (dollar >= 0 ? s.substring(0, dollar) : s).strip();
        }
        return null;
    }

    /** "18. So ..." -> "18": the answer phrase ends at the line or at a full stop followed by space. */
    private static String firstSentence(String s) {
        s = s.strip();
        int nl = s.indexOf('\n');
        if (nl >= 0) s = s.substring(0, nl);
        Matcher stop = Pattern.compile("\\.(\\s|$)").matcher(s);
        if (stop.find()) s = s.substring(0, stop.start());
        return s.strip();
    }

    /** The harness's post-processing: join lines, drop a leading ':' and a trailing '.' or '/'. */
    private static String cleanup(String pred) {
        pred = pred.replaceAll("\\n\\s*", "").strip();
        if (pred.startsWith(":")) pred = pred.substring(1).strip();
        if (pred.endsWith(".")) pred = pred.substring(0, pred.length() - 1);
        if (pred.endsWith("/")) pred = pred.substring(0, pred.length() - 1);
        return pred;
    }
}
