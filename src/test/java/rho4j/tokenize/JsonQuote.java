package rho4j.tokenize;

/** A string as a JSON literal, so failures show control characters and whitespace exactly. */
final class JsonQuote {
    private JsonQuote() {}

    static String of(String s) {
        return TokenizerJson.quote(s);
    }
}
