package rho4j.tokenize;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into pre-tokens ("words") before BPE; spans are reported as char offsets so the hot
 * path allocates nothing per span. Implementations are stateless and thread-safe.
 */
interface PreTokenizer {
    /** GPT-2's split pattern, as written in Hugging Face tokenizer.json files and in OpenAI's r50k. */
    String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    @FunctionalInterface
    interface SpanSink {
        void accept(int start, int end);
    }

    /** Reports the pre-tokens of {@code text[start, end)}, in order and covering the range exactly. */
    void split(String text, int start, int end, SpanSink sink);

    /** GPT-2's pattern through the hand-written scanner, other patterns through java.util.regex. */
    static PreTokenizer forPattern(String regex) {
        return GPT2_PATTERN.equals(regex) ? Gpt2PreTokenizer.INSTANCE : new RegexPreTokenizer(regex);
    }

    /** Applies {@code stages} in turn: each splits every span of the previous one. */
    static PreTokenizer sequence(List<PreTokenizer> stages) {
        if (stages.isEmpty()) return (text, start, end, sink) -> { if (end > start) sink.accept(start, end); };
        PreTokenizer result = stages.get(0);
        for (PreTokenizer next : stages.subList(1, stages.size())) {
            PreTokenizer first = result;
            result = (text, start, end, sink) -> first.split(text, start, end, (s, e) -> next.split(text, s, e, sink));
        }
        return result;
    }

    /**
     * Hugging Face "Split" with behavior "Isolated": every match and every gap between matches is a
     * pre-token. UNICODE_CHARACTER_CLASS gives \s and \w their Unicode meaning, as in Oniguruma.
     */
    record RegexPreTokenizer(Pattern pattern) implements PreTokenizer {
        RegexPreTokenizer(String regex) {
            this(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS));
        }

        @Override
        public void split(String text, int start, int end, SpanSink sink) {
            Matcher m = pattern.matcher(text).region(start, end);
            m.useTransparentBounds(false).useAnchoringBounds(true);
            int last = start;
            while (m.find()) {
                if (m.end() == m.start()) continue; // empty matches split nothing
                if (m.start() > last) sink.accept(last, m.start());
                sink.accept(m.start(), m.end());
                last = m.end();
            }
            if (end > last) sink.accept(last, end);
        }
    }
}
