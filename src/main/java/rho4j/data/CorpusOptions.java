package rho4j.data;

/**
 * How {@link CorpusReader} turns files into documents.
 *
 * @param field      JSONL string field holding the text (default {@code "text"}); ignored when template is set
 * @param template   JSONL template such as {@code "{question}\n{answer}"}, see {@link TextTemplate}; or null
 * @param paragraphs plain text: one document per blank-line-separated paragraph instead of one per file
 * @param skipBad    skip malformed JSONL lines (counted per source) instead of failing
 */
public record CorpusOptions(String field, String template, boolean paragraphs, boolean skipBad) {
    public static final String DEFAULT_FIELD = "text";

    public CorpusOptions {
        if (field != null && template != null) {
            throw new IllegalArgumentException("give either --field or --template, not both");
        }
    }

    public static CorpusOptions defaults() {
        return new CorpusOptions(null, null, false, false);
    }

    public CorpusOptions withField(String f) {
        return new CorpusOptions(f, null, paragraphs, skipBad);
    }

    public CorpusOptions withTemplate(String t) {
        return new CorpusOptions(null, t, paragraphs, skipBad);
    }

    public CorpusOptions withParagraphs(boolean p) {
        return new CorpusOptions(field, template, p, skipBad);
    }

    public CorpusOptions withSkipBad(boolean s) {
        return new CorpusOptions(field, template, paragraphs, s);
    }

    /** The field actually used when no template is given. */
    public String effectiveField() {
        return field == null ? DEFAULT_FIELD : field;
    }
}
