package rho4j.train;

/** What is kept or dropped: single tokens, or whole documents ranked by their mean score. */
public enum SelectionUnit {
    TOKEN, DOCUMENT;

    public static SelectionUnit parse(String s) {
        return switch (s.toLowerCase()) {
            case "token" -> TOKEN;
            case "document", "doc" -> DOCUMENT;
            default -> throw new IllegalArgumentException("unknown selection unit '" + s + "': use token or document");
        };
    }

    public String id() { return name().toLowerCase(); }
}
