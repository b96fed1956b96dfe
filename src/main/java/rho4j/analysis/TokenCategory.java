package rho4j.analysis;

/**
 * The Rho-1 paper's four token loss categories (Figure 2), named by the loss level at the start and the end of
 * training. The byte {@link #code()} is what the per-token category file stores; it is the ordinal, so the order here
 * is part of that file format and must not change.
 */
public enum TokenCategory {
    H_TO_H("H->H"),
    L_TO_H("L->H"),
    H_TO_L("H->L"),
    L_TO_L("L->L");

    private final String label;

    TokenCategory(String label) {
        this.label = label;
    }

    /** The label used in JSON and reports, e.g. {@code "H->L"}. */
    public String label() {
        return label;
    }

    /** The byte stored in the per-token category file. */
    public byte code() {
        return (byte) ordinal();
    }

    public static TokenCategory ofCode(int code) {
        TokenCategory[] all = values();
        if (code < 0 || code >= all.length) {
            throw new IllegalArgumentException("not a token category code: " + code);
        }
        return all[code];
    }
}
